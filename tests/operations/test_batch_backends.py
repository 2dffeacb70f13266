"""Batch mode on SQLite, PostgreSQL and MariaDB: ordinary ALTERs where the backend can, a
rebuild where asked (``recreate="always"``) or needed (SQLite), the same end state everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection, Inspector

from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext
from tests.operations.test_batch_support import Recorder


@contextmanager
def _migrating(url: str) -> Iterator[tuple[Operations, Connection, Recorder]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            recorder = Recorder(conn)
            with context.begin_transaction():
                yield Operations(context), conn, recorder
            recorder.close()
    finally:
        engine.dispose()


def _inspect(url: str, fn: Any) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return fn(inspect(conn), conn)
    finally:
        engine.dispose()


def _setup(url: str) -> None:
    metadata = sa.MetaData()
    parent = sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True))
    item = sa.Table(
        "item",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", name="fk_item_parent")),
        sa.Column("name", sa.String(20), nullable=False, comment="the name"),
        sa.Column("qty", sa.Integer, server_default="1"),
        sa.Column("old", sa.Integer),
        sa.CheckConstraint("qty > 0", name="ck_qty"),
        sa.UniqueConstraint("name", name="uq_item_name"),
        sa.Index("ix_item_qty", "qty"),
        comment="items",
    )
    engine = create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(parent.insert(), [{"id": 1}, {"id": 2}])
            conn.execute(
                item.insert(),
                [
                    {"id": 1, "parent_id": 1, "name": "a", "qty": 2, "old": 0},
                    {"id": 2, "parent_id": 2, "name": "b", "qty": 3, "old": 0},
                ],
            )
    finally:
        engine.dispose()


def _state(insp: Inspector, conn: Connection) -> dict[str, Any]:
    uniques = {u["name"] for u in insp.get_unique_constraints("item")}
    return {
        "columns": [c["name"] for c in insp.get_columns("item")],
        "nullable": {c["name"]: c["nullable"] for c in insp.get_columns("item")},
        "unique": sorted(
            (u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints("item")
        ),
        "fks": sorted(
            (f["name"], tuple(f["constrained_columns"]), f["referred_table"])
            for f in insp.get_foreign_keys("item")
        ),
        "checks": sorted(c["name"] for c in insp.get_check_constraints("item")),
        "indexes": sorted(
            i["name"]
            for i in insp.get_indexes("item")
            if i["name"] not in uniques and i["name"] != "fk_item_parent"
        ),
        "rows": [
            tuple(r)
            for r in conn.execute(sa.text("SELECT id, parent_id, name, qty FROM item ORDER BY id"))
        ],
    }


@pytest.mark.filterwarnings("ignore:WARNING. SQL-parsed foreign key")
def test_auto_alters_in_place_except_on_sqlite(db_url: str, backend: str) -> None:
    _setup(db_url)
    with _migrating(db_url) as (op, conn, recorder), op.batch_alter_table("item") as batch_op:
        batch_op.add_column(sa.Column("note", sa.String(30)))
        batch_op.alter_column(
            "qty", nullable=False, existing_type=sa.Integer, existing_server_default="1"
        )
        batch_op.drop_column("old")
        batch_op.create_unique_constraint("uq_item_qty", ["qty", "name"])
        batch_op.create_index("ix_item_note", ["note"])
    rebuilt = any("_sterna_tmp_item" in s for s in recorder.statements)
    assert rebuilt is (backend == "sqlite")
    state = _inspect(db_url, _state)
    assert state["columns"] == ["id", "parent_id", "name", "qty", "note"]
    assert state["nullable"]["qty"] is False
    assert state["unique"] == [("uq_item_name", ("name",)), ("uq_item_qty", ("qty", "name"))]
    assert state["fks"] == [("fk_item_parent", ("parent_id",), "parent")]
    assert state["checks"] == ["ck_qty"]
    assert state["indexes"] == ["ix_item_note", "ix_item_qty"]
    assert state["rows"] == [(1, 1, "a", 2), (2, 2, "b", 3)]


@pytest.mark.filterwarnings("ignore:WARNING. SQL-parsed foreign key")
def test_recreate_always_keeps_everything(db_url: str, backend: str) -> None:
    _setup(db_url)
    with (
        _migrating(db_url) as (op, conn, recorder),
        op.batch_alter_table("item", recreate="always") as batch_op,
    ):
        batch_op.add_column(sa.Column("extra", sa.Integer), insert_after="id")
        batch_op.alter_column("name", type_=sa.String(40), existing_type=sa.String(20))
        batch_op.create_table_comment("all items")
    assert any(s.startswith("DROP TABLE item") for s in recorder.statements)
    state = _inspect(db_url, _state)
    assert state["columns"] == ["id", "extra", "parent_id", "name", "qty", "old"]
    assert state["nullable"]["name"] is False
    assert state["unique"] == [("uq_item_name", ("name",))]
    assert state["fks"] == [("fk_item_parent", ("parent_id",), "parent")]
    assert state["checks"] == ["ck_qty"]
    assert state["indexes"] == ["ix_item_qty"]
    assert state["rows"] == [(1, 1, "a", 2), (2, 2, "b", 3)]

    def after(insp: Inspector, conn: Connection) -> tuple[Any, ...]:
        name_type = next(c["type"] for c in insp.get_columns("item") if c["name"] == "name")
        comments = (
            (
                insp.get_table_comment("item")["text"],
                next(c.get("comment") for c in insp.get_columns("item") if c["name"] == "name"),
            )
            if backend != "sqlite"
            else ("all items", "the name")
        )
        conn.execute(sa.text("INSERT INTO item (parent_id, name) VALUES (1, 'c')"))
        new_id = conn.execute(sa.text("SELECT id, qty FROM item WHERE name = 'c'")).one()
        conn.rollback()
        return getattr(name_type, "length", None), comments, tuple(new_id)

    assert _inspect(db_url, after) == (40, ("all items", "the name"), (3, 1))


@pytest.mark.filterwarnings("ignore:WARNING. SQL-parsed foreign key")
def test_rebuild_of_a_referenced_table(db_url: str, backend: str) -> None:
    """SQLite (enforcement off) rebuilds and the referring rows stay valid; PostgreSQL and
    MariaDB refuse to drop a table other tables refer to, and the table is left intact."""
    _setup(db_url)
    expectation = pytest.raises(sa.exc.DBAPIError) if backend != "sqlite" else _nothing()
    with (
        expectation,
        _migrating(db_url) as (op, conn, recorder),
        op.batch_alter_table("parent", recreate="always") as batch_op,
    ):
        batch_op.add_column(sa.Column("label", sa.String(10)))

    def check(insp: Inspector, conn: Connection) -> tuple[Any, ...]:
        tables = sorted(t for t in insp.get_table_names() if t.startswith("_sterna"))
        columns = [c["name"] for c in insp.get_columns("parent")]
        rows = [tuple(r) for r in conn.execute(sa.text("SELECT id FROM parent ORDER BY id"))]
        return tables, columns, rows

    tables, columns, rows = _inspect(db_url, check)
    assert tables == []
    assert columns == (["id", "label"] if backend == "sqlite" else ["id"])
    assert rows == [(1,), (2,)]
    assert _inspect(db_url, _state)["fks"] == [("fk_item_parent", ("parent_id",), "parent")]


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@pytest.mark.filterwarnings("ignore:WARNING. SQL-parsed foreign key")
def test_hostile_names_in_a_rebuild(db_url: str, backend: str) -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "order",
        metadata,
        sa.Column("Select", sa.Integer, primary_key=True),
        sa.Column("a b", sa.String(10), server_default="o'b"),
        sa.Column('x"y', sa.Integer),
        sa.UniqueConstraint("a b", name="uq x"),
        sa.Index("ix'x", 'x"y'),
    )
    engine = create_engine(db_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"Select": 1, "a b": "it's", 'x"y': 5}])
    finally:
        engine.dispose()
    with (
        _migrating(db_url) as (op, conn, recorder),
        op.batch_alter_table("order", recreate="always") as batch_op,
    ):
        batch_op.alter_column("a b", new_column_name="from", existing_type=sa.String(10))
        batch_op.add_column(sa.Column("o'brien", sa.Integer), insert_before='x"y')

    def check(insp: Inspector, conn: Connection) -> tuple[Any, ...]:
        rows = conn.execute(
            sa.select(
                sa.table(
                    "order",
                    sa.column("Select"),
                    sa.column("from"),
                    sa.column("o'brien"),
                    sa.column('x"y'),
                )
            )
        ).all()
        return (
            [c["name"] for c in insp.get_columns("order")],
            [tuple(r) for r in rows],
            [u["name"] for u in insp.get_unique_constraints("order")],
            [i["name"] for i in insp.get_indexes("order") if i["name"] != "uq x"],
        )

    assert _inspect(db_url, check) == (
        ["Select", "from", "o'brien", 'x"y'],
        [(1, "it's", None, 5)],
        ["uq x"],
        ["ix'x"],
    )


@pytest.mark.parametrize(
    ("backend", "identity"),
    [
        ("sqlite", False),
        ("postgresql", False),
        ("mariadb", False),
        ("postgresql", True),
    ],
)
def test_rebuild_keeps_the_id_counter(db_url: str, backend: str, identity: bool) -> None:
    """Ids freed by deleting the last rows are not handed out again after a rebuild: the next
    insert gets the id it gets in an identical table that was not rebuilt (the database's own
    rule: SQLite reuses them without AUTOINCREMENT, PostgreSQL and MariaDB do not)."""
    metadata = sa.MetaData()
    id_args = [sa.Identity()] if identity else []
    for name in ("counted", "control"):
        sa.Table(
            name,
            metadata,
            sa.Column("id", sa.Integer, *id_args, primary_key=True),
            sa.Column("v", sa.String(10)),
        )
    engine = create_engine(db_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            for name in ("counted", "control"):
                for value in "abcde":
                    conn.execute(sa.text(f"INSERT INTO {name} (v) VALUES ('{value}')"))
                conn.execute(sa.text(f"DELETE FROM {name} WHERE id > 3"))
    finally:
        engine.dispose()
    with (
        _migrating(db_url) as (op, _conn, _recorder),
        op.batch_alter_table("counted", recreate="always") as batch_op,
    ):
        batch_op.add_column(sa.Column("extra", sa.Integer))

    def next_ids(insp: Inspector, conn: Connection) -> list[int]:
        found = []
        for name in ("counted", "control"):
            conn.execute(sa.text(f"INSERT INTO {name} (v) VALUES ('new')"))
            found.append(conn.execute(sa.text(f"SELECT max(id) FROM {name}")).scalar_one())
        conn.rollback()
        return found

    counted, control = _inspect(db_url, next_ids)
    assert counted == control
