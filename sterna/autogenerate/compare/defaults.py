"""Server default comparison (``compare_server_default``, off by default as in Alembic).

The model's default is compiled to SQL text and both sides are brought to the normal form of
:func:`~sterna.dialects.sql_text.normalize_default`, so that ``'x'::character
varying`` equals ``'x'``, ``0.00`` equals ``'0'``, ``now()`` equals ``CURRENT_TIMESTAMP`` and
``true`` equals ``1``.  The ``nextval(...)`` default of a serial column is not a difference.

A string literal is read as a value of the column's type where the database does so itself:
on PostgreSQL an ``INTERVAL`` default (``'0'`` comes back as ``'00:00:00'::interval``, ``'2
hours 30 minutes'`` as ``'02:30:00'::interval``) and a ``BOOLEAN`` one (``'yes'`` comes back as
``true``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column

from sterna.autogenerate.compare.hooks import impl_hook
from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.reflect_build import build_column
from sterna.dialects.compare_defaults import (  # the primitives, re-exported from their old home
    defaults_differ,
    implicit_sequence_default,
    postgresql_boolean,
    postgresql_interval,
)
from sterna.dialects.sql_compile import render_server_default

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import ColumnInfo
    from sterna.operations.ops import AlterColumnOp

__all__ = [
    "compare_server_default",
    "defaults_differ",
    "postgresql_boolean",
    "postgresql_interval",
]


def _with_on_update(conn: ColumnInfo, conn_text: str | None, rendered: str | None) -> str | None:
    """MySQL keeps ``ON UPDATE ...`` apart from the default; a model that writes it into its
    ``server_default`` text (``CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP``) is compared
    with both."""
    on_update = conn.dialect_options.get("mysql_on_update")
    if conn_text is None or not on_update or rendered is None:
        return conn_text
    if "on update" not in " ".join(rendered.lower().split()):
        return conn_text
    return f"{conn_text} ON UPDATE {on_update}"


@comparators.dispatch_native("column")
def compare_server_default(
    ctx: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn: ColumnInfo,
    meta: Column[Any],
) -> None:
    """Set ``modify_server_default`` when the defaults differ.  A callable setting is called as
    ``(context, inspected_column, metadata_column, inspected_default, metadata_default,
    rendered_metadata_default)`` and decides unless it returns None; then the dialect
    implementation's ``compare_server_default`` decides."""
    setting = ctx.opts.get("compare_server_default", False)
    if not setting or ctx.dialect is None:
        return
    if meta.computed is not None or conn.computed is not None:
        return
    if meta.identity is not None or conn.identity is not None:
        return
    metadata_default = meta.server_default
    rendered = render_server_default(metadata_default, ctx.dialect)
    if metadata_default is not None and rendered is None:
        return  # FetchedValue: the database decides, nothing to compare
    conn_text = None if implicit_sequence_default(conn.default, meta) else conn.default
    conn_text = _with_on_update(conn, conn_text, rendered)
    if callable(setting):
        verdict = setting(
            ctx.migration_context,
            build_column(conn),
            meta,
            conn_text,
            metadata_default,
            rendered,
        )
        if verdict is not None:
            if verdict:
                alter.modify_server_default = metadata_default
            return
    hook = impl_hook(ctx, "compare_server_default")
    if hook is not None:
        differs = bool(hook(build_column(conn), meta, rendered, conn_text))
    else:  # the default hook's decision
        differs = defaults_differ(ctx.dialect, conn_text, rendered, meta.type)
    if differs:
        alter.modify_server_default = metadata_default
