"""One line per detected change, for the console (``Detected added table 'suppliers'``).

``revision --autogenerate`` and ``check`` describe the operations autogenerate produced, in the
words Alembic logs them with; drops of tables and columns are flagged so that they can be listed
again as warnings (their data is lost on upgrade).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column

from sterna.operations import ops


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
    return list(_walk(getattr(container, "ops", ())))


def _walk(operations: Iterable[Any]) -> Iterator[Change]:
    for op in operations:
        if isinstance(op, ops.OpContainer):
            yield from _walk(op.ops)
        else:
            yield from describe_op(op)


def describe_op(op: Any) -> list[Change]:  # a flat table of cases
    """The change(s) one operation makes."""
    if isinstance(op, ops.CreateTableOp):
        return [Change(f"added table {_q(_key(op.schema, op.table_name))}")]
    if isinstance(op, ops.DropTableOp):
        table = _q(_key(op.schema, op.table_name))
        return [Change(f"removed table {table}", drop=f"table {table}")]
    if isinstance(op, ops.RenameTableOp):
        return [
            Change(f"renamed table {_q(_key(op.schema, op.table_name))} to {_q(op.new_table_name)}")
        ]
    if isinstance(op, ops.AddColumnOp):
        return [Change(f"added column {_q(_column(op, op.column.name))}")]
    if isinstance(op, ops.DropColumnOp):
        column = _q(_column(op, op.column_name))
        return [Change(f"removed column {column}", drop=f"column {column}")]
    if isinstance(op, ops.AlterColumnOp):
        return _alter(op)
    return [Change(text) for text in _describe_other(op)]


def _column(op: Any, column: str) -> str:
    return f"{_key(op.schema, op.table_name)}.{column}"


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


def _describe_other(op: Any) -> list[str]:  # a flat table of cases
    if isinstance(op, ops.CreateIndexOp):
        return [f"added index {_q(str(op.index_name))} on {_index_columns(op)}"]
    if isinstance(op, ops.DropIndexOp):
        return [f"removed index {_q(str(op.index_name))} on {_q(str(op.table_name))}"]
    if isinstance(op, ops.CreateForeignKeyOp):
        return [
            f"added foreign key ({', '.join(op.local_cols)})({', '.join(op.remote_cols)}) "
            f"on table {op.source_table}({op.referent_table})"
        ]
    if isinstance(op, ops.CreateUniqueConstraintOp):
        return [f"added unique constraint {_q(str(op.constraint_name))} on {_index_columns(op)}"]
    if isinstance(op, ops.AddConstraintOp):
        kind = {
            "unique": "unique constraint",
            "primarykey": "primary key",
            "check": "check constraint",
            "exclude": "exclude constraint",
        }.get(op.constraint_type, "constraint")
        return [
            f"added {kind} {_q(str(op.constraint_name))} on "
            f"{_q(_key(getattr(op, 'schema', None), getattr(op, 'table_name', None)))}"
        ]
    if isinstance(op, ops.DropConstraintOp):
        kind = {
            "unique": "unique constraint",
            "primary": "primary key",
            "foreignkey": "foreign key",
            "check": "check constraint",
        }.get(op.constraint_type or "", "constraint")
        return [
            f"removed {kind} {_q(str(op.constraint_name))} on {_q(_key(op.schema, op.table_name))}"
        ]
    if isinstance(op, ops.CreateTableCommentOp):
        return [f"table comment on {_q(_key(op.schema, op.table_name))}"]
    if isinstance(op, ops.DropTableCommentOp):
        return [f"removed table comment on {_q(_key(op.schema, op.table_name))}"]
    return _describe_extra(op)


def _describe_extra(op: Any) -> list[str]:
    if isinstance(op, ops.CreateEnumOp):
        return [f"added enum type {_q(_key(op.schema, op.enum_name))}"]
    if isinstance(op, ops.DropEnumOp):
        return [f"removed enum type {_q(_key(op.schema, op.enum_name))}"]
    if isinstance(op, ops.AddEnumValueOp):
        return [f"added value {_q(op.value)} to enum type {_q(_key(op.schema, op.enum_name))}"]
    if isinstance(op, ops.DropEnumValueOp):
        return [f"removed value {_q(op.value)} from enum type {_q(_key(op.schema, op.enum_name))}"]
    if isinstance(op, ops.RenameEnumValueOp):
        return [
            f"renamed value {_q(op.old_value)} to {_q(op.new_value)} in enum type "
            f"{_q(_key(op.schema, op.enum_name))}"
        ]
    if isinstance(op, ops.CreateSequenceOp):
        return [f"added sequence {_q(_key(op.schema, op.sequence_name))}"]
    if isinstance(op, ops.DropSequenceOp):
        return [f"removed sequence {_q(_key(op.schema, op.sequence_name))}"]
    if isinstance(op, ops.CreateSchemaOp):
        return [f"added schema {_q(op.schema_name)}"]
    if isinstance(op, ops.DropSchemaOp):
        return [f"removed schema {_q(op.schema_name)}"]
    if type(op).__name__ == "CommentOp":
        return []
    return [f"operation {type(op).__name__}"]
