"""The rebuild record (:mod:`sterna.ddl.recreate_changes`) of each schema operation queued in a
``batch_alter_table`` block: what the table rebuild applies, one record per operation.

Each schema operation class registers its record here with :func:`batch_change_for` (found along
the class's MRO, so a subclass shares its base's); an operation without one runs as it is inside
the block (``execute``, ``bulk_insert``...).  The built-in operations that do so say it in their
contract (``contract_omits = {"batch_change", ...}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

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

_Op = TypeVar("_Op", bound=MigrateOperation)
BatchChangeFn = Callable[[Any, Any], Change]

_BATCH_CHANGES: dict[type, BatchChangeFn] = {}


def batch_change_for(
    op_cls: type[_Op],
) -> Callable[[Callable[[_Op, Any], Change]], Callable[[_Op, Any], Change]]:
    """Decorator: register ``fn(operation, schema_context)`` as the rebuild record of
    ``op_cls`` queued in a batch block (a later registration replaces it)."""

    def register(fn: Callable[[_Op, Any], Change]) -> Callable[[_Op, Any], Change]:
        _BATCH_CHANGES[op_cls] = cast(BatchChangeFn, fn)
        return fn

    return register


def batch_change_of(op_cls: type) -> BatchChangeFn | None:
    """The rebuild record function of ``op_cls`` (or of its nearest base), if it has one."""
    for klass in op_cls.__mro__:
        fn = _BATCH_CHANGES.get(klass)
        if fn is not None:
            return fn
    return None


def is_batch_schema_op(operation: MigrateOperation) -> bool:
    """Whether the batch rebuild applies ``operation`` (else it runs as it is)."""
    return batch_change_of(type(operation)) is not None


def to_change(operation: MigrateOperation, context: Any) -> Change:
    """The rebuild record for a queued schema operation."""
    fn = batch_change_of(type(operation))
    if fn is None:
        raise TypeError(f"{type(operation).__name__} is not a batch schema operation")
    return fn(operation, context)


@batch_change_for(ops.AddColumnOp)
def _add_column(operation: ops.AddColumnOp, context: Any) -> Change:
    kw = operation.kw
    return AddColumn(
        operation.column,
        kw.get("insert_before"),
        kw.get("insert_after"),
        bool(operation.if_not_exists),
    )


@batch_change_for(ops.DropColumnOp)
def _drop_column(operation: ops.DropColumnOp, context: Any) -> Change:
    return DropColumn(operation.column_name, bool(operation.if_exists))


@batch_change_for(ops.AlterColumnOp)
def _alter_column(operation: ops.AlterColumnOp, context: Any) -> Change:
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


@batch_change_for(ops.CreateIndexOp)
def _create_index(operation: ops.CreateIndexOp, context: Any) -> Change:
    return AddIndex(operation.to_index(context))


@batch_change_for(ops.DropIndexOp)
def _drop_index(operation: ops.DropIndexOp, context: Any) -> Change:
    return DropIndex(str(operation.index_name))


@batch_change_for(ops.AddConstraintOp)
def _add_constraint(operation: ops.AddConstraintOp, context: Any) -> Change:
    return AddConstraint(operation.to_constraint(context))


@batch_change_for(ops.DropConstraintOp)
def _drop_constraint(operation: ops.DropConstraintOp, context: Any) -> Change:
    return DropConstraint(str(operation.constraint_name), operation.constraint_type)


@batch_change_for(ops.CreateTableCommentOp)
def _create_table_comment(operation: ops.CreateTableCommentOp, context: Any) -> Change:
    return SetTableComment(operation.comment)


@batch_change_for(ops.DropTableCommentOp)
def _drop_table_comment(operation: ops.DropTableCommentOp, context: Any) -> Change:
    return SetTableComment(None)
