"""Batch ``add_column`` of a primary-key column (Alembic's suite,
``BatchRoundTripTest.test_drop_pk_col_readd_pk_col``): the rebuilt table keeps the column's
primary key (it was left out, and the copy failed on NOT NULL), and ``add_column`` takes
``op.add_column``'s ``inline_references`` / ``inline_primary_key``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.operations.test_batch_support import migrating, query, run_sql


@pytest.mark.parametrize("inline", [True, False])
def test_dropped_primary_key_column_added_back_as_primary_key(
    sqlite_url: str, inline: bool
) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE foo (id INTEGER NOT NULL PRIMARY KEY, data VARCHAR(10))",
        "INSERT INTO foo (id, data) VALUES (5, 'a'), (9, 'b')",
    )
    with migrating(sqlite_url) as (op, _conn), op.batch_alter_table("foo") as batch_op:
        batch_op.drop_column("id")
        batch_op.add_column(
            sa.Column("id", sa.Integer, primary_key=True), inline_primary_key=inline
        )
    engine = sa.create_engine(sqlite_url)
    try:
        assert sa.inspect(engine).get_pk_constraint("foo")["constrained_columns"] == ["id"]
    finally:
        engine.dispose()
    # the new key is SQLite's rowid: the copied rows were numbered
    assert query(sqlite_url, "SELECT data FROM foo ORDER BY id") == [("a",), ("b",)]
    assert query(sqlite_url, "SELECT count(*) FROM foo WHERE id IS NULL") == [(0,)]


def test_in_place_add_column_writes_the_primary_key_inline(pg_url: str) -> None:
    """On PostgreSQL the batch adds the column in place, ``PRIMARY KEY`` in its definition."""
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE foo (data VARCHAR(10))"))
    finally:
        engine.dispose()
    with migrating(pg_url) as (op, _conn), op.batch_alter_table("foo") as batch_op:
        batch_op.add_column(sa.Column("id", sa.Integer, primary_key=True), inline_primary_key=True)
    engine = sa.create_engine(pg_url)
    try:
        assert sa.inspect(engine).get_pk_constraint("foo")["constrained_columns"] == ["id"]
    finally:
        engine.dispose()
