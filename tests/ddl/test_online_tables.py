"""Tables and columns on real databases (SQLite, PostgreSQL, MariaDB), checked by reflection."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Inspector

from sterna.errors import UnsupportedOperation
from sterna.operations import Operations
from tests.ddl.support import backend_of, online, reflect


def _by_name(items: list[Any]) -> dict[str, Any]:
    return {item["name"]: item for item in items}


def _create_order_tables(op: Operations, conn: Connection) -> sa.Table:
    op.create_table("a b", sa.Column("id", sa.Integer, primary_key=True))
    return op.create_table(
        "order",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("Select", sa.String(20), server_default="o'b", comment="it's", index=True),
        sa.Column("a b", sa.Integer, nullable=False),
        sa.Column('x"y', sa.Integer, sa.ForeignKey("a b.id", ondelete="CASCADE")),
        sa.UniqueConstraint("a b", name="uq x"),
        sa.CheckConstraint(
            '"a b" > 0' if conn.dialect.name != "mysql" else "`a b` > 0", name="ck'x"
        ),
        comment="o'brien's table",
    )


@pytest.mark.filterwarnings("ignore:WARNING. SQL-parsed foreign key")  # SQLAlchemy, quoted "
def test_create_table_with_everything_then_rename_and_drop(db_url: str) -> None:
    backend = backend_of(db_url)

    def migrate(op: Operations, conn: Connection) -> None:
        table = _create_order_tables(op, conn)
        op.bulk_insert(op.create_table("o'brien", sa.Column("n", sa.Integer)), [{"n": 1}])
        op.bulk_insert(sa.table("a b", sa.column("id")), [{"id": 1}, {"id": 2}])
        op.bulk_insert(
            table,
            [
                {"id": 1, "a b": 1, 'x"y': 1},
                {"id": 2, "Select": "x'y", "a b": 2},
                {"id": 3, "Select": None, "a b": 3, 'x"y': 2},
            ],
        )

    online(db_url, migrate)

    def check(insp: Inspector) -> None:
        assert set(insp.get_table_names()) == {"a b", "order", "o'brien"}
        cols = _by_name(insp.get_columns("order"))
        assert list(cols) == ["id", "Select", "a b", 'x"y']
        assert cols["a b"]["nullable"] is False
        assert "o'b" in cols["Select"]["default"].replace("''", "'")
        assert [uq["column_names"] for uq in insp.get_unique_constraints("order")] == [["a b"]]
        fks = insp.get_foreign_keys("order")
        assert [(fk["constrained_columns"], fk["referred_table"]) for fk in fks] == [
            (['x"y'], "a b")
        ]
        if backend != "sqlite":  # SQLAlchemy does not parse SQLite's options for quoted names
            assert fks[0]["options"].get("ondelete") == "CASCADE"
        assert [
            ix["column_names"]
            for ix in insp.get_indexes("order")
            if ix["name"] == "ix_order_Select"
        ] == [["Select"]]
        assert [ck["name"] for ck in insp.get_check_constraints("order")] == ["ck'x"]
        if backend != "sqlite":
            assert insp.get_table_comment("order")["text"] == "o'brien's table"
            assert cols["Select"]["comment"] == "it's"

    reflect(db_url, check)
    if backend == "sqlite":
        ddl = online(
            db_url,
            lambda op, conn: conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'order'"
            ).scalar(),
        )
        assert 'REFERENCES "a b" (id) ON DELETE CASCADE' in ddl

    def rows(op: Operations, conn: Connection) -> list[Any]:
        table = sa.table("order", sa.column("id"), sa.column("Select"))
        return list(conn.execute(sa.select(table.c.id, table.c.Select).order_by("id")))

    assert online(db_url, rows) == [(1, "o'b"), (2, "x'y"), (3, None)]

    def rename_and_drop(op: Operations, conn: Connection) -> None:
        op.rename_table("order", "Select")
        op.drop_table("o'brien")

    online(db_url, rename_and_drop)
    assert reflect(db_url, lambda insp: set(insp.get_table_names())) == {"a b", "Select"}
    online(db_url, lambda op, conn: op.drop_table("Select", if_exists=True))
    online(db_url, lambda op, conn: op.drop_table("Select", if_exists=True))
    assert reflect(db_url, lambda insp: insp.get_table_names()) == ["a b"]


def test_add_and_drop_columns(db_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table("r", sa.Column("id", sa.Integer, primary_key=True))
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
        op.bulk_insert(sa.table("r", sa.column("id")), [{"id": 7}])
        op.bulk_insert(sa.table("t", sa.column("id")), [{"id": 1}])
        op.add_column(
            "t",
            sa.Column("o'brien", sa.String(10), nullable=False, server_default="x'y", comment="c"),
        )
        op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id")))
        op.add_column("t", sa.Column("Select", sa.Integer, index=True))
        op.add_column("t", sa.Column("gone", sa.Integer))
        op.drop_column("t", "gone")

    online(db_url, migrate)

    def check(insp: Inspector) -> None:
        cols = _by_name(insp.get_columns("t"))
        assert list(cols) == ["id", "o'brien", "rid", "Select"]
        assert cols["o'brien"]["nullable"] is False
        assert [fk["referred_table"] for fk in insp.get_foreign_keys("t")] == ["r"]
        assert [
            ix["column_names"] for ix in insp.get_indexes("t") if ix["name"] == "ix_t_Select"
        ] == [["Select"]]

    reflect(db_url, check)
    value = online(
        db_url,
        lambda op, conn: conn.execute(
            sa.select(sa.table("t", sa.column("o'brien")).c["o'brien"])
        ).scalar(),
    )
    assert value == "x'y"


def test_if_exists_and_if_not_exists_columns(db_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
        op.add_column("t", sa.Column("a", sa.Integer), if_not_exists=True)
        op.add_column("t", sa.Column("a", sa.Integer), if_not_exists=True)
        op.drop_column("t", "missing", if_exists=True)
        op.drop_column("t", "a", if_exists=True)
        op.drop_column("t", "a", if_exists=True)

    online(db_url, migrate)
    cols = reflect(db_url, lambda insp: [c["name"] for c in insp.get_columns("t")])
    assert cols == ["id"]


@pytest.mark.parametrize("server", ["pg_url", "mysql_url"])
def test_alter_column_on_servers(server: str, request: pytest.FixtureRequest) -> None:
    db_url = request.getfixturevalue(server)

    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table(
            "order",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("Select", sa.Integer, nullable=False, server_default="3"),
            sa.Column("o'brien", sa.String(5), comment="old"),
        )
        op.alter_column(
            "order",
            "Select",
            type_=sa.BigInteger,
            existing_type=sa.Integer,
            existing_nullable=False,
            existing_server_default="3",
        )
        op.alter_column(
            "order",
            "Select",
            nullable=True,
            server_default=None,
            new_column_name="a b",
            existing_type=sa.BigInteger,
        )
        op.alter_column(
            "order",
            "o'brien",
            type_=sa.String(30),
            server_default="x'y",
            comment="it's",
            existing_nullable=True,
        )
        op.alter_column("order", "o'brien", nullable=False, existing_type=sa.String(30))

    online(db_url, migrate)

    def check(insp: Inspector) -> None:
        cols = _by_name(insp.get_columns("order"))
        assert list(cols) == ["id", "a b", "o'brien"]
        assert isinstance(cols["a b"]["type"], sa.BigInteger)
        assert cols["a b"]["nullable"] is True
        assert cols["a b"]["default"] in (None, "NULL")
        assert cols["o'brien"]["type"].length == 30
        assert cols["o'brien"]["nullable"] is False
        assert "x'y" in cols["o'brien"]["default"].replace("''", "'")
        assert cols["o'brien"]["comment"] == "it's"

    reflect(db_url, check)


def test_sqlite_alter_column(sqlite_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table("t", sa.Column("Select", sa.Integer))
        op.alter_column("t", "Select", new_column_name="a b", comment="skipped")
        with pytest.raises(UnsupportedOperation, match="batch"):
            op.alter_column("t", "a b", nullable=False)

    online(sqlite_url, migrate)
    assert reflect(sqlite_url, lambda i: [c["name"] for c in i.get_columns("t")]) == ["a b"]
