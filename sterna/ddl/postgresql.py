"""PostgreSQL: transactional DDL, ``ALTER COLUMN ... TYPE ... USING``, named enum types.

Enum types: ``create_table`` creates the named enum types its columns use (online only when
missing; offline once per run), and the ``*_enum*`` operations map to ``CREATE TYPE``,
``DROP TYPE``, ``ALTER TYPE ... ADD VALUE`` / ``RENAME VALUE``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from sqlalchemy import Column, Enum, Table, text
from sqlalchemy.dialects.postgresql import ENUM
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import ExecutableDDLElement
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.elements import ClauseElement

from sterna.ddl.elements import (
    ColumnNullable,
    ColumnType,
    RenameTable,
    format_literal,
    format_table,
    rename_table_in_place,
)
from sterna.ddl.impl import DefaultImpl
from sterna.ddl.locks import advisory_key, lock_identity
from sterna.ddl.pg_identity import IdentityChange, identity_action, is_identity_change

if TYPE_CHECKING:
    from sterna.ddl.recreate_model import TableModel


class EnumTypeDDL(ExecutableDDLElement):
    """Base of the statements on one enum type, named by name and schema."""

    def __init__(self, name: str, schema: str | None) -> None:
        self.name = name
        self.schema = schema


class DropEnum(EnumTypeDDL):
    def __init__(self, name: str, schema: str | None, if_exists: bool = False) -> None:
        super().__init__(name, schema)
        self.if_exists = if_exists


class AddEnumValue(EnumTypeDDL):
    def __init__(
        self,
        name: str,
        schema: str | None,
        value: str,
        *,
        before: str | None = None,
        after: str | None = None,
        if_not_exists: bool = False,
    ) -> None:
        super().__init__(name, schema)
        self.value = value
        self.before = before
        self.after = after
        self.if_not_exists = if_not_exists


class RenameEnumValue(EnumTypeDDL):
    def __init__(self, name: str, schema: str | None, old: str, new: str) -> None:
        super().__init__(name, schema)
        self.old = old
        self.new = new


class RenameEnum(EnumTypeDDL):
    def __init__(self, name: str, schema: str | None, new_name: str) -> None:
        super().__init__(name, schema)
        self.new_name = new_name


class CreateEnumIfMissing(ExecutableDDLElement):
    """``CREATE TYPE`` wrapped in a ``DO`` block that ignores an existing type (offline
    ``if_not_exists``: PostgreSQL has no ``CREATE TYPE IF NOT EXISTS``)."""

    def __init__(self, enum: ENUM) -> None:
        self.enum = enum


compiles(RenameTable, "postgresql")(rename_table_in_place)


@compiles(DropEnum, "postgresql")
def _drop_enum(element: DropEnum, compiler: DDLCompiler, **kw: Any) -> str:
    exists = "IF EXISTS " if element.if_exists else ""
    return f"DROP TYPE {exists}{format_table(compiler, element.name, element.schema)}"


@compiles(AddEnumValue, "postgresql")
def _add_enum_value(element: AddEnumValue, compiler: DDLCompiler, **kw: Any) -> str:
    exists = "IF NOT EXISTS " if element.if_not_exists else ""
    sql = (
        f"ALTER TYPE {format_table(compiler, element.name, element.schema)} ADD VALUE "
        f"{exists}{format_literal(compiler, element.value)}"
    )
    if element.before is not None:
        sql += f" BEFORE {format_literal(compiler, element.before)}"
    elif element.after is not None:
        sql += f" AFTER {format_literal(compiler, element.after)}"
    return sql


@compiles(RenameEnumValue, "postgresql")
def _rename_enum_value(element: RenameEnumValue, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"ALTER TYPE {format_table(compiler, element.name, element.schema)} RENAME VALUE "
        f"{format_literal(compiler, element.old)} TO {format_literal(compiler, element.new)}"
    )


@compiles(RenameEnum, "postgresql")
def _rename_enum(element: RenameEnum, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"ALTER TYPE {format_table(compiler, element.name, element.schema)} RENAME TO "
        f"{compiler.preparer.quote(element.new_name)}"
    )


@compiles(CreateEnumIfMissing, "postgresql")
def _create_enum_if_missing(element: CreateEnumIfMissing, compiler: DDLCompiler, **kw: Any) -> str:
    create = compiler.process(CreateEnumType(element.enum), **kw)
    tag = "$sterna$"
    while tag in create:
        tag = tag[:-1] + "_$"
    return f"DO {tag} BEGIN {create}; EXCEPTION WHEN duplicate_object THEN NULL; END {tag}"


def named_enums(columns: Iterable[Column[Any]]) -> list[Enum]:
    """The named native enum types the columns use (arrays included), in order."""
    found: list[Enum] = []
    for column in columns:
        type_ = column.type
        item = getattr(type_, "item_type", None)
        for candidate in (type_, item):
            if (
                isinstance(candidate, Enum)
                and candidate.native_enum
                and candidate.name
                and getattr(candidate, "create_type", True)
                and candidate not in found
            ):
                found.append(candidate)
    return found


class PostgresqlImpl(DefaultImpl):
    __dialect__ = "postgresql"
    transactional_ddl = True
    #: primary key and unique constraint names are index names, unique in the schema
    rebuild_renames_constraints: ClassVar[bool] = True
    overriding_identity_sql: ClassVar[str] = "OVERRIDING SYSTEM VALUE"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._offline_types: set[tuple[str | None, str]] = set()

    def render_ddl_sql_expr(
        self, expr: ClauseElement, is_server_default: bool = False, **kw: Any
    ) -> str:
        """As the generic rule; an index element that PostgreSQL's ``CREATE INDEX`` puts in
        parentheses (an operator expression: ``(c ->> 'foo')``, which it requires) keeps them
        in the ``sa.text`` of the script, where SQLAlchemy would not add them."""
        text = super().render_ddl_sql_expr(expr, is_server_default=is_server_default, **kw)
        if kw.get("is_index") and expr.self_group() is not expr:
            return f"({text})"
        return text

    def _create_table_types(self, table: Table) -> None:
        self._ensure_enum_types(named_enums(table.columns))

    def _ensure_enum_types(self, enums: list[Enum]) -> None:
        """Create the named enum types columns use unless they exist: online by looking them
        up, offline once per run (as ``metadata.create_all`` would).  A type without a schema
        lives on the search path, where the column's DDL will look for it."""
        for enum in enums:
            assert enum.name is not None
            schema = enum.schema
            # the type's own before_create listener then leaves it alone (created once)
            self.memo.setdefault("pg_enum", set()).add((schema, enum.name))
            if self.as_sql:
                if (schema, enum.name) in self._offline_types:
                    continue
            elif self._enum_exists(enum.name, schema):
                continue
            self.create_enum(enum.name, list(enum.enums), schema)

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
        """``ADD COLUMN``, creating first the named enum type the column uses if missing."""
        self._ensure_enum_types(named_enums([column]))
        super().add_column(
            table_name,
            column,
            schema,
            if_not_exists=if_not_exists,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
        )

    def alter_column(self, table_name: str, column_name: str, **kw: Any) -> None:
        """As the default, but the type first (with ``postgresql_using``), creating first a
        named enum type the new type needs if missing; identity columns changed as
        ``sterna/ddl/pg_identity.py`` says."""
        type_ = kw.get("type_")
        if type_ is not None:
            self._ensure_enum_types(named_enums([Column("_", type_)]))
            self._exec(
                ColumnType(
                    table_name,
                    column_name,
                    type_,
                    kw.get("schema"),
                    using=kw.get("postgresql_using"),
                )
            )
            kw["type_"] = None
        self._alter_identity(table_name, column_name, kw)
        super().alter_column(table_name, column_name, **kw)

    def _alter_identity(self, table_name: str, column_name: str, kw: dict[str, Any]) -> None:
        """An identity added, changed or dropped (``kw``'s default then goes no further).  An
        identity can only be added to a NOT NULL column, so ``nullable=False`` comes first; a
        ``nullable=True`` waits until the identity is gone (the default implementation runs it
        after this)."""
        new, existing = kw.get("server_default", False), kw.get("existing_server_default")
        if not is_identity_change(new, existing):
            return
        if kw.get("nullable") is False:
            self._exec(ColumnNullable(table_name, column_name, False, kw.get("schema")))
            kw["nullable"] = None
        compiler = self.dialect.ddl_compiler(self.dialect, cast(Any, None))
        action = identity_action(compiler, new, existing, (table_name, column_name))
        if action:
            self._exec(IdentityChange(table_name, column_name, kw.get("schema"), action))
        kw["server_default"] = False

    def create_enum(
        self,
        name: str,
        values: Sequence[str],
        schema: str | None = None,
        if_not_exists: bool | None = None,
    ) -> None:
        """``CREATE TYPE ... AS ENUM``.  ``if_not_exists`` leaves an existing type alone:
        online by looking it up, offline with a ``DO`` block that ignores ``duplicate_object``
        (PostgreSQL has no ``CREATE TYPE IF NOT EXISTS``)."""
        enum = ENUM(*values, name=name, schema=schema)
        if if_not_exists and self.as_sql:
            self._exec(CreateEnumIfMissing(enum))
        elif not (if_not_exists and self._enum_exists(name, schema)):
            self._exec(CreateEnumType(enum))
        self._offline_types.add((schema, name))

    def _enum_exists(self, name: str, schema: str | None) -> bool:
        assert self.connection is not None
        found = self.connection.execute(
            text(
                "SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE t.typname = :name AND t.typtype = 'e' "
                "AND n.nspname = coalesce(:schema, current_schema())"
            ),
            {"name": name, "schema": schema},
        ).first()
        return found is not None

    def drop_enum(
        self, name: str, schema: str | None = None, if_exists: bool | None = None
    ) -> None:
        self._exec(DropEnum(name, schema, bool(if_exists)))
        self._offline_types.discard((schema, name))

    def add_enum_value(
        self,
        name: str,
        value: str,
        schema: str | None = None,
        *,
        before: str | None = None,
        after: str | None = None,
        if_not_exists: bool = False,
    ) -> None:
        self._exec(
            AddEnumValue(
                name, schema, value, before=before, after=after, if_not_exists=if_not_exists
            )
        )

    def rename_enum_value(
        self, name: str, old_value: str, new_value: str, schema: str | None = None
    ) -> None:
        self._exec(RenameEnumValue(name, schema, old_value, new_value))

    def drop_enum_value(self, name: str, value: str, schema: str | None = None) -> None:
        from sterna.ddl.pg_enums import drop_enum_value

        drop_enum_value(self, name, value, schema)

    def migration_lock(
        self, schema: str | None, table: str, transaction_scoped: bool
    ) -> AdvisoryLock | None:
        connection = self.connection
        if connection is None or self.as_sql:
            return None
        return AdvisoryLock(connection, schema, table, transaction_scoped)

    def enum_value_needs_autocommit(self) -> bool:
        """PostgreSQL before 12 refuses ``ALTER TYPE ... ADD VALUE`` in a transaction block."""
        version = self.dialect.server_version_info
        return version is not None and tuple(version[:1]) < (12,)

    def rebuild_owned_sequences(self, model: TableModel) -> list[tuple[str, str]]:
        """The sequences behind ``SERIAL`` columns (``DEFAULT nextval('t_id_seq')``): they
        belong to the old table and would be dropped with it, so ownership moves to the new
        one."""
        found: list[tuple[str, str]] = []
        for column in model.columns:
            for clause in column.clauses:
                match = _NEXTVAL.search(clause.text) if clause.kind == "default" else None
                if match:
                    found.append((match.group(1).replace("''", "'"), column.name))
        return found

    def rebuild_counter_sql(self, model: TableModel, temp: str) -> list[str]:
        """A ``SERIAL`` or identity column of the new table has a fresh sequence; it is set to
        the later of the old sequence's last value and the largest copied id (read in SQL, so
        the statements are the same online and offline)."""
        found: list[str] = []
        for column in model.columns:
            type_sql = " ".join(t.text for t in column.type_tokens).upper()
            serial = type_sql in ("SERIAL", "BIGSERIAL", "SMALLSERIAL") or column.has("identity")
            if serial and column.source is not None:
                found.append(_setval_sql(model, temp, column.name, column.source))
        return found


_NEXTVAL = re.compile(r"nextval\('((?:[^']|'')+)'(?:::regclass)?\)", re.IGNORECASE)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _setval_sql(model: TableModel, temp: str, column: str, source: str) -> str:
    new_seq = f"pg_get_serial_sequence({_literal(model.qualified(temp))}, {_literal(column)})"
    old_seq = f"pg_get_serial_sequence({_literal(model.qualified(model.name))}, {_literal(source)})"
    last = f"GREATEST(pg_sequence_last_value(CAST({old_seq} AS regclass)), copied.top)"
    return (
        f"SELECT setval({new_seq}, COALESCE({last}, 1), {last} IS NOT NULL) "
        f"FROM (SELECT max({model.quote(column)}) AS top FROM {model.qualified(temp)}) AS copied"
    )


_HOLDER_SQL = text(
    "SELECT a.pid, a.application_name, host(a.client_addr), a.usename, a.backend_start, "
    "a.xact_start, current_database(), inet_server_port() FROM pg_locks l "
    "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.classid::bigint = :hi AND l.objid::bigint = :lo "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "LIMIT 1"
)


class AdvisoryLock:
    """A session advisory lock (``pg_try_advisory_lock``) keyed by the version table; with
    ``transaction_scoped`` a transaction-level one, released when that transaction ends.

    Session locks survive COMMIT and ROLLBACK and end with the session; a transaction-mode
    pooler (PgBouncer ``pool_mode = transaction``) hands the session to others between
    transactions, which breaks them (``docs/production.md``)."""

    def __init__(
        self, connection: Connection, schema: str | None, table: str, transaction_scoped: bool
    ) -> None:
        self._conn = connection
        if schema is None:
            schema = str(connection.exec_driver_sql("SELECT current_schema()").scalar())
        identity = lock_identity(schema, table)
        self.key = advisory_key(identity)
        self.description = f"PostgreSQL advisory lock {self.key}, {identity}"
        self._xact = transaction_scoped
        self._session: Hashable = None

    def try_acquire(self) -> bool:
        function = "pg_try_advisory_xact_lock" if self._xact else "pg_try_advisory_lock"
        row = self._conn.execute(
            text(
                f"SELECT {function}(:key), pg_backend_pid(), current_database(), inet_server_port()"
            ),
            {"key": self.key},
        ).one()
        self._session = ("postgresql", row[2], row[3], row[1])
        return bool(row[0])

    def release(self) -> None:
        if self._xact:
            return
        unlock = text("SELECT pg_advisory_unlock(:key)")
        conn = self._conn
        driver = conn.connection.dbapi_connection if not conn.in_transaction() else None
        if conn.dialect.driver not in ("psycopg", "psycopg2") or driver is None:
            conn.execute(unlock, {"key": self.key})
            return
        # outside a transaction (the run's has ended): one round trip, not BEGIN, the unlock,
        # COMMIT; these drivers switch autocommit without asking the server
        was = driver.autocommit
        try:
            driver.autocommit = True
        except Exception:  # the driver holds a transaction SQLAlchemy did not begin
            conn.execute(unlock, {"key": self.key})
            return
        try:
            conn.execute(unlock, {"key": self.key})
            conn.commit()  # SQLAlchemy's view of the transaction it began; nothing is sent
        finally:
            driver.autocommit = was

    def session_token(self) -> Hashable:
        return self._session

    def _holder_row(self) -> Any:
        hi, lo = (self.key >> 32) & 0xFFFFFFFF, self.key & 0xFFFFFFFF
        return self._conn.execute(_HOLDER_SQL, {"hi": hi, "lo": lo}).first()

    def holder_token(self) -> Hashable | None:
        row = self._holder_row()
        return None if row is None else ("postgresql", row[6], row[7], row[0])

    def describe_holder(self) -> str:
        row = self._holder_row()
        if row is None:
            return "a session that has just released it"
        pid, app, client, user, started, xact = row[:6]
        parts = [f"backend pid {pid}"]
        if app:
            parts.append(f"application {app!r}")
        parts.append(f"client {client or 'local socket'}")
        if user:
            parts.append(f"user {user}")
        if started is not None:
            parts.append(f"connected since {started:%Y-%m-%d %H:%M:%S%z}")
        if xact is not None:
            parts.append(f"in a transaction since {xact:%H:%M:%S}")
        return ", ".join(parts)
