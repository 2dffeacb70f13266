"""SQLite reflection in a handful of queries per schema, whatever the number of tables.

The table-valued pragma functions (``pragma_table_xinfo``, ``pragma_index_list``,
``pragma_index_xinfo``, ``pragma_foreign_key_list``) are joined over ``sqlite_master`` so that
each kind of object is one ``SELECT`` for all tables; names and CHECKs that only live in the
``CREATE`` text are parsed from the same catalog (:mod:`.reflect_sqlite_ddl`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import NullType, TypeEngine

from sterna.autogenerate.reflect import (
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    Reader,
    TableInfo,
    UniqueInfo,
    group_rows,
)
from sterna.autogenerate.reflect_sqlite_ddl import (
    CatalogTable,
    ParsedIndex,
    parse_create_index,
    parse_create_table,
)

_FILTER = "m.type = 'table' AND m.name IN (SELECT value FROM json_each(:names))"


def _master(schema: str | None) -> str:
    name = (schema or "main").replace('"', '""')
    return f'"{name}".sqlite_master'


class SQLiteReader(Reader):
    def table_names(self, connection: Connection, schema: str | None) -> list[str]:
        rows = connection.execute(
            text(
                f"SELECT name FROM {_master(schema)} "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name"
            )
        )
        return [row[0] for row in rows]

    def tables(
        self, connection: Connection, schema: str | None, names: Sequence[str]
    ) -> list[TableInfo]:
        params = {"names": json.dumps(list(names)), "schema": schema or "main"}
        sql = _statements(connection, schema, params)
        columns = group_rows(_query(connection, schema, _COLUMNS, params), lambda r: r[0])
        indexes = group_rows(_query(connection, schema, _INDEXES, params), lambda r: r[0])
        fks = group_rows(_query(connection, schema, _FOREIGN_KEYS, params), lambda r: r[0])
        tables: list[TableInfo] = []
        for name in names:
            if name not in columns:
                continue
            parsed = parse_create_table(sql.get(("table", name)))
            table = TableInfo(schema=schema, name=name)
            table.columns = _columns(connection.dialect, columns[name], parsed)
            table.primary_key = _primary_key(columns[name], parsed)
            _indexes(table, indexes.get(name, []), parsed, sql)
            table.foreign_keys = _foreign_keys(fks.get(name, []), parsed)
            table.checks = list(parsed.checks)
            tables.append(table)
        _resolve_implicit_references(tables)
        return tables


_COLUMNS = (
    'SELECT m.name, x.cid, x.name, x.type, x."notnull", x.dflt_value, x.pk, x.hidden '
    "FROM {master} m, pragma_table_xinfo(m.name, :schema) x WHERE "
    + _FILTER
    + " ORDER BY m.name, x.cid"
)
_INDEXES = (
    'SELECT m.name, il.name, il."unique", il.origin, il.partial, ix.seqno, ix.cid, '
    'ix.name, ix."desc" FROM {master} m, pragma_index_list(m.name, :schema) il, '
    "pragma_index_xinfo(il.name, :schema) ix WHERE "
    + _FILTER
    + " AND ix.key = 1 ORDER BY m.name, il.name, ix.seqno"
)
_FOREIGN_KEYS = (
    'SELECT m.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, '
    'f.on_delete, f."match" FROM {master} m, pragma_foreign_key_list(m.name, :schema) f '
    "WHERE " + _FILTER + " ORDER BY m.name, f.id, f.seq"
)


def _query(
    connection: Connection, schema: str | None, template: str, params: dict[str, Any]
) -> list[Any]:
    return list(connection.execute(text(template.format(master=_master(schema))), params).all())


def _statements(
    connection: Connection, schema: str | None, params: dict[str, Any]
) -> dict[tuple[str, str], str]:
    """The ``CREATE`` text of the tables and of their indexes, keyed by (type, name)."""
    rows = connection.execute(
        text(
            f"SELECT type, name, sql FROM {_master(schema)} WHERE type IN ('table', 'index') "
            "AND tbl_name IN (SELECT value FROM json_each(:names))"
        ),
        params,
    ).all()
    return {(row[0], row[1]): row[2] for row in rows if row[2]}


def _columns(dialect: Dialect, rows: list[Any], parsed: CatalogTable) -> list[ColumnInfo]:
    pk_columns = [r for r in rows if r[6]]
    columns: list[ColumnInfo] = []
    for position, row in enumerate(rows):
        _, _, name, type_text, notnull, default, pk, hidden = row
        if hidden == 1:
            continue
        type_ = sqlite_type(dialect, type_text or "")
        integer_pk = len(pk_columns) == 1 and pk and (type_text or "").upper() == "INTEGER"
        columns.append(
            ColumnInfo(
                name=name,
                type=type_,
                nullable=not notnull and not pk,
                default=default,
                autoincrement=bool(integer_pk),
                computed=parsed.computed.get(name) if hidden in (2, 3) else None,
                position=position,
                dialect_options=_declared_option(dialect, type_text or ""),
            )
        )
    return columns


def _primary_key(rows: list[Any], parsed: CatalogTable) -> PrimaryKeyInfo | None:
    keyed = sorted((r for r in rows if r[6]), key=lambda r: r[6])
    if not keyed:
        return None
    name = parsed.primary_key.name if parsed.primary_key else None
    return PrimaryKeyInfo(name, tuple(r[2] for r in keyed))


def _indexes(
    table: TableInfo, rows: list[Any], parsed: CatalogTable, sql: dict[tuple[str, str], str]
) -> None:
    autoindexes: list[tuple[str, tuple[str, ...]]] = []
    for index_name, items in group_rows(rows, lambda r: r[1]).items():
        unique, origin, partial = bool(items[0][2]), items[0][3], bool(items[0][4])
        if origin in ("pk", "u"):
            autoindexes.append((origin, tuple(str(r[7]) for r in items)))
            continue
        statement = parse_create_index(sql.get(("index", index_name)))
        table.indexes.append(_index(index_name, items, unique, partial, statement))
    table.uniques = _uniques(parsed, autoindexes)


def _uniques(
    parsed: CatalogTable, autoindexes: list[tuple[str, tuple[str, ...]]]
) -> list[UniqueInfo]:
    """Each ``UNIQUE`` of the ``CREATE TABLE`` text that an automatic index enforces, with its
    name, in the order written.  SQLite makes one index for several ``UNIQUE``s over the same
    columns (or for a ``UNIQUE`` over the primary key's), so two named ones over one column
    list are both reflected; an automatic ``UNIQUE`` index the text does not explain (the
    parser failed) is an unnamed unique constraint."""
    by_columns = {tuple(c.lower() for c in columns): columns for _, columns in autoindexes}
    found: list[UniqueInfo] = []
    explained: set[tuple[str, ...]] = set()
    for unique in parsed.uniques:
        key = tuple(c.lower() for c in unique.columns)
        if key in by_columns:
            found.append(UniqueInfo(unique.name, by_columns[key]))
            explained.add(key)
    for origin, columns in autoindexes:
        if origin == "u" and tuple(c.lower() for c in columns) not in explained:
            found.append(UniqueInfo(None, columns))
    return found


def _index(
    name: str, items: list[Any], unique: bool, partial: bool, statement: ParsedIndex
) -> IndexInfo:
    elements: list[str] = []
    flags: list[bool] = []
    for position, row in enumerate(items):
        is_expression = row[6] == -2
        if is_expression and position < len(statement.elements):
            elements.append(statement.elements[position])
        else:
            elements.append(str(row[7]))
        flags.append(is_expression)
    sorting = tuple(("desc",) if r[8] else () for r in items)
    options: dict[str, Any] = {}
    if partial and statement.where:
        options["sqlite_where"] = statement.where
    return IndexInfo(
        name=name,
        elements=tuple(elements),
        expressions=tuple(flags),
        unique=unique,
        sorting=sorting if any(sorting) else (),
        dialect_options=options,
    )


def _foreign_keys(rows: list[Any], parsed: CatalogTable) -> list[ForeignKeyInfo]:
    keys: list[ForeignKeyInfo] = []
    grouped = group_rows(rows, lambda r: r[1])
    for fk_id in sorted(grouped, reverse=True):
        items = grouped[fk_id]
        first = items[0]
        columns = tuple(str(r[4]) for r in items)
        referred = tuple(str(r[5]) if r[5] is not None else "" for r in items)
        named = next(
            (
                f
                for f in parsed.foreign_keys
                if f.columns == columns and f.referred_table.lower() == str(first[3]).lower()
            ),
            None,
        )
        keys.append(
            ForeignKeyInfo(
                name=named.name if named else None,
                columns=columns,
                referred_schema=None,
                referred_table=str(first[3]),
                referred_columns=referred,
                onupdate=_action(first[6]),
                ondelete=_action(first[7]),
                deferrable=named.deferrable if named else None,
                initially=named.initially if named else None,
                match=None if first[8] in (None, "NONE") else str(first[8]),
            )
        )
    return keys


def _action(value: str | None) -> str | None:
    if value is None or value.upper() == "NO ACTION":
        return None
    return value.upper()


def _resolve_implicit_references(tables: list[TableInfo]) -> None:
    """``REFERENCES parent`` without columns means the parent's primary key."""
    by_name = {t.name.lower(): t for t in tables}
    for table in tables:
        for fk in table.foreign_keys:
            if all(fk.referred_columns):
                continue
            parent = by_name.get(fk.referred_table.lower())
            if parent is not None and parent.primary_key is not None:
                fk.referred_columns = parent.primary_key.columns


_TYPE = re.compile(r"^\s*([A-Za-z_][\w ]*?)\s*(?:\((.*)\))?\s*$", re.S)


def sqlite_type(dialect: Dialect, declared: str) -> TypeEngine[Any]:
    """The SQLAlchemy type for a declared SQLite column type (``VARCHAR(20)``, ``INT``...),
    by name when the dialect knows it, else by SQLite's affinity rules."""
    if not declared.strip():
        return NullType()
    found = _TYPE.match(declared)
    if found is None:
        return _affinity(declared)
    name = found.group(1).upper()
    args = [a.strip() for a in (found.group(2) or "").split(",") if a.strip()]
    names: dict[str, type[TypeEngine[Any]]] = getattr(dialect, "ischema_names", {})
    cls = names.get(name)
    if cls is None:
        return _affinity(name)
    numbers = [int(a) for a in args if a.lstrip("-").isdigit()]
    try:
        return cls(*numbers)
    except TypeError:
        return cls()


def _declared_option(dialect: Dialect, declared: str) -> dict[str, Any]:
    """``{"sqlite_declared": text}`` for a declared type the dialect does not know by name
    (``BINARY(16)``, which a TypeDecorator may compile to): its type is read by affinity
    (``NUMERIC``), so the comparison goes by the declared text instead."""
    found = _TYPE.match(declared)
    if not declared.strip() or found is None:
        return {}
    names: dict[str, Any] = getattr(dialect, "ischema_names", {})
    return {} if found.group(1).upper() in names else {"sqlite_declared": declared}


def _affinity(name: str) -> TypeEngine[Any]:
    from sqlalchemy import types as sqltypes

    upper = name.upper()
    if "INT" in upper:
        return sqltypes.INTEGER()
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return sqltypes.TEXT()
    if "BLOB" in upper:
        return sqltypes.BLOB()
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return sqltypes.REAL()
    return sqltypes.NUMERIC()
