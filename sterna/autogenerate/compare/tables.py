"""Tables added, dropped and changed, and the order of the resulting operations.

The upgrade lists new tables in foreign-key dependency order (each followed by the creation of
its indexes), then the changes to existing tables (by schema and name), then the foreign keys of
new tables that had to wait for the tables (``use_alter``, cycles: see ``table_order.py``), then
the dropped tables' such keys, then the dropped tables with dependent tables first (each preceded
by the drop of its indexes).  Inside one table's
``ModifyTableOps`` the operations are ordered so that every statement finds what it needs:
foreign keys, then indexes, uniques and checks, then the primary key are dropped first; columns
are added, altered, dropped; the primary key, indexes/uniques/checks and foreign keys are
created last.  The reverse of that list is a valid downgrade.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Table

from sterna.autogenerate.compare.conditional import drop_excluded_constraints, included
from sterna.autogenerate.compare.naming import name_new_constraints, name_split_foreign_keys
from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.compare.schemas import TableKey, metadata_tables, schema_key
from sterna.autogenerate.compare.table_order import TablePlan, fk_order, key_order, plan_tables
from sterna.ddl.impl_hooks import REFLECTED
from sterna.dialects import profile_for
from sterna.operations.ops import (
    CreateForeignKeyOp,
    CreateTableOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableOp,
    MigrateOperation,
    ModifyTableOps,
    OpContainer,
    UpgradeOps,
)
from sterna.operations.schemaobj import detach
from sterna.util.progress import status

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import ForeignKeyInfo, TableInfo


def run_table_comparators(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn: TableInfo | None,
    meta: Table | None,
) -> None:
    """Every ``"table"`` comparator for one table, then the operations put in a safe order."""
    assert ctx.dialect is not None
    ctx.comparators.run(
        "table",
        ctx.dialect.name,
        (ctx, modify_ops, schema, table_name, conn, meta),
        lambda: (
            ctx,
            modify_ops,
            schema,
            table_name,
            ctx.conn_table(conn) if conn is not None else None,
            meta,
        ),
    )
    name_new_constraints(ctx, modify_ops, conn)
    order_table_ops(modify_ops)


@comparators.dispatch_native("schema")
def compare_tables(ctx: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]) -> None:
    snapshot = ctx.snapshot
    if snapshot is None:
        return
    meta = metadata_tables(ctx, schemas)
    conn = snapshot.tables
    created = {
        k: meta[k]
        for k in sorted(meta, key=key_order)
        if k not in conn
        and k not in snapshot.excluded
        and ctx.run_object_filters(meta[k], meta[k].name, "table", False, None)
    }
    dropped = {
        k: ctx.conn_table(conn[k])
        for k in sorted(conn, key=key_order)
        if k not in meta
        and ctx.run_object_filters(ctx.conn_table(conn[k]), k[1], "table", True, None)
    }
    alter = bool(ctx.dialect is not None and ctx.dialect.supports_alter)
    creating = plan_tables(created, lambda key, fk: _meta_target(ctx, created[key], fk))
    if not alter:
        creating.split = []  # SQLite: CREATE TABLE takes every key (targets are not checked)
    _warn_cycle(creating)
    for key in creating.order:
        _created(ctx, upgrade_ops, created[key], creating.split_of(key))
    both = sorted((k for k in meta if k in conn), key=key_order)
    for index, key in enumerate(both, 1):
        status(f"comparing table {index}/{len(both)}: {key[1]}")  # a terminal's live line
        _changed(ctx, upgrade_ops, conn[key], meta[key])
    for key in creating.order:
        _add_split_keys(ctx, upgrade_ops, created[key], creating.split_of(key))
    dropping = plan_tables(dropped, lambda key, fk: _conn_target(ctx, key, fk))
    if not alter:
        dropping.split = []
    for key in reversed(dropping.order):
        _drop_split_keys(upgrade_ops, dropping.split_of(key))
    for key in reversed(dropping.order):
        _dropped(ctx, upgrade_ops, conn[key], dropping.split_of(key))


def _created(
    ctx: AutogenContext,
    upgrade_ops: UpgradeOps,
    table: Table,
    split: list[ForeignKeyConstraint],
) -> None:
    create = _create_table_op(ctx, table, split)
    _column_checks_to_table(create)
    upgrade_ops.ops.append(create)
    modify = ModifyTableOps(table.name, [], schema=table.schema)
    run_table_comparators(ctx, modify, table.schema, table.name, None, table)
    if not modify.is_empty():
        upgrade_ops.ops.append(modify)


def _create_table_op(
    ctx: AutogenContext, table: Table, split: list[ForeignKeyConstraint]
) -> CreateTableOp:
    """``create_table`` for a model table, without the constraints ``ddl_if()`` leaves out
    here (removed first: that needs the copies in the order ``from_table`` made them) and
    without the foreign keys added after the tables; its indexes are separate
    ``create_index`` operations, so the copied columns lose their ``index=True`` flag (which
    would create the index a second time), and with it ``unique=True``: such a column's
    uniqueness is its unique index (as ``create_all`` makes it), not a unique constraint as
    well."""
    op = CreateTableOp.from_table(table)
    for item in op.columns:
        if isinstance(item, Column):
            if item.index:
                item.unique = None
            item.index = None
    drop_excluded_constraints(ctx, table, op)
    _without_keys(op, split)
    return op


def _column_checks_to_table(op: CreateTableOp) -> None:
    """Move the CHECKs declared inside a ``Column`` to the table level of ``create_table``
    (same name, same condition): the script renders them there (a rendered column carries no
    constraint), and MariaDB refuses a named CHECK written with its column (which is what
    ``create_all`` writes).  The database holds the same constraint either way."""
    moved: list[Any] = []
    for item in op.columns:
        if not isinstance(item, Column):
            continue
        checks = sorted(
            (c for c in item.constraints if isinstance(c, CheckConstraint)),
            key=lambda c: c._creation_order,
        )
        for check in checks:
            item.constraints.discard(check)
            moved.append(detach(check))
    op.columns.extend(moved)


def _without_keys(op: CreateTableOp, split: list[ForeignKeyConstraint]) -> None:
    """Remove from ``op`` the copies of the foreign keys in ``split``."""
    pending = [fk_order(fk) for fk in split]
    kept: list[Any] = []
    for item in op.columns:
        if isinstance(item, ForeignKeyConstraint) and fk_order(item) in pending:
            pending.remove(fk_order(item))
        else:
            kept.append(item)
    op.columns = kept


def _add_split_keys(
    ctx: AutogenContext,
    upgrade_ops: UpgradeOps,
    table: Table,
    split: list[ForeignKeyConstraint],
) -> None:
    """The foreign keys of a new table that wait until all new tables exist (those its
    models leave out on this dialect with ``ddl_if`` stay out)."""
    split = [fk for fk in split if included(ctx, fk)]
    if not split:
        return
    ops = [CreateForeignKeyOp.from_constraint(fk) for fk in split]
    for op in ops:
        op.kw.pop("use_alter", None)
    name_split_foreign_keys(ctx, table, split, ops)
    upgrade_ops.ops.append(ModifyTableOps(table.name, list(ops), schema=table.schema))


def _drop_split_keys(upgrade_ops: UpgradeOps, split: list[ForeignKeyConstraint]) -> None:
    """The foreign keys of a dropped table on a cycle, dropped before any table."""
    if not split:
        return
    ops: list[MigrateOperation] = [DropConstraintOp.from_constraint(fk) for fk in split]
    table = split[0].table
    upgrade_ops.ops.append(ModifyTableOps(table.name, ops, schema=table.schema))


def _warn_cycle(plan: TablePlan) -> None:
    moved = [link for link in plan.split if not link.constraint.use_alter]
    if not moved:
        return
    warnings.warn(
        f"Tables {', '.join(n for _, n in plan.cycle)} refer to each other in a foreign-key "
        "cycle: they are created first and these foreign keys are added afterwards with "
        f"op.create_foreign_key(): {'; '.join(link.describe() for link in moved)} "
        "(set use_alter=True on the key that should wait)",
        stacklevel=2,
    )


def _changed(ctx: AutogenContext, upgrade_ops: UpgradeOps, info: TableInfo, table: Table) -> None:
    if ctx.has_object_filters and not ctx.run_object_filters(
        table, table.name, "table", False, ctx.conn_table(info)
    ):
        return
    modify = ModifyTableOps(table.name, [], schema=table.schema)
    run_table_comparators(ctx, modify, table.schema, table.name, info, table)
    if not modify.is_empty():
        upgrade_ops.ops.append(modify)


def _dropped(
    ctx: AutogenContext,
    upgrade_ops: UpgradeOps,
    info: TableInfo,
    split: list[ForeignKeyConstraint],
) -> None:
    table = ctx.conn_table(info)
    modify = ModifyTableOps(info.name, [], schema=info.schema)
    run_table_comparators(ctx, modify, info.schema, info.name, info, None)
    if not modify.is_empty():
        upgrade_ops.ops.append(modify)
    drop = DropTableOp.from_table(table)
    if drop._reverse is not None:
        _without_keys(drop._reverse, split)  # the downgrade adds them after the tables
    upgrade_ops.ops.append(drop)


# -- dependency order -----------------------------------------------------------------------------


def _meta_target(ctx: AutogenContext, table: Table, fk: ForeignKeyConstraint) -> TableKey:
    """The key of the table a model foreign key refers to."""
    schema, name, _ = fk.elements[0]._column_tokens
    if schema is None and table.metadata is not None:
        schema = table.metadata.schema
    return (schema_key(ctx, schema), str(name))


def _conn_target(ctx: AutogenContext, key: TableKey, fk: ForeignKeyConstraint) -> TableKey:
    """The key of the table a reflected foreign key refers to (its schema, else the table's)."""
    info: ForeignKeyInfo = fk.info[REFLECTED]
    schema = schema_key(ctx, info.referred_schema) if info.referred_schema else key[0]
    return (schema, info.referred_table)


# -- MySQL: a dropped table's foreign-key indexes go with it -------------------------------------


def fold_fk_index_drops(container: OpContainer, dialect_name: str) -> None:
    """On MySQL/MariaDB, drop no index that a foreign key of the table needs right before the
    ``drop_table`` of that table: MySQL refuses (``needed in a foreign key constraint``) and
    the ``drop_table`` removes it anyway.  Applied to an upgrade and to its downgrade after the
    one was reversed into the other, so each still undoes the other completely."""
    if not profile_for(dialect_name).foreign_keys_need_an_index:
        return
    ops = container.ops
    for position in range(len(ops) - 1, 0, -1):
        drop, before = ops[position], ops[position - 1]
        if not (isinstance(drop, DropTableOp) and isinstance(before, ModifyTableOps)):
            continue
        if (before.table_name, before.schema) != (drop.table_name, drop.schema):
            continue
        keys = _fk_columns(drop)
        before.ops = [op for op in before.ops if not _serves(op, keys)]
        if before.is_empty():
            del ops[position - 1]


def _fk_columns(drop: DropTableOp) -> list[tuple[str, ...]]:
    if drop._reverse is None:
        return []
    return [
        tuple(str(c).lower() for c in item.column_keys)
        for item in drop._reverse.columns
        if isinstance(item, ForeignKeyConstraint)
    ]


def _serves(op: MigrateOperation, keys: list[tuple[str, ...]]) -> bool:
    """Whether ``op`` drops an index whose leading columns are a foreign key's columns."""
    if not isinstance(op, DropIndexOp) or op._reverse is None:
        return False
    names = tuple(
        str(c).lower() if isinstance(c, str) else str(getattr(c, "name", "")).lower()
        for c in op._reverse.columns
    )
    return any(names[: len(key)] == key for key in keys)


# -- order inside one table -----------------------------------------------------------------------


def order_table_ops(modify_ops: ModifyTableOps) -> None:
    """Sort one table's operations into a safe order (stable within a phase): the phase each
    operation class declares (``MigrateOperation.phase_in_table``)."""
    modify_ops.ops.sort(key=lambda op: op.phase_in_table())
