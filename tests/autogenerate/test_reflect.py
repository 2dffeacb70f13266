"""Bulk reflection: the snapshot records on each backend, and a number of queries that does not
grow with the number of tables."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    text,
)

from sterna.autogenerate.reflect import Snapshot, reflect
from tests.autogenerate._compare_support import counting, create_all, engine


def _tables(metadata: MetaData, count: int, backend: str) -> None:
    comment = None if backend == "sqlite" else "a table"
    for i in range(count):
        Table(
            f"t{i:03d}",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("parent_id", ForeignKey(f"t{max(i - 1, 0):03d}.id", ondelete="CASCADE")),
            Column("code", String(20), nullable=False, server_default="x"),
            Column("amount", Numeric(10, 2)),
            UniqueConstraint("code", name=f"uq_t{i:03d}_code"),
            CheckConstraint("amount >= 0", name=f"ck_t{i:03d}_amount"),
            Index(f"ix_t{i:03d}_amount", "amount"),
            comment=comment,
        )


def _reflect_counting(url: str, **kw: Any) -> tuple[Snapshot, list[str]]:
    with engine(url) as eng, eng.connect() as conn:
        conn.dialect.default_schema_name  # noqa: B018  (connection set up before counting)
        with counting(eng) as statements:
            snapshot = reflect(conn, [None], **kw)
    return snapshot, statements


def test_query_count_does_not_grow_with_tables(db_url: str, backend: str) -> None:
    few, many = MetaData(), MetaData()
    _tables(few, 3, backend)
    create_all(db_url, few)
    small, small_statements = _reflect_counting(db_url)
    assert len(small.tables) == 3
    _tables(many, 24, backend)
    create_all(db_url, many)
    large, large_statements = _reflect_counting(db_url)
    assert len(large.tables) == 24
    assert len(large_statements) == len(small_statements)
    assert len(large_statements) <= 16
    table = large.tables[(None, "t010")]
    assert [c.name for c in table.columns] == ["id", "parent_id", "code", "amount"]
    assert [u.columns for u in table.uniques] == [("code",)]
    assert {c.name for c in table.checks} == {"ck_t010_amount"}


def test_excluded_tables_are_not_read(db_url: str) -> None:
    metadata = MetaData()
    _tables(metadata, 3, "sqlite")
    create_all(db_url, metadata)
    with engine(db_url) as eng, eng.connect() as conn:
        conn.dialect.default_schema_name  # noqa: B018
        seen: list[Any] = []

        def capture(conn_: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
            seen.append((statement, params))

        sa.event.listen(eng, "before_cursor_execute", capture)
        snapshot = reflect(conn, [None], include_table=lambda s, name: name != "t001")
    assert set(snapshot.tables) == {(None, "t000"), (None, "t002")}
    assert snapshot.excluded == {(None, "t001")}
    listing, *reading = seen
    assert reading, "tables were read"
    assert not any("t001" in repr(params) or "t001" in statement for statement, params in reading)


def test_records(db_url: str, backend: str) -> None:
    metadata = MetaData()
    Table(
        "parent",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Column("b", Integer),
        UniqueConstraint("a", "b", name="uq_ab"),
    )
    Table(
        "child",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("pa", Integer, nullable=False),
        Column("pb", Integer),
        Column(
            "label",
            String(30),
            server_default=text("'none'"),
            comment=None if backend == "sqlite" else "the label",
        ),
        sa.ForeignKeyConstraint(
            ["pa", "pb"], ["parent.a", "parent.b"], name="fk_child_parent", ondelete="CASCADE"
        ),
        CheckConstraint("pa > 0", name="ck_pa"),
        Index("ix_child_label", "label", unique=True),
        Index("ix_child_pa_pb", "pa", "pb"),
    )
    create_all(db_url, metadata)
    snapshot, _ = _reflect_counting(db_url)
    child = snapshot.tables[(None, "child")]
    columns = {c.name: c for c in child.columns}
    assert [c.position for c in child.columns] == [0, 1, 2, 3]
    assert columns["pa"].nullable is False and columns["pb"].nullable is True
    assert isinstance(columns["label"].type, sa.String) and columns["label"].type.length == 30
    assert columns["label"].default is not None and "none" in columns["label"].default
    assert child.primary_key is not None and child.primary_key.columns == ("id",)
    (fk,) = child.foreign_keys
    assert (fk.name, fk.columns, fk.referred_table, fk.referred_columns, fk.ondelete) == (
        "fk_child_parent",
        ("pa", "pb"),
        "parent",
        ("a", "b"),
        "CASCADE",
    )
    assert [c.name for c in child.checks] == ["ck_pa"]
    by_name = {i.name: i for i in child.indexes} | {
        u.name: u for u in child.uniques if u.from_index
    }
    assert by_name["ix_child_pa_pb"].elements == ("pa", "pb")  # type: ignore[union-attr]
    assert set(by_name) >= {"ix_child_label", "ix_child_pa_pb"}
    parent = snapshot.tables[(None, "parent")]
    assert [(u.name, u.columns) for u in parent.uniques] == [("uq_ab", ("a", "b"))]
    if backend != "sqlite":
        assert columns["label"].comment == "the label"


def test_sqlite_attached_schema(tmp_path: Any) -> None:
    """Another schema is an attached database: the pragma functions take its name."""
    url = f"sqlite:///{tmp_path / 'main.db'}"
    other = tmp_path / "other.db"
    with engine(url) as eng, eng.connect() as conn:
        conn.exec_driver_sql(f"ATTACH DATABASE '{other}' AS other")
        conn.exec_driver_sql(
            "CREATE TABLE other.thing (id INTEGER PRIMARY KEY, name VARCHAR(10) UNIQUE, "
            "CONSTRAINT ck_name CHECK (name <> ''))"
        )
        conn.exec_driver_sql("CREATE INDEX other.ix_thing_name ON thing (name)")
        conn.exec_driver_sql("CREATE TABLE here (id INTEGER PRIMARY KEY)")
        snapshot = reflect(conn, [None, "other"])
    assert set(snapshot.tables) == {(None, "here"), ("other", "thing")}
    thing = snapshot.tables[("other", "thing")]
    assert [c.name for c in thing.columns] == ["id", "name"]
    assert [i.name for i in thing.indexes] == ["ix_thing_name"]
    assert [u.columns for u in thing.uniques] == [("name",)]
    assert [c.name for c in thing.checks] == ["ck_name"]


def test_mysql_other_database(mysql_url: str) -> None:
    """On MySQL a schema is a database; foreign keys across databases keep their schema."""
    import uuid

    from sqlalchemy.engine import make_url

    from tests.autogenerate._compare_support import diffs, execute, summarize

    own = make_url(mysql_url).database
    other = f"t_{uuid.uuid4().hex[:12]}"
    execute(mysql_url, f"CREATE DATABASE {other}")
    try:
        metadata = MetaData()
        Table("owner", metadata, Column("id", Integer, primary_key=True), schema=other)
        Table(
            "pet",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("owner_id", ForeignKey(f"{other}.owner.id")),
        )
        create_all(mysql_url, metadata)

        def ours(name: Any, type_: str, parents: Any) -> bool:
            return type_ != "schema" or name in (None, other)

        assert diffs(mysql_url, metadata, include_schemas=True, include_name=ours) == []
        dropped = summarize(diffs(mysql_url, MetaData(), include_schemas=True, include_name=ours))
        assert dropped == {("remove_table", None, "pet"), ("remove_table", other, "owner")}
        assert own is not None and own != other
    finally:
        execute(mysql_url, "DROP TABLE IF EXISTS pet", f"DROP DATABASE {other}")
