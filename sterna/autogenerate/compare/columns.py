"""Columns added, dropped and altered (nullability here; type, default, comment, identity in
their own modules, all as ``"column"`` comparators filling one ``AlterColumnOp``).

Each add/drop operation carries its column's position in ``op.info["sterna.position"]`` (for
the likely-rename detection of :mod:`sterna.autogenerate.renames`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Table

from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.reflect_build import build_column, server_default_of
from sterna.dialects import profile_for
from sterna.operations.ops import AddColumnOp, AlterColumnOp, DropColumnOp, ModifyTableOps

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import ColumnInfo, TableInfo

POSITION = "sterna.position"


@comparators.dispatch_native("table")
def compare_columns(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn: TableInfo | None,
    meta: Table | None,
) -> None:
    if conn is None or meta is None:
        return
    parent = {"schema_name": conn.schema, "table_name": table_name}
    conn_columns = {
        c.name: c for c in conn.columns if ctx.run_name_filters(c.name, "column", parent)
    }
    meta_names = set()
    for position, column in enumerate(meta.columns):
        if not ctx.run_name_filters(column.name, "column", parent):
            continue
        meta_names.add(column.name)
        if column.name not in conn_columns:
            _added(ctx, modify_ops, schema, table_name, column, position)
    altered: list[AlterColumnOp] = []
    for column in meta.columns:
        found = conn_columns.get(column.name)
        if found is not None and column.name in meta_names:
            op = _altered(ctx, schema, table_name, conn, found, column)
            if op is not None:
                altered.append(op)
    modify_ops.ops.extend(altered)
    for name, found in conn_columns.items():
        if name not in meta_names:
            _dropped(ctx, modify_ops, schema, table_name, conn, found)


def _reflected_column(ctx: AutogenContext, table: TableInfo, name: str) -> Column[Any]:
    return ctx.conn_table(table).c[name]


def _added(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    column: Column[Any],
    position: int,
) -> None:
    if not ctx.run_object_filters(column, column.name, "column", False, None):
        return
    op = AddColumnOp.from_column_and_tablename(schema, table_name, column)
    op.info[POSITION] = position
    modify_ops.ops.append(op)


def _dropped(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    table: TableInfo,
    column: ColumnInfo,
) -> None:
    if ctx.has_object_filters and not ctx.run_object_filters(
        _reflected_column(ctx, table, column.name), column.name, "column", True, None
    ):
        return
    op = DropColumnOp.from_column_and_tablename(schema, table_name, build_column(column))
    op.info[POSITION] = column.position
    modify_ops.ops.append(op)


def _existing_default(conn: ColumnInfo, meta: Column[Any]) -> Any:
    """The column's current server default for the operation; ``False`` ("not given", as in
    ``op.alter_column``) when neither the database nor the model has one, as Alembic's
    ``modify_*`` diffs give it."""
    current = server_default_of(conn)
    if current is None and meta.server_default is None:
        return False
    return current


def _altered(
    ctx: AutogenContext,
    schema: str | None,
    table_name: str,
    table: TableInfo,
    conn: ColumnInfo,
    meta: Column[Any],
) -> AlterColumnOp | None:
    if ctx.has_object_filters and not ctx.run_object_filters(
        meta, meta.name, "column", False, _reflected_column(ctx, table, conn.name)
    ):
        return None
    op = AlterColumnOp(
        table_name,
        conn.name,
        schema=schema,
        existing_type=conn.type,
        existing_nullable=conn.nullable,
        existing_server_default=_existing_default(conn, meta),
        existing_comment=conn.comment,
    )
    assert ctx.dialect is not None
    if profile_for(ctx.dialect).alter_restates_autoincrement and conn.autoincrement is True:
        op.kw["existing_autoincrement"] = True
    ctx.comparators.run(
        "column",
        ctx.dialect.name,
        (ctx, op, schema, table_name, conn.name, conn, meta),
        lambda: (
            ctx,
            op,
            schema,
            table_name,
            conn.name,
            _reflected_column(ctx, table, conn.name),
            meta,
        ),
    )
    if not op.has_changes():
        return None
    autoincrement = _autoincrement(meta)
    if autoincrement is not None:
        op.kw["autoincrement"] = autoincrement
    return op


def _autoincrement(meta: Column[Any]) -> bool | None:
    """What the altered column's definition says of autoincrement, for ``alter_column``'s
    ``autoincrement``: True for the table's autoincrement column or ``autoincrement=True``,
    False for ``autoincrement=False``, None (left out) for the implicit ``"auto"``."""
    table = meta.table
    if isinstance(table, Table) and table.autoincrement_column is meta:
        return True
    if meta.autoincrement is True or meta.autoincrement is False:
        return meta.autoincrement
    return None


@comparators.dispatch_native("column")
def compare_nullable(
    ctx: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn: ColumnInfo,
    meta: Column[Any],
) -> None:
    if conn.nullable != bool(meta.nullable):
        alter.modify_nullable = bool(meta.nullable)
