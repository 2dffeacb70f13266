"""A database reflected into a plain, normalised dict: what "the same schema" means here.

Tables with their columns (type as the dialect compiles it, nullability, server default,
comment), primary key, foreign keys, indexes, unique and check constraints, table comment and
rows; views with their definitions; SQLite triggers; PostgreSQL sequences and enum types; and the
``alembic_version`` rows.  Whitespace inside SQL fragments is collapsed.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Inspector


def _squash(value: Any) -> Any:
    """Plain, comparable data: whitespace collapsed, SQL expressions as their text."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {key: _squash(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_squash(item) for item in value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _squash(str(value))


def _column(col: Mapping[str, Any], inspector: Inspector) -> dict[str, Any]:
    return {
        "name": col["name"],
        "type": col["type"].compile(dialect=inspector.dialect),
        "nullable": col["nullable"],
        "default": _squash(col.get("default")),
        "comment": col.get("comment"),
        "computed": _squash((col.get("computed") or {}).get("sqltext")),
        "identity": bool(col.get("identity")),
    }


def _sorted(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=repr)


def _squashed(
    items: Sequence[Mapping[str, Any]], skip: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    return _sorted([{k: _squash(v) for k, v in item.items() if k not in skip} for item in items])


def _tables(inspector: Inspector, conn: Connection, names: list[str]) -> dict[str, Any]:
    """Every table, read with one bulk ``get_multi_*`` call per kind."""
    kw: dict[str, Any] = {"filter_names": names}
    columns = inspector.get_multi_columns(**kw)
    pks = inspector.get_multi_pk_constraint(**kw)
    fks = inspector.get_multi_foreign_keys(**kw)
    with warnings.catch_warnings():  # SQLite expression indexes: compared as SQL instead
        warnings.filterwarnings("ignore", "Skipped unsupported reflection")
        indexes = inspector.get_multi_indexes(**kw)
        uniques = inspector.get_multi_unique_constraints(**kw)
    checks = inspector.get_multi_check_constraints(**kw)
    comments: Mapping[Any, Mapping[str, Any]] = (
        inspector.get_multi_table_comment(**kw) if inspector.dialect.supports_comments else {}
    )
    tables: dict[str, Any] = {}
    for name in names:
        key = (None, name)
        pk: Mapping[str, Any] = pks.get(key) or {}
        quoted = inspector.dialect.identifier_preparer.quote(name)
        rows = conn.execute(text(f"SELECT * FROM {quoted}")).all()
        tables[name] = {
            "columns": [_column(col, inspector) for col in columns.get(key, [])],
            "pk": {"name": pk.get("name"), "columns": pk.get("constrained_columns")},
            "fks": _squashed(fks.get(key, []), ("referred_schema",)),
            "indexes": _squashed(indexes.get(key, []), ("duplicates_constraint",)),
            "uniques": _squashed(uniques.get(key, [])),
            "checks": _squashed(checks.get(key, [])),
            "comment": (comments.get(key) or {}).get("text"),
            # each row as (column, value) pairs by column name: column order is compared above
            "rows": sorted(repr(sorted(row._mapping.items())) for row in rows),
        }
    return tables


def _extras(inspector: Inspector, conn: Connection) -> dict[str, Any]:
    dialect = inspector.dialect.name
    extras: dict[str, Any] = {
        "views": {
            name: _squash(inspector.get_view_definition(name))
            for name in sorted(inspector.get_view_names())
        }
    }
    if dialect == "sqlite":  # triggers, and the indexes (expression ones are not reflected)
        for kind in ("trigger", "index"):
            extras[f"{kind}_sql"] = sorted(
                (row[0], _squash(row[1]))
                for row in conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = :kind"), {"kind": kind}
                )
            )
    if dialect == "postgresql":
        extras["sequences"] = sorted(inspector.get_sequence_names())
        extras["enums"] = sorted(
            (enum["name"], tuple(enum["labels"]))
            for enum in inspector.get_enums()  # type: ignore[attr-defined]
        )
    return extras


def snapshot(url: str, full: bool = True) -> dict[str, Any]:
    """The schema, data and version rows of the database at ``url``; without ``full`` only
    the table names and the version rows (enough where each revision adds a table)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            names = sorted(inspector.get_table_names())
            user_tables = [n for n in names if n != "alembic_version"]
            tables: Any = _tables(inspector, conn, user_tables) if full else user_tables
            versions = None
            if "alembic_version" in names:
                versions = sorted(
                    row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))
                )
            if not full:
                return {"tables": tables, "versions": versions}
            return {"tables": tables, "versions": versions, **_extras(inspector, conn)}
    finally:
        engine.dispose()
