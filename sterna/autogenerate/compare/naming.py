"""Names for constraints the models leave unnamed, as the database would give them.

``create_unique_constraint(None, ...)`` works, but its reverse ``drop_constraint(None, ...)``
cannot: the downgrade would fail.  Where the database's naming rule is known, the operation
gets the name the database would choose anyway, so the downgrade can drop it:

* PostgreSQL: ``<table>_pkey``, ``<table>_<columns>_key``, ``<table>_<columns>_fkey`` (when the
  name fits in 63 characters and is not taken);
* MySQL/MariaDB: ``<table>_ibfk_<n>`` for foreign keys, the first column's name for unique
  constraints (``<column>_2``... when taken).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sterna.operations.ops import (
    CreateForeignKeyOp,
    CreatePrimaryKeyOp,
    CreateUniqueConstraintOp,
    DropConstraintOp,
    DropIndexOp,
    ModifyTableOps,
)

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import TableInfo

_PG_MAX = 63


def _taken(conn: TableInfo, modify_ops: ModifyTableOps) -> set[str]:
    """Names of the table's constraints and indexes that remain after the drops."""
    dropped = {
        str(op.constraint_name) for op in modify_ops.ops
        if isinstance(op, DropConstraintOp) and op.constraint_name
    } | {str(op.index_name) for op in modify_ops.ops if isinstance(op, DropIndexOp)}
    names = {i.name for i in conn.indexes} | {u.name for u in conn.uniques}
    names |= {f.name for f in conn.foreign_keys} | {c.name for c in conn.checks}
    if conn.primary_key is not None:
        names.add(conn.primary_key.name)
    return {n for n in names if n} - dropped


def name_new_constraints(
    ctx: AutogenContext, modify_ops: ModifyTableOps, conn: TableInfo | None
) -> None:
    """Give unnamed new constraints of an existing table the database's default name."""
    if conn is None or ctx.dialect is None:
        return
    dialect = ctx.dialect.name
    if dialect == "postgresql":
        _postgresql(modify_ops, conn)
    elif dialect in ("mysql", "mariadb"):
        _mysql(modify_ops, conn)


def _postgresql(modify_ops: ModifyTableOps, conn: TableInfo) -> None:
    taken = _taken(conn, modify_ops)
    table = conn.name
    for op in modify_ops.ops:
        if not isinstance(op, (CreatePrimaryKeyOp, CreateUniqueConstraintOp, CreateForeignKeyOp)):
            continue
        if op.constraint_name is not None:
            continue
        if isinstance(op, CreatePrimaryKeyOp):
            name = f"{table}_pkey"
        elif isinstance(op, CreateUniqueConstraintOp):
            name = f"{table}_{'_'.join(op.columns)}_key"
        else:
            name = f"{table}_{'_'.join(op.local_cols)}_fkey"
        if len(name) <= _PG_MAX and name not in taken:
            op.constraint_name = name
            taken.add(name)


_IBFK = re.compile(r"_ibfk_(\d+)$")


def _mysql(modify_ops: ModifyTableOps, conn: TableInfo) -> None:
    taken = _taken(conn, modify_ops)
    numbers = [int(m.group(1)) for n in taken if (m := _IBFK.search(n))]
    next_number = max(numbers, default=0) + 1
    for op in modify_ops.ops:
        if isinstance(op, CreateForeignKeyOp) and op.constraint_name is None:
            op.constraint_name = f"{conn.name}_ibfk_{next_number}"
            next_number += 1
        elif isinstance(op, CreateUniqueConstraintOp) and op.constraint_name is None:
            base = op.columns[0]
            name, suffix = base, 2
            while name in taken:
                name, suffix = f"{base}_{suffix}", suffix + 1
            op.constraint_name = name
            taken.add(name)
