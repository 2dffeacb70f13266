"""PostgreSQL reflection: columns through the bulk inspector, keys, constraints and indexes
through two lean catalog queries, plus enum types and free-standing sequences (one catalog query
each, for all schemas at once)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, inspect, text
from sqlalchemy.engine import Connection

from sterna.autogenerate.reflect import ColumnInfo, EnumInfo, SequenceInfo, TableInfo
from sterna.autogenerate.reflect_inspector import InspectorReader, column_info
from sterna.autogenerate.reflect_postgresql_catalog import read_constraints_and_indexes

#: Free-standing sequences: those owned by a serial or identity column are left out.
_SEQUENCES = text(
    """
    SELECT n.nspname AS schema_name, c.relname AS name, s.seqstart, s.seqincrement,
           s.seqmin, s.seqmax, s.seqcycle, s.seqcache, format_type(s.seqtypid, NULL) AS data_type
    FROM pg_catalog.pg_sequence s
    JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN :schemas
      AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
          AND d.deptype IN ('a', 'i')
      )
    ORDER BY n.nspname, c.relname
    """
).bindparams(bindparam("schemas", expanding=True))


_ENUMS = text(
    """
    SELECT n.nspname AS schema_name, t.typname AS name, e.enumlabel AS label
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
    WHERE t.typtype = 'e' AND n.nspname IN :schemas
    ORDER BY n.nspname, t.typname, e.enumsortorder
    """
).bindparams(bindparam("schemas", expanding=True))

#: Which relations use each enum type (directly or as an array), whatever their schema.
_ENUM_USERS = text(
    """
    SELECT DISTINCT tn.nspname AS schema_name, t.typname AS name,
           cn.nspname AS table_schema, c.relname AS table_name
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
    JOIN pg_catalog.pg_attribute a ON a.atttypid = t.oid OR a.atttypid = t.typarray
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
    WHERE t.typtype = 'e' AND NOT a.attisdropped AND tn.nspname IN :schemas
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    """
).bindparams(bindparam("schemas", expanding=True))


class PostgresqlReader(InspectorReader):
    def tables(
        self, connection: Connection, schema: str | None, names: Sequence[str]
    ) -> list[TableInfo]:
        """Columns and table comments through the inspector; keys, constraints and indexes
        through :mod:`.reflect_postgresql_catalog`."""
        insp = inspect(connection)
        kw: dict[str, Any] = {"schema": schema, "filter_names": list(names)}
        columns = insp.get_multi_columns(**kw)
        comments: dict[Any, Any] = dict(insp.get_multi_table_comment(**kw))
        tables: list[TableInfo] = []
        for name in names:
            if (schema, name) not in columns:
                continue
            table = TableInfo(schema=schema, name=name)
            table.columns = [column_info(d, i) for i, d in enumerate(columns[(schema, name)])]
            table.comment = (comments.get((schema, name)) or {}).get("text")
            tables.append(table)
        default = connection.dialect.default_schema_name
        read_constraints_and_indexes(
            connection, schema if schema is not None else str(default), default, tables
        )
        for table in tables:
            for column in table.columns:
                _serial_or_named_sequence(column, table.name)
        return tables

    def enums(self, connection: Connection, schemas: Sequence[str | None]) -> list[EnumInfo]:
        default = connection.dialect.default_schema_name
        wanted = {default if s is None else s: s for s in schemas}
        params = {"schemas": list(wanted)}
        labels: dict[tuple[str, str], list[str]] = {}
        for row in connection.execute(_ENUMS, params):
            labels.setdefault((row.schema_name, row.name), []).append(row.label)
        users: dict[tuple[str, str], list[tuple[str | None, str]]] = {}
        for row in connection.execute(_ENUM_USERS, params):
            table_schema = None if row.table_schema == default else row.table_schema
            users.setdefault((row.schema_name, row.name), []).append((table_schema, row.table_name))
        return [
            EnumInfo(wanted[schema], name, tuple(values), tuple(users.get((schema, name), ())))
            for (schema, name), values in labels.items()
        ]

    def sequences(
        self, connection: Connection, schemas: Sequence[str | None]
    ) -> list[SequenceInfo]:
        default = connection.dialect.default_schema_name
        wanted = {default if s is None else s: s for s in schemas}
        found: list[SequenceInfo] = []
        for row in connection.execute(_SEQUENCES, {"schemas": list(wanted)}):
            options = {
                "start": row.seqstart,
                "increment": row.seqincrement,
                "minvalue": row.seqmin,
                "maxvalue": row.seqmax,
                "cycle": bool(row.seqcycle),
                "cache": row.seqcache,
                "data_type": row.data_type,
            }
            found.append(SequenceInfo(wanted[row.schema_name], row.name, options))
        return found


_NEXTVAL = re.compile(r"""^nextval\('(?:"?[^'"]+"?\.)?"?([^'"]+)"?'::regclass\)$""")


def _serial_or_named_sequence(column: ColumnInfo, table: str) -> None:
    """A serial column loses its ``nextval`` default (part of SERIAL).  A column whose default
    draws from another, named sequence is no autoincrement column: made again with that
    default and ``autoincrement=True``, ``CREATE TABLE`` would write SERIAL, ignoring it."""
    if column.autoincrement is not True or column.default is None:
        return
    if _owned_sequence_default(column.default, table, column.name):
        column.default = None
    elif _NEXTVAL.match(column.default):
        column.autoincrement = False


def _owned_sequence_default(default: str | None, table: str, column: str) -> bool:
    """A serial column's ``nextval('<table>_<column>_seq'::regclass)`` default: part of the
    column's type, not a server default of its own."""
    if default is None:
        return False
    found = _NEXTVAL.match(default)
    if found is None:
        return False
    sequence = found.group(1)
    return sequence == f"{table}_{column}_seq" or (
        len(f"{table}_{column}_seq") > 63 and sequence.endswith("_seq")
    )
