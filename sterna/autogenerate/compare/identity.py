"""``Identity`` and ``Computed`` columns.

An identity column whose options differ (or that gains or loses its identity) becomes an
``alter_column`` with the new ``Identity`` as server default, as Alembic does (and, as there,
only when ``compare_server_default`` is on: an identity is a kind of server default).  A generated
(computed) column cannot be altered: a change of its expression is reported with a warning.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Column, Identity, SmallInteger

from sterna.autogenerate.compare.registry import comparators
from sterna.dialects.sql_compile import compile_expression
from sterna.dialects.sql_text import normalize_expression

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import ColumnInfo
    from sterna.operations.ops import AlterColumnOp

_OPTIONS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache")


def _max_for(meta: Column[Any]) -> int:
    if isinstance(meta.type, BigInteger):
        return 2**63 - 1
    if isinstance(meta.type, SmallInteger):
        return 2**15 - 1
    return 2**31 - 1


def _identity_defaults(meta: Column[Any], increment: int) -> dict[str, Any]:
    ascending = increment > 0
    top = _max_for(meta)
    return {
        "start": 1 if ascending else -1,
        "increment": 1,
        "minvalue": 1 if ascending else -top - 1,
        "maxvalue": top if ascending else -1,
        "cycle": False,
        "cache": 1,
    }


def identities_differ(conn: dict[str, Any], meta: Identity, column: Column[Any]) -> bool:
    """Whether a reflected identity's options differ from the model's ``Identity``."""
    increment = meta.increment if meta.increment is not None else 1
    defaults = _identity_defaults(column, int(increment))
    if bool(conn.get("always", False)) != bool(meta.always):
        return True
    for key in _OPTIONS:
        wanted = getattr(meta, key, None)
        if wanted is None:
            wanted = defaults[key]
        found = conn.get(key)
        if found is None:
            found = defaults[key]
        if key == "cycle":
            wanted, found = bool(wanted), bool(found)
        if wanted != found:
            return True
    return False


@comparators.dispatch_native("column")
def compare_identity(
    ctx: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn: ColumnInfo,
    meta: Column[Any],
) -> None:
    if ctx.dialect is None or not getattr(ctx.dialect, "supports_identity_columns", False):
        return
    if not ctx.opts.get("compare_server_default", False):
        return
    if meta.identity is None and conn.identity is None:
        return
    if meta.identity is None or conn.identity is None:
        alter.modify_server_default = meta.identity
        return
    if identities_differ(conn.identity, meta.identity, meta):
        alter.modify_server_default = meta.identity


@comparators.dispatch_native("column")
def compare_computed(
    ctx: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn: ColumnInfo,
    meta: Column[Any],
) -> None:
    if ctx.dialect is None or (meta.computed is None and conn.computed is None):
        return
    where = f"{table_name}.{column_name}"
    if meta.computed is None or conn.computed is None:
        warnings.warn(f"Computed default on {where} cannot be modified", stacklevel=2)
        return
    dialect = ctx.dialect.name
    wanted = normalize_expression(
        compile_expression(meta.computed.sqltext, ctx.dialect), dialect, table_name=table_name
    )
    found = normalize_expression(conn.computed.sqltext, dialect, table_name=table_name)
    if wanted != found:
        warnings.warn(f"Computed default on {where} cannot be modified", stacklevel=2)
