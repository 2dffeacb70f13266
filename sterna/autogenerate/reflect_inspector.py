"""Reflection through SQLAlchemy's bulk ``Inspector.get_multi_*`` calls.

On PostgreSQL each call is one catalog query for all the requested tables of a schema; other
dialects without a reader of their own get SQLAlchemy's default (per table) implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Inspector

from sterna.autogenerate.reflect import (
    CheckInfo,
    ColumnInfo,
    ComputedInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    Reader,
    TableInfo,
    UniqueInfo,
)

Multi = Mapping[tuple[str | None, str], Any]


class InspectorReader(Reader):
    """A :class:`Reader` over ``Inspector.get_multi_*``."""

    def tables(
        self, connection: Connection, schema: str | None, names: Sequence[str]
    ) -> list[TableInfo]:
        insp = inspect(connection)
        kw: dict[str, Any] = {"schema": schema, "filter_names": list(names)}
        columns = insp.get_multi_columns(**kw)
        pks = insp.get_multi_pk_constraint(**kw)
        fks = insp.get_multi_foreign_keys(**kw)
        indexes = insp.get_multi_indexes(**kw)
        uniques = _optional(insp.get_multi_unique_constraints, kw)
        checks = _optional(insp.get_multi_check_constraints, kw)
        unreflected = frozenset(
            kind for kind, found in (("uniques", uniques), ("checks", checks)) if found is None
        )
        comments = _table_comments(insp, kw)
        tables: list[TableInfo] = []
        for name in names:
            key = (schema, name)
            if key not in columns:
                continue
            table = TableInfo(schema=schema, name=name, unreflected=unreflected)
            table.columns = [column_info(d, i) for i, d in enumerate(columns[key])]
            table.primary_key = _pk(pks.get(key))
            table.foreign_keys = [foreign_key_info(d) for d in fks.get(key, ())]
            table.indexes = [
                index_info(d) for d in indexes.get(key, ()) if not d.get("duplicates_constraint")
            ]
            table.uniques = [unique_info(d) for d in (uniques or {}).get(key, ())]
            table.checks = [
                CheckInfo(d.get("name"), str(d["sqltext"])) for d in (checks or {}).get(key, ())
            ]
            table.comment = (comments.get(key) or {}).get("text")
            tables.append(table)
        return tables


def _optional(method: Callable[..., Multi], kw: dict[str, Any]) -> Multi | None:
    """What ``method`` reflects; None when the dialect does not implement it."""
    try:
        return method(**kw)
    except NotImplementedError:
        return None


def _table_comments(insp: Inspector, kw: dict[str, Any]) -> Multi:
    if not insp.dialect.supports_comments:
        return {}
    return _optional(insp.get_multi_table_comment, kw) or {}


def column_info(data: Mapping[str, Any], position: int) -> ColumnInfo:
    computed = data.get("computed")
    return ColumnInfo(
        name=data["name"],
        type=data["type"],
        nullable=bool(data.get("nullable", True)),
        default=data.get("default"),
        autoincrement=data.get("autoincrement", "auto"),
        comment=data.get("comment"),
        computed=(
            ComputedInfo(str(computed["sqltext"]), computed.get("persisted")) if computed else None
        ),
        identity=dict(data["identity"]) if data.get("identity") else None,
        position=position,
        dialect_options=dict(data.get("dialect_options") or {}),
    )


def _pk(data: Mapping[str, Any] | None) -> PrimaryKeyInfo | None:
    if not data or not data.get("constrained_columns"):
        return None
    return PrimaryKeyInfo(data.get("name"), tuple(data["constrained_columns"]))


def foreign_key_info(data: Mapping[str, Any]) -> ForeignKeyInfo:
    options = data.get("options") or {}
    return ForeignKeyInfo(
        name=data.get("name"),
        columns=tuple(data["constrained_columns"]),
        referred_schema=data.get("referred_schema"),
        referred_table=data["referred_table"],
        referred_columns=tuple(data["referred_columns"]),
        onupdate=options.get("onupdate"),
        ondelete=options.get("ondelete"),
        deferrable=options.get("deferrable"),
        initially=options.get("initially"),
        match=options.get("match"),
    )


def index_info(data: Mapping[str, Any]) -> IndexInfo:
    names = list(data.get("column_names") or [])
    expressions = data.get("expressions")
    elements: list[str] = []
    flags: list[bool] = []
    for i, name in enumerate(names):
        if name is None and expressions is not None and i < len(expressions):
            elements.append(str(expressions[i]))
            flags.append(True)
        else:
            elements.append(str(name))
            flags.append(False)
    sorting_map = data.get("column_sorting") or {}
    sorting = tuple(tuple(sorting_map.get(e, ())) for e in elements)
    options = {k: v for k, v in (data.get("dialect_options") or {}).items() if v not in ([], None)}
    return IndexInfo(
        name=data.get("name"),
        elements=tuple(elements),
        expressions=tuple(flags),
        unique=bool(data.get("unique")),
        sorting=sorting if any(sorting) else (),
        dialect_options=options,
    )


def unique_info(data: Mapping[str, Any]) -> UniqueInfo:
    options = {
        k: v for k, v in (data.get("dialect_options") or {}).items() if v not in ([], None, False)
    }
    return UniqueInfo(
        name=data.get("name"),
        columns=tuple(data["column_names"]),
        from_index=bool(data.get("duplicates_index")),
        dialect_options=options,
    )
