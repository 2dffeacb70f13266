"""Statements from templates executed online, on real SQLite, PostgreSQL and MariaDB.

The same migration runs twice on one database (it drops what it made): once as Sterna runs it,
once with the templates turned off; the statements the driver receives must be the same, and
the first run must have used templates.  A connection with a ``before_execute`` listener (which
would see the construct) or a ``schema_translate_map`` never gets a template.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest.mock import patch

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import conv

from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext

_OFF = (
    "sterna.ddl.impl.write_table_from_template",
    "sterna.ddl.impl.write_add_column_from_template",
    "sterna.operations.toimpl.write_from_template",
)


def _migrate(op: Operations) -> None:
    for i, name in enumerate(["order", "a b"]):
        extra = [sa.ForeignKeyConstraint(["order_id"], ["order.id"], name=conv(f"fk_{i}"))]
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(length=32), nullable=False),
            sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
            sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
            sa.Column("status", sa.String(length=20), server_default="it's", nullable=False),
            sa.Column("order_id", sa.Integer(), nullable=True),
            *(extra if i else []),
            sa.PrimaryKeyConstraint("id", name=conv(f"pk_{i}")),
        )
        op.create_index(conv(f"ix_{i}_code"), name, ["code"], unique=bool(i))
        op.add_column(name, sa.Column("note", sa.String(length=200), nullable=True))
    for i, name in reversed(list(enumerate(["order", "a b"]))):
        op.drop_index(conv(f"ix_{i}_code"), table_name=name)
        op.drop_table(name)


@contextmanager
def _recorded(url: str) -> Iterator[tuple[Connection, list[str]]]:
    """A connection whose driver calls are recorded (statements only)."""
    engine = sa.create_engine(url)
    sent: list[str] = []
    try:
        with engine.begin() as conn:
            dialect: Any = conn.dialect
            plain = dialect.do_execute

            def recording(cursor: Any, statement: str, parameters: Any, context: Any = None) -> Any:
                sent.append(statement)
                return plain(cursor, statement, parameters, context)

            dialect.do_execute = recording
            yield conn, sent
    finally:
        engine.dispose()


def _run(url: str, templates: bool) -> tuple[list[str], int]:
    with _recorded(url) as (conn, sent), ExitStack() as stack:
        if not templates:
            for target in _OFF:
                stack.enter_context(patch(target, return_value=False))
        context = MigrationContext.configure(connection=conn)
        _migrate(Operations(context))
        used = sum(t is not None for t in context.impl.statement_templates._by_shape.values())
    return sent, used


def test_online_statements_are_the_ordinary_ones(db_url: str) -> None:
    with_templates, used = _run(db_url, templates=True)
    ordinary, _ = _run(db_url, templates=False)
    assert with_templates == ordinary
    assert used >= 4  # CREATE TABLE, CREATE INDEX (plain, unique), ADD COLUMN, DROP INDEX
    assert any("CREATE TABLE" in s for s in ordinary)


def test_a_listener_that_sees_the_construct_keeps_the_ordinary_path(db_url: str) -> None:
    seen: list[str] = []
    with _recorded(db_url) as (conn, _):

        @event.listens_for(conn, "before_execute")
        def before(conn: Any, element: Any, *args: Any) -> None:
            seen.append(type(element).__name__)

        context = MigrationContext.configure(connection=conn)
        _migrate(Operations(context))
        assert not context.impl.statement_templates._by_shape
    assert {"CreateTable", "CreateIndex", "AddColumn", "DropIndex"} <= set(seen)


def test_a_schema_translate_map_keeps_the_ordinary_path(db_url: str) -> None:
    with _recorded(db_url) as (conn, sent):
        mapped = conn.execution_options(schema_translate_map={"nowhere": None})
        context = MigrationContext.configure(connection=mapped)
        _migrate(Operations(context))
        assert not context.impl.statement_templates._by_shape
    assert any("CREATE TABLE" in s for s in sent)
