"""Implementations of the built-in operations: op object -> ``DefaultImpl`` method calls.

Each function is registered with ``Operations.implementation_for`` and receives the facade
(``operations.impl`` is the dialect implementation, ``operations.schema_obj`` builds schema
objects honouring the context's naming convention) and the operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Column, PrimaryKeyConstraint, Table
from sqlalchemy.sql.schema import Constraint, ForeignKeyConstraint

from sterna.ddl.templates import PlainIndex, own_methods, write_from_template
from sterna.operations import ops
from sterna.operations.base import AbstractOperations
from sterna.operations.schemaobj import brings_nothing, detach, is_attached

implementation_for = AbstractOperations.implementation_for


@implementation_for(ops.CreateTableOp)
def create_table(operations: AbstractOperations, operation: ops.CreateTableOp) -> Table:
    table = operation.to_table(operations.migration_context)
    operations.impl.create_table(table, if_not_exists=operation.if_not_exists)
    return table


@implementation_for(ops.DropTableOp)
def drop_table(operations: AbstractOperations, operation: ops.DropTableOp) -> None:
    table = operation.to_table(operations.migration_context)
    operations.impl.drop_table(table, if_exists=operation.if_exists)


@implementation_for(ops.RenameTableOp)
def rename_table(operations: AbstractOperations, operation: ops.RenameTableOp) -> None:
    operations.impl.rename_table(
        operation.table_name, operation.new_table_name, schema=operation.schema
    )


@implementation_for(ops.AddColumnOp)
def add_column(operations: AbstractOperations, operation: ops.AddColumnOp) -> None:
    """``ADD COLUMN``, then what the column brings along: foreign keys (inline where the
    dialect prefers it), UNIQUE and type CHECK constraints, indexes and the comment."""
    impl = operations.impl
    column: Column[Any] = operation.column
    if is_attached(column):
        detached = detach(column)
        assert isinstance(detached, Column)
        column = detached
    alone = brings_nothing(column) and own_methods(impl, ("add_column",))
    table = (
        None  # Sterna's add_column puts it on a stub table only if it compiles the statement
        if alone
        else operations.schema_obj.table(operation.table_name, column, schema=operation.schema)
    )
    inline_refs = _inline_references(operation.inline_references, column, impl)
    impl.add_column(
        operation.table_name,
        column,
        schema=operation.schema,
        if_not_exists=operation.if_not_exists,
        inline_references=inline_refs,
        inline_primary_key=operation.inline_primary_key,
        **operation.kw,
    )
    if table is None:
        return
    for constraint in sorted(table.constraints, key=lambda c: c._creation_order):
        if isinstance(constraint, PrimaryKeyConstraint):
            continue
        if isinstance(constraint, ForeignKeyConstraint) and inline_refs:
            continue
        if constraint in column.constraints:
            continue  # rendered inline with the column
        if not _created_here(constraint, impl.dialect):
            continue  # e.g. a Boolean's CHECK on a backend with a native boolean
        impl.add_column_constraint(constraint)
    for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
        impl.create_index(index)
    if column.comment is not None and not impl.dialect.inline_comments:
        impl.create_column_comment(column)


def _inline_references(asked: bool | None, column: Column[Any], impl: Any) -> bool:
    """Whether the column's foreign keys go inline (``REFERENCES``): as asked, else as the
    dialect prefers; several foreign keys go inline only where the dialect prefers it (SQLite
    cannot add them afterwards), else each is a separate ``ADD CONSTRAINT``."""
    preferred = bool(impl.inline_references_by_default)
    if asked is None:
        return preferred
    return asked and (preferred or len(column.foreign_keys) <= 1)


@implementation_for(ops.DropColumnOp)
def drop_column(operations: AbstractOperations, operation: ops.DropColumnOp) -> None:
    column = operation.to_column(operations.migration_context)
    if is_attached(column):
        column = Column(column.name, column.type)
    operations.schema_obj.table(operation.table_name, column, schema=operation.schema)
    operations.impl.drop_column(
        operation.table_name,
        column,
        schema=operation.schema,
        if_exists=operation.if_exists,
        **operation.kw,
    )


def _created_here(constraint: Constraint, dialect: Any) -> bool:
    """Whether ``dialect`` creates ``constraint``: a type's CHECK (``Boolean``/``Enum`` with
    ``create_constraint=True``) has a rule saying where it applies (not where the type is
    native); every other constraint always is."""
    if not getattr(constraint, "_type_bound", False) or constraint._create_rule is None:
        return True
    return bool(constraint._create_rule(SimpleNamespace(dialect=dialect)))


def _type_constraints(
    operations: AbstractOperations, operation: ops.AlterColumnOp, type_: Any
) -> list[Constraint]:
    """The CHECK constraints a type brings (``Boolean``/``Enum`` with ``create_constraint``)."""
    if type_ is None:
        return []
    column: Column[Any] = Column(operation.column_name, type_)
    table = operations.schema_obj.table(operation.table_name, column, schema=operation.schema)
    dialect = operations.impl.dialect
    return [
        c
        for c in table.constraints
        if getattr(c, "_type_bound", False) and _created_here(c, dialect)
    ]


@implementation_for(ops.AlterColumnOp)
def alter_column(operations: AbstractOperations, operation: ops.AlterColumnOp) -> None:
    """ALTER COLUMN; a type change also swaps the CHECK constraints the old and new types
    carry (``Boolean``/``Enum`` with ``create_constraint=True``), where the backend can."""
    impl = operations.impl
    swap = operation.modify_type is not None and impl.alters_type_constraints
    if swap:
        for constraint in _type_constraints(operations, operation, operation.existing_type):
            impl.drop_constraint(constraint)
    _alter_column(operations, operation)
    if swap:
        for constraint in _type_constraints(operations, operation, operation.modify_type):
            impl.add_constraint(constraint)


def _alter_column(operations: AbstractOperations, operation: ops.AlterColumnOp) -> None:
    operations.impl.alter_column(
        operation.table_name,
        operation.column_name,
        nullable=operation.modify_nullable,
        server_default=operation.modify_server_default,
        name=operation.modify_name,
        type_=operation.modify_type,
        schema=operation.schema,
        comment=operation.modify_comment,
        existing_comment=operation.existing_comment,
        existing_type=operation.existing_type,
        existing_server_default=operation.existing_server_default,
        existing_nullable=operation.existing_nullable,
        **operation.kw,
    )


@implementation_for(ops.AddConstraintOp)
def add_constraint(operations: AbstractOperations, operation: ops.AddConstraintOp) -> None:
    operations.impl.add_constraint(operation.to_constraint(operations.migration_context))


@implementation_for(ops.DropConstraintOp)
def drop_constraint(operations: AbstractOperations, operation: ops.DropConstraintOp) -> None:
    constraint = operations.schema_obj.generic_constraint(
        operation.constraint_name,
        operation.table_name,
        operation.constraint_type,
        schema=operation.schema,
    )
    operations.impl.drop_constraint(constraint, if_exists=operation.if_exists)


@implementation_for(ops.CreateIndexOp)
def create_index(operations: AbstractOperations, operation: ops.CreateIndexOp) -> None:
    columns, unique = operation.columns, operation.unique
    if not operation.kw and _from_template(operations, operation, columns, unique):
        return
    index = operation.to_index(operations.migration_context)
    operations.impl.create_index(index, if_not_exists=operation.if_not_exists)


@implementation_for(ops.DropIndexOp)
def drop_index(operations: AbstractOperations, operation: ops.DropIndexOp) -> None:
    reverse = operation._reverse
    columns = reverse.columns if reverse else ["x"]
    if (
        operation.table_name is not None
        and not operation.kw
        and not (reverse and reverse.kw)
        and _from_template(operations, operation, columns, bool(reverse and reverse.unique))
    ):
        return
    index = operation.to_index(operations.migration_context)
    operations.impl.drop_index(index, if_exists=operation.if_exists)


def _from_template(
    operations: AbstractOperations,
    operation: ops.CreateIndexOp | ops.DropIndexOp,
    columns: Sequence[Any],
    unique: bool,
) -> bool:
    """Offline, a plain index statement written from its template (:mod:`sterna.ddl.templates`),
    when the context's naming convention cannot rename the index."""
    create = isinstance(operation, ops.CreateIndexOp)
    if not operations.schema_obj.keeps_index_name(operation.index_name):
        return False
    statement = PlainIndex(
        create=create,
        name=operation.index_name,
        table_name=operation.table_name,
        columns=columns,
        schema=operation.schema,
        unique=unique,
        flag=bool(
            operation.if_not_exists
            if isinstance(operation, ops.CreateIndexOp)
            else operation.if_exists
        ),
    )
    return write_from_template(operations.impl, statement)


@implementation_for(ops.CreateTableCommentOp)
def create_table_comment(
    operations: AbstractOperations, operation: ops.CreateTableCommentOp
) -> None:
    operations.impl.create_table_comment(operation.to_table(operations.migration_context))


@implementation_for(ops.DropTableCommentOp)
def drop_table_comment(operations: AbstractOperations, operation: ops.DropTableCommentOp) -> None:
    operations.impl.drop_table_comment(operation.to_table(operations.migration_context))


@implementation_for(ops.BulkInsertOp)
def bulk_insert(operations: AbstractOperations, operation: ops.BulkInsertOp) -> None:
    operations.impl.bulk_insert(operation.table, operation.rows, multiinsert=operation.multiinsert)


@implementation_for(ops.ExecuteSQLOp)
def execute_sql(operations: AbstractOperations, operation: ops.ExecuteSQLOp) -> None:
    operations.impl.execute(operation.sqltext, execution_options=operation.execution_options)


@implementation_for(ops.CreateSequenceOp)
def create_sequence(operations: AbstractOperations, operation: ops.CreateSequenceOp) -> None:
    operations.impl.create_sequence(operation.to_sequence(), if_not_exists=operation.if_not_exists)


@implementation_for(ops.DropSequenceOp)
def drop_sequence(operations: AbstractOperations, operation: ops.DropSequenceOp) -> None:
    operations.impl.drop_sequence(operation.to_sequence(), if_exists=operation.if_exists)


@implementation_for(ops.CreateSchemaOp)
def create_schema(operations: AbstractOperations, operation: ops.CreateSchemaOp) -> None:
    operations.impl.create_schema(operation.schema_name, if_not_exists=operation.if_not_exists)


@implementation_for(ops.DropSchemaOp)
def drop_schema(operations: AbstractOperations, operation: ops.DropSchemaOp) -> None:
    operations.impl.drop_schema(
        operation.schema_name, if_exists=operation.if_exists, cascade=operation.cascade
    )


@implementation_for(ops.CreateEnumOp)
def create_enum(operations: AbstractOperations, operation: ops.CreateEnumOp) -> None:
    operations.impl.create_enum(
        operation.enum_name,
        operation.values,
        schema=operation.schema,
        if_not_exists=operation.if_not_exists,
    )


@implementation_for(ops.DropEnumOp)
def drop_enum(operations: AbstractOperations, operation: ops.DropEnumOp) -> None:
    operations.impl.drop_enum(
        operation.enum_name, schema=operation.schema, if_exists=operation.if_exists
    )


@implementation_for(ops.AddEnumValueOp)
def add_enum_value(operations: AbstractOperations, operation: ops.AddEnumValueOp) -> None:
    """On servers that refuse ``ADD VALUE`` inside a transaction block (PostgreSQL < 12) the
    statement runs in the migration context's autocommit block."""
    impl = operations.impl

    def run() -> None:
        impl.add_enum_value(
            operation.enum_name,
            operation.value,
            schema=operation.schema,
            before=operation.before,
            after=operation.after,
            if_not_exists=operation.if_not_exists,
        )

    if impl.enum_value_needs_autocommit():
        with operations.migration_context.autocommit_block():
            run()
    else:
        run()


@implementation_for(ops.RenameEnumValueOp)
def rename_enum_value(operations: AbstractOperations, operation: ops.RenameEnumValueOp) -> None:
    operations.impl.rename_enum_value(
        operation.enum_name, operation.old_value, operation.new_value, schema=operation.schema
    )


@implementation_for(ops.DropEnumValueOp)
def drop_enum_value(operations: AbstractOperations, operation: ops.DropEnumValueOp) -> None:
    operations.impl.drop_enum_value(operation.enum_name, operation.value, schema=operation.schema)
