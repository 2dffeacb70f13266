"""Table and column comments (on dialects that keep comments)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Table

from sterna.autogenerate.compare.registry import comparators
from sterna.operations.ops import CreateTableCommentOp, DropTableCommentOp, ModifyTableOps

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import ColumnInfo, TableInfo
    from sterna.operations.ops import AlterColumnOp


def _supports_comments(ctx: AutogenContext) -> bool:
    return ctx.dialect is not None and bool(ctx.dialect.supports_comments)


@comparators.dispatch_native("column")
def compare_column_comment(
    ctx: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn: ColumnInfo,
    meta: Column[Any],
) -> None:
    if not _supports_comments(ctx):
        return
    if (conn.comment or None) != (meta.comment or None):
        alter.modify_comment = meta.comment or None  # an empty comment is no comment


@comparators.dispatch_native("table")
def compare_table_comment(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn: TableInfo | None,
    meta: Table | None,
) -> None:
    if conn is None or meta is None or not _supports_comments(ctx):
        return
    old, new = conn.comment or None, meta.comment or None
    if old == new:
        return
    if new is None:
        modify_ops.ops.append(DropTableCommentOp(table_name, schema=schema, existing_comment=old))
    else:
        modify_ops.ops.append(
            CreateTableCommentOp(table_name, new, schema=schema, existing_comment=old)
        )
