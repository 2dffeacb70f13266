"""MySQL and MariaDB: non-transactional DDL, ``MODIFY``/``CHANGE`` column rewrites.

MySQL cannot change one aspect of a column: ``ALTER TABLE ... MODIFY`` restates the whole
definition (type, NULL/NOT NULL, default, auto-increment, comment), and whatever is left out is
lost.  So ``alter_column`` needs the current definition: given as ``existing_*`` arguments, or,
online, read from ``information_schema`` (two queries with bound names, so that any name
works).  Offline, a missing argument is an error naming it rather than a silent change of the
column.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from sqlalchemy import Sequence as Sequence_
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateSequence, DropSequence
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.elements import BinaryExpression, ClauseElement, UnaryExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.operators import asc_op, desc_op
from sqlalchemy.sql.schema import Constraint, Index

from sterna.ddl.elements import (
    UNKNOWN_TABLE,
    AlterColumn,
    ColumnDefault,
    ColumnName,
    RenameTable,
    alter_table,
    format_column,
    format_literal,
    format_server_default,
    format_table,
    format_type,
    rename_column_with_keyword,
)
from sterna.ddl.impl import DefaultImpl
from sterna.ddl.locks import lock_identity, short_name
from sterna.errors_ddl import MissingExistingArgument, OperationError

if TYPE_CHECKING:
    from sterna.ddl.recreate_model import TableModel


@dataclass
class ColumnDefinition:
    """A full MySQL column definition, as ``MODIFY``/``CHANGE`` restates it."""

    type_: Any
    nullable: bool
    default: Any  # None: no default; else a server_default value (str, text(), ...)
    autoincrement: bool
    comment: str | None


class ModifyColumn(AlterColumn):
    """``MODIFY col <definition>``, or ``CHANGE col new_name <definition>`` when renaming."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        definition: ColumnDefinition,
        schema: str | None = None,
        new_name: str | None = None,
    ) -> None:
        super().__init__(table_name, column_name, schema)
        self.definition = definition
        self.new_name = new_name


class MySQLDropConstraint(AlterColumn):
    """Drop a constraint in MySQL's per-kind syntax (``DROP FOREIGN KEY``, ``DROP INDEX``,
    ``DROP PRIMARY KEY``, ``DROP CHECK``), or the generic ``DROP CONSTRAINT`` when the kind is
    not known (MySQL 8.0.19+ / MariaDB)."""

    def __init__(
        self,
        table_name: str,
        name: str,
        schema: str | None,
        kind: str | None,
        if_exists: bool = False,
    ) -> None:
        super().__init__(table_name, name, schema)
        self.kind = kind
        self.if_exists = if_exists


@compiles(RenameTable, "mysql")
@compiles(RenameTable, "mariadb")
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    # MySQL moves a table to another database when the new name is qualified, and to the
    # current one when not: qualify it with the table's own schema.
    new = format_table(compiler, element.new_table_name, element.schema)
    return f"{alter_table(compiler, element)} RENAME TO {new}"


@compiles(ModifyColumn, "mysql")
@compiles(ModifyColumn, "mariadb")
def _modify_column(element: ModifyColumn, compiler: DDLCompiler, **kw: Any) -> str:
    spec = element.definition
    column = format_column(compiler, element.column_name)
    if element.new_name is not None:
        head = f"CHANGE {column} {format_column(compiler, element.new_name)}"
    else:
        head = f"MODIFY {column}"
    parts = [head, format_type(compiler, spec.type_), "NULL" if spec.nullable else "NOT NULL"]
    default = format_server_default(compiler, spec.default)
    if default is not None:
        parts.append(f"DEFAULT {default}")
    if spec.autoincrement:
        parts.append("AUTO_INCREMENT")
    if spec.comment is not None:
        parts.append(f"COMMENT {format_literal(compiler, spec.comment)}")
    return f"{alter_table(compiler, element)} " + " ".join(parts)


# RENAME COLUMN (MySQL 8.0, MariaDB 10.5.2): a rename that needs no definition
compiles(ColumnName, "mysql")(rename_column_with_keyword)
compiles(ColumnName, "mariadb")(rename_column_with_keyword)


@compiles(MySQLDropConstraint, "mysql")
@compiles(MySQLDropConstraint, "mariadb")
def _drop_constraint(element: MySQLDropConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    name = format_column(compiler, element.column_name)
    exists = "IF EXISTS " if element.if_exists else ""
    mariadb = bool(getattr(compiler.dialect, "is_mariadb", False))
    if element.kind == "primary":
        action = "DROP PRIMARY KEY"
    elif element.kind == "foreignkey":
        action = f"DROP FOREIGN KEY {exists}{name}"
    elif element.kind == "unique":
        action = f"DROP INDEX {exists}{name}"
    elif element.kind == "check" and not mariadb:
        action = f"DROP CHECK {name}"
    else:
        action = f"DROP CONSTRAINT {exists}{name}"
    return f"{alter_table(compiler, element)} {action}"


_EXISTING_ARGS = (
    ("existing_type", "type_"),
    ("existing_nullable", "nullable"),
    ("existing_server_default", "server_default"),
)


class NamedLock:
    """A MySQL/MariaDB named lock (``GET_LOCK(name, 0)``, ``RELEASE_LOCK``): held by the
    session, whatever its transactions do.  Names are server-wide, so the name carries the
    database: ``sterna:<database>.<version table>`` (hashed beyond 64 characters)."""

    def __init__(self, connection: Connection, schema: str | None, table: str) -> None:
        self._conn = connection
        if schema is None:
            schema = str(connection.exec_driver_sql("SELECT DATABASE()").scalar())
        self.name = short_name(lock_identity(schema, table))
        self.description = f"named lock {self.name!r}"
        self._session: Hashable = None

    def try_acquire(self) -> bool:
        row = self._conn.execute(
            text("SELECT GET_LOCK(:name, 0), CONNECTION_ID(), @@hostname, @@port"),
            {"name": self.name},
        ).one()
        self._session = ("mysql", row[2], row[3], row[1])
        return bool(row[0] == 1)

    def release(self) -> None:
        self._conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": self.name})

    def session_token(self) -> Hashable:
        return self._session

    def _holder_id(self) -> Any:
        return self._conn.execute(
            text("SELECT IS_USED_LOCK(:name), @@hostname, @@port"), {"name": self.name}
        ).one()

    def holder_token(self) -> Hashable | None:
        row = self._holder_id()
        return None if row[0] is None else ("mysql", row[1], row[2], row[0])

    def describe_holder(self) -> str:
        holder = self._holder_id()[0]
        if holder is None:
            return "a session that has just released it"
        row = self._conn.execute(
            text("SELECT USER, HOST, TIME, DB FROM information_schema.PROCESSLIST WHERE ID = :id"),
            {"id": holder},
        ).first()
        if row is None:
            return f"connection id {holder}"
        return (
            f"connection id {holder}, user {row[0]}, client {row[1]}, "
            f"{row[2]} s in its current state"
        )


#: ER_WARN_I_S_SKIPPED_TABLE: "... was skipped since its definition is being modified by
#: concurrent DDL statement" (``DESCRIBE`` of a table another session is creating)
_TABLE_SKIPPED = 1684
_SKIPPED_RETRIES = 20


#: First words of statements that commit implicitly, *before* they run (MySQL manual,
#: "Statements That Cause an Implicit Commit").
_IMPLICIT_COMMIT = frozenset(
    {
        "ALTER",
        "CREATE",
        "DROP",
        "RENAME",
        "TRUNCATE",
        "GRANT",
        "REVOKE",
        "LOCK",
        "UNLOCK",
        "ANALYZE",
        "OPTIMIZE",
        "REPAIR",
        "CACHE",
        "FLUSH",
        "INSTALL",
        "UNINSTALL",
    }
)
#: ER_PARSE_ERROR, ER_SYNTAX_ERROR: the statement failed before its implicit commit
_PARSE_ERRORS = frozenset({1064, 1149})


def _functional_key_part(expr: Any) -> bool:
    """Whether an index element is an expression MySQL indexes as a functional key part."""
    if isinstance(expr, (BinaryExpression, FunctionElement)):
        return True
    return isinstance(expr, UnaryExpression) and expr.modifier not in (desc_op, asc_op)


def _is_datetime(type_: Any) -> bool:
    """A DATETIME or TIMESTAMP column type (given as a class or an instance)."""
    from sqlalchemy import DateTime
    from sqlalchemy.types import to_instance

    return isinstance(to_instance(type_), DateTime)


def _error_code(exc: BaseException) -> int | None:
    args = getattr(getattr(exc, "orig", None), "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _first_word(statement: str) -> str:
    words = statement.split(None, 1)
    return words[0].upper() if words else ""


class MySQLImpl(DefaultImpl):
    __dialect__ = "mysql"
    transactional_ddl = False
    #: MySQL 8.0 / MariaDB 10.5.2 added ``RENAME COLUMN``.
    rename_column_since: ClassVar[tuple[int, ...]] = (8, 0)
    rebuild_autoincrement: ClassVar[Literal["column", "primary key"] | None] = "column"
    rebuild_inline_comments: ClassVar[bool] = True
    rebuild_defers_constraints: ClassVar[bool] = True
    #: the INSERT of a rebuild converts the copied values as ``ALTER`` would
    batch_copy_casts: ClassVar[bool] = False

    def migration_lock(
        self, schema: str | None, table: str, transaction_scoped: bool
    ) -> NamedLock | None:
        if self.connection is None or self.as_sql:
            return None
        return NamedLock(self.connection, schema, table)

    def commits_implicitly(self, statement: str) -> bool:
        return _first_word(statement) in _IMPLICIT_COMMIT

    def failure_committed(self, statement: str | None, exc: BaseException) -> bool:
        """A DDL statement commits before it runs, so even when it fails; not when the server
        could not parse it (then the earlier DML of the transaction is rolled back)."""
        if statement is None or not self.commits_implicitly(statement):
            return False
        return _error_code(exc) not in _PARSE_ERRORS

    def has_table(self, connection: Connection, name: str, schema: str | None) -> bool:
        """As the dialect's, retried while MariaDB says the table is skipped because a
        concurrent DDL statement is changing it (error 1684: another run creating it)."""
        for attempt in range(_SKIPPED_RETRIES):
            try:
                return super().has_table(connection, name, schema)
            except OperationalError as exc:
                if _error_code(exc) != _TABLE_SKIPPED or attempt == _SKIPPED_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return False  # not reached

    def render_ddl_sql_expr(
        self, expr: ClauseElement, is_server_default: bool = False, **kw: Any
    ) -> str:
        """As the generic rule; an index element that MySQL takes as a functional key part
        (an operator, a function, a unary minus: not a column, not ``DESC``) in its own
        parentheses, which MySQL requires (``CREATE INDEX ix ON t ((x > 5))``)."""
        text = super().render_ddl_sql_expr(expr, is_server_default=is_server_default, **kw)
        if kw.get("is_index") and _functional_key_part(expr):
            return f"({text})"
        return text

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
        existing_comment: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        given = {
            "type_": type_,
            "nullable": nullable,
            "server_default": server_default,
            "name": name,
            "comment": comment,
            "autoincrement": autoincrement,
        }
        existing = {
            "existing_type": existing_type,
            "existing_nullable": existing_nullable,
            "existing_server_default": existing_server_default,
            "existing_comment": existing_comment,
            "existing_autoincrement": existing_autoincrement,
        }
        renaming = name is not None and name != column_name
        if server_default is not False:  # refused before asking for the rest of the definition
            self._check_default(server_default, existing_server_default, (table_name, column_name))
        # ALTER COLUMN ... SET DEFAULT takes a literal only; an expression default (text(),
        # functions) needs the whole definition restated.
        expression_default = server_default is not False and not isinstance(
            server_default, (str, type(None))
        )
        rewrite = (
            type_ is not None
            or nullable is not None
            or comment is not False
            or autoincrement is not None
            or expression_default
        )
        if not rewrite and not renaming:
            if server_default is not False:
                self._exec(ColumnDefault(table_name, column_name, server_default, schema))
            return
        if not rewrite and server_default is False and self._rename_only_allowed(existing):
            self._exec(ColumnName(table_name, column_name, name or column_name, schema))
            return
        definition = self._definition(table_name, column_name, schema, given, existing)
        new_name = name if renaming else None
        if new_name is None and expression_default and _is_datetime(definition.type_):
            new_name = column_name  # CHANGE c c, as Alembic writes a DATETIME's default
        self._exec(ModifyColumn(table_name, column_name, definition, schema, new_name))

    def _rename_only_allowed(self, existing: dict[str, Any]) -> bool:
        """Use ``RENAME COLUMN`` (no definition needed) when the definition is not fully known
        and the server has it (offline: assume a current server).  On a stand-in connection
        (:meth:`_can_read`) the rename is a ``CHANGE`` written from the arguments, as Alembic
        writes every MySQL rename."""
        if not self.as_sql and self.connection is not None and not self._can_read():
            return False
        if self._missing(existing, {"type_": None, "nullable": None, "server_default": False}):
            version = self.dialect.server_version_info
            since = (10, 5, 2) if self._is_mariadb else self.rename_column_since
            return version is None or tuple(version) >= since
        return False

    @staticmethod
    def _missing(existing: dict[str, Any], given: dict[str, Any]) -> tuple[str, ...]:
        missing = []
        for arg, change in _EXISTING_ARGS:
            unset = False if arg == "existing_server_default" else None
            if existing[arg] is unset and given[change] is unset:
                missing.append(arg)
        return tuple(missing)

    def _definition(
        self,
        table_name: str,
        column_name: str,
        schema: str | None,
        given: dict[str, Any],
        existing: dict[str, Any],
    ) -> ColumnDefinition:
        missing = self._missing(existing, given)
        if missing or existing["existing_comment"] is None:
            if self.as_sql or self.connection is None:
                if missing:
                    raise MissingExistingArgument("alter_column", table_name, column_name, missing)
            elif self._can_read():
                existing = self._read_existing(table_name, column_name, schema, existing)
            elif "existing_type" in missing:
                raise MissingExistingArgument(
                    "alter_column", table_name, column_name, ("existing_type",)
                )
        default = given["server_default"]
        if default is False:
            default = existing["existing_server_default"]
        comment = given["comment"]
        if comment is False:
            comment = existing["existing_comment"]
        autoincrement = given["autoincrement"]
        if autoincrement is None:
            autoincrement = bool(existing["existing_autoincrement"])
        nullable = given["nullable"]
        return ColumnDefinition(
            type_=given["type_"] if given["type_"] is not None else existing["existing_type"],
            nullable=_first_known(nullable, existing["existing_nullable"], True),
            default=None if default is False else default,
            autoincrement=autoincrement,
            comment=comment,
        )

    def _can_read(self) -> bool:
        """Whether the connection is a real one the current definition can be read through;
        a stand-in that only records statements (a test double, a mock engine) cannot answer,
        so the definition is written from the arguments given, unknown nullability as NULL."""
        return isinstance(self.connection, Connection)

    def _read_existing(
        self, table_name: str, column_name: str, schema: str | None, existing: dict[str, Any]
    ) -> dict[str, Any]:
        """Fill the ``existing_*`` values not given from the database (``information_schema``
        with bound parameters: SQLAlchemy's ``SHOW CREATE TABLE`` parser misses columns whose
        name holds a backtick)."""
        from sterna.dialects.mysql_columns import read_columns  # online only

        assert self.connection is not None
        where = f"{schema}.{table_name}" if schema else table_name
        columns = read_columns(self.connection, schema, table_name)
        if columns is None:
            raise OperationError(f"alter_column: there is no table {where!r}")
        found = [c for c in columns if c.name == column_name] or [
            c for c in columns if c.name.lower() == column_name.lower()
        ]
        if not found:
            raise OperationError(f"alter_column: table {where!r} has no column {column_name!r}")
        col = found[0]
        filled = dict(existing)
        if filled["existing_type"] is None:
            filled["existing_type"] = col.type
        if filled["existing_nullable"] is None:
            filled["existing_nullable"] = col.nullable
        if filled["existing_server_default"] is False:
            filled["existing_server_default"] = None if col.default is None else text(col.default)
        if filled["existing_comment"] is None:
            filled["existing_comment"] = col.comment
        if filled["existing_autoincrement"] is None:
            filled["existing_autoincrement"] = col.autoincrement is True
        return filled

    def _alter_column_comment(
        self, table_name: str, column_name: str, comment: str | None, schema: str | None
    ) -> None:
        self.alter_column(table_name, column_name, comment=comment, schema=schema)

    def drop_constraint(self, const: Constraint, **kw: Any) -> None:
        if_exists = bool(kw.get("if_exists"))
        if if_exists and not self._is_mariadb:
            raise self._unsupported(
                f"drop_constraint({const.name!r}, if_exists=True)",
                "only MariaDB has DROP ... IF EXISTS for constraints",
            )
        table = const.table
        kind = _constraint_kind(const)
        self._exec(MySQLDropConstraint(table.name, str(const.name), table.schema, kind, if_exists))

    @property
    def _is_mariadb(self) -> bool:
        return bool(getattr(self.dialect, "is_mariadb", False))

    def drop_index(self, index: Index, **kw: Any) -> None:
        if index.table is None or index.table.name == UNKNOWN_TABLE:
            raise OperationError(
                f"drop_index({index.name!r}) on {self.dialect_label} needs the table name"
            )
        super().drop_index(index, **kw)

    def create_sequence(self, sequence: Sequence_, if_not_exists: bool | None = None) -> None:
        if not self._is_mariadb:
            raise self._unsupported(f"create_sequence({sequence.name!r})", "it has no sequences")
        self._exec(CreateSequence(sequence, if_not_exists=bool(if_not_exists)))

    def drop_sequence(self, sequence: Sequence_, if_exists: bool | None = None) -> None:
        if not self._is_mariadb:
            raise self._unsupported(f"drop_sequence({sequence.name!r})", "it has no sequences")
        self._exec(DropSequence(sequence, if_exists=bool(if_exists)))

    def drop_schema(self, name: str, if_exists: bool | None = None, cascade: bool = False) -> None:
        """``DROP SCHEMA`` (a database): MySQL always drops its contents; no CASCADE."""
        super().drop_schema(name, if_exists=if_exists, cascade=False)

    def rebuild_counter_sql(self, model: TableModel, temp: str) -> list[str]:
        """The new table's ``AUTO_INCREMENT`` is set to the old table's (read in SQL, so the
        statements are the same online and offline)."""
        if not any(column.has("autoincrement") and column.source for column in model.columns):
            return []
        schema = _literal(model.schema) if model.schema else "DATABASE()"
        return [
            "SET @sterna_next_id = (SELECT AUTO_INCREMENT FROM information_schema.TABLES "
            f"WHERE TABLE_SCHEMA = {schema} AND TABLE_NAME = {_literal(model.name)})",
            f"SET @sterna_sql = CONCAT({_literal(f'ALTER TABLE {model.qualified(temp)} ')}, "
            "'AUTO_INCREMENT = ', COALESCE(@sterna_next_id, 1))",
            "PREPARE sterna_next_id FROM @sterna_sql",
            "EXECUTE sterna_next_id",
            "DEALLOCATE PREPARE sterna_next_id",
        ]


class MariaDBImpl(MySQLImpl):
    """The ``mariadb://`` dialect (a MariaDB server behind ``mysql://`` gets
    :class:`MySQLImpl`, which tells it apart by ``dialect.is_mariadb``)."""

    __dialect__ = "mariadb"
    rename_column_since: ClassVar[tuple[int, ...]] = (10, 5, 2)
    # the rebuild rules are MySQL's (written as checks of the name "mysql" before they moved to
    # the class, they missed this dialect: a rebuild's named foreign key collided)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_known(*values: bool | None) -> bool:
    return next(bool(value) for value in values if value is not None)


def _constraint_kind(const: Constraint) -> str | None:
    """``foreignkey``/``primary``/``unique``/``check`` or None (unknown: generic drop)."""
    if "sterna_generic_type" in const.info:
        kind: str | None = const.info["sterna_generic_type"]
        return kind
    return {
        "foreign_key_constraint": "foreignkey",
        "primary_key_constraint": "primary",
        "unique_constraint": "unique",
        "check_constraint": "check",
        "column_check_constraint": "check",
        "table_or_column_check_constraint": "check",
    }.get(const.__visit_name__)
