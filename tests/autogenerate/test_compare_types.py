"""Type changes (``compare_type``: on by default, bool or callable), against Alembic."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Integer, MetaData, Numeric, String, Table

from sterna.autogenerate.compare.types import normalized_sig, parse_type
from sterna.operations.ops import AlterColumnOp, ModifyTableOps
from tests.autogenerate._compare_support import (
    alembic_diffs,
    create_all,
    diffs,
    produce,
    roundtrip,
    summarize,
)


def _model(name_type: Any, count_type: Any, price_type: Any) -> MetaData:
    metadata = MetaData()
    Table(
        "item",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", name_type),
        Column("count", count_type),
        Column("price", price_type),
    )
    return metadata


BEFORE = (String(40), Integer(), Numeric(10, 2))
AFTER = (String(60), BigInteger(), Numeric(12, 4))


def test_type_changes_like_alembic(db_url: str, backend: str) -> None:
    create_all(db_url, _model(*BEFORE))
    after = _model(*AFTER)
    expected = {("modify_type", None, "item", c) for c in ("name", "count", "price")}
    assert summarize(diffs(db_url, after)) == expected
    assert summarize(alembic_diffs(db_url, after)) == expected
    script = produce(db_url, after)
    assert script.upgrade_ops is not None
    (modify,) = script.upgrade_ops.ops
    assert isinstance(modify, ModifyTableOps)
    alters = {op.column_name: op for op in modify.ops if isinstance(op, AlterColumnOp)}
    assert alters["name"].modify_type is after.tables["item"].c.name.type
    assert getattr(alters["name"].existing_type, "length", None) == 40


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])  # SQLite: batch mode only
def test_type_changes_round_trip(db_url: str, backend: str) -> None:
    roundtrip(db_url, _model(*BEFORE), _model(*AFTER))


def test_compare_type_off_and_callable(db_url: str) -> None:
    create_all(db_url, _model(*BEFORE))
    after = _model(*AFTER)
    assert diffs(db_url, after, compare_type=False) == []
    seen: list[tuple[str, str]] = []

    def decide(
        context: Any, inspected: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
    ) -> bool | None:
        seen.append((inspected.name, metadata_column.name))
        assert context.dialect is not None
        assert inspected_type._type_affinity is not None
        if metadata_column.name == "name":
            return False  # say "same" although lengths differ
        if metadata_column.name == "id":
            return True  # say "different" although equal
        return None  # default comparison

    found = summarize(diffs(db_url, after, compare_type=decide))
    assert found == {("modify_type", None, "item", c) for c in ("id", "count", "price")}
    assert ("name", "name") in seen


def test_enum_values_change_on_mysql(mysql_url: str) -> None:
    def model(*values: str) -> MetaData:
        metadata = MetaData()
        Table(
            "t",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("state", sa.Enum(*values, name="state")),
        )
        return metadata

    create_all(mysql_url, model("new", "done"))
    assert diffs(mysql_url, model("new", "done")) == []
    expected = {("modify_type", None, "t", "state")}
    assert summarize(diffs(mysql_url, model("new", "done", "lost"))) == expected
    assert summarize(alembic_diffs(mysql_url, model("new", "done", "lost"))) == expected
    roundtrip(mysql_url, model("new", "done"), model("new", "done", "lost"))


def test_timezone_change_on_postgresql(pg_url: str) -> None:
    def model(tz: bool) -> MetaData:
        metadata = MetaData()
        Table(
            "t",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("at", sa.DateTime(timezone=tz)),
        )
        return metadata

    create_all(pg_url, model(False))
    expected = {("modify_type", None, "t", "at")}
    assert summarize(diffs(pg_url, model(True))) == expected
    assert summarize(alembic_diffs(pg_url, model(True))) == expected


def test_type_decorator_and_variant_compare_by_implementation(db_url: str) -> None:
    class Email(sa.TypeDecorator[str]):
        impl = String(120)
        cache_ok = True

    def model(type_: Any) -> MetaData:
        metadata = MetaData()
        Table("t", metadata, Column("id", Integer, primary_key=True), Column("v", type_))
        return metadata

    create_all(db_url, model(Email()))
    assert diffs(db_url, model(Email())) == []
    variant = String(10).with_variant(String(120), "sqlite", "postgresql", "mysql", "mariadb")
    assert diffs(db_url, model(variant)) == []
    assert summarize(diffs(db_url, model(String(10)))) == {("modify_type", None, "t", "v")}


@pytest.mark.parametrize(
    ("ddl", "dialect", "expected"),
    [
        ("INTEGER(11)", "mysql", ("integer", ())),
        ("TINYINT(1)", "mysql", ("boolean", ())),
        ("BOOL", "mysql", ("boolean", ())),
        ("DECIMAL(10, 2)", "mysql", ("numeric", ("10", "2"))),
        ("NUMERIC", "mysql", ("numeric", ())),  # no arguments: compared as any NUMERIC(p, s)
        ("FLOAT(53)", "mysql", ("double", ())),
        ("FLOAT", "postgresql", ("double", ())),
        ("DOUBLE PRECISION", "postgresql", ("double", ())),
        ("FLOAT(10)", "postgresql", ("real", ())),
        ("CHARACTER VARYING(20)", "postgresql", ("varchar", ("20",))),
        ("TIMESTAMP WITHOUT TIME ZONE", "postgresql", ("timestamp", ())),
        ("INT", "sqlite", ("integer", ())),
        ("VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "mysql", ("varchar", ("20",))),
    ],
)
def test_type_signatures(ddl: str, dialect: str, expected: tuple[str, tuple[str, ...]]) -> None:
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    # PGDialect_psycopg.__init__ has no annotations in SQLAlchemy
    dialects = {
        "mysql": mysql.dialect(),
        "postgresql": postgresql.dialect(),  # type: ignore[no-untyped-call]
        "sqlite": sqlite.dialect(),
    }
    sig = normalized_sig(ddl, dialects[dialect])
    assert (sig.base, sig.args) == expected


def test_type_signature_modifiers() -> None:
    sig = parse_type("TIMESTAMP(3) WITH TIME ZONE", "postgresql")
    assert (sig.base, sig.args, sig.flags) == ("timestamp", ("3",), frozenset({"tz"}))
    sig = parse_type("INTEGER(10) UNSIGNED ZEROFILL", "mysql")
    assert sig.flags == frozenset({"unsigned", "zerofill"})
    sig = parse_type("VARCHAR(20)[]", "postgresql")
    assert sig.flags == frozenset({"array"})
    sig = parse_type('VARCHAR(20) COLLATE "C"', "postgresql")
    assert sig.collation == "c"
    sig = parse_type("ENUM('a','b c')", "mysql")
    assert sig.args == ("'a'", "'b c'")
