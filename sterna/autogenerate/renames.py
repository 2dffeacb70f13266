"""Likely renames among autogenerate's operations (a pure function over the operations).

Autogenerate cannot see a rename: it sees a table or column disappear and a new one appear, and
would drop the data.  :func:`find_rename_candidates` pairs each dropped table/column with an added
one "in the same place":

* a column: dropped and added in the same table, with compatible types (same type family, same
  length/precision/scale where both say) and the same nullability, and at the same position in
  the table -- or, when the table has exactly one drop and one add, wherever they are;
* a table: dropped and created in the same schema with the same column names and compatible
  column types.

Each pairing is unambiguous (neither side has another candidate).  Asking the user and rewriting
the operations is the renderer's side (:mod:`sterna.autogenerate.prompt`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Column
from sqlalchemy.types import NullType, TypeEngine

from sterna.operations.ops import (
    AddColumnOp,
    AlterColumnOp,
    CreateTableOp,
    DropColumnOp,
    DropTableOp,
    MigrateOperation,
    ModifyTableOps,
    OpContainer,
    RenameTableOp,
)

POSITION = "sterna.position"


@dataclass(frozen=True)
class RenameCandidate:
    """A dropped table/column that looks renamed to an added one."""

    kind: Literal["table", "column"]
    schema: str | None
    #: the table of a column (None for a table rename)
    table_name: str | None
    old_name: str
    new_name: str
    drop_op: MigrateOperation
    add_op: MigrateOperation

    def rename_op(self) -> MigrateOperation:
        """The operation that renames instead of dropping and adding."""
        if self.kind == "table":
            return RenameTableOp(self.old_name, self.new_name, schema=self.schema)
        assert isinstance(self.drop_op, DropColumnOp) and self.table_name is not None
        old = self.drop_op.to_column()
        return AlterColumnOp(
            self.table_name,
            self.old_name,
            schema=self.schema,
            modify_name=self.new_name,
            existing_type=old.type,
            existing_nullable=old.nullable,
            existing_server_default=old.server_default,
            existing_comment=old.comment,
        )


def find_rename_candidates(upgrade_ops: OpContainer) -> list[RenameCandidate]:
    """Every likely rename in ``upgrade_ops`` (tables first, then columns, in operation order)."""
    found = _table_candidates(upgrade_ops.ops)
    for op in upgrade_ops.ops:
        if isinstance(op, ModifyTableOps):
            found.extend(_column_candidates(op))
    return found


# -- columns --------------------------------------------------------------------------------------


def _column_candidates(modify: ModifyTableOps) -> list[RenameCandidate]:
    drops = [op for op in modify.ops if isinstance(op, DropColumnOp) and op._reverse]
    adds = [op for op in modify.ops if isinstance(op, AddColumnOp)]
    if not drops or not adds:
        return []
    sole = len(drops) == 1 and len(adds) == 1
    options = {id(drop): [add for add in adds if _column_match(drop, add, sole)] for drop in drops}
    found: list[RenameCandidate] = []
    for drop in drops:
        matches = options[id(drop)]
        if len(matches) != 1:
            continue
        add = matches[0]
        if sum(add in options[id(other)] for other in drops) != 1:
            continue
        found.append(
            RenameCandidate(
                "column",
                modify.schema,
                modify.table_name,
                drop.column_name,
                add.column.name,
                drop,
                add,
            )
        )
    return found


def _column_match(drop: DropColumnOp, add: AddColumnOp, sole: bool) -> bool:
    old = drop.to_column()
    new = add.column
    if not columns_compatible(old, new):
        return False
    if sole:
        return True
    old_at = drop.info.get(POSITION)
    new_at = add.info.get(POSITION)
    return old_at is not None and old_at == new_at


def columns_compatible(old: Column[Any], new: Column[Any]) -> bool:
    """Same nullability and compatible types."""
    return bool(old.nullable) == bool(new.nullable) and types_compatible(old.type, new.type)


def types_compatible(old: TypeEngine[Any], new: TypeEngine[Any]) -> bool:
    """Same type family (by SQLAlchemy's type affinity) and no conflicting length, precision or
    scale."""
    if isinstance(old, NullType) or isinstance(new, NullType):
        return False
    old_family = getattr(old, "_type_affinity", None) or type(old)
    new_family = getattr(new, "_type_affinity", None) or type(new)
    if not (issubclass(old_family, new_family) or issubclass(new_family, old_family)):
        return False
    for attribute in ("length", "precision", "scale"):
        a, b = getattr(old, attribute, None), getattr(new, attribute, None)
        if a is not None and b is not None and a != b:
            return False
    return True


# -- tables ---------------------------------------------------------------------------------------


def _columns_of(items: Sequence[Any]) -> dict[str, Column[Any]]:
    return {item.name: item for item in items if isinstance(item, Column)}


def _table_match(drop: DropTableOp, create: CreateTableOp) -> bool:
    if drop.schema != create.schema or drop._reverse is None:
        return False
    old = _columns_of(drop._reverse.columns)
    new = _columns_of(create.columns)
    if not old or set(old) != set(new):
        return False
    return all(columns_compatible(old[name], new[name]) for name in old)


def _table_candidates(ops: Sequence[MigrateOperation]) -> list[RenameCandidate]:
    drops = [op for op in ops if isinstance(op, DropTableOp)]
    creates = [op for op in ops if isinstance(op, CreateTableOp)]
    options = {id(d): [c for c in creates if _table_match(d, c)] for d in drops}
    found: list[RenameCandidate] = []
    for drop in drops:
        matches = options[id(drop)]
        if len(matches) != 1:
            continue
        create = matches[0]
        if sum(create in options[id(other)] for other in drops) != 1:
            continue
        found.append(
            RenameCandidate(
                "table", drop.schema, None, drop.table_name, create.table_name, drop, create
            )
        )
    return found
