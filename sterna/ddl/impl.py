"""DefaultImpl: the one place that knows whether SQL is executed or written out (offline mode).

Core contract (used by the runtime, do not change signatures):

* ``DefaultImpl.get_by_dialect(dialect)`` returns the implementation class of the dialect: the
  one its profile names (``sterna.dialects.profile_for(dialect).implementation``), or a class a
  project registered for the dialect's name by setting ``__dialect__`` (Alembic's way).
* ``impl._exec(construct, ...)`` runs a SQLAlchemy construct or SQL string on the connection, or,
  in offline mode, compiles it with literal values and writes it to the output buffer followed by
  the command terminator.
* ``impl.static_output(text)`` writes raw text in offline mode (comments, BEGIN/COMMIT).
* ``impl.transactional_ddl`` says whether DDL can be rolled back on this backend.

Operation-specific methods (``create_table``, ``add_column``, ...) are added below the core by the
operations layer; each takes plain SQLAlchemy schema objects built by ``sterna.operations``.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal, cast

from sqlalchemy import Column, Computed, Identity, Index, MetaData, Table, text
from sqlalchemy import Sequence as Sequence_
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.engine.mock import MockConnection
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateSchema,
    CreateSequence,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropSchema,
    DropSequence,
    DropTable,
    DropTableComment,
    SetTableComment,
)
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement, TextClause
from sqlalchemy.sql.expression import TableClause
from sqlalchemy.sql.schema import Constraint

from sterna.ddl.bulk_rows import check_rows, literal_row, same_keys_runs
from sterna.ddl.elements import (
    AddColumn,
    ColumnComment,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    DropColumn,
    RenameTable,
)
from sterna.ddl.impl_hooks import ComparisonResult as ComparisonResult  # Alembic's path
from sterna.ddl.impl_hooks import ImplHooks
from sterna.ddl.locks import MigrationLock
from sterna.ddl.table_templates import (
    write_add_column_from_template,
    write_table_from_template,
)
from sterna.ddl.templates import StatementTemplates
from sterna.dialects import profile_for
from sterna.errors_ddl import UnsupportedOperation

if TYPE_CHECKING:
    from sterna.ddl.recreate_changes import RebuildRequest
    from sterna.ddl.recreate_model import TableModel

log = logging.getLogger("alembic.ddl.impl")


def _is_builtin(impl: type) -> bool:
    return impl.__module__.startswith("sterna.ddl.")


def _named_implementation(name: str) -> type[DefaultImpl]:
    """The implementation class the dialect's profile names (``profile_for(name)``), its
    module imported on first use (the PostgreSQL one alone costs more than a whole offline run
    of a small project on SQLite)."""
    module, _, attr = profile_for(name).implementation.partition(":")
    if module not in sys.modules:
        importlib.import_module(module)
    return cast("type[DefaultImpl]", getattr(sys.modules[module], attr))


class DefaultImpl(ImplHooks):
    """Dialect-neutral DDL execution; subclassed per dialect.  The autogenerate and batch
    hooks third-party dialects override come from :class:`~sterna.ddl.impl_hooks.ImplHooks`."""

    __dialect__: ClassVar[str] = "default"
    transactional_ddl: bool = False
    command_terminator: ClassVar[str] = ";"
    _registry: ClassVar[dict[str, type[DefaultImpl]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "__dialect__" not in cls.__dict__:
            return
        current = DefaultImpl._registry.get(cls.__dialect__)
        if current is not None and _is_builtin(cls) and not _is_builtin(current):
            return  # the project's class came first: the built-in module, imported later, yields
        DefaultImpl._registry[cls.__dialect__] = cls

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        as_sql: bool,
        transactional_ddl: bool | None,
        output_buffer: IO[str] | None,
        context_opts: Mapping[str, Any],
    ) -> None:
        self.dialect = dialect
        self.connection = connection
        self.as_sql = as_sql
        self.literal_binds = bool(context_opts.get("literal_binds", False))
        self.output_buffer = output_buffer
        self.context_opts = context_opts
        if transactional_ddl is not None:
            self.transactional_ddl = transactional_ddl
        #: what SQLAlchemy's DDL event handlers note down between statements of one run
        #: (this object is their ``_ddl_runner``: a PostgreSQL named type is created once)
        self.memo: dict[str, Any] = {}
        if self.literal_binds and not self.as_sql:
            from sterna.errors_root import CommandError

            raise CommandError("literal_binds=True is only valid in offline (--sql) mode")

    @classmethod
    def get_by_dialect(cls, dialect: Dialect) -> type[DefaultImpl]:
        """The implementation class for ``dialect.name``: a project's class registered with
        ``__dialect__``, else the one the dialect's profile names (DefaultImpl for a dialect
        without a profile).  Only that dialect's module is imported."""
        return cls.get_by_name(str(dialect.name))

    @classmethod
    def get_by_name(cls, name: str) -> type[DefaultImpl]:
        """:meth:`get_by_dialect` for a dialect's name (code that holds only the name: the SQL
        lexer)."""
        registered = cls._registry.get(name)
        if registered is not None and not _is_builtin(registered):
            return registered
        return _named_implementation(name)

    @property
    def bind(self) -> Connection | None:
        return self.connection

    #: an offline ``BEGIN`` held back until something follows it (see :meth:`hold_begin`)
    _begin_held: bool = False

    @cached_property
    def statement_templates(self) -> StatementTemplates:
        """This implementation's DDL templates (:mod:`sterna.ddl.templates`)."""
        return StatementTemplates()

    def static_output(self, text_: str) -> None:
        """Write raw text to the offline output, followed by a blank line."""
        assert self.output_buffer is not None
        if self._begin_held:
            self._begin_held = False
            self.emit_begin()
        self.output_buffer.write(text_ + "\n\n")
        self.output_buffer.flush()

    def hold_begin(self) -> None:
        """Offline: write ``BEGIN`` just before the next output rather than now, so that a run
        whose pre-flight fails (a broken script) writes nothing at all."""
        self._begin_held = True

    def release_begin(self, write: bool) -> None:
        """Write a held ``BEGIN`` now (``write``), or forget it (the block failed before writing
        anything)."""
        held, self._begin_held = self._begin_held, False
        if held and write:
            self.emit_begin()

    def emit_begin(self) -> None:
        self.static_output("BEGIN" + self.command_terminator)

    def emit_commit(self) -> None:
        self.static_output("COMMIT" + self.command_terminator)

    def start_migrations(self) -> None:
        """Hook called once before the first step runs."""

    def commits_implicitly(self, statement: str) -> bool:
        """Whether ``statement`` commits the transaction around it when it runs (a step's
        journal then records it as taken effect for good: ``sterna/runtime/journal.py``)."""
        return False

    def failure_committed(self, statement: str | None, exc: BaseException) -> bool:
        """Whether ``statement``, which failed with ``exc``, committed the transaction's
        earlier work before it failed."""
        return False

    def has_table(self, connection: Connection, name: str, schema: str | None) -> bool:
        """Whether the table exists (the version and history tables, read online)."""
        return bool(self.dialect.has_table(connection, name, schema=schema))

    def migration_lock(
        self, schema: str | None, table: str, transaction_scoped: bool
    ) -> MigrationLock | None:
        """The lock that keeps concurrent runs on the version table ``schema.table`` apart
        (see ``sterna/runtime/lock.py``), or None when this backend has none.
        ``transaction_scoped``: the caller owns the transaction, so a lock its end releases
        is preferred where the backend has one."""
        return None

    def driver_transactions(self, transactional_ddl: bool | None) -> bool:
        """Online: whether the runtime must itself open the driver's transaction
        (:meth:`ensure_driver_transaction`) for DDL to be rolled back with the version table's
        rows (``transactional_ddl``: the option env.py gave, None when it gave none).  No: the
        driver opens its transactions, or the DDL cannot be rolled back."""
        return False

    def ensure_driver_transaction(self, connection: Connection) -> None:
        """Open the driver's transaction where :meth:`driver_transactions` said so."""

    # -- the dialect's rules for the SQL lexer and the batch table rebuild ---------------------
    # Code that holds only a dialect reads the class attributes from get_by_dialect()'s class.

    #: tables have a row id of their own that a rebuild keeps (SQLite's ``rowid``)
    tables_have_rowid: ClassVar[bool] = False
    #: where a rebuild writes a column's autoincrement: a clause of the column (MySQL's
    #: ``AUTO_INCREMENT``), of its inline primary key (SQLite's ``AUTOINCREMENT``), or nowhere
    rebuild_autoincrement: ClassVar[Literal["column", "primary key"] | None] = None
    #: a rebuild writes column comments in the column definitions (MySQL), not as statements
    rebuild_inline_comments: ClassVar[bool] = False
    #: a rebuild renames existing columns in place first (``RENAME COLUMN`` also updates the
    #: triggers, views and foreign keys that name them: SQLite)
    rebuild_renames_in_place: ClassVar[bool] = False
    #: constraint names are unique in the schema: the new table's named constraints get
    #: temporary names while the old table exists (PostgreSQL)
    rebuild_renames_constraints: ClassVar[bool] = False
    #: foreign key and named CHECK names are unique in the database: those constraints are
    #: added once the old table is gone (MySQL)
    rebuild_defers_constraints: ClassVar[bool] = False
    #: what the rebuild's copy ``INSERT`` needs to write a ``GENERATED ALWAYS`` identity column
    overriding_identity_sql: ClassVar[str] = ""

    def rebuild_table(self, request: RebuildRequest) -> None:
        """Rebuild a table for batch mode: move and copy (:mod:`sterna.ddl.recreate`)."""
        from sterna.ddl.recreate import rebuild_by_copy

        rebuild_by_copy(self, request)

    def rename_rebuilt_table(self, temp: str, name: str, schema: str | None) -> None:
        """Give the rebuilt table its name once the old table is gone."""
        self.rename_table(temp, name, schema=schema)

    def rebuild_owned_sequences(self, model: TableModel) -> list[tuple[str, str]]:
        """``(sequence, column)``: the sequences the old table owns, to hand over to the new."""
        return []

    def rebuild_counter_sql(self, model: TableModel, temp: str) -> list[str]:
        """The statements that carry the id counter over to the new table ``temp``."""
        return []

    def _compile(self, construct: ClauseElement) -> str:
        compiled = construct.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True})
        return str(compiled).replace("\t", "    ").strip()

    def _exec(
        self,
        construct: str | ClauseElement,
        execution_options: Mapping[str, Any] | None = None,
        multiparams: Sequence[Mapping[str, Any]] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """Execute ``construct`` online, or write it as SQL text offline."""
        if isinstance(construct, str):
            construct = text(construct)
        if self.as_sql:
            if multiparams or params:
                raise TypeError("bound parameters are not supported in offline (--sql) mode")
            self.static_output(self._compile(construct) + self.command_terminator)
            return None
        assert self.connection is not None, "online execution needs a connection"
        conn = self.connection
        if execution_options:
            conn = conn.execution_options(**execution_options)
        statement = cast(Executable, construct)
        if isinstance(construct, TextClause) and not (multiparams or params):
            return conn.execute(statement)
        if multiparams:
            return conn.execute(statement, list(multiparams))
        return conn.execute(statement, dict(params or {}))

    def execute(
        self,
        sql: str | ClauseElement | Executable,
        execution_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._exec(cast("str | ClauseElement", sql), execution_options)

    # -- DDL actions ---------------------------------------------------------------------------
    # Each takes plain SQLAlchemy schema objects (built by sterna.operations.schemaobj) or names,
    # and emits SQLAlchemy DDL constructs through _exec, online or offline alike.  Dialect
    # modules override what their backend does differently.

    @property
    def dialect_label(self) -> str:
        """The backend's name for messages (``mariadb`` for MariaDB behind the mysql dialect)."""
        if getattr(self.dialect, "is_mariadb", False):
            return "mariadb"
        return str(self.dialect.name)

    def _unsupported(self, operation: str, advice: str = "") -> UnsupportedOperation:
        return UnsupportedOperation(self.dialect_label, operation, advice)

    def create_table(self, table: Table, **kw: Any) -> None:
        """``CREATE TABLE`` between the table's ``before_create``/``after_create`` events, then
        its indexes and (where not inline) its comments."""
        self._create_table_types(table)
        self._dispatch_ddl_event(table.dispatch.before_create, table)
        flag = bool(kw.get("if_not_exists"))
        if not write_table_from_template(self, table, flag):
            self._exec(CreateTable(table, if_not_exists=flag))
        self._dispatch_ddl_event(table.dispatch.after_create, table)
        for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
            self._exec(CreateIndex(index, if_not_exists=bool(kw.get("if_not_exists"))))
        if self.dialect.supports_comments and not self.dialect.inline_comments:
            if table.comment is not None:
                self.create_table_comment(table)
            for column in table.columns:
                if column.comment is not None:
                    self.create_column_comment(column)

    def _create_table_types(self, table: Table) -> None:
        """Hook: create the named types (PostgreSQL enums) a new table's columns need."""

    def drop_table(self, table: Table, **kw: Any) -> None:
        """``DROP TABLE`` between the table's ``before_drop``/``after_drop`` events."""
        self._dispatch_ddl_event(table.dispatch.before_drop, table)
        self._exec(DropTable(table, if_exists=bool(kw.get("if_exists"))))
        self._dispatch_ddl_event(table.dispatch.after_drop, table)

    def _dispatch_ddl_event(self, event: Any, table: Table) -> None:
        """Run a table DDL event's listeners (the user's, and the column types' own: a
        PostgreSQL ``ENUM`` creates its type from ``before_create``) as ``metadata.create_all``
        would, on the connection, offline on a mock one whose statements are written out."""
        event(table, self._ddl_bind(), checkfirst=False, _ddl_runner=self)

    def _ddl_bind(self) -> Any:
        """The connection DDL event listeners execute on; offline, one that writes the SQL."""
        if self.connection is not None:
            return self.connection
        return MockConnection(self.dialect, lambda construct, *a, **k: self._exec(construct))

    def rename_table(
        self, old_table_name: str, new_table_name: str, schema: str | None = None
    ) -> None:
        self._exec(RenameTable(old_table_name, new_table_name, schema))

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
        """``ADD COLUMN``; ``column`` belongs to a stub table named ``table_name``, or to no
        table when it brings nothing along (``schemaobj.brings_nothing``): it is then placed on
        one here if the statement is compiled rather than written from its template."""
        element = AddColumn(
            table_name,
            column,
            schema,
            if_not_exists=bool(if_not_exists),
            inline_references=bool(inline_references),
            inline_primary_key=bool(inline_primary_key),
        )
        if write_add_column_from_template(self, element):
            return
        if getattr(column, "table", None) is None:
            Table(table_name, MetaData(), column, schema=schema)
        self._exec(element)

    def drop_column(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self._exec(DropColumn(table_name, column.name, schema, if_exists=bool(if_exists)))

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
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        """One standard ``ALTER COLUMN`` statement per changed aspect: nullability, default,
        type (Alembic's order), comment, then the rename (so the earlier statements use the old
        name)."""
        where = (table_name, column_name)
        if nullable is not None:
            self._exec(ColumnNullable(*where, nullable, schema))
        if server_default is not False:
            self._check_default(server_default, existing_server_default, where)
            self._exec(ColumnDefault(*where, server_default, schema))
        if type_ is not None:
            self._exec(ColumnType(*where, type_, schema, using=kw.get("postgresql_using")))
        if comment is not False:
            self._alter_column_comment(table_name, column_name, comment, schema)
        if name is not None and name != column_name:
            self._exec(ColumnName(*where, name, schema))

    def _check_default(self, default: Any, existing: Any, where: tuple[str, str]) -> None:
        """A generated (``Computed``) or ``Identity`` column cannot be made, unmade or changed
        by ``ALTER COLUMN ... DEFAULT``: refused, whether it is the new or the existing one."""
        for which, value in (("to", default), ("from", existing)):
            if isinstance(value, (Computed, Identity)):
                kind = type(value).__name__
                raise self._unsupported(
                    f"alter_column({where[0]!r}, {where[1]!r}) {which} "
                    f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind} server default",
                    "drop and re-add the column instead",
                )

    def _alter_column_comment(
        self, table_name: str, column_name: str, comment: str | None, schema: str | None
    ) -> None:
        if not self.dialect.supports_comments:
            self._skip_comment(f"the comment of column {table_name}.{column_name}")
            return
        self._exec(ColumnComment(table_name, column_name, comment, schema))

    def _skip_comment(self, what: str) -> None:
        log.warning("%s has no comments; %s is not set", self.dialect_label, what)

    #: Whether ``alter_column`` with a new type drops/adds the CHECK constraints the old/new
    #: types carry (``Boolean``/``Enum`` with ``create_constraint=True``).
    alters_type_constraints: ClassVar[bool] = True

    #: Whether ``add_column`` renders a column's foreign keys inline (``REFERENCES``) rather
    #: than as separate ``ADD CONSTRAINT`` statements, when the caller does not say.
    inline_references_by_default: ClassVar[bool] = False

    def add_column_constraint(self, const: Constraint) -> None:
        """A constraint that comes with a newly added column (FK, UNIQUE, type CHECK)."""
        self.add_constraint(const)

    def add_constraint(self, const: Constraint) -> None:
        self._exec(AddConstraint(const))

    def drop_constraint(self, const: Constraint, **kw: Any) -> None:
        self._exec(DropConstraint(const, if_exists=bool(kw.get("if_exists"))))

    def create_index(self, index: Index, **kw: Any) -> None:
        self._exec(CreateIndex(index, if_not_exists=bool(kw.get("if_not_exists"))))

    def drop_index(self, index: Index, **kw: Any) -> None:
        self._exec(DropIndex(index, if_exists=bool(kw.get("if_exists"))))

    def create_table_comment(self, table: Table) -> None:
        if not self.dialect.supports_comments:
            self._skip_comment(f"the comment of table {table.name}")
            return
        self._exec(SetTableComment(table))

    def drop_table_comment(self, table: Table) -> None:
        if not self.dialect.supports_comments:
            self._skip_comment(f"the comment of table {table.name}")
            return
        self._exec(DropTableComment(table))

    def create_column_comment(self, column: Column[Any]) -> None:
        table = column.table
        self._alter_column_comment(table.name, column.name, column.comment, table.schema)

    def bulk_insert(
        self,
        table: Table | TableClause,
        rows: Sequence[Mapping[str, Any]],
        multiinsert: bool = True,
    ) -> None:
        """INSERT rows: offline as one literal INSERT per row; online as one executemany when
        ``multiinsert`` and the rows are plain values, else one INSERT per row."""
        check_rows(table, rows)
        if not rows:
            return
        if self.as_sql:
            for row in rows:
                self._exec(table.insert().values(literal_row(table, row)))
            return
        plain = all(not isinstance(v, ClauseElement) for row in rows for v in row.values())
        if multiinsert and plain:
            for group in same_keys_runs(rows):
                self._exec(table.insert(), multiparams=group)
            return
        for row in rows:
            self._exec(table.insert().values(dict(row)))

    # -- beyond Alembic: sequences, schemas, enum types ----------------------------------------

    def create_sequence(self, sequence: Sequence_, if_not_exists: bool | None = None) -> None:
        if not self.dialect.supports_sequences:
            raise self._unsupported(f"create_sequence({sequence.name!r})", "it has no sequences")
        self._exec(CreateSequence(sequence, if_not_exists=bool(if_not_exists)))

    def drop_sequence(self, sequence: Sequence_, if_exists: bool | None = None) -> None:
        if not self.dialect.supports_sequences:
            raise self._unsupported(f"drop_sequence({sequence.name!r})", "it has no sequences")
        self._exec(DropSequence(sequence, if_exists=bool(if_exists)))

    def create_schema(self, name: str, if_not_exists: bool | None = None) -> None:
        self._exec(CreateSchema(name, if_not_exists=bool(if_not_exists)))

    def drop_schema(self, name: str, if_exists: bool | None = None, cascade: bool = False) -> None:
        self._exec(DropSchema(name, if_exists=bool(if_exists), cascade=cascade))

    def create_enum(
        self,
        name: str,
        values: Sequence[str],
        schema: str | None = None,
        if_not_exists: bool | None = None,
    ) -> None:
        """Named enum types exist on PostgreSQL only; elsewhere an enum lives in its column's
        type, so there is nothing to create."""
        log.info(
            "%s has no named enum types; create_enum(%r) does nothing", self.dialect_label, name
        )

    def drop_enum(
        self, name: str, schema: str | None = None, if_exists: bool | None = None
    ) -> None:
        log.info("%s has no named enum types; drop_enum(%r) does nothing", self.dialect_label, name)

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
        raise self._unsupported(
            f"add_enum_value({name!r}, {value!r})",
            "change the column's Enum type with alter_column instead",
        )

    def rename_enum_value(
        self, name: str, old_value: str, new_value: str, schema: str | None = None
    ) -> None:
        raise self._unsupported(
            f"rename_enum_value({name!r}, {old_value!r}, {new_value!r})",
            "change the column's Enum type with alter_column instead",
        )

    def drop_enum_value(self, name: str, value: str, schema: str | None = None) -> None:
        raise self._unsupported(f"drop_enum_value({name!r}, {value!r})")

    def enum_value_needs_autocommit(self) -> bool:
        """Whether ``ALTER TYPE ... ADD VALUE`` must run outside a transaction block."""
        return False
