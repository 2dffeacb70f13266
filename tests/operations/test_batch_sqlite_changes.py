"""Batch mode on SQLite: each kind of change, checked on the rebuilt table."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.operations.test_batch_support import (
    Recorder,
    master,
    migrating,
    query,
    rejects,
    run_sql,
)


def _columns(url: str, table: str) -> list[str]:
    return [str(row[1]) for row in query(url, f"PRAGMA table_info({table})")]


def _info(url: str, table: str) -> dict[str, tuple[Any, ...]]:
    """name -> (type, notnull, default, pk)"""
    return {str(r[1]): (r[2], r[3], r[4], r[5]) for r in query(url, f"PRAGMA table_info({table})")}


def test_plain_add_column_and_indexes_do_not_rebuild(sqlite_url: str) -> None:
    run_sql(
        sqlite_url, "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT)", "CREATE INDEX ix_a ON t (a)"
    )
    with migrating(sqlite_url) as (op, conn):
        recorder = Recorder(conn)
        with op.batch_alter_table("t") as batch_op:
            batch_op.add_column(sa.Column("b", sa.String(10), server_default="x"))
            batch_op.add_column(sa.Column("n", sa.Integer, nullable=False, server_default="0"))
            batch_op.drop_index("ix_a")
            batch_op.create_index("ix_b", ["b"])
            batch_op.alter_column("a", new_column_name="aa")
        recorder.close()
    assert not [s for s in recorder.statements if "_sterna_tmp" in s]
    assert recorder.any_starts("ALTER TABLE t ADD COLUMN b VARCHAR(10) DEFAULT 'x'")
    assert recorder.any_starts("ALTER TABLE t RENAME COLUMN a TO aa")
    assert _columns(sqlite_url, "t") == ["id", "aa", "b", "n"]
    assert set(master(sqlite_url)) == {"t", "ix_b"}


@pytest.mark.parametrize(
    "column",
    [
        sa.Column("u", sa.Integer, unique=True),
        sa.Column("f", sa.Integer, sa.ForeignKey("t.id")),
        sa.Column("c", sa.Integer, sa.CheckConstraint("c > 0")),
        sa.Column("d", sa.DateTime, server_default=sa.func.current_timestamp()),
    ],
    ids=["unique", "foreign-key", "check", "expression-default"],
)
def test_columns_alter_table_cannot_add_are_added_by_a_rebuild(
    sqlite_url: str, column: sa.Column[Any]
) -> None:
    run_sql(sqlite_url, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)")
    with migrating(sqlite_url) as (op, conn):
        recorder = Recorder(conn)
        with op.batch_alter_table("t") as batch_op:
            batch_op.add_column(column)
        recorder.close()
    assert any("_sterna_tmp_t" in s for s in recorder.statements)
    assert _columns(sqlite_url, "t") == ["id", column.name]
    assert query(sqlite_url, "SELECT id FROM t") == [(1,)]


def test_insert_before_and_after(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, b INT)",
        "INSERT INTO t VALUES (1, 10, 20)",
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.add_column(sa.Column("x", sa.Integer), insert_before="a")
        batch_op.add_column(sa.Column("y", sa.Integer), insert_after="a")
        batch_op.add_column(sa.Column("z", sa.Integer), insert_after="y")
        batch_op.add_column(sa.Column("first", sa.Integer), insert_before="id")
        batch_op.alter_column("b", insert_before="x")
    assert _columns(sqlite_url, "t") == ["first", "id", "b", "x", "a", "y", "z"]
    assert query(sqlite_url, "SELECT id, a, b FROM t") == [(1, 10, 20)]


def test_partial_reordering(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE t (a INT, b INT, c INT, d INT)",
        "INSERT INTO t VALUES (1, 2, 3, 4)",
    )
    with (
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t", recreate="always", partial_reordering=[("d", "c"), ("b", "a")]),
    ):
        pass
    assert _columns(sqlite_url, "t") == ["b", "a", "d", "c"]
    assert query(sqlite_url, "SELECT a, b, c, d FROM t") == [(1, 2, 3, 4)]
    with (
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t", recreate="always", partial_reordering=[("c", "d", "a", "b")]),
    ):
        pass
    assert _columns(sqlite_url, "t") == ["c", "d", "a", "b"]


def test_alter_type_nullable_default_and_autoincrement(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code VARCHAR(3), qty INT DEFAULT 1, "
        "note TEXT NOT NULL DEFAULT 'n')",
        "INSERT INTO t VALUES (1, 'abc', 2, 'x'), (5, '007', 3, 'y')",
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("code", type_=sa.String(20), nullable=False)
        batch_op.alter_column("qty", server_default=sa.text("42"))
        batch_op.alter_column("note", server_default=None, nullable=True)
        batch_op.alter_column("id", autoincrement=True)
    info = _info(sqlite_url, "t")
    assert info["code"] == ("VARCHAR(20)", 1, None, 0)
    assert info["qty"] == ("INT", 0, "42", 0)
    assert info["note"] == ("TEXT", 0, None, 0)
    assert query(sqlite_url, "SELECT * FROM t ORDER BY id") == [
        (1, "abc", 2, "x"),
        (5, "007", 3, "y"),
    ]
    assert "AUTOINCREMENT" in str(master(sqlite_url)["t"][1])
    run_sql(sqlite_url, "INSERT INTO t (code) VALUES ('new')")
    assert query(sqlite_url, "SELECT id, qty, note FROM t WHERE code = 'new'") == [(6, 42, None)]
    assert rejects(sqlite_url, "INSERT INTO t (code) VALUES (NULL)")


def test_rename_runs_in_place_so_views_triggers_and_foreign_keys_follow(
    sqlite_url: str,
) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE, qty INT CHECK (qty > 0))",
        "CREATE TABLE ref (t_code TEXT REFERENCES t (code))",
        "CREATE TABLE audit (msg TEXT)",
        "CREATE TRIGGER tr AFTER UPDATE OF code ON t BEGIN "
        "INSERT INTO audit VALUES (OLD.code || '>' || NEW.code); END",
        "CREATE VIEW v AS SELECT code, qty FROM t",
        "INSERT INTO t VALUES (1, 'a', 5)",
        "INSERT INTO ref VALUES ('a')",
    )
    with migrating(sqlite_url) as (op, conn):
        recorder = Recorder(conn)
        with op.batch_alter_table("t") as batch_op:
            batch_op.alter_column("code", new_column_name="label", type_=sa.String(12))
            batch_op.alter_column("qty", nullable=False)
        recorder.close()
    assert recorder.any_starts("ALTER TABLE t RENAME COLUMN code TO label")
    assert query(sqlite_url, "SELECT \"to\" FROM pragma_foreign_key_list('ref')") == [("label",)]
    assert query(sqlite_url, "SELECT * FROM v") == [("a", 5)]
    run_sql(sqlite_url, "UPDATE t SET label = 'b'")
    assert query(sqlite_url, "SELECT msg FROM audit") == [("a>b",)]
    assert rejects(sqlite_url, "INSERT INTO t VALUES (2, 'b', 1)")  # UNIQUE kept
    assert rejects(sqlite_url, "INSERT INTO t VALUES (3, 'c', 0)")  # CHECK kept
    info = _info(sqlite_url, "t")
    assert info["label"][0] == "VARCHAR(12)"
    assert info["qty"][1] == 1


def test_execute_runs_in_order_between_rebuilds(sqlite_url: str) -> None:
    """Add a column, fill it, then make it NOT NULL -- in one block."""
    run_sql(
        sqlite_url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT)",
        "INSERT INTO t VALUES (1, 10), (2, 20)",
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.add_column(sa.Column("b", sa.Integer, sa.CheckConstraint("b > 0")))
        batch_op.execute("UPDATE t SET b = a * 2")
        batch_op.alter_column("b", nullable=False)
        batch_op.drop_column("a")
    assert query(sqlite_url, "SELECT * FROM t ORDER BY id") == [(1, 20), (2, 40)]
    assert _info(sqlite_url, "t")["b"][1] == 1
    assert rejects(sqlite_url, "INSERT INTO t VALUES (3, -1)")


def test_constraints_added_and_dropped(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE t (a INT NOT NULL, b INT, c INT, CONSTRAINT ck_c CHECK (c < 100), "
        "CONSTRAINT uq_b UNIQUE (b))",
        "INSERT INTO p VALUES (1)",
        "INSERT INTO t VALUES (1, 1, 1)",
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.create_primary_key("pk_t", ["a"])
        batch_op.create_foreign_key("fk_t_p", "p", ["b"], ["id"], ondelete="CASCADE")
        batch_op.create_check_constraint("ck_a", "a > 0")
        batch_op.drop_constraint("ck_c", type_="check")
        batch_op.drop_constraint("uq_b")
        batch_op.create_unique_constraint("uq_c", ["c"])
    assert rejects(sqlite_url, "INSERT INTO t VALUES (1, 1, 2)")  # primary key
    assert rejects(sqlite_url, "INSERT INTO t VALUES (2, 9, 2)")  # foreign key
    assert rejects(sqlite_url, "INSERT INTO t VALUES (0, 1, 2)")  # ck_a
    assert rejects(sqlite_url, "INSERT INTO t VALUES (3, 1, 1)")  # uq_c
    assert not rejects(sqlite_url, "INSERT INTO t VALUES (4, 1, 500)")  # ck_c and uq_b gone
    assert query(sqlite_url, "SELECT on_delete FROM pragma_foreign_key_list('t')") == [("CASCADE",)]


def test_naming_convention_names_unnamed_constraints_to_drop(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE t (id INT, pid INT REFERENCES p (id), code TEXT UNIQUE, CHECK (id > 0))",
    )
    convention = {
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
    with (
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t", naming_convention=convention) as batch_op,
    ):
        batch_op.drop_constraint("uq_t_code", type_="unique")
        batch_op.drop_constraint("fk_t_pid_p", type_="foreignkey")
    sql = str(master(sqlite_url)["t"][1])
    assert "UNIQUE" not in sql and "REFERENCES" not in sql
    assert "CHECK (id > 0)" in sql


def test_indexes_in_a_rebuild(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, b TEXT)",
        "CREATE UNIQUE INDEX ix_a ON t (a)",
        "CREATE INDEX ix_ab ON t (a, b)",
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.drop_index("ix_ab")
        batch_op.create_index("ix_b_lower", [sa.text("lower(b)")], sqlite_where=sa.text("a > 1"))
        batch_op.alter_column("a", type_=sa.BigInteger)
    objects = master(sqlite_url)
    assert objects["ix_a"][1] == "CREATE UNIQUE INDEX ix_a ON t (a)"
    assert "ix_ab" not in objects
    assert objects["ix_b_lower"][1] == "CREATE INDEX ix_b_lower ON t (lower(b)) WHERE a > 1"


def test_hostile_names(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        'CREATE TABLE "order" ("a b" INT, "x""y" TEXT, "Select" INT CHECK ("Select" > 0), '
        "\"o'brien\" TEXT DEFAULT 'it''s')",
        'CREATE INDEX "ix x" ON "order" ("a b")',
        "INSERT INTO \"order\" VALUES (1, 'q\"', 2, 'z')",
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("order") as batch_op:
        batch_op.alter_column("Select", new_column_name="From", type_=sa.Integer)
        batch_op.add_column(
            sa.Column("new col", sa.Integer, nullable=False, server_default="7"),
            insert_before="a b",
        )
        batch_op.create_check_constraint("ck'x", sa.text('"a b" < 100'))
    assert _columns(sqlite_url, '"order"') == ["new col", "a b", 'x"y', "From", "o'brien"]
    assert query(sqlite_url, 'SELECT * FROM "order"') == [(7, 1, 'q"', 2, "z")]
    assert rejects(sqlite_url, 'INSERT INTO "order" ("From") VALUES (0)')
    assert rejects(sqlite_url, 'INSERT INTO "order" ("a b", "From") VALUES (500, 1)')
    run_sql(sqlite_url, 'INSERT INTO "order" ("From") VALUES (3)')
    assert query(sqlite_url, 'SELECT "o\'brien" FROM "order" WHERE "From" = 3') == [("it's",)]
    assert master(sqlite_url)["ix x"][1] == 'CREATE INDEX "ix x" ON "order" ("a b")'


def test_table_args_kwargs_and_reflect_args(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, flag INT, n INT)",
        "INSERT INTO t VALUES (1, 1, 5)",
    )
    with (
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table(
            "t",
            recreate="always",
            reflect_args=[sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag"))],
            table_args=[sa.CheckConstraint("n < 10", name="ck_n")],
            table_kwargs={"sqlite_autoincrement": True},
        ) as batch_op,
    ):
        batch_op.add_column(sa.Column("extra", sa.Integer))
    sql = str(master(sqlite_url)["t"][1])
    assert "AUTOINCREMENT" in sql
    assert rejects(sqlite_url, "INSERT INTO t (flag, n) VALUES (2, 1)")  # the Boolean's CHECK
    assert rejects(sqlite_url, "INSERT INTO t (flag, n) VALUES (1, 11)")  # ck_n
    assert query(sqlite_url, "SELECT id, flag, n FROM t") == [(1, 1, 5)]


def test_reflect_kwargs_listeners_are_honoured(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, amount MONEY, n INT)",
        "INSERT INTO t VALUES (1, 2.5, 3)",
    )
    seen: list[str] = []

    def listen(inspector: Any, table: Any, column_info: dict[str, Any]) -> None:
        seen.append(column_info["name"])
        if column_info["name"] == "amount":
            column_info["type"] = sa.Numeric(10, 2)

    with (
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table(
            "t", reflect_kwargs={"listeners": [("column_reflect", listen)]}
        ) as batch_op,
    ):
        batch_op.drop_column("n")
    assert seen == ["id", "amount", "n"]
    assert _info(sqlite_url, "t")["amount"][0] == "NUMERIC(10, 2)"
    assert query(sqlite_url, "SELECT * FROM t") == [(1, 2.5)]


def test_attached_schema(sqlite_url: str, tmp_path: Any) -> None:
    other = tmp_path / "other.db"
    run_sql(
        f"sqlite:///{other}",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, b INT)",
        "CREATE INDEX ix_t_a ON t (a)",
        "INSERT INTO t VALUES (1, 2, 3)",
    )
    run_sql(sqlite_url, "CREATE TABLE t (id INTEGER PRIMARY KEY)")  # same name in main
    with migrating(sqlite_url) as (op, conn):
        conn.exec_driver_sql(f"ATTACH DATABASE '{other}' AS aux")
        with op.batch_alter_table("t", schema="aux") as batch_op:
            batch_op.drop_column("b")
    assert query(f"sqlite:///{other}", "SELECT * FROM t") == [(1, 2)]
    assert master(f"sqlite:///{other}")["ix_t_a"][1] == "CREATE INDEX ix_t_a ON t (a)"
    assert _columns(sqlite_url, "t") == ["id"]


def test_a_project_operation_runs_at_its_place_in_the_batch(sqlite_url: str) -> None:
    from sterna.operations import BatchOperations, Operations
    from sterna.operations.ops import MigrateOperation

    @BatchOperations.register_operation("sterna_test_bump", "batch_bump")
    class BumpOp(MigrateOperation):
        def __init__(self, table: str, column: str) -> None:
            self.table = table
            self.column = column

        @classmethod
        def batch_bump(cls, operations: Any, column: str) -> Any:
            return operations.invoke(cls(operations.table_name, column))

    @Operations.implementation_for(BumpOp, replace=True)
    def bump(operations: Any, operation: BumpOp) -> None:
        # an implementation that itself uses directives of the (batch) operations object
        operations.execute(
            f"UPDATE {operation.table} SET {operation.column} = {operation.column} + 1"
        )

    run_sql(
        sqlite_url, "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT)", "INSERT INTO t VALUES (1, 1)"
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.add_column(sa.Column("b", sa.Integer, server_default="10"), insert_before="a")
        batch_op.sterna_test_bump("b")  # type: ignore[attr-defined]
        batch_op.alter_column("b", nullable=False)
    assert query(sqlite_url, "SELECT id, b, a FROM t") == [(1, 11, 1)]
    assert _columns(sqlite_url, "t") == ["id", "b", "a"]
    assert _info(sqlite_url, "t")["b"][1] == 1


def test_function_default_in_a_rebuild_is_parenthesized(sqlite_url: str) -> None:
    """A function default is written ``DEFAULT (datetime('now', 'localtime'))``: SQLite
    refuses it without the parentheses (the rebuild's CREATE TABLE failed)."""
    run_sql(sqlite_url, "CREATE TABLE hasts (id INTEGER PRIMARY KEY, x DATETIME)")
    with migrating(sqlite_url) as (op, _conn), op.batch_alter_table("hasts") as batch_op:
        batch_op.alter_column(
            "x",
            type_=sa.DateTime(),
            nullable=False,
            server_default=sa.func.datetime("now", "localtime"),
        )
    run_sql(sqlite_url, "INSERT INTO hasts (id) VALUES (1)")
    assert query(sqlite_url, "SELECT x IS NOT NULL FROM hasts") == [(1,)]


def test_table_args_restating_a_kept_unnamed_check_does_not_double_it(sqlite_url: str) -> None:
    """Alembic's documented workaround for the unnamed CHECK its rebuild drops restates it in
    ``table_args``; Sterna keeps the table's CHECK, so the restated one is not added twice."""
    run_sql(sqlite_url, "CREATE TABLE foo (x INTEGER, CHECK (x > 5))")
    with (
        migrating(sqlite_url) as (op, _conn),
        op.batch_alter_table(
            "foo", recreate="always", table_args=[sa.CheckConstraint("x > 5")]
        ) as batch_op,
    ):
        batch_op.add_column(sa.Column("y", sa.Integer))
    engine = sa.create_engine(sqlite_url)
    try:
        checks = sa.inspect(engine).get_check_constraints("foo")
    finally:
        engine.dispose()
    assert [c["sqltext"] for c in checks] == ["x > 5"]


def test_copy_from_keeps_its_metadata_naming_convention(sqlite_url: str) -> None:
    """``copy_from`` a table whose MetaData has a naming convention: the rebuilt table's
    type CHECK keeps the convention's name (``ck_user_is_active``), as the models have it (it
    came back as ``is_active``)."""
    metadata = sa.MetaData(naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"})
    table = sa.Table(
        "user",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("is_active", sa.Boolean(create_constraint=True, name="is_active")),
    )
    engine = sa.create_engine(sqlite_url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    with (
        migrating(sqlite_url) as (op, _conn),
        op.batch_alter_table("user", copy_from=table, recreate="always") as batch_op,
    ):
        batch_op.add_column(sa.Column("y", sa.Integer))
    engine = sa.create_engine(sqlite_url)
    try:
        checks = sa.inspect(engine).get_check_constraints("user")
    finally:
        engine.dispose()
    assert [c["name"] for c in checks] == ["ck_user_is_active"]
