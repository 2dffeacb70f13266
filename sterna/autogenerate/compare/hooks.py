"""How the comparison reaches the dialect implementation's hooks
(:mod:`sterna.ddl.impl_hooks`).

:func:`impl_hook` returns the bound hook of the running implementation when it overrides the
default, else None: the comparators then run the default's logic on their snapshot records
without building the SQLAlchemy objects the hook would need.  :func:`column_reflect_hook`
adapts ``autogen_column_reflect`` to the bulk reflection (one call per reflected column, with
the column as SQLAlchemy's ``column_reflect`` dict).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sterna.ddl.impl_hooks import overrides

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import ColumnInfo, ComputedInfo, TableInfo


def impl_of(ctx: AutogenContext) -> Any:
    """The dialect implementation of the comparison's migration context (None without one)."""
    return getattr(ctx.migration_context, "impl", None)


def impl_hook(ctx: AutogenContext, name: str) -> Callable[..., Any] | None:
    """The implementation's hook ``name`` when it overrides Sterna's default."""
    impl = impl_of(ctx)
    if impl is None or not overrides(impl, name):
        return None
    hook: Callable[..., Any] = getattr(impl, name)
    return hook


def column_reflect_hook(ctx: AutogenContext) -> Callable[[TableInfo], None] | None:
    """A function that passes each column of a reflected table through SQLAlchemy's
    ``column_reflect`` listeners registered on ``Table`` (as reflecting a ``Table`` does:
    GeoAlchemy2 completes its spatial types there), then the implementation's
    ``autogen_column_reflect`` (None when there is neither, which changes nothing)."""
    from sqlalchemy import MetaData, Table

    hook = impl_hook(ctx, "autogen_column_reflect")
    listened = bool(Table("_probe", MetaData()).dispatch.column_reflect)
    if hook is None and not listened:
        return None

    def run(table: TableInfo) -> None:
        stub = Table(table.name, MetaData(), schema=table.schema)
        for column in table.columns:
            data = column_dict(column)
            if listened:
                stub.dispatch.column_reflect(ctx.inspector, stub, data)
            if hook is not None:
                hook(ctx.inspector, stub, data)
            update_column(column, data)

    return run


def column_dict(column: ColumnInfo) -> dict[str, Any]:
    """A reflected column as the dict of SQLAlchemy's ``column_reflect`` event."""
    data: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "nullable": column.nullable,
        "default": column.default,
        "autoincrement": column.autoincrement,
        "comment": column.comment,
        "dialect_options": dict(column.dialect_options),
    }
    if column.computed is not None:
        data["computed"] = {
            "sqltext": column.computed.sqltext,
            "persisted": column.computed.persisted,
        }
    if column.identity is not None:
        data["identity"] = dict(column.identity)
    return data


def update_column(column: ColumnInfo, data: dict[str, Any]) -> None:
    """Take the (possibly changed) values of a ``column_reflect`` dict back into the record."""
    column.name = str(data.get("name", column.name))
    column.type = data.get("type", column.type)
    column.nullable = bool(data.get("nullable", column.nullable))
    default = data.get("default", column.default)
    column.default = None if default is None else str(default)
    column.autoincrement = data.get("autoincrement", column.autoincrement)
    column.comment = data.get("comment", column.comment)
    column.computed = _computed(data.get("computed"))
    identity = data.get("identity")
    column.identity = dict(identity) if identity else None
    column.dialect_options = dict(data.get("dialect_options") or {})


def _computed(value: Any) -> ComputedInfo | None:
    from sterna.autogenerate.reflect import ComputedInfo

    if not value:
        return None
    return ComputedInfo(str(value["sqltext"]), value.get("persisted"))
