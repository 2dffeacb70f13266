"""A database's schema as plain, sorted data, read with SQLAlchemy's Inspector (not Sterna's
reflection, which is under test), so that two databases can be compared and a difference shown
as a readable diff."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

VERSION_TABLE = "alembic_version"
# the tools' own bookkeeping: the version table and Sterna's applied history
BOOKKEEPING = (VERSION_TABLE, "sterna_history")


def _type(type_: Any, dialect: Dialect) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # NullType and types the dialect cannot compile
        return repr(type_)


def _column(col: Any, dialect: Dialect) -> dict[str, Any]:
    out = {
        "name": col["name"],
        "type": _type(col["type"], dialect),
        "nullable": col["nullable"],
        "default": col.get("default"),
        "autoincrement": col.get("autoincrement"),
        "comment": col.get("comment"),
    }
    for key in ("identity", "computed"):
        if col.get(key):
            out[key] = {k: str(v) for k, v in sorted(col[key].items())}
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _index(ix: Any) -> Any:
    return _plain(
        {
            "name": ix["name"],
            "columns": ix.get("column_names"),
            "expressions": ix.get("expressions"),
            "unique": bool(ix.get("unique")),
            "dialect_options": ix.get("dialect_options"),
        }
    )


def _fk(fk: Any, table: str, dialect: Dialect) -> Any:
    options = fk.get("options") or {}
    return _plain(
        {
            "name": _fk_name(fk.get("name"), table, dialect),
            "columns": fk["constrained_columns"],
            "target": f"{fk.get('referred_schema') or ''}.{fk['referred_table']}"
            f"({', '.join(fk['referred_columns'])})",
            "ondelete": options.get("ondelete"),
            "onupdate": options.get("onupdate"),
            "deferrable": options.get("deferrable"),
            "initially": options.get("initially"),
        }
    )


def _fk_name(name: str | None, table: str, dialect: Dialect) -> str | None:
    """A name MySQL/MariaDB made up (``<table>_ibfk_<n>``) numbers the table's unnamed keys in
    the order ``CREATE TABLE`` lists them, which for ``create_all`` is the iteration order of a
    set: such a name says nothing about the key, so it is written as ``(generated)``."""
    if dialect.name == "mysql" and name and re.fullmatch(re.escape(table) + r"_ibfk_\d+", name):
        return "(generated)"
    return name


def _by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda d: json.dumps(d, sort_keys=True, default=str))


def _table(
    insp: sa.Inspector, name: str, dialect: Dialect, schema: str | None = None
) -> dict[str, Any]:
    pk = insp.get_pk_constraint(name, schema=schema)
    return {
        "columns": [_column(c, dialect) for c in insp.get_columns(name, schema=schema)],
        "primary_key": {"name": pk.get("name"), "columns": pk.get("constrained_columns")},
        "foreign_keys": _by_name(
            [_fk(fk, name, dialect) for fk in insp.get_foreign_keys(name, schema=schema)]
        ),
        "unique": _by_name(
            [
                _plain({"name": u["name"], "columns": u["column_names"]})
                for u in insp.get_unique_constraints(name, schema=schema)
            ]
        ),
        "indexes": _by_name([_index(ix) for ix in insp.get_indexes(name, schema=schema)]),
        "checks": _by_name(
            [
                _plain({"name": c["name"], "sqltext": c["sqltext"]})
                for c in insp.get_check_constraints(name, schema=schema)
            ]
        ),
        "comment": _comment(insp, name, schema),
    }


def _comment(insp: sa.Inspector, name: str, schema: str | None) -> str | None:
    try:
        return insp.get_table_comment(name, schema=schema).get("text")
    except NotImplementedError:  # SQLite keeps no comments
        return None


def _sequences(insp: sa.Inspector, schema: str | None) -> list[str]:
    try:
        names = insp.get_sequence_names(schema=schema)
    except NotImplementedError:  # SQLite has none
        return []
    # leaves out a bookkeeping table's own sequence (PostgreSQL: sterna_history's SERIAL id)
    return sorted(n for n in names if not n.startswith(tuple(f"{t}_" for t in BOOKKEEPING)))


def dump(
    url: str, include_version_table: bool = False, schemas: Sequence[str] = ()
) -> dict[str, Any]:
    """Tables (with columns, keys, indexes, constraints), PostgreSQL enum types and sequences,
    of the default schema and of ``schemas`` (keys ``schema.name`` there)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            out: dict[str, Any] = {"tables": {}, "sequences": [], "enums": {}}
            for schema in [None, *schemas]:
                _dump_schema(insp, schema, include_version_table, out)
            if conn.dialect.name != "postgresql":
                del out["enums"]
            return out
    finally:
        engine.dispose()


def _dump_schema(
    insp: sa.Inspector, schema: str | None, include_version_table: bool, out: dict[str, Any]
) -> None:
    prefix = f"{schema}." if schema else ""
    names = sorted(insp.get_table_names(schema=schema))
    if not include_version_table:
        names = [n for n in names if n not in BOOKKEEPING]
    for n in names:
        out["tables"][prefix + n] = _table(insp, n, insp.dialect, schema)
    out["sequences"] += [prefix + s for s in _sequences(insp, schema)]
    if insp.dialect.name == "postgresql":
        enums = insp.get_enums(schema=schema)  # type: ignore[attr-defined]
        out["enums"].update({prefix + e["name"]: list(e["labels"]) for e in enums})


def lines(schema: Any, path: str = "") -> list[str]:
    """One ``path: value`` line per leaf, list items addressed by their name where they have
    one, so that every line of a diff says where it is."""
    if isinstance(schema, dict):
        if not schema:
            return [f"{path}: {{}}"]
        return [ln for k in sorted(schema) for ln in lines(schema[k], f"{path}.{k}".lstrip("."))]
    if isinstance(schema, list) and any(isinstance(v, dict) for v in schema):
        out: list[str] = []
        for i, item in enumerate(schema):
            label = item.get("name") if isinstance(item, dict) else None
            out += lines(item, f"{path}[{label if label is not None else i}]")
        return out or [f"{path}: []"]
    return [f"{path}: {json.dumps(schema, default=str)}"]


def diff(
    left: dict[str, Any], right: dict[str, Any], left_name: str, right_name: str, context: int = 4
) -> str:
    """A unified diff of the two dumps ('' when equal)."""
    return "\n".join(
        difflib.unified_diff(
            lines(left), lines(right), left_name, right_name, n=context, lineterm=""
        )
    )


def short_diff(text: str, limit: int = 3) -> str:
    """The first changed lines of a diff, for a one-line reason."""
    changed = [
        ln[:1] + ln[1:].strip()
        for ln in text.splitlines()
        if ln[:1] in "+-" and not ln.startswith(("+++", "---"))
    ]
    return "; ".join(changed[:limit])
