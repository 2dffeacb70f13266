"""The database as a snapshot of plain records, read with bulk queries.

``reflect(connection, schemas, include_table=...)`` lists the tables of each schema (one query),
drops those the caller excludes *before* anything else is read about them, and then reads each
kind of object for all remaining tables at once:

* PostgreSQL (and any other dialect): SQLAlchemy's ``Inspector.get_multi_*`` calls, one query per
  kind per schema (:mod:`sterna.autogenerate.reflect_inspector`), plus enum types and sequences;
* MySQL/MariaDB: ``information_schema`` read once per kind (:mod:`.reflect_mysql`);
* SQLite: the table-valued pragma functions joined over ``sqlite_master``, one query per kind
  (:mod:`.reflect_sqlite`).

The records are dataclasses holding names, SQLAlchemy type objects and SQL text; comparisons
read them directly, and :mod:`.reflect_build` turns them into ``Table``/``Column`` objects only
where an operation or a user hook needs one.  Schema ``None`` always means the connection's
default schema.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from sterna.dialects import profile_for
from sterna.dialects.records import (  # the snapshot records (re-exported: their old home)
    CheckInfo,
    ColumnInfo,
    ComputedInfo,
    EnumInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    SequenceInfo,
    Snapshot,
    TableInfo,
    TableKey,
    UniqueInfo,
)
from sterna.util.progress import status

__all__ = [
    "CheckInfo",
    "ColumnInfo",
    "ComputedInfo",
    "EnumInfo",
    "ForeignKeyInfo",
    "IndexInfo",
    "PrimaryKeyInfo",
    "Reader",
    "SequenceInfo",
    "Snapshot",
    "TableFilter",
    "TableInfo",
    "TableKey",
    "UniqueInfo",
    "group_rows",
    "reflect",
    "schema_names",
]

#: ``include_table(schema, name) -> bool``: called once per listed table, before reflection.
TableFilter = Callable[[str | None, str], bool]


def reflect(
    connection: Connection,
    schemas: Sequence[str | None],
    *,
    include_table: TableFilter | None = None,
    with_enums: bool = True,
    with_sequences: bool = True,
    column_hook: Callable[[TableInfo], None] | None = None,
) -> Snapshot:
    """Read the tables of ``schemas`` (None: the default schema) into a :class:`Snapshot`.

    ``column_hook(table)`` runs for each reflected table before anything is compared (the
    dialect implementation's ``autogen_column_reflect``, one call per column)."""
    dialect_name = connection.dialect.name
    reader = _reader_for(dialect_name)
    snapshot = Snapshot(
        dialect_name=dialect_name,
        default_schema=connection.dialect.default_schema_name,
        schemas=tuple(schemas),
    )
    for schema in schemas:
        names = reader.table_names(connection, schema)
        kept = [n for n in names if include_table is None or include_table(schema, n)]
        kept_set = set(kept)
        snapshot.excluded.update((schema, n) for n in names if n not in kept_set)
        if kept:
            where = f" of schema {schema}" if schema else ""
            status(f"reflecting {len(kept)} {'table' if len(kept) == 1 else 'tables'}{where}")
            for table in reader.tables(connection, schema, kept):
                if column_hook is not None:
                    column_hook(table)
                snapshot.tables[(schema, table.name)] = table
    if with_enums:
        for enum in reader.enums(connection, schemas):
            snapshot.enums[(enum.schema, enum.name)] = enum
    if with_sequences:
        for sequence in reader.sequences(connection, schemas):
            snapshot.sequences[(sequence.schema, sequence.name)] = sequence
    return snapshot


class Reader:
    """What one dialect's reflection module provides (all bulk)."""

    def table_names(self, connection: Connection, schema: str | None) -> list[str]:
        from sqlalchemy import inspect

        return list(inspect(connection).get_table_names(schema=schema))

    def tables(
        self, connection: Connection, schema: str | None, names: Sequence[str]
    ) -> list[TableInfo]:
        raise NotImplementedError

    def enums(self, connection: Connection, schemas: Sequence[str | None]) -> list[EnumInfo]:
        return []

    def sequences(
        self, connection: Connection, schemas: Sequence[str | None]
    ) -> list[SequenceInfo]:
        return []


def _reader_for(dialect_name: str) -> Reader:
    """The reader the dialect's profile names (``"module:Class"``), imported on first use."""
    module, _, cls = profile_for(dialect_name).reader.partition(":")
    reader: Reader = getattr(importlib.import_module(module), cls)()
    return reader


def schema_names(connection: Connection) -> list[str]:
    """The user schemas of the database (system schemas left out)."""
    from sqlalchemy import inspect

    system = profile_for(connection.dialect).system_schemas
    return [
        name
        for name in inspect(connection).get_schema_names()
        if name not in system and not name.startswith("pg_")
    ]


def group_rows(rows: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    """Rows grouped by ``key(row)``, keeping their order."""
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped
