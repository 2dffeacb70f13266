"""Helpers for the comparison tests: build a database from models, compare with Sterna and with
Alembic (as a reference), apply produced operations, and summarise diffs so two lists can be
compared as sets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, MetaData, UniqueConstraint, create_engine, event
from sqlalchemy.engine import Connection, Engine

from sterna.autogenerate.api import compare_metadata, produce_migrations
from sterna.operations.base import Operations
from sterna.operations.ops import MigrateOperation, MigrationScript, OpContainer
from sterna.runtime.migration import MigrationContext


@contextmanager
def engine(url: str) -> Iterator[Engine]:
    eng = create_engine(url)
    try:
        yield eng
    finally:
        eng.dispose()


def create_all(url: str, metadata: MetaData) -> None:
    with engine(url) as eng, eng.begin() as conn:
        metadata.create_all(conn)


def execute(url: str, *statements: str) -> None:
    from sqlalchemy import text

    with engine(url) as eng, eng.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def context(conn: Connection, **opts: Any) -> MigrationContext:
    return MigrationContext.configure(conn, opts=opts)


def diffs(url: str, metadata: Any, **opts: Any) -> list[Any]:
    """Sterna's ``compare_metadata`` on a fresh connection."""
    with engine(url) as eng, eng.connect() as conn:
        return compare_metadata(context(conn, **opts), metadata)


def produce(url: str, metadata: Any, **opts: Any) -> MigrationScript:
    with engine(url) as eng, eng.connect() as conn:
        return produce_migrations(context(conn, **opts), metadata)


def alembic_diffs(url: str, metadata: Any, **opts: Any) -> list[Any]:
    """Alembic's ``compare_metadata`` on the same database (the reference)."""
    from alembic.autogenerate import compare_metadata as alembic_compare
    from alembic.runtime.migration import MigrationContext as AlembicContext

    with engine(url) as eng, eng.connect() as conn:
        return list(alembic_compare(AlembicContext.configure(conn, opts=opts), metadata))


def flatten(container: OpContainer) -> list[MigrateOperation]:
    found: list[MigrateOperation] = []
    for op in container.ops:
        if isinstance(op, OpContainer):
            found.extend(flatten(op))
        else:
            found.append(op)
    return found


def apply(url: str, container: OpContainer | None, **opts: Any) -> None:
    """Run the operations against the database (as a migration's upgrade() would)."""
    assert container is not None
    with engine(url) as eng, eng.begin() as conn:
        operations = Operations(context(conn, **opts))
        for op in flatten(container):
            operations.invoke(op)


@contextmanager
def counting(eng: Engine) -> Iterator[list[str]]:
    """Collect the statements ``eng`` executes inside the block."""
    seen: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(eng, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(eng, "before_cursor_execute", listener)


# -- diff summaries -------------------------------------------------------------------------------


def _table_of(item: Any) -> str:
    table = item.table
    return str(table.name)


def _names(columns: Any) -> tuple[str, ...]:
    return tuple(c.name for c in columns)


def _summary(diff: Any) -> tuple[Any, ...]:
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return (kind, diff[1].schema, diff[1].name)
    if kind in ("add_column", "remove_column"):
        return (kind, diff[1], diff[2], diff[3].name)
    if kind in ("add_index", "remove_index"):
        index: Index = diff[1]
        return (kind, _table_of(index), str(index.name))
    if kind in ("add_fk", "remove_fk"):
        fk: ForeignKeyConstraint = diff[1]
        return (
            kind,
            _table_of(fk),
            tuple(e.parent.name for e in fk.elements),
            fk.elements[0]._column_tokens[1],
        )
    if kind in ("add_constraint", "remove_constraint"):
        constraint = diff[1]
        label = (
            _names(constraint.columns)
            if isinstance(constraint, UniqueConstraint)
            else type(constraint).__name__
        )
        return (kind, _table_of(constraint), label)
    if kind in ("add_table_comment", "remove_table_comment"):
        return (kind, diff[1].name)
    if kind.startswith("modify_"):
        return (kind, diff[1], diff[2], diff[3])
    return (kind, *[str(d) for d in diff[1:]])


def summarize(found: list[Any]) -> set[tuple[Any, ...]]:
    """Diffs as comparable tuples (``modify_*`` lists flattened)."""
    result: set[tuple[Any, ...]] = set()
    for diff in found:
        if isinstance(diff, list):
            result.update(_summary(d) for d in diff)
        else:
            result.add(_summary(diff))
    return result


def kinds(found: list[Any]) -> set[str]:
    return {item[0] for item in summarize(found)}


def roundtrip(url: str, before: MetaData, after: MetaData, **opts: Any) -> MigrationScript:
    """Create ``before``, produce the migration to ``after``, run its upgrade (the database
    then compares equal to ``after``) and its downgrade (equal to ``before`` again)."""
    create_all(url, before)
    script = produce(url, after, **opts)
    apply(url, script.upgrade_ops, **opts)
    assert diffs(url, after, **opts) == [], "upgrade did not reach the models"
    apply(url, script.downgrade_ops, **opts)
    assert diffs(url, before, **opts) == [], "downgrade did not return to the first models"
    return script
