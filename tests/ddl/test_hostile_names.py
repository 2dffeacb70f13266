"""Hostile identifiers (reserved words, mixed case, spaces, quotes) as table, column, index and
constraint names, on every backend, online and offline.

The same migration runs online, and is also written offline and the written SQL executed on a
fresh database; both databases must then reflect the same, expected schema.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Inspector

from tests.ddl.support import backend_of, offline, online, reflect

NAMES = ("order", "Select", "a b", 'x"y', "o'brien")


def _migration(backend: str) -> Any:
    altering = backend != "sqlite"

    def migrate(op: Any) -> None:
        for n in NAMES:
            op.create_table(
                n,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column(n, sa.Integer, server_default="1", comment=f"{n}!"),
                comment=f"table {n}",
            )
            op.add_column(n, sa.Column(f"{n} 2", sa.String(20), server_default=n))
            op.create_index(f"{n} ix", n, [n, f"{n} 2"], unique=True)
            op.bulk_insert(
                sa.table(n, sa.column("id"), sa.column(n), sa.column(f"{n} 2")),
                [{"id": 1, n: 1, f"{n} 2": n}],
            )
            op.alter_column(
                n,
                f"{n} 2",
                new_column_name=f"{n} 3",
                existing_type=sa.String(20),
                existing_nullable=True,
                existing_server_default=n,
            )
            op.drop_index(f"{n} ix", n)
            if altering:
                op.create_unique_constraint(f"{n} uq", n, [n])
                op.drop_constraint(f"{n} uq", n, type_="unique")
                op.create_check_constraint(f"{n} ck", n, sa.column(n) > 0)
                op.create_foreign_key(f"{n} fk", n, n, [n], ["id"])
                op.alter_column(
                    n,
                    f"{n} 3",
                    type_=sa.String(40),
                    existing_type=sa.String(20),
                    existing_nullable=True,
                    existing_server_default=n,
                )
                op.create_table_comment(n, f"new {n}")
            op.rename_table(n, f"{n} new")

    return migrate


def _check(backend: str) -> Any:
    def check(insp: Inspector) -> None:
        assert sorted(insp.get_table_names()) == sorted(f"{n} new" for n in NAMES)
        for n in NAMES:
            table = f"{n} new"
            cols = {c["name"]: c for c in insp.get_columns(table)}
            assert list(cols) == ["id", n, f"{n} 3"]
            assert insp.get_indexes(table) == [] or backend == "mariadb"
            if backend == "sqlite":
                continue
            assert getattr(cols[f"{n} 3"]["type"], "length", None) == 40
            assert cols[n]["comment"] == f"{n}!"
            assert insp.get_table_comment(table)["text"] == f"new {n}"
            assert [c["name"] for c in insp.get_check_constraints(table)] == [f"{n} ck"]
            assert [fk["name"] for fk in insp.get_foreign_keys(table)] == [f"{n} fk"]
            assert insp.get_unique_constraints(table) == []

    return check


def _rows(conn: Connection) -> list[Any]:
    found: list[Any] = []
    for n in NAMES:
        table = sa.table(f"{n} new", sa.column(n), sa.column(f"{n} 3"))
        found.extend(tuple(r) for r in conn.execute(sa.select(table)))
    return found


EXPECTED_ROWS = [(1, n) for n in NAMES]


def test_hostile_names_online(db_url: str) -> None:
    backend = backend_of(db_url)
    online(db_url, lambda op, conn: _migration(backend)(op))
    reflect(db_url, _check(backend))
    assert online(db_url, lambda op, conn: _rows(conn)) == EXPECTED_ROWS


def test_hostile_names_offline_sql_runs(db_url: str) -> None:
    backend = backend_of(db_url)
    dialect = {"mariadb": "mariadb"}.get(backend, backend)
    statements = offline(dialect, _migration(backend))
    assert statements

    def run(op: Any, conn: Connection) -> None:
        for statement in statements:
            conn.exec_driver_sql(statement)

    online(db_url, run)
    reflect(db_url, _check(backend))
    assert online(db_url, lambda op, conn: _rows(conn)) == EXPECTED_ROWS
