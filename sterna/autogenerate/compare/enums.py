"""PostgreSQL enum types (beyond Alembic): created, extended, and dropped.

The models' enum types are the named native ``Enum`` types of their columns (arrays included).
A new type is created before the tables that use it; values added to an existing type become
``add_enum_value`` operations placed where the model lists them; values removed become
``drop_enum_value``; a type no model uses any more is dropped after the tables, unless a table or
view this comparison does not cover still uses it.  ``Enum(..., create_type=False)`` types are
managed by the project and left alone.

Alembic's own comparison has no enum types at all (``create_table`` makes them through
SQLAlchemy's events); projects that want them managed install an extension that registers its
own comparator.  Where one of :data:`ENUM_EXTENSIONS` has a comparator registered, that extension
owns the enum types, as it does under Alembic, and this comparison steps aside: both would write
``CREATE TYPE`` for a new type (the script would create it twice).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Enum
from sqlalchemy.types import ARRAY

from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.compare.schemas import metadata_tables, schema_key
from sterna.dialects.compare_types import resolve_type
from sterna.operations.ops import (
    AddEnumValueOp,
    CreateEnumOp,
    DropEnumOp,
    DropEnumValueOp,
    MigrateOperation,
    UpgradeOps,
)

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import EnumInfo

EnumKey = tuple[str | None, str]

#: Top-level packages whose autogenerate comparators manage PostgreSQL enum types themselves.
ENUM_EXTENSIONS = frozenset({"alembic_postgresql_enum"})


@dataclass
class ModelEnum:
    schema: str | None
    name: str
    values: tuple[str, ...]
    managed: bool


def model_enums(ctx: AutogenContext, schemas: list[str | None]) -> dict[EnumKey, ModelEnum]:
    assert ctx.dialect is not None
    found: dict[EnumKey, ModelEnum] = {}
    for table in metadata_tables(ctx, schemas).values():
        for column in table.columns:
            type_ = resolve_type(column.type, ctx.dialect)
            if isinstance(type_, ARRAY):
                type_ = resolve_type(type_.item_type, ctx.dialect)
            if not isinstance(type_, Enum) or not type_.native_enum or not type_.name:
                continue
            key = (schema_key(ctx, type_.schema), str(type_.name))
            managed = bool(getattr(type_, "create_type", True))
            found.setdefault(
                key, ModelEnum(type_.schema, str(type_.name), tuple(type_.enums), managed)
            )
    return found


@comparators.dispatch_native("schema", qualifier="postgresql")
def compare_enums(ctx: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]) -> None:
    snapshot = ctx.snapshot
    if snapshot is None or enums_owned_by_extension(ctx):
        return
    wanted = model_enums(ctx, schemas)
    for key, model in sorted(wanted.items(), key=_sort_key):
        if not model.managed or not _included(ctx, key):
            continue
        existing = snapshot.enums.get(key)
        if existing is None:
            upgrade_ops.ops.append(CreateEnumOp(model.name, model.values, schema=model.schema))
        elif existing.values != model.values:
            upgrade_ops.ops.extend(value_ops(model, existing))
    covered = set(snapshot.tables)
    for key, existing in sorted(snapshot.enums.items(), key=_sort_key):
        if key in wanted or key[0] not in schemas or not _included(ctx, key):
            continue
        if all(user in covered for user in existing.used_by):
            upgrade_ops.ops.append(
                DropEnumOp(existing.name, schema=existing.schema, values=existing.values)
            )


def enums_owned_by_extension(ctx: AutogenContext) -> bool:
    """Whether a comparator of one of :data:`ENUM_EXTENSIONS` runs in this comparison."""
    dialect = ctx.dialect.name if ctx.dialect is not None else "default"
    for entry in ctx.comparators.entries("schema", dialect):
        module = getattr(entry.fn, "__module__", None) or ""
        if not entry.native and module.partition(".")[0] in ENUM_EXTENSIONS:
            return True
    return False


def _sort_key(item: tuple[EnumKey, object]) -> tuple[str, str]:
    return (item[0][0] or "", item[0][1])


def _included(ctx: AutogenContext, key: EnumKey) -> bool:
    return ctx.run_name_filters(key[1], "enum", {"schema_name": key[0]})


def value_ops(model: ModelEnum, existing: EnumInfo) -> list[MigrateOperation]:
    """``add_enum_value`` for each new value, positioned as in the model, then
    ``drop_enum_value`` for each value the model no longer has."""
    current = list(existing.values)
    removed = [v for v in current if v not in model.values]
    kept = [v for v in current if v in model.values]
    if [v for v in model.values if v in kept] != kept:
        warnings.warn(
            f"The values of enum type {model.name!r} were reordered; PostgreSQL cannot "
            "reorder enum values, so the order is left as it is",
            stacklevel=2,
        )
        return []
    ops: list[MigrateOperation] = []
    for i, value in enumerate(model.values):
        if value in current:
            continue
        previous = model.values[i - 1] if i > 0 else None
        if previous is None and current:
            ops.append(AddEnumValueOp(model.name, value, schema=model.schema, before=current[0]))
            current.insert(0, value)
        elif previous is None or previous == current[-1]:
            ops.append(AddEnumValueOp(model.name, value, schema=model.schema))
            current.append(value)
        else:
            ops.append(AddEnumValueOp(model.name, value, schema=model.schema, after=previous))
            current.insert(current.index(previous) + 1, value)
    ops.extend(DropEnumValueOp(model.name, value, schema=model.schema) for value in removed)
    return ops
