"""SQLite: ALTER TABLE can only add, drop and rename; everything else needs batch mode.

DDL is not transactional at the driver level (``transactional_ddl = False``); the runtime makes
SQLite transactional itself.  Foreign keys of an added column are rendered inline
(``ADD COLUMN ... REFERENCES``), which SQLite accepts, instead of an ``ADD CONSTRAINT`` it
does not have.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Hashable
from datetime import datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import Column, inspect
from sqlalchemy.sql.schema import CheckConstraint, Constraint

from sterna.ddl.elements import ColumnName
from sterna.ddl.impl import DefaultImpl

BATCH_ADVICE = (
    "SQLite cannot ALTER this in place; use batch mode, which rebuilds the table: "
    "with op.batch_alter_table({table!r}) as batch_op: batch_op.{call}(...)"
)


def _table_of(const: Constraint) -> str:
    table = getattr(const, "table", None)
    return str(getattr(table, "name", "?"))


class FileLock:
    """An exclusive ``flock`` on ``<database file>.sterna-lock``: every Sterna process on this
    host that migrates the same file waits for it.  The file is kept; only the flock matters.
    While held, it names its holder (process id, host, start time) for the waiters."""

    def __init__(self, database: str) -> None:
        self.path = database + ".sterna-lock"
        self.description = f"lock file {self.path}"
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        return self._fd

    def try_acquire(self) -> bool:
        import fcntl

        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        since = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
        note = f"process {os.getpid()} on host {socket.gethostname()}, since {since}\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, note.encode("utf-8"), 0)
        return True

    def release(self) -> None:
        import fcntl

        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def session_token(self) -> Hashable:
        return self.holder_token()

    def holder_token(self) -> Hashable | None:
        found = os.fstat(self._open())
        return ("sqlite", found.st_dev, found.st_ino)

    def describe_holder(self) -> str:
        try:
            with open(self.path, encoding="utf-8", errors="replace") as file:
                note = file.read().strip()
        except OSError:
            note = ""
        return note or "a process that has just taken or released it"


class SQLiteImpl(DefaultImpl):
    __dialect__ = "sqlite"
    transactional_ddl = False
    inline_references_by_default: ClassVar[bool] = True
    alters_type_constraints: ClassVar[bool] = False

    def migration_lock(
        self, schema: str | None, table: str, transaction_scoped: bool
    ) -> FileLock | None:
        """A lock file beside the database file of ``schema`` (``main`` or an attached one);
        none for in-memory and temporary databases, nor where ``flock`` does not exist."""
        if self.connection is None or self.as_sql or os.name != "posix":
            return None
        rows = self.connection.exec_driver_sql("PRAGMA database_list").all()
        files = {row[1]: row[2] for row in rows}
        database = files.get(schema or "main")
        if not database:
            return None
        return FileLock(database)

    def _batch_error(self, what: str, table: str, call: str) -> Exception:
        return self._unsupported(what, BATCH_ADVICE.format(table=table, call=call))

    def add_constraint(self, const: Constraint) -> None:
        table = _table_of(const)
        name = const.name if const.name is not None else "(unnamed)"
        raise self._batch_error(
            f"adding {type(const).__name__} {name} to table {table!r}",
            table,
            _create_call(const),
        )

    def add_column_constraint(self, const: Constraint) -> None:
        if isinstance(const, CheckConstraint) and getattr(const, "_type_bound", False):
            # the CHECK a Boolean/Enum type carries cannot be added afterwards on SQLite
            return
        self.add_constraint(const)

    def drop_constraint(self, const: Constraint, **kw: Any) -> None:
        table = _table_of(const)
        raise self._batch_error(
            f"dropping constraint {const.name!r} of table {table!r}", table, "drop_constraint"
        )

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: Any = False,
        **kw: Any,
    ) -> None:
        """Only a rename is possible in place (``RENAME COLUMN``); comments do not exist on
        SQLite and are skipped; any other change needs batch mode."""
        changes = [
            label
            for label, changed in (
                ("type", type_ is not None),
                ("nullable", nullable is not None),
                ("server default", server_default is not False),
                ("autoincrement", autoincrement is not None),
            )
            if changed
        ]
        if changes:
            raise self._batch_error(
                f"alter_column({table_name!r}, {column_name!r}) changing " + ", ".join(changes),
                table_name,
                "alter_column",
            )
        if comment is not False:
            self._skip_comment(f"the comment of column {table_name}.{column_name}")
        if name is not None and name != column_name:
            self._exec(ColumnName(table_name, column_name, name, schema))

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        """SQLite has no ``ADD COLUMN IF NOT EXISTS``: online, the column is looked up first."""
        call = "add_column(if_not_exists)"
        if if_not_exists and self._has_column(table_name, column.name, schema, call):
            return
        super().add_column(
            table_name,
            column,
            schema,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
        )

    def drop_column(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        call = "drop_column(if_exists)"
        if if_exists and not self._has_column(table_name, column.name, schema, call):
            return
        super().drop_column(table_name, column, schema)

    def _has_column(self, table: str, column: str, schema: str | None, call: str) -> bool:
        if self.as_sql or self.connection is None:
            raise self._unsupported(
                f"{call} in offline mode", "SQLite has no IF [NOT] EXISTS for columns"
            )
        columns = inspect(self.connection).get_columns(table, schema=schema)
        return any(col["name"] == column for col in columns)

    def create_schema(self, name: str, if_not_exists: bool | None = None) -> None:
        raise self._unsupported(
            f"create_schema({name!r})", "SQLite has no schemas (attach a database instead)"
        )

    def drop_schema(self, name: str, if_exists: bool | None = None, cascade: bool = False) -> None:
        raise self._unsupported(
            f"drop_schema({name!r})", "SQLite has no schemas (detach the database instead)"
        )


def _create_call(const: Constraint) -> str:
    kind = type(const).__name__
    return {
        "PrimaryKeyConstraint": "create_primary_key",
        "UniqueConstraint": "create_unique_constraint",
        "ForeignKeyConstraint": "create_foreign_key",
        "CheckConstraint": "create_check_constraint",
    }.get(kind, "add_constraint")
