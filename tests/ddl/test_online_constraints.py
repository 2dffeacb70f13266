"""Constraints, indexes and comments on real databases, checked by reflection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Inspector

from sterna.errors import UnsupportedOperation
from sterna.operations import Operations
from tests.ddl.support import SERVERS, backend_of, online, reflect


def _tables(op: Operations) -> None:
    op.create_table(
        "r", sa.Column("id", sa.Integer, nullable=False), sa.Column("k", sa.Integer, nullable=False)
    )
    op.create_table(
        "order",
        sa.Column("a b", sa.Integer, nullable=False),
        sa.Column("Select", sa.Integer),
        sa.Column("o'brien", sa.Integer),
    )


@pytest.mark.parametrize("server", SERVERS)
def test_create_and_drop_constraints(server: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(server)

    def create(op: Operations, conn: Connection) -> None:
        _tables(op)
        op.create_primary_key("pk_r", "r", ["id"])
        op.create_primary_key("pk x", "order", ["a b"])
        op.create_unique_constraint("uq'x", "r", ["k"])
        op.create_foreign_key(
            "fk x", "order", "r", ["Select"], ["id"], ondelete="CASCADE", onupdate="SET NULL"
        )
        op.create_check_constraint("ck'x", "order", sa.column("o'brien") > 5)

    online(url, create)

    def check_created(insp: Inspector) -> None:
        assert insp.get_pk_constraint("order")["constrained_columns"] == ["a b"]
        assert insp.get_pk_constraint("r")["constrained_columns"] == ["id"]
        assert [(u["name"], u["column_names"]) for u in insp.get_unique_constraints("r")] == [
            ("uq'x", ["k"])
        ]
        fks = insp.get_foreign_keys("order")
        assert [(fk["name"], fk["constrained_columns"], fk["referred_columns"]) for fk in fks] == [
            ("fk x", ["Select"], ["id"])
        ]
        assert fks[0]["options"]["ondelete"] == "CASCADE"
        assert fks[0]["options"]["onupdate"] == "SET NULL"
        checks = insp.get_check_constraints("order")
        assert [c["name"] for c in checks] == ["ck'x"]
        assert "5" in checks[0]["sqltext"]

    reflect(url, check_created)

    def violate(op: Operations, conn: Connection) -> None:
        op.bulk_insert(sa.table("r", sa.column("id"), sa.column("k")), [{"id": 1, "k": 1}])
        savepoint = conn.begin_nested()
        with pytest.raises(sa.exc.DBAPIError):
            op.execute("INSERT INTO r (id, k) VALUES (2, 1)")
        savepoint.rollback()
        savepoint = conn.begin_nested()
        with pytest.raises(sa.exc.DBAPIError):
            op.bulk_insert(
                sa.table("order", sa.column("a b"), sa.column("o'brien")),
                [{"a b": 1, "o'brien": 1}],
            )
        savepoint.rollback()

    online(url, violate)

    def drop(op: Operations, conn: Connection) -> None:
        op.drop_constraint("ck'x", "order", type_="check")
        op.drop_constraint("fk x", "order", type_="foreignkey")
        op.drop_constraint("uq'x", "r", type_="unique")
        op.drop_constraint("pk x", "order", type_="primary")

    online(url, drop)

    def check_dropped(insp: Inspector) -> None:
        assert insp.get_foreign_keys("order") == []
        assert insp.get_check_constraints("order") == []
        assert insp.get_unique_constraints("r") == []
        assert insp.get_pk_constraint("order")["constrained_columns"] == []

    reflect(url, check_dropped)


def test_untyped_and_if_exists_drops(db_url: str) -> None:
    backend = backend_of(db_url)

    def migrate(op: Operations, conn: Connection) -> None:
        _tables(op)
        if backend == "sqlite":
            with pytest.raises(UnsupportedOperation):
                op.drop_constraint("uq", "r")
            return
        op.create_unique_constraint("uq", "r", ["k"])
        op.create_check_constraint("ck", "r", "k > 0")
        op.drop_constraint("uq", "r")
        op.drop_constraint("ck", "r", type_="check", if_exists=True)
        op.drop_constraint("ck", "r", type_="check", if_exists=True)

    online(db_url, migrate)
    if backend != "sqlite":
        assert reflect(db_url, lambda insp: insp.get_unique_constraints("r")) == []
        assert reflect(db_url, lambda insp: insp.get_check_constraints("r")) == []


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_indexes(db_url: str) -> None:
    backend = backend_of(db_url)

    def migrate(op: Operations, conn: Connection) -> None:
        _tables(op)
        op.create_index("o'brien", "order", ["a b", "Select"], unique=True)
        op.create_index("ix x", "order", ["o'brien"], if_not_exists=True)
        op.create_index("ix x", "order", ["o'brien"], if_not_exists=True)
        op.create_index("gone", "r", ["k"])
        op.drop_index("gone", "r")
        op.drop_index("gone", "r", if_exists=True)
        if backend != "mariadb":  # MariaDB has no functional indexes
            op.create_index("Select", "order", [sa.text('("Select" + 1)')])
        if backend == "postgresql":
            op.create_index(
                "partial", "r", ["k"], postgresql_where=sa.text("k > 3"), postgresql_include=["id"]
            )

    online(db_url, migrate)

    def check(insp: Inspector) -> None:
        indexes = {ix["name"]: ix for ix in insp.get_indexes("order")}
        assert indexes["o'brien"]["column_names"] == ["a b", "Select"]
        assert indexes["o'brien"]["unique"]
        assert indexes["ix x"]["column_names"] == ["o'brien"]
        # (SQLAlchemy does not reflect SQLite expression indexes: checked below)
        expected = {"o'brien", "ix x"} | ({"Select"} if backend == "postgresql" else set())
        assert set(indexes) == expected
        r_indexes = {ix["name"]: ix for ix in insp.get_indexes("r")}
        assert "gone" not in r_indexes
        if backend == "postgresql":
            assert r_indexes["partial"]["dialect_options"]["postgresql_where"] == "(k > 3)"
            assert r_indexes["partial"]["dialect_options"]["postgresql_include"] == ["id"]

    reflect(db_url, check)
    if backend == "sqlite":
        ddl = online(
            db_url,
            lambda op, conn: conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'Select'"
            ).scalar(),
        )
        assert ddl == 'CREATE INDEX "Select" ON "order" (("Select" + 1))'


def test_mysql_index_length(mysql_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table("t", sa.Column("name", sa.String(200)))
        op.create_index("ix", "t", ["name"], mysql_length={"name": 10})

    online(mysql_url, migrate)
    sub_part = online(
        mysql_url,
        lambda op, conn: conn.exec_driver_sql(
            "SELECT sub_part FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() AND index_name = 'ix'"
        ).scalar(),
    )
    assert sub_part == 10


def test_postgresql_concurrent_index_in_autocommit_block(pg_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table("t", sa.Column("a", sa.Integer))

    online(pg_url, migrate)
    engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            from sterna.runtime.migration import MigrationContext

            op = Operations(MigrationContext.configure(connection=conn))
            op.create_index("ix", "t", ["a"], postgresql_concurrently=True)
            indexes = sa.inspect(conn).get_indexes("t")
            op.drop_index("ix", "t", postgresql_concurrently=True)
            assert sa.inspect(conn).get_indexes("t") == []
    finally:
        engine.dispose()
    assert [ix["name"] for ix in indexes] == ["ix"]


@pytest.mark.parametrize("server", SERVERS)
def test_table_comments(server: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(server)

    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table("order", sa.Column("a", sa.Integer))
        op.create_table_comment("order", "o'brien's \"table\"")

    online(url, migrate)
    assert reflect(url, lambda i: i.get_table_comment("order"))["text"] == "o'brien's \"table\""
    online(url, lambda op, conn: op.drop_table_comment("order", existing_comment="x"))
    assert reflect(url, lambda i: i.get_table_comment("order"))["text"] in (None, "")


def test_exclude_constraint(pg_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table(
            "room",
            sa.Column("room_id", sa.Integer),
            sa.Column("during", sa.dialects.postgresql.INT4RANGE),
        )
        op.create_exclude_constraint(
            "no overlap",
            "room",
            (sa.text("during"), "&&"),
            using="gist",
            where=sa.text("room_id > 0"),
        )
        op.execute("INSERT INTO room VALUES (1, '[1,5)')")
        savepoint = conn.begin_nested()
        with pytest.raises(sa.exc.IntegrityError):
            op.execute("INSERT INTO room VALUES (2, '[3,7)')")
        savepoint.rollback()
        op.drop_constraint("no overlap", "room")
        op.execute("INSERT INTO room VALUES (2, '[3,7)')")

    online(pg_url, migrate)
    count = online(
        pg_url, lambda op, conn: conn.exec_driver_sql("SELECT count(*) FROM room").scalar()
    )
    assert count == 2


@pytest.mark.parametrize("server", SERVERS)
def test_schema_qualified_operations(server: str, request: pytest.FixtureRequest) -> None:
    """Every directive with schema=..., including a foreign key across schemas."""
    url = request.getfixturevalue(server)
    s1, s2 = "c1 Select", "c1 o'brien"

    def migrate(op: Operations, conn: Connection) -> None:
        for schema in (s1, s2):
            op.create_schema(schema, if_not_exists=True)
        op.create_table("r", sa.Column("id", sa.Integer, primary_key=True), schema=s2)
        op.create_table(
            "order",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("a", sa.Integer),
            schema=s1,
        )
        op.add_column("order", sa.Column("rid", sa.Integer), schema=s1)
        op.alter_column(
            "order",
            "a",
            new_column_name="a b",
            type_=sa.BigInteger,
            existing_type=sa.Integer,
            existing_nullable=True,
            existing_server_default=None,
            schema=s1,
        )
        op.create_index("ix x", "order", ["a b"], schema=s1)
        op.create_unique_constraint("uq x", "order", ["rid"], schema=s1)
        op.create_check_constraint("ck x", "order", sa.column("a b") > 0, schema=s1)
        op.create_foreign_key(
            "fk x",
            "order",
            "r",
            ["rid"],
            ["id"],
            source_schema=s1,
            referent_schema=s2,
            ondelete="CASCADE",
        )
        op.create_table_comment("order", "c", schema=s1)
        op.drop_constraint("ck x", "order", type_="check", schema=s1)
        op.rename_table("order", "Order 2", schema=s1)

    try:
        online(url, migrate)

        def check(insp: Inspector) -> None:
            assert insp.get_table_names(schema=s1) == ["Order 2"]
            cols = [c["name"] for c in insp.get_columns("Order 2", schema=s1)]
            assert cols == ["id", "a b", "rid"]
            fks = insp.get_foreign_keys("Order 2", schema=s1)
            assert [(fk["name"], fk["referred_schema"], fk["referred_table"]) for fk in fks] == [
                ("fk x", s2, "r")
            ]
            assert "ix x" in {ix["name"] for ix in insp.get_indexes("Order 2", schema=s1)}
            assert [u["name"] for u in insp.get_unique_constraints("Order 2", schema=s1)] == [
                "uq x"
            ]
            assert insp.get_check_constraints("Order 2", schema=s1) == []
            assert insp.get_table_comment("Order 2", schema=s1)["text"] == "c"

        reflect(url, check)
    finally:

        def cleanup(op: Operations, conn: Connection) -> None:
            for schema in (s1, s2):
                op.drop_schema(schema, if_exists=True, cascade=True)

        online(url, cleanup)
