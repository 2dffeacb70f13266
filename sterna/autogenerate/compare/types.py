"""Column type comparison (``compare_type``, on by default).

Both types are compiled for the database's dialect and read back into a :class:`TypeSig`
(base name, arguments, flags, collation), then normalised with the dialect's equivalences so that
equal types never show as changes: ``INT(11)`` is ``INTEGER`` and ``TINYINT(1)`` is ``BOOLEAN``
on MySQL, ``FLOAT`` is ``DOUBLE PRECISION`` on PostgreSQL, ``DECIMAL`` is ``NUMERIC``, JSON is
LONGTEXT on MariaDB, a collation is compared only when the model names one.  Named PostgreSQL
enum types are compared by name (their values are the enum comparator's business).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column

from sterna.autogenerate.compare.hooks import impl_hook
from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.reflect_build import build_column
from sterna.dialects.compare_types import (  # the primitives, re-exported from their old home
    TypeSig,
    normalized_sig,
    parse_type,
    resolve_type,
    types_differ,
)

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import ColumnInfo
    from sterna.operations.ops import AlterColumnOp

__all__ = [
    "TypeSig",
    "compare_type",
    "normalized_sig",
    "parse_type",
    "resolve_type",
    "types_differ",
]


@comparators.dispatch_native("column")
def compare_type(
    ctx: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn: ColumnInfo,
    meta: Column[Any],
) -> None:
    """Set ``modify_type`` when the types differ (``compare_type`` option: bool or callable
    ``(context, inspected_column, metadata_column, inspected_type, metadata_type)``; when the
    callable returns None, the dialect implementation's ``compare_type`` decides)."""
    setting = ctx.opts.get("compare_type", True)
    if setting is False or setting is None or ctx.dialect is None:
        return
    if callable(setting):
        verdict = setting(ctx.migration_context, build_column(conn), meta, conn.type, meta.type)
        if verdict is not None:
            if verdict:
                alter.modify_type = meta.type
            return
    hook = impl_hook(ctx, "compare_type")
    if hook is not None:
        differs = bool(hook(build_column(conn), meta))
    else:  # the default hook's decision, on the record
        differs = types_differ(ctx.dialect, conn, meta.type)
    if differs:
        alter.modify_type = meta.type
