"""PostgreSQL: enum types, identity columns, sequences, several schemas (and MariaDB
sequences)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Identity, Integer, MetaData, Sequence, String, Table

from sterna.operations.ops import (
    AddEnumValueOp,
    AlterColumnOp,
    CreateEnumOp,
    CreateSequenceOp,
    CreateTableOp,
    DropEnumOp,
    DropEnumValueOp,
    DropSequenceOp,
    DropTableOp,
    ModifyTableOps,
)
from tests.autogenerate._compare_support import (
    alembic_diffs,
    create_all,
    diffs,
    execute,
    produce,
    roundtrip,
    summarize,
)


def _with_enum(*values: str, table: str = "ticket") -> MetaData:
    metadata = MetaData()
    Table(
        table,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("state", sa.Enum(*values, name="ticket_state")),
    )
    return metadata


def test_new_enum_created_first_and_dropped_last(pg_url: str) -> None:
    script = roundtrip(pg_url, MetaData(), _with_enum("open", "closed"))
    assert script.upgrade_ops is not None and script.downgrade_ops is not None
    first = script.upgrade_ops.ops[0]
    assert isinstance(first, CreateEnumOp)
    assert (first.enum_name, first.values) == ("ticket_state", ["open", "closed"])
    assert isinstance(script.upgrade_ops.ops[1], CreateTableOp)
    assert isinstance(script.downgrade_ops.ops[-1], DropEnumOp)


def test_enum_values_added_in_place(pg_url: str) -> None:
    script = roundtrip(
        pg_url,
        _with_enum("open", "closed"),
        _with_enum("new", "open", "pending", "closed", "archived"),
    )
    assert script.upgrade_ops is not None
    adds = [op for op in script.upgrade_ops.ops if isinstance(op, AddEnumValueOp)]
    placed = [(op.value, op.before, op.after) for op in adds]
    assert placed == [("new", "open", None), ("pending", None, "open"), ("archived", None, None)]
    assert all(isinstance(op, AddEnumValueOp) for op in script.upgrade_ops.ops)


def test_enum_value_removed(pg_url: str) -> None:
    create_all(pg_url, _with_enum("open", "closed", "stale"))
    upgrade = produce(pg_url, _with_enum("open", "closed")).upgrade_ops
    assert upgrade is not None
    (drop,) = upgrade.ops
    assert isinstance(drop, DropEnumValueOp) and drop.value == "stale"


def test_unused_enum_dropped_unless_used_elsewhere(pg_url: str) -> None:
    create_all(pg_url, _with_enum("open", "closed"))
    upgrade = produce(pg_url, MetaData()).upgrade_ops
    assert upgrade is not None
    assert [type(op) for op in upgrade.ops] == [DropTableOp, DropEnumOp]
    last = upgrade.ops[-1]
    assert isinstance(last, DropEnumOp) and last.values == ["open", "closed"]

    def hide_ticket(name: Any, type_: str, parents: Any) -> bool:
        return not (type_ == "table" and name == "ticket")

    # the table using it is outside this comparison: the type must stay
    assert diffs(pg_url, MetaData(), include_name=hide_ticket) == []


def test_enum_managed_elsewhere_is_left_alone(pg_url: str) -> None:
    from sqlalchemy.dialects import postgresql

    metadata = MetaData()
    Table(
        "t",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("mood", postgresql.ENUM("a", "b", name="mood", create_type=False)),
    )
    execute(pg_url, "CREATE TYPE mood AS ENUM ('a')")
    create_all(pg_url, metadata)
    assert diffs(pg_url, metadata) == []


def _identity(**options: Any) -> MetaData:
    metadata = MetaData()
    Table(
        "counter",
        metadata,
        Column("id", Integer, Identity(**options), primary_key=True),
        Column("n", Integer),
    )
    return metadata


def test_identity_options(pg_url: str) -> None:
    create_all(pg_url, _identity(start=10))
    on = {"compare_server_default": True}
    assert diffs(pg_url, _identity(start=10), **on) == []
    expected = {("modify_default", None, "counter", "id")}
    assert summarize(diffs(pg_url, _identity(start=10, increment=5), **on)) == expected
    assert summarize(alembic_diffs(pg_url, _identity(start=10, increment=5), **on)) == expected
    assert diffs(pg_url, _identity(start=10, increment=5)) == []  # off, as in Alembic
    upgrade = produce(pg_url, _identity(start=10, always=True), **on).upgrade_ops
    assert upgrade is not None
    (modify,) = upgrade.ops
    assert isinstance(modify, ModifyTableOps)
    (alter,) = modify.ops
    assert isinstance(alter, AlterColumnOp)
    assert isinstance(alter.modify_server_default, Identity)
    assert isinstance(alter.existing_server_default, Identity)
    assert alter.existing_server_default.start == 10


def _sequences(*names: str) -> MetaData:
    metadata = MetaData()
    for name in names:
        Sequence(name, start=100, increment=10, metadata=metadata)
    Table("serial_user", metadata, Column("id", Integer, primary_key=True))
    return metadata


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_sequences_created_and_dropped(server: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("pg_url" if server == "postgresql" else "mysql_url")
    create_all(url, _sequences("keep_seq", "old_seq"))
    assert diffs(url, _sequences("keep_seq", "old_seq")) == []
    upgrade = produce(url, _sequences("keep_seq", "new_seq")).upgrade_ops
    assert upgrade is not None
    assert [type(op) for op in upgrade.ops] == [CreateSequenceOp, DropSequenceOp]
    create, drop = upgrade.ops
    assert isinstance(create, CreateSequenceOp) and create.sequence_name == "new_seq"
    assert isinstance(drop, DropSequenceOp) and drop.sequence_name == "old_seq"
    if server == "postgresql":
        assert drop.reverse().kw == {"start": 100, "increment": 10}
    roundtrip(url, _sequences("keep_seq", "old_seq"), _sequences("keep_seq", "new_seq"))


def _schemas(extra_column: bool = False) -> MetaData:
    metadata = MetaData()
    Table("owner", metadata, Column("id", Integer, primary_key=True), schema="sales")
    items: list[Any] = [
        Column("id", Integer, primary_key=True),
        Column("owner_id", ForeignKey("sales.owner.id")),
    ]
    if extra_column:
        items.append(Column("note", String(20)))
    Table("pet", metadata, *items)
    return metadata


def test_include_schemas(pg_url: str) -> None:
    execute(
        pg_url,
        "CREATE SCHEMA sales",
        "CREATE SCHEMA other",
        "CREATE TABLE other.stray (id integer primary key)",
    )
    create_all(pg_url, _schemas())
    assert diffs(pg_url, _schemas()) == []
    assert summarize(diffs(pg_url, _schemas(), include_schemas=True)) == {
        ("remove_table", "other", "stray")
    }
    found = summarize(diffs(pg_url, _schemas(True), include_schemas=True))
    assert found == {("remove_table", "other", "stray"), ("add_column", None, "pet", "note")}
    expected = summarize(alembic_diffs(pg_url, _schemas(True), include_schemas=True))
    assert found == expected

    def only_sales(name: Any, type_: str, parents: Any) -> bool:
        return type_ != "schema" or name in (None, "sales")

    found = summarize(diffs(pg_url, _schemas(), include_schemas=True, include_name=only_sales))
    assert found == set()
