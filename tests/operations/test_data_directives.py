"""bulk_insert, execute and inline_literal on real databases and offline."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sterna.operations import Operations
from tests.ddl.support import offline, online

ROWS: list[dict[str, Any]] = [
    {"id": 1, "name": "o'brien", "born": datetime.date(2001, 2, 3)},
    {"id": 2, "name": 'x"y'},
    {"id": 3, "name": None, "born": None},
    {"id": 4, "name": "back\\slash", "born": datetime.date(1999, 12, 31)},
]


def _people(op: Operations) -> sa.Table:
    return op.create_table(
        "order",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(30)),
        sa.Column("born", sa.Date),
    )


def _read(conn: Connection) -> list[tuple[Any, ...]]:
    table = sa.table("order", sa.column("id"), sa.column("name"), sa.column("born", sa.Date))
    return [tuple(r) for r in conn.execute(sa.select(table).order_by(table.c.id))]


EXPECTED = [
    (1, "o'brien", datetime.date(2001, 2, 3)),
    (2, 'x"y', None),
    (3, None, None),
    (4, "back\\slash", datetime.date(1999, 12, 31)),
]


@pytest.mark.parametrize("multiinsert", [True, False])
def test_bulk_insert_online(db_url: str, multiinsert: bool) -> None:
    def migrate(op: Operations, conn: Connection) -> list[tuple[Any, ...]]:
        table = _people(op)
        op.bulk_insert(table, ROWS, multiinsert=multiinsert)
        light = sa.table("order", sa.column("id", sa.Integer), sa.column("name", sa.String))
        op.bulk_insert(light, [{"id": 5, "name": op.inline_literal("lit'eral")}])
        op.bulk_insert(light, [])
        return _read(conn)

    assert online(db_url, migrate) == [*EXPECTED, (5, "lit'eral", None)]


def test_bulk_insert_offline_sql_runs_on_the_database(db_url: str) -> None:
    """The literal INSERTs written offline, executed on the real database, store the values."""
    dialect = {"sqlite": "sqlite", "postgresql": "postgresql"}.get(
        db_url.split(":")[0].split("+")[0], "mysql"
    )
    typed = sa.table(
        "order",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("born", sa.Date),
    )
    sql = offline(dialect, lambda op: op.bulk_insert(typed, ROWS))
    assert len(sql) == len(ROWS)

    def run(op: Operations, conn: Connection) -> list[tuple[Any, ...]]:
        _people(op)
        for statement in sql:
            conn.exec_driver_sql(statement.replace("%", "%%"))
        return _read(conn)

    assert online(db_url, run) == EXPECTED


def test_execute_forms(db_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> list[tuple[Any, ...]]:
        table = _people(op)
        op.execute(
            "INSERT INTO "
            + conn.dialect.identifier_preparer.quote("order")
            + " (id, name) VALUES (1, 'a')"
        )
        op.execute(
            sa.text(
                "UPDATE {} SET name = 'b' WHERE id = 1".format(
                    conn.dialect.identifier_preparer.quote("order")
                )
            )
        )
        op.execute(table.insert().values(id=2, name=op.inline_literal("c'd")))
        op.execute(
            table.update()
            .where(table.c.id == 2)
            .values(born=op.inline_literal(datetime.date(2020, 1, 2), sa.Date()))
        )
        op.execute(
            table.delete().where(table.c.id == 99), execution_options={"no_parameters": False}
        )
        return _read(conn)

    assert online(db_url, migrate) == [(1, "b", None), (2, "c'd", datetime.date(2020, 1, 2))]


def test_execution_options_reach_the_connection(sqlite_url: str) -> None:
    seen: list[dict[str, Any]] = []

    def migrate(op: Operations, conn: Connection) -> None:
        @sa.event.listens_for(conn, "before_cursor_execute")
        def record(
            conn_: Any, cursor: Any, stmt: str, params: Any, context: Any, executemany: bool
        ) -> None:
            seen.append(dict(context.execution_options))

        op.execute("SELECT 1", execution_options={"sterna_marker": "x"})

    online(sqlite_url, migrate)
    assert seen and seen[-1].get("sterna_marker") == "x"


def test_inline_literal_offline_escapes() -> None:
    table = sa.table("t", sa.column("n", sa.String), sa.column("m", sa.Integer))
    for dialect, expected in [
        ("postgresql", "UPDATE t SET n='o''b' WHERE t.m = 5"),
        ("sqlite", "UPDATE t SET n='o''b' WHERE t.m = 5"),
        ("mysql", "UPDATE t SET n='o''b' WHERE t.m = 5"),
    ]:
        sql = offline(
            dialect,
            lambda op: op.execute(
                table.update()
                .where(table.c.m == op.inline_literal(5))
                .values(n=op.inline_literal("o'b"))
            ),
        )
        assert sql == [expected]


def test_bulk_insert_inline_literal_row_by_row(db_url: str) -> None:
    """Each row keeps its own inline_literal value: the compiled INSERT of the first row (the
    literal is part of its text) must not be reused for the next one."""

    def migrate(op: Operations, conn: Connection) -> list[tuple[Any, ...]]:
        _people(op)
        light = sa.table("order", sa.column("id", sa.Integer), sa.column("name", sa.String))
        rows = [{"id": n, "name": op.inline_literal(f"n{n}")} for n in (1, 2, 3)]
        op.bulk_insert(light, rows, multiinsert=False)
        op.execute(light.update().where(light.c.id == 2).values(name=op.inline_literal("two")))
        op.execute(light.update().where(light.c.id == 3).values(name=op.inline_literal("three")))
        return [row[:2] for row in _read(conn)]

    assert online(db_url, migrate) == [(1, "n1"), (2, "two"), (3, "three")]


@pytest.mark.parametrize("rows", [{"id": 5}, [(5,)], "id"], ids=["one-dict", "tuples", "str"])
def test_bulk_insert_refuses_rows_that_are_not_dictionaries(db_url: str, rows: Any) -> None:
    def migrate(op: Operations, conn: Connection) -> list[tuple[Any, ...]]:
        table = _people(op)
        with pytest.raises(TypeError, match=r"bulk_insert\('order'\)"):
            op.bulk_insert(table, rows)
        op.bulk_insert(table, ({"id": n} for n in (7, 8)))  # any iterable of rows is fine
        return _read(conn)

    assert online(db_url, migrate) == [(7, None, None), (8, None, None)]
