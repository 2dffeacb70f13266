"""Running operations offline (captured SQL) and online (real databases) in-process.

``offline(dialect, fn)`` runs ``fn(op)`` against a Sterna ``MigrationContext`` in ``--sql`` mode
and returns the statements written; ``alembic_offline`` does the same with Alembic, the reference
implementation, so that expectations come from Alembic's real behaviour rather than from our code.
``online(url, fn)`` runs ``fn(op, conn)`` in one transaction on a real database.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection, Inspector

from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext

#: Offline dialect names and the backend fixture value they correspond to.
DIALECTS = ("sqlite", "postgresql", "mysql")


def statements(output: str) -> list[str]:
    """The SQL statements of offline output, whitespace-normalised, without terminators."""
    found = []
    for chunk in output.split(";\n\n"):
        chunk = " ".join(chunk.split()).rstrip(";").strip()
        if chunk:
            found.append(chunk)
    return found


def offline(dialect: str, fn: Callable[[Any], Any], **opts: Any) -> list[str]:
    buf = io.StringIO()
    context = MigrationContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf, **opts}
    )
    fn(Operations(context))
    return statements(buf.getvalue())


def alembic_offline(dialect: str, fn: Callable[[Any], Any]) -> list[str]:
    """The statements Alembic writes for the same calls (the reference behaviour)."""
    from alembic.operations import Operations as AlembicOperations
    from alembic.runtime.migration import MigrationContext as AlembicContext

    buf = io.StringIO()
    context = AlembicContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf}
    )
    fn(AlembicOperations(context))
    return statements(buf.getvalue())


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def online(url: str, fn: Callable[[Operations, Connection], Any]) -> Any:
    """Run ``fn(op, conn)`` on a real database, in one transaction that is committed."""
    with connected(url) as conn:
        context = MigrationContext.configure(connection=conn)
        return fn(Operations(context), conn)


def reflect(url: str, fn: Callable[[Inspector], Any]) -> Any:
    """``fn(inspector)`` on a fresh connection (so that nothing is cached)."""
    with connected(url) as conn:
        return fn(inspect(conn))


def backend_of(url: str) -> str:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    return "mariadb"


def squash(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


SERVERS = ("pg_url", "mysql_url")
