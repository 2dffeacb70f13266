"""Batch mode on SQLite: failures leave the table as it was, and impossible requests are
refused before anything runs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from sterna.errors import (
    BatchDependentBroken,
    BatchError,
    BatchForeignKeyError,
    BatchNoSuchObject,
    BatchRecreateRequired,
)
from tests.operations.test_batch_support import master, migrating, query, rejects, run_sql

SCHEMA = (
    "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
    "CREATE TABLE t (id INTEGER PRIMARY KEY, pid INT, name TEXT, qty INT CHECK (qty > 0))",
    "CREATE INDEX ix_t_name ON t (name)",
    "CREATE TABLE audit (msg TEXT)",
    "CREATE TRIGGER tr_t AFTER UPDATE ON t BEGIN INSERT INTO audit VALUES (NEW.name); END",
    "CREATE VIEW v_t AS SELECT id, qty FROM t",
    "INSERT INTO parent VALUES (1)",
    "INSERT INTO t VALUES (1, 1, 'a', 1), (2, 7, 'a', 2)",
)
ROWS = [(1, 1, "a", 1), (2, 7, "a", 2)]


def _unchanged(url: str, before: dict[str, tuple[str, str | None]]) -> None:
    assert master(url) == before
    assert query(url, "SELECT * FROM t ORDER BY id") == ROWS


def test_not_null_column_without_default_fails_and_the_migration_can_go_on(
    sqlite_url: str,
) -> None:
    run_sql(sqlite_url, *SCHEMA)
    before = master(sqlite_url)
    with migrating(sqlite_url) as (op, _):
        with pytest.raises(IntegrityError, match="NOT NULL"), op.batch_alter_table("t") as batch_op:
            batch_op.add_column(sa.Column("must", sa.Integer, nullable=False))
        # the failed rebuild was rolled back to its savepoint: the transaction goes on
        op.execute("INSERT INTO parent VALUES (2)")
    _unchanged(sqlite_url, before)
    assert query(sqlite_url, "SELECT id FROM parent ORDER BY id") == [(1,), (2,)]


def test_a_copy_that_fails_leaves_the_original(sqlite_url: str) -> None:
    run_sql(sqlite_url, *SCHEMA)
    before = master(sqlite_url)
    with (
        pytest.raises(IntegrityError, match="UNIQUE"),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t") as batch_op,
    ):
        batch_op.create_unique_constraint("uq_name", ["name"])
    _unchanged(sqlite_url, before)


def test_a_foreign_key_the_data_violates_is_caught_after_the_rebuild(sqlite_url: str) -> None:
    """Enforcement is off, so only the check after the rebuild (PRAGMA foreign_key_check) can
    see that row 2 refers to a missing parent; the old table comes back."""
    run_sql(sqlite_url, *SCHEMA)
    before = master(sqlite_url)
    with (
        pytest.raises(
            BatchForeignKeyError,
            match=r"1 row\(s\) of 't' refer to missing rows "
            r"of 'parent'",
        ),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t") as batch_op,
    ):
        batch_op.create_foreign_key("fk_parent", "parent", ["pid"], ["id"])
    _unchanged(sqlite_url, before)


def test_pre_existing_violations_do_not_block_an_unrelated_rebuild(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        *SCHEMA[:1],
        "CREATE TABLE t (id INTEGER PRIMARY KEY, pid INT REFERENCES parent (id), x INT)",
        "INSERT INTO t VALUES (1, 99, 1)",  # enforcement was off when this went in
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.drop_column("x")
    assert query(sqlite_url, "SELECT * FROM t") == [(1, 99)]


def test_dropping_a_column_a_view_uses_is_refused(sqlite_url: str) -> None:
    run_sql(sqlite_url, *SCHEMA)
    before = master(sqlite_url)
    with (
        pytest.raises(BatchDependentBroken, match=r"view 'v_t'.*no such column: qty"),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t") as batch_op,
    ):
        batch_op.drop_column("qty")
    _unchanged(sqlite_url, before)


def test_dropping_a_column_a_trigger_uses_is_refused(sqlite_url: str) -> None:
    run_sql(sqlite_url, *SCHEMA)
    before = master(sqlite_url)
    with (
        pytest.raises(BatchDependentBroken, match=r"UPDATE triggers of 't'.*NEW.name"),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t") as batch_op,
    ):
        batch_op.drop_index("ix_t_name")
        batch_op.drop_column("name")
    _unchanged(sqlite_url, before)


def test_a_view_broken_before_does_not_block_the_rebuild(sqlite_url: str) -> None:
    """A stale view elsewhere makes SQLite refuse RENAME COLUMN in place (it re-checks every
    view); the rename is then made in the rebuild, and only what it breaks is refused."""
    run_sql(
        sqlite_url,
        *SCHEMA,
        "CREATE VIEW stale AS SELECT gone FROM t",  # broken already
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("pid", new_column_name="parent_id")
        batch_op.alter_column("qty", nullable=False)
    assert query(sqlite_url, "SELECT id, parent_id, name, qty FROM t ORDER BY id") == ROWS
    assert rejects(sqlite_url, "INSERT INTO t (id, qty) VALUES (9, NULL)")
    before = master(sqlite_url)
    with (
        pytest.raises(BatchDependentBroken, match=r"UPDATE triggers of 't'.*NEW.name"),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t", recreate="always") as batch_op,
    ):
        batch_op.alter_column("name", new_column_name="label")
    assert master(sqlite_url) == before


def test_recreate_never_refuses_before_anything_runs(sqlite_url: str) -> None:
    run_sql(sqlite_url, *SCHEMA)
    before = master(sqlite_url)
    with (
        pytest.raises(
            BatchRecreateRequired,
            match=r"DropColumnOp\('qty'\) needs the table "
            r"to be rebuilt on SQLite",
        ),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t", recreate="never") as batch_op,
    ):
        batch_op.add_column(sa.Column("fine", sa.Integer))
        batch_op.drop_column("qty")
    _unchanged(sqlite_url, before)


def test_recreate_never_runs_what_alter_table_can_do(sqlite_url: str) -> None:
    run_sql(sqlite_url, *SCHEMA)
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("fine", sa.Integer))
        batch_op.create_index("ix_t_qty", ["qty"])
    assert "fine" in [row[1] for row in query(sqlite_url, "PRAGMA table_info(t)")]
    assert "ix_t_qty" in master(sqlite_url)


def test_unknown_objects_are_named(sqlite_url: str) -> None:
    run_sql(sqlite_url, *SCHEMA)
    with (
        pytest.raises(
            BatchNoSuchObject,
            match=r"no column 'nope' \(columns: id, pid, name, "
            r"qty\)",
        ),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t") as batch_op,
    ):
        batch_op.alter_column("nope", nullable=False)
    with (
        pytest.raises(BatchNoSuchObject, match=r"no constraint named 'ck_x'.*naming_convention"),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t") as batch_op,
    ):
        batch_op.drop_constraint("ck_x")
    with (
        pytest.raises(
            BatchNoSuchObject,
            match=r"no index named 'ix_nope' \(indexes: "
            r"ix_t_name\)",
        ),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t", recreate="always") as batch_op,
    ):
        batch_op.drop_index("ix_nope")
    with (
        pytest.raises(BatchNoSuchObject, match="no such table"),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("nothere") as batch_op,
    ):
        batch_op.drop_column("x")


def test_an_error_inside_the_block_applies_nothing(sqlite_url: str) -> None:
    run_sql(sqlite_url, *SCHEMA)
    before = master(sqlite_url)
    with (
        pytest.raises(RuntimeError),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("t") as batch_op,
    ):
        batch_op.drop_column("qty")
        raise RuntimeError("the script stops here")
    _unchanged(sqlite_url, before)


def test_a_leftover_temporary_table_is_not_touched(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        *SCHEMA,
        "CREATE TABLE _sterna_tmp_t (keep INT)",
        "INSERT INTO _sterna_tmp_t VALUES (42)",
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("qty", nullable=False)
    assert query(sqlite_url, "SELECT * FROM _sterna_tmp_t") == [(42,)]
    assert query(sqlite_url, "SELECT * FROM t ORDER BY id") == ROWS
    assert "_sterna_tmp_2_t" not in master(sqlite_url)


def test_virtual_tables_are_refused(sqlite_url: str) -> None:
    run_sql(sqlite_url, "CREATE VIRTUAL TABLE docs USING fts5(title, body)")
    with (
        pytest.raises(BatchError, match="a virtual table cannot be altered or rebuilt"),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("docs") as batch_op,
    ):
        batch_op.drop_column("body")
