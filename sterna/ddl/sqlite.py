"""SQLite: ALTER TABLE can only add, drop and rename; everything else needs batch mode.

DDL is not transactional at the driver level (``transactional_ddl = False``); the runtime makes
SQLite transactional itself: the ``sqlite3`` driver (pysqlite) opens a transaction only before
INSERT/UPDATE/DELETE, so DDL such as ``CREATE TABLE`` normally commits on its own and
SQLAlchemy's ``Connection.begin()`` sends nothing to the database (SQLAlchemy documents this,
with the recipe of emitting ``BEGIN`` yourself).  While migrations run, the runtime therefore
issues ``BEGIN`` on the driver connection (:meth:`SQLiteImpl.ensure_driver_transaction`)
whenever a SQLAlchemy transaction is active and the driver has none open; from then on DDL and
the version-table rows commit or roll back together.

Foreign keys of an added column are rendered inline (``ADD COLUMN ... REFERENCES``), which
SQLite accepts, instead of an ``ADD CONSTRAINT`` it does not have.  Batch mode rebuilds a table
for what ``ALTER TABLE`` cannot do (:meth:`SQLiteImpl.batch_rebuild_reason`), online by
:mod:`sterna.ddl.recreate_sqlite`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Hashable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, Table, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.schema import CheckConstraint, Constraint

from sterna.ddl.elements import (
    ColumnName,
    RenameTable,
    rename_column_with_keyword,
    rename_table_in_place,
)
from sterna.ddl.impl import DefaultImpl

if TYPE_CHECKING:
    from sterna.ddl.recreate_changes import RebuildRequest

BATCH_ADVICE = (
    "SQLite cannot ALTER this in place; use batch mode, which rebuilds the table: "
    "with op.batch_alter_table({table!r}) as batch_op: batch_op.{call}(...)"
)


compiles(RenameTable, "sqlite")(rename_table_in_place)
compiles(ColumnName, "sqlite")(rename_column_with_keyword)  # SQLite 3.25+, as Alembic writes it


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
    tables_have_rowid: ClassVar[bool] = True
    rebuild_autoincrement: ClassVar[Literal["column", "primary key"] | None] = "primary key"
    rebuild_renames_in_place: ClassVar[bool] = True
    #: the INSERT of a rebuild converts the copied values as the column's affinity says
    batch_copy_casts: ClassVar[bool] = False

    def driver_transactions(self, transactional_ddl: bool | None) -> bool:
        """Online, unless ``transactional_ddl=False``: when the driver says whether it has a
        transaction open (see the module docstring)."""
        if self.as_sql or self.transactional_ddl:
            return False
        if transactional_ddl is False or self.connection is None:
            return False
        return driver_transaction_state(self.connection) is not None

    def ensure_driver_transaction(self, connection: Connection) -> None:
        """Emit ``BEGIN`` on the driver connection unless it already has a transaction open."""
        if driver_transaction_state(connection) is False:
            raw = connection.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            try:
                cursor.execute("BEGIN")
            finally:
                cursor.close()

    def batch_rebuild_reason(self, operation: Any) -> str | None:
        if not needs_rebuild(operation):
            return None
        return "on SQLite (its ALTER TABLE cannot do it)"

    def rebuild_table(self, request: RebuildRequest) -> None:
        """Online, without ``copy_from``: SQLite's own rebuild, which reads the definition
        from ``sqlite_master`` and keeps what depends on the table
        (:mod:`sterna.ddl.recreate_sqlite`); else the generic one."""
        if self.as_sql or request.copy_from is not None:
            super().rebuild_table(request)
            return
        from sterna.ddl.recreate_sqlite import rebuild_sqlite

        rebuild_sqlite(self, request)

    def rename_rebuilt_table(self, temp: str, name: str, schema: str | None) -> None:
        """With ``legacy_alter_table`` on: the rename leaves the references to the table in
        other tables, views and triggers as they are written."""
        from sterna.ddl.recreate_render import executable

        self._exec(executable("PRAGMA legacy_alter_table=ON"))
        super().rename_rebuilt_table(temp, name, schema)
        self._exec(executable("PRAGMA legacy_alter_table=OFF"))

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


def driver_transaction_state(connection: Connection) -> bool | None:
    """Whether the DBAPI connection has a transaction open; None when the driver cannot say."""
    pooled = connection.connection
    for raw in (pooled.dbapi_connection, pooled.driver_connection):
        state = getattr(raw, "in_transaction", None)
        if isinstance(state, bool):
            return state
    return None


# -- what SQLite's ALTER TABLE can do in place (batch mode) ---------------------------------------


#: the operations SQLite's ``ALTER TABLE`` (or a plain statement) always does in place
_IN_PLACE_KINDS = frozenset({"create_index", "drop_index", "table_comment"})


def needs_rebuild(operation: Any) -> bool:
    """Whether SQLite's ``ALTER TABLE`` cannot carry out the batch ``operation`` in place (read
    off the operation's ``change_kind``, ``MigrateOperation.change_kind``)."""
    from sterna.ddl.recreate_changes import POSITION_KW  # batch mode only: not every run

    kind = getattr(operation, "change_kind", None)
    if kind in _IN_PLACE_KINDS:
        return False
    if any(_kw(operation).get(k) is not None for k in POSITION_KW):
        return True
    if kind == "add_column":
        return not _plain_column(operation.column)
    if kind == "alter_column":
        return (
            operation.modify_type is not None
            or operation.modify_nullable is not None
            or operation.modify_server_default is not False
            or operation.kw.get("autoincrement") is not None
        )
    return True


def _kw(operation: Any) -> dict[str, Any]:
    found = getattr(operation, "kw", None)
    return found if isinstance(found, dict) else {}


def _plain_column(column: Column[Any]) -> bool:
    """A column SQLite's ``ADD COLUMN`` can add: no constraints, and a constant default (or
    none, and then nullable)."""
    from sqlalchemy import Computed, Identity

    if column.primary_key or column.unique or column.foreign_keys or column.constraints:
        return False
    default = column.server_default
    if isinstance(default, (Computed, Identity)):
        return False
    if default is None and not column.nullable:
        return False
    if default is not None and not _constant_default(getattr(default, "arg", None)):
        return False
    probe = Table("t", MetaData(), column._copy())
    return all(isinstance(c, PrimaryKeyConstraint) for c in probe.constraints)


def _constant_default(arg: Any) -> bool:
    import re

    if isinstance(arg, str):
        return True
    if isinstance(arg, TextClause):
        return bool(
            re.fullmatch(
                r"\s*(NULL|TRUE|FALSE|[-+]?\d+(\.\d+)?([eE][-+]?\d+)?|'(?:[^']|'')*')\s*",
                arg.text,
                re.IGNORECASE,
            )
        )
    return False
