"""Helpers for the batch-mode tests (no tests here).

``migrating(url)`` gives ``(op, conn)`` inside a transaction begun the way the runtime begins it
(``MigrationContext.begin_transaction()``, which on SQLite opens a real driver transaction), so
that a rebuild runs under the same conditions as in ``sterna upgrade``.  ``Recorder`` captures
the statements sent to the database.  ``offline_batch`` runs batch operations in ``--sql`` mode.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext


def engine_for(url: str, foreign_keys: bool = False) -> Engine:
    engine = create_engine(url)
    if foreign_keys:

        @event.listens_for(engine, "connect")
        def _on(dbapi_conn: Any, record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


@contextmanager
def migrating(url: str, foreign_keys: bool = False) -> Iterator[tuple[Operations, Connection]]:
    """``(op, conn)`` in a migration transaction that is committed at the end of the block."""
    engine = engine_for(url, foreign_keys)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            with context.begin_transaction():
                yield Operations(context), conn
    finally:
        engine.dispose()


def run_sql(url: str, *statements: str) -> None:
    """Run SQL directly with the driver (SQLite) -- for building fixtures exactly as written."""
    assert url.startswith("sqlite:///")
    raw = sqlite3.connect(url[len("sqlite:///") :])
    try:
        raw.executescript(";\n".join(statements) + ";")
        raw.commit()
    finally:
        raw.close()


def query(url: str, sql: str, foreign_keys: bool = False) -> list[tuple[Any, ...]]:
    assert url.startswith("sqlite:///")
    raw = sqlite3.connect(url[len("sqlite:///") :])
    try:
        if foreign_keys:
            raw.execute("PRAGMA foreign_keys=ON")
        return [tuple(row) for row in raw.execute(sql).fetchall()]
    finally:
        raw.close()


def master(url: str) -> dict[str, tuple[str, str | None]]:
    """``name -> (type, sql)`` of every schema object."""
    return {
        str(name): (str(kind), sql)
        for kind, name, sql in query(url, "SELECT type, name, sql FROM sqlite_master")
    }


def rejects(url: str, sql: str, foreign_keys: bool = True) -> bool:
    """Whether SQLite refuses ``sql`` with a constraint error (nothing is committed)."""
    assert url.startswith("sqlite:///")
    raw = sqlite3.connect(url[len("sqlite:///") :])
    try:
        if foreign_keys:
            raw.execute("PRAGMA foreign_keys=ON")
        raw.execute(sql)
        return False
    except sqlite3.IntegrityError:
        return True
    finally:
        raw.rollback()
        raw.close()


class Recorder:
    """Collects the statements executed on a connection."""

    def __init__(self, conn: Connection) -> None:
        self.statements: list[str] = []
        self.conn = conn
        event.listen(conn, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(" ".join(statement.split()))

    def close(self) -> None:
        event.remove(self.conn, "before_cursor_execute", self._record)

    def any_starts(self, prefix: str) -> bool:
        return any(s.upper().startswith(prefix.upper()) for s in self.statements)


def offline_batch(dialect: str, fn: Callable[[Operations], Any]) -> str:
    """The ``--sql`` output of ``fn(op)`` for ``dialect``."""
    buf = io.StringIO()
    context = MigrationContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf}
    )
    fn(Operations(context))
    return buf.getvalue()


def statements(output: str) -> list[str]:
    """Offline output as whitespace-normalised statements without terminators."""
    found = []
    for chunk in output.split(";\n\n"):
        chunk = " ".join(chunk.split()).rstrip(";").strip()
        if chunk:
            found.append(chunk)
    return found
