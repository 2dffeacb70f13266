"""The applied-history table (``sterna_history``): its schema object, rows and statements.

One row per executed step, written beside ``alembic_version`` (which stays as Alembic keeps it).
Columns: ``id`` (autoincrement), ``revision``, ``direction`` (upgrade, downgrade, stamp, baseline,
repair), ``script`` (path relative to the script directory), ``checksum``
(:mod:`sterna.script.checksum`), ``started_at``/``finished_at`` (UTC, naive), ``duration_ms``,
``status`` (running, applied, failed, repaired), ``statements_executed``/``statements_total``,
``failed_statement``, ``error``, ``installed_by``, ``host``, ``sterna_version``.

Who writes the rows and when: :mod:`sterna.runtime.history`.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    select,
)
from sqlalchemy.engine import Connection, Dialect

import sterna

DEFAULT_NAME = "sterna_history"

#: Directions whose row records the checksum of the script as applied.
CHECKED_DIRECTIONS = frozenset({"upgrade", "baseline", "repair"})


@dataclass(frozen=True)
class HistoryRow:
    """One row as read back (the columns validation and repair use)."""

    id: int
    revision: str
    direction: str
    script: str | None
    checksum: str | None
    finished_at: datetime | None
    status: str


def utcnow() -> datetime:
    """The current UTC time without tzinfo (every backend stores it the same way)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _who() -> tuple[str, str]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (container without passwd entry)
        user = "unknown"
    return user[:255], socket.gethostname()[:255]


def build_table(name: str, schema: str | None) -> Table:
    return Table(
        name, MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("revision", String(255), nullable=False),
        Column("direction", String(16), nullable=False),
        Column("script", String(1024)),
        Column("checksum", String(80)),
        Column("started_at", DateTime, nullable=False),
        Column("finished_at", DateTime),
        Column("duration_ms", Integer),
        Column("status", String(16), nullable=False),
        Column("statements_executed", Integer),
        Column("statements_total", Integer),
        Column("failed_statement", Text),
        Column("error", Text),
        Column("installed_by", String(255)),
        Column("host", String(255)),
        Column("sterna_version", String(32)),
        schema=schema,
    )


class HistoryTable:
    """The history table of one migration context."""

    def __init__(
        self, dialect: Dialect, name: str, schema: str | None, impl: Any = None
    ) -> None:
        self.dialect = dialect
        self.impl = impl
        self.name = name
        self.schema = schema
        self.table = build_table(name, schema)
        self._insert = self.table.insert()
        self._update = self.table.update().where(self.table.c.id == bindparam("row_id"))
        self._who: tuple[str, str] | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def exists(self, connection: Connection) -> bool:
        if self.impl is not None:  # the dialect's rules (MariaDB retries a concurrent CREATE)
            return bool(self.impl.has_table(connection, self.name, self.schema))
        return bool(self.dialect.has_table(connection, self.name, schema=self.schema))

    def create(self, connection: Connection) -> None:
        self.table.create(connection, checkfirst=True)

    def read(self, connection: Connection) -> list[HistoryRow]:
        """Every row, oldest first; ``[]`` when the table does not exist."""
        if not self.exists(connection):
            return []
        c = self.table.c
        query = select(
            c.id, c.revision, c.direction, c.script, c.checksum, c.finished_at, c.status
        ).order_by(c.id)
        return [HistoryRow(*row) for row in connection.execute(query)]

    def insert(self, connection: Connection, **values: Any) -> int:
        """Insert a row (who and which Sterna filled in); returns its id."""
        if self._who is None:
            self._who = _who()
        user, host = self._who
        values.setdefault("installed_by", user)
        values.setdefault("host", host)
        values.setdefault("sterna_version", sterna.__version__)
        # one statement object, parameters apart: compiled once per set of columns (cached)
        result = connection.execute(self._insert, values)
        key = result.inserted_primary_key
        return int(key[0]) if key is not None and key[0] is not None else 0

    def update(self, connection: Connection, row_id: int, **values: Any) -> None:
        connection.execute(self._update, {"row_id": row_id, **values})
