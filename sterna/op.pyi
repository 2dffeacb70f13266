# Written by tools/gen_stubs.py from Operations; do not edit: run ./dev stubs.

"""``from sterna import op``: the operations of the running migration.

Each function is the method of the same name of the ``Operations`` object that the
running migration step installs (``sterna.operations.Operations``); called outside a
step, it raises ``sterna.errors.ProxyNotActive``.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Table
from sqlalchemy.sql.elements import BindParameter, ColumnElement, TextClause, conv
from sqlalchemy.sql.expression import Executable, TableClause
from sqlalchemy.sql.schema import SchemaItem

from sterna.operations.base import ImplFn, Operations
from sterna.operations.batch import BatchOperations
from sterna.operations.context_protocol import MigrationContextLike
from sterna.operations.ops.base import MigrateOperation
from sterna.runtime.migration import MigrationContext

_C = TypeVar("_C", bound=type)
_F = TypeVar("_F", bound=Callable[..., Any])

def add_column(
    table_name: str,
    column: Column[Any],
    *,
    schema: str | None = None,
    if_not_exists: bool | None = None,
    inline_references: bool | None = None,
    inline_primary_key: bool | None = None,
) -> None:
    """Add a column to an existing table (``ALTER TABLE ... ADD COLUMN``), with what it
    brings along: its foreign keys, UNIQUE and type CHECK constraints, index and comment.

    * ``table_name``, ``schema``: the table.
    * ``column``: the new ``sqlalchemy.Column`` (not attached to a table); its
      ``server_default`` fills the existing rows.
    * ``if_not_exists``: write ``ADD COLUMN IF NOT EXISTS`` (PostgreSQL, MariaDB).
    * ``inline_references``: write the column's foreign key inline (``REFERENCES``) rather than
      as a separate ``ADD CONSTRAINT`` (default: what the dialect prefers).
    * ``inline_primary_key``: write ``PRIMARY KEY`` inline in the column's definition.
    """

def add_enum_value(
    enum_name: str,
    value: str,
    *,
    schema: str | None = None,
    before: str | None = None,
    after: str | None = None,
    if_not_exists: bool = False,
) -> None:
    """Add a value to a named enum type (PostgreSQL ``ALTER TYPE ... ADD
    VALUE``), run outside the transaction on PostgreSQL < 12.  Elsewhere an error: change the
    column's ``Enum`` type with ``alter_column``.

    * ``enum_name``, ``schema``: the type; ``value``: the new value.
    * ``before``, ``after``: an existing value to place it before or after (default: last).
    * ``if_not_exists``: do nothing when the value exists already.
    """

def alter_column(
    table_name: str,
    column_name: str,
    *,
    nullable: bool | None = None,
    comment: str | None | bool = False,
    server_default: Any = False,
    new_column_name: str | None = None,
    type_: Any = None,
    existing_type: Any = None,
    existing_server_default: Any = False,
    existing_nullable: bool | None = None,
    existing_comment: str | None = None,
    schema: str | None = None,
    **kw: Any,
) -> None:
    """Change a column: its nullability, type, server default, comment or name.

    What to change (a parameter left out leaves that property as it is):

    * ``nullable``: True for ``NULL``, False for ``NOT NULL``.
    * ``type_``: the new type (a SQLAlchemy type).
    * ``server_default``: the new server default (a string, ``text()`` or
      ``DefaultClause``), or None to drop it.
    * ``comment``: the new column comment, or None to drop it.
    * ``new_column_name``: the column's new name.

    How the column is now: ``existing_type``, ``existing_server_default``,
    ``existing_nullable``, ``existing_comment``.  MySQL/MariaDB rewrite the whole column
    definition and need them; online, the ones not given are read from the database.

    * ``table_name``, ``column_name``, ``schema``: the column to change.
    * ``kw``: ``postgresql_using`` (the ``USING`` expression of a type change),
      ``autoincrement``, ``existing_autoincrement`` and dialect options.
    """

def batch_alter_table(
    table_name: str,
    schema: str | None = None,
    recreate: str = "auto",
    partial_reordering: Sequence[Sequence[str]] | None = None,
    copy_from: Table | None = None,
    table_args: Sequence[Any] = (),
    table_kwargs: Mapping[str, Any] | None = None,
    reflect_args: Sequence[Any] = (),
    reflect_kwargs: Mapping[str, Any] | None = None,
    naming_convention: Mapping[str, Any] | None = None,
) -> AbstractContextManager[BatchOperations]:
    """A context manager that queues changes to one table and applies them
    when the block ends, rebuilding the table (create a copy, copy the rows, drop, rename)
    where the database's ``ALTER TABLE`` cannot make them, as on SQLite::

        with op.batch_alter_table("account") as batch_op:
            batch_op.alter_column("name", nullable=False)

    * ``table_name``, ``schema``: the table.
    * ``recreate``: ``"auto"`` (rebuild when the dialect needs it), ``"always"`` or
      ``"never"``.
    * ``partial_reordering``: with ``recreate="always"``, orders of column names to impose
      on the rebuilt table.
    * ``copy_from``: the ``Table`` as it is now, instead of reflecting it (needed offline).
    * ``table_args``, ``table_kwargs``: extra arguments for the rebuilt ``Table``.
    * ``reflect_args``, ``reflect_kwargs``: extra arguments for reflecting the table (for
      example a ``Column`` overriding a reflected type).
    * ``naming_convention``: names constraints and indexes that have none, for the
      rebuild.
    """

def bulk_insert(
    table: Table | TableClause, rows: Iterable[Mapping[str, Any]], *, multiinsert: bool = True
) -> None:
    """INSERT rows into a table, online and offline (offline, the values are written
    into the SQL as literals).

    * ``table``: a ``Table``, or a lightweight ``sqlalchemy.table("name", sa.column("id"),
      ...)`` naming the columns (their types are used to render the values offline).
    * ``rows``: dictionaries keyed by column name (a list, or any iterable of them).
    * ``multiinsert``: online, send rows with the same keys in one ``executemany`` (the
      default) rather than one INSERT each; rows holding SQL expressions always go one by
      one.
    """

def context(migration_context: MigrationContextLike) -> AbstractContextManager[Operations]:
    """A context manager that installs, for the duration of the block, an
    ``Operations`` for ``migration_context`` as ``op`` (for programs that run operations
    outside a migration script).
    """

def create_check_constraint(
    constraint_name: str | None,
    table_name: str,
    condition: str | ColumnElement[bool] | TextClause,
    *,
    schema: str | None = None,
    **kw: Any,
) -> None:
    """Add a CHECK constraint to an existing table.

    * ``constraint_name``: its name, or None to have the naming convention of
      ``target_metadata`` name it.
    * ``table_name``, ``schema``: the table.
    * ``condition``: SQL text or a SQLAlchemy boolean expression
      (``sa.column("price") > 0``).
    * ``kw``: ``deferrable``, ``initially`` and dialect options.
    """

def create_enum(
    enum_name: str,
    values: Sequence[str],
    *,
    schema: str | None = None,
    if_not_exists: bool | None = None,
) -> None:
    """Create a named enum type (PostgreSQL ``CREATE TYPE ... AS ENUM``); on
    databases without named enum types it does nothing (the enum lives in its column's type).

    * ``enum_name``, ``schema``: the type; ``values``: its values, in order.
    * ``if_not_exists``: create it only when it does not exist.
    """

def create_exclude_constraint(
    constraint_name: str, table_name: str, *elements: Any, **kw: Any
) -> None:
    """Add a PostgreSQL ``EXCLUDE`` constraint to an existing table.

    * ``constraint_name``: its name; ``table_name``: the table.
    * ``elements``: ``(column or expression, operator)`` pairs, such as
      ``("room", "="), ("during", "&&")``.
    * ``kw``: ``where`` (the predicate of a partial constraint), ``using`` (the index method,
      default ``gist``), ``schema``, ``deferrable``, ``initially``.
    """

def create_foreign_key(
    constraint_name: str | None,
    source_table: str,
    referent_table: str,
    local_cols: Sequence[str],
    remote_cols: Sequence[str],
    *,
    onupdate: str | None = None,
    ondelete: str | None = None,
    deferrable: bool | None = None,
    initially: str | None = None,
    match: str | None = None,
    source_schema: str | None = None,
    referent_schema: str | None = None,
    **dialect_kw: Any,
) -> None:
    """Add a foreign key from ``source_table`` to ``referent_table``.

    * ``constraint_name``: its name, or None to have the naming convention of
      ``target_metadata`` name it.
    * ``source_table``, ``source_schema``: the table holding the key; ``local_cols``: its
      columns.
    * ``referent_table``, ``referent_schema``: the table referred to; ``remote_cols``: its
      columns, in the same order.
    * ``onupdate``, ``ondelete``: the ``ON UPDATE`` / ``ON DELETE`` action (``CASCADE``,
      ``SET NULL``...).
    * ``deferrable``, ``initially``: ``DEFERRABLE`` and ``INITIALLY DEFERRED|IMMEDIATE``.
    * ``match``: the ``MATCH`` clause (``FULL``...).
    * ``dialect_kw``: dialect options of the ``ForeignKeyConstraint``.
    """

def create_index(
    index_name: str | None,
    table_name: str,
    columns: Sequence[str | TextClause | ColumnElement[Any]],
    *,
    schema: str | None = None,
    unique: bool = False,
    if_not_exists: bool | None = None,
    **kw: Any,
) -> None:
    """Create an index (``CREATE INDEX``).

    * ``index_name``: its name, or None to have the naming convention of
      ``target_metadata`` name it.
    * ``table_name``, ``schema``: the table.
    * ``columns``: column names or SQL expressions (``sa.text("lower(email)")``).
    * ``unique``: a unique index.
    * ``if_not_exists``: write ``CREATE INDEX IF NOT EXISTS``.
    * ``kw``: dialect options such as ``postgresql_where``, ``postgresql_include``,
      ``postgresql_using``, ``postgresql_concurrently``, ``mysql_length``.
    """

def create_primary_key(
    constraint_name: str | None,
    table_name: str,
    columns: Sequence[str],
    *,
    schema: str | None = None,
) -> None:
    """Add a primary key to an existing table (``ALTER TABLE ... ADD
    CONSTRAINT ... PRIMARY KEY``).

    * ``constraint_name``: its name, or None to have the naming convention of
      ``target_metadata`` name it.
    * ``table_name``, ``schema``: the table.
    * ``columns``: the names of the key's columns, in order.
    """

def create_schema(schema_name: str, *, if_not_exists: bool | None = None) -> None:
    """Create the schema ``schema_name`` (``CREATE SCHEMA``; a database on
    MySQL/MariaDB); ``if_not_exists``: write ``CREATE SCHEMA IF NOT EXISTS``.
    """

def create_sequence(
    sequence_name: str, *, schema: str | None = None, if_not_exists: bool | None = None, **kw: Any
) -> None:
    """Create a sequence (``CREATE SEQUENCE``); an error on databases without
    sequences.

    * ``sequence_name``, ``schema``: the sequence.
    * ``if_not_exists``: write ``CREATE SEQUENCE IF NOT EXISTS``.
    * ``kw``: the ``sqlalchemy.Sequence`` options (``start``, ``increment``, ``minvalue``,
      ``maxvalue``, ``cycle``, ``cache``...).
    """

def create_table(
    table_name: str, *columns: SchemaItem, if_not_exists: bool | None = None, **kw: Any
) -> Table:
    """Create a table (``CREATE TABLE``) and return it as a ``Table`` (handy for
    ``bulk_insert``).

    * ``table_name``: the new table's name.
    * ``columns``: its ``Column`` objects, and the constraints and indexes to create with it
      (``PrimaryKeyConstraint``, ``UniqueConstraint``, ``ForeignKeyConstraint``,
      ``CheckConstraint``, ``Index``).
    * ``if_not_exists``: write ``CREATE TABLE IF NOT EXISTS``.
    * ``kw``: ``schema``, ``comment``, ``info``, ``prefixes`` and dialect options such as
      ``mysql_engine``, given to the ``Table``.
    """

def create_table_comment(
    table_name: str,
    comment: str | None,
    *,
    existing_comment: str | None = None,
    schema: str | None = None,
) -> None:
    """Set the comment of table ``table_name`` (in ``schema``) to
    ``comment``.  ``existing_comment``: the comment it had, recorded so that the operation can
    be reversed.
    """

def create_unique_constraint(
    constraint_name: str | None,
    table_name: str,
    columns: Sequence[str],
    *,
    schema: str | None = None,
    **kw: Any,
) -> None:
    """Add a UNIQUE constraint to an existing table.

    * ``constraint_name``: its name, or None to have the naming convention of
      ``target_metadata`` name it.
    * ``table_name``, ``schema``: the table; ``columns``: the names of its columns.
    * ``kw``: ``deferrable``, ``initially`` and dialect options.
    """

def drop_column(table_name: str, column_name: str, *, schema: str | None = None, **kw: Any) -> None:
    """Drop a column (``ALTER TABLE ... DROP COLUMN``).

    * ``table_name``, ``schema``: the table; ``column_name``: the column.
    * ``kw``: ``if_exists`` (write ``DROP COLUMN IF EXISTS``) and dialect options.
    """

def drop_constraint(
    constraint_name: str,
    table_name: str,
    type_: str | None = None,
    *,
    schema: str | None = None,
    if_exists: bool | None = None,
) -> None:
    """Drop a constraint (``ALTER TABLE ... DROP CONSTRAINT``).

    * ``constraint_name``: its name; ``table_name``, ``schema``: its table.
    * ``type_``: ``"foreignkey"``, ``"primary"``, ``"unique"`` or ``"check"``; MySQL/MariaDB
      need it, as they drop each kind with a statement of its own.
    * ``if_exists``: write ``DROP CONSTRAINT IF EXISTS``.
    """

def drop_enum(
    enum_name: str,
    *,
    schema: str | None = None,
    if_exists: bool | None = None,
    values: Sequence[str] | None = None,
) -> None:
    """Drop a named enum type (PostgreSQL ``DROP TYPE``); nothing on databases
    without named enum types.

    * ``enum_name``, ``schema``: the type.
    * ``if_exists``: write ``DROP TYPE IF EXISTS``.
    * ``values``: the type's values, recorded so that the drop can be reversed.
    """

def drop_enum_value(enum_name: str, value: str, *, schema: str | None = None) -> None:
    """Remove ``value`` from the named enum type ``enum_name`` (in ``schema``), by
    rebuilding the type and converting the columns that use it (PostgreSQL, online only);
    elsewhere an error.
    """

def drop_index(
    index_name: str,
    table_name: str | None = None,
    *,
    schema: str | None = None,
    if_exists: bool | None = None,
    **kw: Any,
) -> None:
    """Drop an index (``DROP INDEX``).

    * ``index_name``: its name; ``schema``: its schema.
    * ``table_name``: its table, which MySQL/MariaDB need (``DROP INDEX ... ON table``).
    * ``if_exists``: write ``DROP INDEX IF EXISTS``.
    * ``kw``: dialect options such as ``postgresql_concurrently``.
    """

def drop_schema(schema_name: str, *, if_exists: bool | None = None, cascade: bool = False) -> None:
    """Drop the schema ``schema_name`` (``DROP SCHEMA``).  ``if_exists``: write
    ``DROP SCHEMA IF EXISTS``; ``cascade``: drop what it holds too (``CASCADE``).
    """

def drop_sequence(
    sequence_name: str, *, schema: str | None = None, if_exists: bool | None = None
) -> None:
    """Drop the sequence ``sequence_name`` (in ``schema``); ``if_exists``: write
    ``DROP SEQUENCE IF EXISTS``.  An error on databases without sequences.
    """

def drop_table(
    table_name: str, *, schema: str | None = None, if_exists: bool | None = None, **kw: Any
) -> None:
    """Drop a table (``DROP TABLE``).

    * ``table_name``, ``schema``: the table (default schema: the connection's).
    * ``if_exists``: write ``DROP TABLE IF EXISTS``.
    * ``kw``: given to the ``Table`` the statement is built from (dialect options).
    """

def drop_table_comment(
    table_name: str, *, existing_comment: str | None = None, schema: str | None = None
) -> None:
    """Remove the comment of table ``table_name`` (in ``schema``).
    ``existing_comment``: the comment it had, recorded so that the operation can be
    reversed.
    """

def execute(sqltext: Executable | str, *, execution_options: dict[str, Any] | None = None) -> None:
    """Run SQL in the migration: online on the connection, offline written to the
    output.

    * ``sqltext``: a string (run as ``text()``), a ``text()`` construct or a SQLAlchemy Core
      statement (``sa.update(...)``, ``sa.insert(...)``...).
    * ``execution_options``: given to the connection's ``execute``.
    """

def f(name: str) -> conv:
    """Mark ``name`` (of a constraint or an index) as final: the naming convention of
    ``target_metadata`` leaves it as it is (``op.f("ix_user_email")``).
    """

def get_bind() -> Connection | None:
    """The connection being migrated, for running queries in a migration; offline, a
    mock connection whose ``execute`` writes the SQL to the output.
    """

def get_context() -> MigrationContext:
    """The migration context of the run: its connection (``bind``), ``dialect``,
    ``impl``, ``opts`` (the options env.py gave ``configure()``), ``as_sql`` (offline) and
    ``autocommit_block()``.
    """

def implementation_for(op_cls: type, replace: bool = False) -> Callable[[_F], _F]:
    """Decorator registering ``fn(operations, operation)`` as what carries
    out operations of class ``op_cls`` (and of its subclasses that register none).

    ``replace``: replace an implementation registered already; without it, registering a
    second one for the same class is an error.
    """

def implementation_of(op_cls: type) -> ImplFn | None:
    """The implementation registered for ``op_cls``, or for its nearest base
    class, as ``implementation_for`` registered it; None when there is none.
    """

def inline_literal(value: Any, type_: Any = None) -> BindParameter[Any]:
    """``value`` as a SQL literal written into the statement rather than a bound
    parameter, so that a statement passed to ``execute`` renders the same online and offline.
    ``type_``: the SQLAlchemy type that renders it (default: from the Python value).
    """

def invoke(operation: MigrateOperation) -> Any:
    """Carry out ``operation`` (an instance of a ``MigrateOperation`` class) with the
    implementation registered for its class, and return what the implementation returns.
    """

def register_operation(name: str, sourcename: str | None = None) -> Callable[[_C], _C]:
    """Class decorator making an operation class callable as ``op.<name>(...)``.

    ``@Operations.register_operation("create_view")`` on ``class CreateViewOp`` adds the method
    ``name`` to ``Operations``; calling it calls the class's classmethod ``sourcename``
    (default: ``name``) as ``OpClass.<sourcename>(operations, *args, **kw)``, which usually
    builds the operation and passes it to ``operations.invoke()``.  Register its
    implementation with ``implementation_for``.  (Type checkers do not know directives added
    this way: ``op.invoke(CreateViewOp(...))`` keeps a script typed.)
    """

def rename_enum_value(
    enum_name: str, old_value: str, new_value: str, *, schema: str | None = None
) -> None:
    """Rename the value ``old_value`` of the named enum type ``enum_name`` (in
    ``schema``) to ``new_value`` (PostgreSQL ``ALTER TYPE ... RENAME VALUE``); elsewhere an
    error.
    """

def rename_table(old_table_name: str, new_table_name: str, *, schema: str | None = None) -> None:
    """Rename the table ``old_table_name`` (in ``schema``) to ``new_table_name``."""

def run_async(async_function: Callable[..., Any], *args: Any, **kw_args: Any) -> Any:
    """Run ``await async_function(async_connection, *args, **kw_args)`` on the
    migration's connection, for code written against SQLAlchemy's asyncio API.

    The connection must come from an async engine (env.py's ``connection.run_sync``); offline
    it is an error.  ``args`` and ``kw_args`` are passed to ``async_function``; returns its
    result.
    """
