"""Tables added, dropped and changed, and the order of the resulting operations.

The upgrade lists new tables in foreign-key dependency order (each followed by the creation of
its indexes), then the changes to existing tables (by schema and name), then the dropped tables
with dependent tables first (each preceded by the drop of its indexes).  Inside one table's
``ModifyTableOps`` the operations are ordered so that every statement finds what it needs:
foreign keys, then indexes, uniques and checks, then the primary key are dropped first; columns
are added, altered, dropped; the primary key, indexes/uniques/checks and foreign keys are
created last.  The reverse of that list is a valid downgrade.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Table

from sterna.autogenerate.compare.conditional import drop_excluded_constraints
from sterna.autogenerate.compare.naming import name_new_constraints
from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.compare.schemas import TableKey, metadata_tables, schema_key
from sterna.operations.ops import (
    AddColumnOp,
    AlterColumnOp,
    CreateCheckConstraintOp,
    CreateForeignKeyOp,
    CreateIndexOp,
    CreatePrimaryKeyOp,
    CreateTableCommentOp,
    CreateTableOp,
    CreateUniqueConstraintOp,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    DropTableOp,
    MigrateOperation,
    ModifyTableOps,
    UpgradeOps,
)

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import TableInfo


def run_table_comparators(
    ctx: AutogenContext, modify_ops: ModifyTableOps, schema: str | None, table_name: str,
    conn: TableInfo | None, meta: Table | None,
) -> None:
    """Every ``"table"`` comparator for one table, then the operations put in a safe order."""
    assert ctx.dialect is not None
    ctx.comparators.run(
        "table", ctx.dialect.name,
        (ctx, modify_ops, schema, table_name, conn, meta),
        lambda: (ctx, modify_ops, schema, table_name,
                 ctx.conn_table(conn) if conn is not None else None, meta),
    )
    name_new_constraints(ctx, modify_ops, conn)
    order_table_ops(modify_ops)


@comparators.dispatch_native("schema")
def compare_tables(
    ctx: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]
) -> None:
    snapshot = ctx.snapshot
    if snapshot is None:
        return
    meta = metadata_tables(ctx, schemas)
    conn = snapshot.tables
    created = [k for k in meta if k not in conn and k not in snapshot.excluded]
    dropped = [k for k in conn if k not in meta]
    for key in create_order(ctx, {k: meta[k] for k in created}):
        _created(ctx, upgrade_ops, meta[key])
    for key in sorted((k for k in meta if k in conn), key=_key_order):
        _changed(ctx, upgrade_ops, conn[key], meta[key])
    for key in drop_order(ctx, {k: conn[k] for k in dropped}):
        _dropped(ctx, upgrade_ops, conn[key])


def _key_order(key: TableKey) -> tuple[str, str]:
    return (key[0] or "", key[1])


def _created(ctx: AutogenContext, upgrade_ops: UpgradeOps, table: Table) -> None:
    if not ctx.run_object_filters(table, table.name, "table", False, None):
        return
    create = _create_table_op(table)
    drop_excluded_constraints(ctx, table, create)
    upgrade_ops.ops.append(create)
    modify = ModifyTableOps(table.name, [], schema=table.schema)
    run_table_comparators(ctx, modify, table.schema, table.name, None, table)
    if not modify.is_empty():
        upgrade_ops.ops.append(modify)


def _create_table_op(table: Table) -> CreateTableOp:
    """``create_table`` for a model table; its indexes are separate ``create_index``
    operations, so the copied columns lose their ``index=True`` flag (which would create the
    index a second time), and with it ``unique=True``: such a column's uniqueness is its
    unique index (as ``create_all`` makes it), not a unique constraint as well."""
    op = CreateTableOp.from_table(table)
    for item in op.columns:
        if isinstance(item, Column):
            if item.index:
                item.unique = None
            item.index = None
    return op


def _changed(ctx: AutogenContext, upgrade_ops: UpgradeOps, info: TableInfo, table: Table) -> None:
    if ctx.has_object_filters and not ctx.run_object_filters(
        table, table.name, "table", False, ctx.conn_table(info)
    ):
        return
    modify = ModifyTableOps(table.name, [], schema=table.schema)
    run_table_comparators(ctx, modify, table.schema, table.name, info, table)
    if not modify.is_empty():
        upgrade_ops.ops.append(modify)


def _dropped(ctx: AutogenContext, upgrade_ops: UpgradeOps, info: TableInfo) -> None:
    table = ctx.conn_table(info)
    if not ctx.run_object_filters(table, info.name, "table", True, None):
        return
    modify = ModifyTableOps(info.name, [], schema=info.schema)
    run_table_comparators(ctx, modify, info.schema, info.name, info, None)
    if not modify.is_empty():
        upgrade_ops.ops.append(modify)
    upgrade_ops.ops.append(DropTableOp.from_table(table))


# -- dependency order -----------------------------------------------------------------------------


def dependency_order(
    keys: Iterable[TableKey], depends_on: Callable[[TableKey], Iterable[TableKey]]
) -> list[TableKey]:
    """``keys`` with every key after the keys it depends on (ties and cycles by name)."""
    remaining = sorted(set(keys), key=_key_order)
    pending = set(remaining)
    deps = {k: {d for d in depends_on(k) if d in pending and d != k} for k in remaining}
    ordered: list[TableKey] = []
    while remaining:
        ready = [k for k in remaining if not (deps[k] & pending)]
        if not ready:
            ready = remaining[:1]  # a cycle: break it at the first name
        for key in ready:
            ordered.append(key)
            pending.discard(key)
        remaining = [k for k in remaining if k in pending]
    return ordered


def _meta_targets(ctx: AutogenContext, table: Table) -> list[TableKey]:
    targets: list[TableKey] = []
    for fk in table.foreign_key_constraints:
        for element in fk.elements:
            schema, name, _ = element._column_tokens
            if schema is None and table.metadata is not None:
                schema = table.metadata.schema
            targets.append((schema_key(ctx, schema), str(name)))
    return targets


def create_order(ctx: AutogenContext, tables: Mapping[TableKey, Table]) -> list[TableKey]:
    """New tables, referenced tables first."""
    return dependency_order(tables, lambda k: _meta_targets(ctx, tables[k]))


def drop_order(ctx: AutogenContext, tables: Mapping[TableKey, TableInfo]) -> list[TableKey]:
    """Dropped tables, referencing tables first."""

    def targets(key: TableKey) -> list[TableKey]:
        return [
            (schema_key(ctx, fk.referred_schema) if fk.referred_schema else key[0],
             fk.referred_table)
            for fk in tables[key].foreign_keys
        ]

    return list(reversed(dependency_order(tables, targets)))


# -- order inside one table -----------------------------------------------------------------------

_DROP_PHASE = {"foreignkey": 0, "unique": 1, "check": 1, "primary": 2}


def _phase(op: MigrateOperation) -> int:
    if isinstance(op, DropConstraintOp):
        return _DROP_PHASE.get(op.constraint_type or "", 1)
    phases: list[tuple[type[Any], int]] = [
        (DropIndexOp, 1), (AddColumnOp, 3), (AlterColumnOp, 4), (DropColumnOp, 5),
        (CreatePrimaryKeyOp, 6), (CreateIndexOp, 7), (CreateUniqueConstraintOp, 7),
        (CreateCheckConstraintOp, 7), (CreateForeignKeyOp, 8), (CreateTableCommentOp, 9),
        (DropTableCommentOp, 9),
    ]
    for cls, phase in phases:
        if isinstance(op, cls):
            return phase
    return 10


def order_table_ops(modify_ops: ModifyTableOps) -> None:
    """Sort one table's operations into a safe order (stable within a phase)."""
    modify_ops.ops.sort(key=_phase)
