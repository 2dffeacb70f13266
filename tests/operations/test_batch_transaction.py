"""Batch mode and the connection's transaction: outside a migration, on a connection that is not
in a transaction, a batch runs in a transaction of its own and commits it (nothing is left open
holding the ALTER's locks); inside the caller's transaction it is part of that transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection

from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext


@contextmanager
def _bare(url: str) -> Iterator[tuple[Operations, Connection]]:
    """Operations on a fresh connection outside any migration, with a table ``t (id)``."""
    engine = create_engine(url)
    try:
        with engine.begin() as setup:
            setup.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        with engine.connect() as conn:
            yield Operations(MigrationContext.configure(conn)), conn
    finally:
        engine.dispose()


def _columns(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return [column["name"] for column in inspect(engine).get_columns("t")]
    finally:
        engine.dispose()


@pytest.mark.parametrize("recreate", ["auto", "always"])
def test_batch_on_a_bare_connection_commits(db_url: str, recreate: str) -> None:
    with _bare(db_url) as (op, conn):
        assert not conn.in_transaction()
        with op.batch_alter_table("t", recreate=recreate) as batch:
            batch.add_column(sa.Column("d", sa.String(50), server_default="hi"))
        assert not conn.in_transaction()
        conn.rollback()  # nothing to undo: the batch committed
    assert _columns(db_url) == ["id", "d"]


def test_failed_batch_on_a_bare_connection_leaves_no_transaction(pg_url: str) -> None:
    with _bare(pg_url) as (op, conn):
        with pytest.raises(sa.exc.DBAPIError), op.batch_alter_table("t") as batch:
            batch.add_column(sa.Column("d", sa.Integer))
            batch.add_column(sa.Column("id", sa.Integer))  # already there: the ALTER fails
        assert not conn.in_transaction()
    assert _columns(pg_url) == ["id"]  # the first ALTER was rolled back with the batch


def test_batch_inside_the_callers_transaction_is_part_of_it(pg_url: str) -> None:
    with _bare(pg_url) as (op, conn):
        trans = conn.begin()
        with op.batch_alter_table("t") as batch:
            batch.add_column(sa.Column("d", sa.Integer))
        assert conn.in_transaction()
        trans.rollback()
    assert _columns(pg_url) == ["id"]
