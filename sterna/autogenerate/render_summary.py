"""One line per detected change, for the console (``Detected added table 'suppliers'``).

``revision --autogenerate`` and ``check`` describe the operations autogenerate produced, in the
words Alembic logs them with; drops of tables and columns are flagged so that they can be listed
again as warnings (their data is lost on upgrade).

Each operation class registers its words in :data:`summaries` (``summaries.dispatch_for(OpClass)``,
found along the MRO like the renderers): ``fn(op)`` returns the op's ``Change`` list.  An
operation without one is described as ``operation <ClassName>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column

from sterna.autogenerate.render import Dispatcher
from sterna.operations import ops

#: The summary registry: one function per operation class, ``fn(op) -> list[Change]``.
summaries = Dispatcher()


@dataclass(frozen=True)
class Change:
    """A detected change: ``text`` follows "Detected " (``added table 'x'``)."""

    text: str
    drop: str | None = None  # "table 'x'" / "column 't.c'" when data is dropped

    @property
    def line(self) -> str:
        return f"Detected {self.text}"


def _key(schema: str | None, name: str | None) -> str:
    return f"{schema}.{name}" if schema else str(name)


def _q(text: str) -> str:
    return f"'{text}'"


def describe(container: Any) -> list[Change]:
    """The changes an ``UpgradeOps`` (or any container) makes, in order."""
    return _walk(getattr(container, "ops", ()))


def _walk(operations: Iterable[Any]) -> list[Change]:
    return [change for op in operations for change in describe_op(op)]


def describe_op(op: Any) -> list[Change]:
    """The change(s) one operation makes (a container: those of the operations it holds)."""
    if not summaries.has(op):
        return [Change(f"operation {type(op).__name__}")]
    changes: list[Change] = summaries.dispatch(op)(op)
    return changes


def _table_of(op: Any) -> str:
    return _q(_key(op.schema, op.table_name))


@summaries.dispatch_for(ops.OpContainer)
def _container(op: ops.OpContainer) -> list[Change]:
    return _walk(op.ops)


@summaries.dispatch_for(ops.CreateTableOp)
def _create_table(op: ops.CreateTableOp) -> list[Change]:
    return [Change(f"added table {_table_of(op)}")]


@summaries.dispatch_for(ops.DropTableOp)
def _drop_table(op: ops.DropTableOp) -> list[Change]:
    table = _table_of(op)
    return [Change(f"removed table {table}", drop=f"table {table}")]


@summaries.dispatch_for(ops.RenameTableOp)
def _rename_table(op: ops.RenameTableOp) -> list[Change]:
    return [Change(f"renamed table {_table_of(op)} to {_q(op.new_table_name)}")]


@summaries.dispatch_for(ops.AddColumnOp)
def _add_column(op: ops.AddColumnOp) -> list[Change]:
    return [Change(f"added column {_q(_column(op, op.column.name))}")]


@summaries.dispatch_for(ops.DropColumnOp)
def _drop_column(op: ops.DropColumnOp) -> list[Change]:
    column = _q(_column(op, op.column_name))
    return [Change(f"removed column {column}", drop=f"column {column}")]


def _column(op: Any, column: str) -> str:
    return f"{_key(op.schema, op.table_name)}.{column}"


@summaries.dispatch_for(ops.AlterColumnOp)
def _alter(op: ops.AlterColumnOp) -> list[Change]:
    where = _q(_column(op, op.column_name))
    changes: list[Change] = []
    if op.modify_name is not None:
        changes.append(Change(f"renamed column {where} to {_q(op.modify_name)}"))
    if op.modify_type is not None:
        changes.append(
            Change(f"type change from {op.existing_type!r} to {op.modify_type!r} on {where}")
        )
    if op.modify_nullable is not None:
        state = "NULL" if op.modify_nullable else "NOT NULL"
        changes.append(Change(f"{state} on column {where}"))
    if op.modify_server_default is not False:
        changes.append(Change(f"server default on column {where}"))
    if op.modify_comment is not False:
        changes.append(Change(f"column comment {where}"))
    if not changes:
        changes.append(Change(f"altered column {where}"))
    return changes


def _column_text(column: Any) -> str:
    """A column named by a string or a ``Column`` (its name), else the expression's SQL."""
    if isinstance(column, str):
        return column
    return str(column.name) if isinstance(column, Column) else str(column)


def _index_columns(op: Any) -> str:
    """The columns as Alembic shows them: ``'('a', 'b')'``."""
    names = tuple(_column_text(c) for c in getattr(op, "columns", ()))
    return _q(repr(names))


@summaries.dispatch_for(ops.CreateIndexOp)
def _create_index(op: ops.CreateIndexOp) -> list[Change]:
    return [Change(f"added index {_q(str(op.index_name))} on {_index_columns(op)}")]


@summaries.dispatch_for(ops.DropIndexOp)
def _drop_index(op: ops.DropIndexOp) -> list[Change]:
    return [Change(f"removed index {_q(str(op.index_name))} on {_q(str(op.table_name))}")]


@summaries.dispatch_for(ops.CreateForeignKeyOp)
def _create_foreign_key(op: ops.CreateForeignKeyOp) -> list[Change]:
    return [
        Change(
            f"added foreign key ({', '.join(op.local_cols)})({', '.join(op.remote_cols)}) "
            f"on table {op.source_table}({op.referent_table})"
        )
    ]


@summaries.dispatch_for(ops.CreateUniqueConstraintOp)
def _create_unique(op: ops.CreateUniqueConstraintOp) -> list[Change]:
    return [
        Change(f"added unique constraint {_q(str(op.constraint_name))} on {_index_columns(op)}")
    ]


_ADDED_KIND = {
    "unique": "unique constraint",
    "primarykey": "primary key",
    "check": "check constraint",
    "exclude": "exclude constraint",
}
_REMOVED_KIND = {
    "unique": "unique constraint",
    "primary": "primary key",
    "foreignkey": "foreign key",
    "check": "check constraint",
}


@summaries.dispatch_for(ops.AddConstraintOp)
def _add_constraint(op: ops.AddConstraintOp) -> list[Change]:
    """Primary keys, checks, excludes (and a project's own constraint operations)."""
    kind = _ADDED_KIND.get(op.constraint_type, "constraint")
    where = _q(_key(getattr(op, "schema", None), getattr(op, "table_name", None)))
    return [Change(f"added {kind} {_q(str(op.constraint_name))} on {where}")]


@summaries.dispatch_for(ops.DropConstraintOp)
def _drop_constraint(op: ops.DropConstraintOp) -> list[Change]:
    kind = _REMOVED_KIND.get(op.constraint_type or "", "constraint")
    return [Change(f"removed {kind} {_q(str(op.constraint_name))} on {_table_of(op)}")]


@summaries.dispatch_for(ops.CreateTableCommentOp)
def _create_table_comment(op: ops.CreateTableCommentOp) -> list[Change]:
    return [Change(f"table comment on {_table_of(op)}")]


@summaries.dispatch_for(ops.DropTableCommentOp)
def _drop_table_comment(op: ops.DropTableCommentOp) -> list[Change]:
    return [Change(f"removed table comment on {_table_of(op)}")]


def _enum(op: Any) -> str:
    return _q(_key(op.schema, op.enum_name))


@summaries.dispatch_for(ops.CreateEnumOp)
def _create_enum(op: ops.CreateEnumOp) -> list[Change]:
    return [Change(f"added enum type {_enum(op)}")]


@summaries.dispatch_for(ops.DropEnumOp)
def _drop_enum(op: ops.DropEnumOp) -> list[Change]:
    return [Change(f"removed enum type {_enum(op)}")]


@summaries.dispatch_for(ops.AddEnumValueOp)
def _add_enum_value(op: ops.AddEnumValueOp) -> list[Change]:
    return [Change(f"added value {_q(op.value)} to enum type {_enum(op)}")]


@summaries.dispatch_for(ops.DropEnumValueOp)
def _drop_enum_value(op: ops.DropEnumValueOp) -> list[Change]:
    return [Change(f"removed value {_q(op.value)} from enum type {_enum(op)}")]


@summaries.dispatch_for(ops.RenameEnumValueOp)
def _rename_enum_value(op: ops.RenameEnumValueOp) -> list[Change]:
    text = f"renamed value {_q(op.old_value)} to {_q(op.new_value)} in enum type {_enum(op)}"
    return [Change(text)]


@summaries.dispatch_for(ops.CreateSequenceOp)
def _create_sequence(op: ops.CreateSequenceOp) -> list[Change]:
    return [Change(f"added sequence {_q(_key(op.schema, op.sequence_name))}")]


@summaries.dispatch_for(ops.DropSequenceOp)
def _drop_sequence(op: ops.DropSequenceOp) -> list[Change]:
    return [Change(f"removed sequence {_q(_key(op.schema, op.sequence_name))}")]


@summaries.dispatch_for(ops.CreateSchemaOp)
def _create_schema(op: ops.CreateSchemaOp) -> list[Change]:
    return [Change(f"added schema {_q(op.schema_name)}")]


@summaries.dispatch_for(ops.DropSchemaOp)
def _drop_schema(op: ops.DropSchemaOp) -> list[Change]:
    return [Change(f"removed schema {_q(op.schema_name)}")]
