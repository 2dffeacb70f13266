"""The rebuild record (:mod:`sterna.ddl.recreate_changes`) of each schema operation queued in a
``batch_alter_table`` block: what the table rebuild applies, one record per operation."""

from __future__ import annotations

from typing import Any, cast

from sterna.ddl.recreate_changes import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumn,
    Change,
    DropColumn,
    DropConstraint,
    DropIndex,
    SetTableComment,
)
from sterna.operations import ops
from sterna.operations.ops.base import MigrateOperation


def to_change(operation: MigrateOperation, context: Any) -> Change:
    """The rebuild record for a queued schema operation."""
    if isinstance(operation, ops.AddColumnOp):
        kw = operation.kw
        return AddColumn(
            operation.column,
            kw.get("insert_before"),
            kw.get("insert_after"),
            bool(operation.if_not_exists),
        )
    if isinstance(operation, ops.DropColumnOp):
        return DropColumn(operation.column_name, bool(operation.if_exists))
    if isinstance(operation, ops.AlterColumnOp):
        kw = operation.kw
        return AlterColumn(
            operation.column_name,
            operation.modify_name,
            operation.modify_type,
            operation.modify_nullable,
            operation.modify_server_default,
            operation.modify_comment,
            kw.get("autoincrement"),
            kw.get("insert_before"),
            kw.get("insert_after"),
        )
    if isinstance(operation, ops.CreateIndexOp):
        return AddIndex(operation.to_index(cast(Any, context)))
    if isinstance(operation, ops.DropIndexOp):
        return DropIndex(str(operation.index_name))
    if isinstance(operation, ops.AddConstraintOp):
        return AddConstraint(operation.to_constraint(cast(Any, context)))
    if isinstance(operation, ops.DropConstraintOp):
        return DropConstraint(str(operation.constraint_name), operation.constraint_type)
    if isinstance(operation, ops.CreateTableCommentOp):
        return SetTableComment(operation.comment)
    if isinstance(operation, ops.DropTableCommentOp):
        return SetTableComment(None)
    raise TypeError(f"{type(operation).__name__} is not a batch schema operation")
