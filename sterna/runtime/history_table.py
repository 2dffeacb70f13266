"""The applied-history table (``sterna_history``): its schema object, rows and statements.

One row per executed step, written beside ``alembic_version`` (which stays as Alembic keeps it).
Columns: ``id`` (autoincrement), ``revision``, ``direction`` (upgrade, downgrade, stamp, baseline,
repair), ``script`` (path relative to the script directory), ``checksum``
(:mod:`sterna.script.checksum`), ``file_sha256`` (of the script's bytes: validation's shortcut),
``started_at``/``finished_at`` (UTC, naive), ``duration_ms``, ``status`` (running, applied,
failed, repaired, rolled-back), ``statements_executed``/``statements_total``,
``statement_hashes`` (the hash of each statement that took effect, in order, separated by
spaces; see :mod:`sterna.runtime.journal`), ``failed_statement``, ``error``, ``installed_by``,
``host``, ``sterna_version``.

Who writes the rows and when: :mod:`sterna.runtime.history`.
"""

from __future__ import annotations

import getpass
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

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
from sqlalchemy.sql.compiler import SQLCompiler

import sterna
from sterna.runtime.versions import table_exists

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
    started_at: datetime | None = None
    statements_executed: int | None = None
    statement_hashes: str | None = None
    failed_statement: str | None = None
    error: str | None = None
    installed_by: str | None = None
    host: str | None = None
    file_sha256: str | None = None

    @property
    def hashes(self) -> list[str]:
        return (self.statement_hashes or "").split()

    @property
    def is_open_failure(self) -> bool:
        """A step that took effect part way and was neither finished nor resolved: a
        ``running`` row (its run died; the lock says no other run is going on) or a ``failed``
        row whose step could not be rolled back entirely."""
        return open_failure(self.status, self.statements_executed)


def open_failure(status: str, statements_executed: int | None) -> bool:
    """Whether a row of this status and count is an open failure (see
    :attr:`HistoryRow.is_open_failure`)."""
    return status == "running" or (status == "failed" and bool(statements_executed))


#: a row as validation reads it: id, revision, direction, checksum, status,
#: statements_executed, file_sha256 (read by position: thousands of rows per run)
BriefRow = Sequence[Any]
#: the positions of a :data:`BriefRow`'s fields
REVISION, DIRECTION, CHECKSUM, STATUS, EXECUTED, FILE_SHA256 = range(1, 7)


def brief_row(row: BriefRow) -> HistoryRow:
    """The :class:`HistoryRow` of a brief row (the fields it lacks are None)."""
    i, rev, d, cs, st, n, f = row
    return HistoryRow(i, rev, d, None, cs, None, st, statements_executed=n, file_sha256=f)


_EPOCH = datetime(1970, 1, 1)


def utcnow() -> datetime:
    """The current UTC time without tzinfo (every backend stores it the same way)."""
    return utc_from(time.time())


def utc_from(seconds: float) -> datetime:
    """``time.time()``'s ``seconds`` as a UTC time without tzinfo: the epoch plus the seconds, a
    third of the cost of dropping the zone of an aware ``fromtimestamp()``."""
    return _EPOCH + timedelta(seconds=seconds)


def _who() -> tuple[str, str]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (container without passwd entry)
        user = "unknown"
    return user[:255], socket.gethostname()[:255]


def build_table(name: str, schema: str | None) -> Table:
    return Table(
        name,
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("revision", String(255), nullable=False),
        Column("direction", String(16), nullable=False),
        Column("script", String(1024)),
        Column("checksum", String(80)),
        Column("file_sha256", String(64)),
        Column("started_at", DateTime, nullable=False),
        Column("finished_at", DateTime),
        Column("duration_ms", Integer),
        Column("status", String(16), nullable=False),
        Column("statements_executed", Integer),
        Column("statements_total", Integer),
        Column("statement_hashes", Text),
        Column("failed_statement", Text),
        Column("error", Text),
        Column("installed_by", String(255)),
        Column("host", String(255)),
        Column("sterna_version", String(32)),
        schema=schema,
    )


#: an INSERT for positional parameters: its SQL, the column keys in parameter order, and the
#: bind processors by position
_PositionalInsert = tuple[str, list[str], list[tuple[int, Callable[[Any], Any]]]]


class HistoryTable:
    """The history table of one migration context."""

    def __init__(self, dialect: Dialect, name: str, schema: str | None, impl: Any = None) -> None:
        self.dialect = dialect
        self.impl = impl
        self.name = name
        self.schema = schema
        self.table = build_table(name, schema)
        self._insert = self.table.insert()
        self._update = self.table.update().where(self.table.c.id == bindparam("row_id"))
        self._who: tuple[str, str] | None = None
        # insert_many's compiled statement (False: the dialect's parameters are named)
        self._positional: _PositionalInsert | Literal[False] | None = None
        self._progress: SQLCompiler | None = None
        #: what the last brief read found on a connection: the revisions its rows name, or
        #: None when the table did not exist, with the transaction it was read in (see
        #: :meth:`take_seen`)
        self._seen: tuple[Connection, object, frozenset[str] | None] | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def exists(self, connection: Connection) -> bool:
        return table_exists(connection, self.dialect, self.impl, self.name, self.schema)

    def read_brief(self, connection: Connection) -> list[BriefRow]:
        """Every row, oldest first, as the tuples validation decides by (see :data:`BriefRow`);
        ``[]`` when the table does not exist."""
        if not self.exists(connection):
            self._seen = (connection, connection.get_transaction(), None)
            return []
        c = self.table.c
        wanted = (c.id, c.revision, c.direction, c.checksum, c.status)
        query = select(*wanted, c.statements_executed, c.file_sha256).order_by(c.id)
        rows: list[BriefRow] = list(connection.execute(query).all())
        self._seen = (connection, connection.get_transaction(), frozenset(r[1] for r in rows))
        return rows

    def take_seen(self, connection: Connection) -> tuple[bool, frozenset[str]] | None:
        """``(exists, revisions its rows name)`` as the last brief :meth:`read` on
        ``connection`` found them, in the transaction still open (validation reads every row
        under the migration lock just before the run prepares the table), once; None when
        nothing was read there since that transaction began."""
        seen, self._seen = self._seen, None
        if seen is None or seen[0] is not connection:
            return None
        if seen[1] is None or seen[1] is not connection.get_transaction():
            return None
        return (False, frozenset()) if seen[2] is None else (True, seen[2])

    def create(self, connection: Connection) -> None:
        self.table.create(connection, checkfirst=True)

    def read(self, connection: Connection, *, brief: bool = False) -> list[HistoryRow]:
        """Every row, oldest first; ``[]`` when the table does not exist.  ``brief`` reads only
        what validation decides by (id, revision, direction, checksum, status, statements
        executed, file checksum): the other fields are None, and no timestamp is parsed."""
        if brief:
            return [brief_row(row) for row in self.read_brief(connection)]
        if not self.exists(connection):
            return []
        c = self.table.c
        query = select(
            c.id,
            c.revision,
            c.direction,
            c.script,
            c.checksum,
            c.finished_at,
            c.status,
            c.started_at,
            c.statements_executed,
            c.statement_hashes,
            c.failed_statement,
            c.error,
            c.installed_by,
            c.host,
            c.file_sha256,
        ).order_by(c.id)
        return [HistoryRow(*row) for row in connection.execute(query).all()]

    def insert_many(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """Insert several rows with one statement (who and which Sterna filled in).

        Where the driver takes positional parameters (SQLite's ``?``, MySQL's ``%s``) the
        statement compiled once is given the rows as tuples, each value through its column
        type's bind processor, straight to the driver's ``executemany``: the same statement and
        values SQLAlchemy would send, without its per-row parameter building (a third of the
        cost of the history on SQLite).  Named-parameter drivers (psycopg) keep SQLAlchemy's
        path, which batches the rows into multi-row INSERTs for them."""
        for values in rows:
            self._fill(values)
        plan = self._positional_insert(connection.dialect)
        if plan is None:
            connection.execute(self._insert, rows)
            return
        sql, keys, processors = plan
        params = []
        for values in rows:
            row = [values.get(key) for key in keys]
            for index, process in processors:
                row[index] = process(row[index])
            params.append(tuple(row))
        connection.exec_driver_sql(sql, params)

    def _positional_insert(self, dialect: Dialect) -> _PositionalInsert | None:
        """The INSERT of every column but ``id`` compiled for ``dialect``, its parameters'
        column keys in order, and the bind processors by position; ``None`` for a driver with
        named parameters."""
        if self._positional is None:
            keys = [c.key for c in self.table.columns if c.key != "id"]
            compiled = self._insert.compile(dialect=dialect, column_keys=keys)
            if not compiled.positional or compiled.positiontup is None:
                self._positional = False
            else:
                order = list(compiled.positiontup)
                processors: list[tuple[int, Callable[[Any], Any]]] = []
                for index, key in enumerate(order):
                    column_type = self.table.c[key].type
                    process = column_type.dialect_impl(dialect).bind_processor(dialect)
                    if process is not None:
                        processors.append((index, process))
                self._positional = (compiled.string, order, processors)
        return self._positional if isinstance(self._positional, tuple) else None

    def _fill(self, values: dict[str, Any]) -> None:
        if self._who is None:
            self._who = _who()
        user, host = self._who
        values.setdefault("installed_by", user)
        values.setdefault("host", host)
        values.setdefault("sterna_version", sterna.__version__)

    def insert(self, connection: Connection, **values: Any) -> int:
        """Insert a row (who and which Sterna filled in); returns its id."""
        self._fill(values)
        # one statement object, parameters apart: compiled once per set of columns (cached)
        result = connection.execute(self._insert, values)
        key = result.inserted_primary_key
        return int(key[0]) if key is not None and key[0] is not None else 0

    def update(self, connection: Connection, row_id: int, **values: Any) -> None:
        connection.execute(self._update, {"row_id": row_id, **values})

    def write_progress(
        self, connection: Connection, row_id: int, executed: int, hashes: str, commit: bool
    ) -> None:
        """Record a step's progress on the driver connection, below SQLAlchemy (called while a
        statement's events run, in whatever transaction the driver has open); ``commit`` then
        commits the driver's transaction."""
        compiled = self._progress
        if compiled is None:
            c = self.table.c
            statement = (
                self.table.update()
                .where(c.id == bindparam("p_row"))
                .values(
                    statements_executed=bindparam("p_done"), statement_hashes=bindparam("p_hashes")
                )
            )
            compiled = self._progress = statement.compile(dialect=self.dialect)
        params: Any = compiled.construct_params(
            {"p_row": row_id, "p_done": executed, "p_hashes": hashes}
        )
        if compiled.positiontup:
            params = tuple(params[name] for name in compiled.positiontup)
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute(compiled.string, params)
        finally:
            cursor.close()
        if commit:
            dbapi.commit()

    def read_progress(self, connection: Connection, row_id: int) -> tuple[int, str]:
        """``(statements_executed, statement_hashes)`` of a row, as committed."""
        c = self.table.c
        found = connection.execute(
            select(c.statements_executed, c.statement_hashes).where(c.id == row_id)
        ).first()
        if found is None:
            return 0, ""
        return int(found[0] or 0), str(found[1] or "")
