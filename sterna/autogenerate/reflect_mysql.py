"""MySQL/MariaDB reflection from ``information_schema``, one query per kind per schema.

SQLAlchemy's own MySQL reflection parses ``SHOW CREATE TABLE`` once per table; here the columns,
indexes, foreign keys, CHECK constraints and table options of all requested tables are read with
one ``SELECT`` each.  Unique constraints and unique indexes are the same thing in MySQL: every
unique index becomes a :class:`UniqueInfo` with ``from_index=True`` and the comparison matches it
against either kind in the models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from sterna.autogenerate.reflect import (
    CheckInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    Reader,
    SequenceInfo,
    TableInfo,
    UniqueInfo,
    group_rows,
)
from sterna.dialects.mysql_columns import (
    COLUMNS,
    TABLES,
    read_column,
    schema_name,
    select_for_names,
)
from sterna.dialects.sql_text import normalize_expression

_STATISTICS = select_for_names(
    "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, "
    "INDEX_TYPE, COLLATION FROM information_schema.STATISTICS "
    "WHERE TABLE_SCHEMA = :schema AND TABLE_NAME IN :names "
    "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
)
_FOREIGN_KEYS = select_for_names(
    "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, "
    "k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE "
    "FROM information_schema.KEY_COLUMN_USAGE k "
    "JOIN information_schema.REFERENTIAL_CONSTRAINTS r "
    "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
    "AND r.TABLE_NAME = k.TABLE_NAME "
    "WHERE k.TABLE_SCHEMA = :schema AND k.TABLE_NAME IN :names "
    "AND k.REFERENCED_TABLE_NAME IS NOT NULL "
    "ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION"
)
_CHECKS_MARIADB = select_for_names(
    "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
    "WHERE CONSTRAINT_SCHEMA = :schema AND TABLE_NAME IN :names ORDER BY TABLE_NAME, "
    "CONSTRAINT_NAME"
)
_CHECKS_MYSQL = select_for_names(
    "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE "
    "FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc "
    "ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME "
    "WHERE tc.TABLE_SCHEMA = :schema AND tc.CONSTRAINT_TYPE = 'CHECK' "
    "AND tc.TABLE_NAME IN :names ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME"
)
_SEQUENCES = text(
    "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
    "WHERE TABLE_TYPE = 'SEQUENCE' AND TABLE_SCHEMA IN :schemas ORDER BY TABLE_NAME"
).bindparams(bindparam("schemas", expanding=True))


class MySQLReader(Reader):
    def table_names(self, connection: Connection, schema: str | None) -> list[str]:
        rows = connection.execute(
            text(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = :schema "
                "AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME"
            ),
            {"schema": schema_name(connection, schema)},
        )
        return [row[0] for row in rows]

    def tables(
        self, connection: Connection, schema: str | None, names: Sequence[str]
    ) -> list[TableInfo]:
        params = {"schema": schema_name(connection, schema), "names": list(names)}
        options = {r[0]: r for r in connection.execute(TABLES, params).all()}
        columns = group_rows(connection.execute(COLUMNS, params).all(), lambda r: r[0])
        stats = group_rows(connection.execute(_STATISTICS, params).all(), lambda r: r[0])
        fks = group_rows(connection.execute(_FOREIGN_KEYS, params).all(), lambda r: r[0])
        checks = group_rows(_checks(connection, params), lambda r: r[0])
        default_db = str(connection.dialect.default_schema_name)
        tables: list[TableInfo] = []
        for name in names:
            if name not in options:
                continue
            _, comment, collation, engine = options[name]
            table = TableInfo(schema=schema, name=name, comment=comment or None)
            table.options = {"mysql_engine": engine, "collation": collation}
            table.columns = [
                read_column(connection, row, collation) for row in columns.get(name, [])
            ]
            _indexes(table, stats.get(name, []))
            table.foreign_keys = _foreign_keys(fks.get(name, []), default_db)
            table.checks = _table_checks(table, checks.get(name, []))
            tables.append(table)
        return tables

    def sequences(
        self, connection: Connection, schemas: Sequence[str | None]
    ) -> list[SequenceInfo]:
        if not getattr(connection.dialect, "is_mariadb", False):
            return []
        wanted = {schema_name(connection, s): s for s in schemas}
        rows = connection.execute(_SEQUENCES, {"schemas": list(wanted)})
        return [SequenceInfo(wanted[row[0]], row[1]) for row in rows]


def _checks(connection: Connection, params: dict[str, Any]) -> list[Any]:
    mariadb = getattr(connection.dialect, "is_mariadb", False)
    try:
        return list(connection.execute(_CHECKS_MARIADB if mariadb else _CHECKS_MYSQL, params))
    except DBAPIError:  # a server without CHECK constraints in information_schema
        return []


def _indexes(table: TableInfo, rows: list[Any]) -> None:
    for index_name, items in group_rows(rows, lambda r: r[1]).items():
        columns = tuple(str(r[4]) for r in items)
        if index_name == "PRIMARY":
            table.primary_key = PrimaryKeyInfo(None, columns)
            continue
        if not items[0][2]:
            table.uniques.append(UniqueInfo(index_name, columns, from_index=True))
            continue
        options: dict[str, Any] = {}
        lengths = {str(r[4]): int(r[5]) for r in items if r[5] is not None}
        if lengths:
            options["mysql_length"] = lengths
        if items[0][6] in ("FULLTEXT", "SPATIAL"):
            options["mysql_prefix"] = items[0][6]
        sorting = tuple(("desc",) if r[7] == "D" else () for r in items)
        table.indexes.append(
            IndexInfo(
                name=index_name,
                elements=columns,
                expressions=(False,) * len(columns),
                sorting=sorting if any(sorting) else (),
                dialect_options=options,
            )
        )


def _foreign_keys(rows: list[Any], default_db: str) -> list[ForeignKeyInfo]:
    keys: list[ForeignKeyInfo] = []
    for name, items in group_rows(rows, lambda r: r[1]).items():
        first = items[0]
        keys.append(
            ForeignKeyInfo(
                name=name,
                columns=tuple(str(r[2]) for r in items),
                referred_schema=None if first[3] == default_db else str(first[3]),
                referred_table=str(first[4]),
                referred_columns=tuple(str(r[5]) for r in items),
                onupdate=_rule(first[6]),
                ondelete=_rule(first[7]),
            )
        )
    return keys


def _rule(value: str | None) -> str | None:
    """An ON UPDATE/DELETE rule; MySQL's default (RESTRICT, also shown as NO ACTION) is None."""
    if value is None or value.upper() in ("RESTRICT", "NO ACTION"):
        return None
    return str(value)


def _table_checks(table: TableInfo, rows: list[Any]) -> list[CheckInfo]:
    """CHECK constraints, leaving out the ``json_valid()`` ones MariaDB adds to JSON columns
    (the column is marked ``mariadb_json`` instead)."""
    found: list[CheckInfo] = []
    for _, name, clause in rows:
        column = table.column(name)
        json_check = normalize_expression(clause, "mysql") == f"json_valid {name.lower()}"
        if column is not None and json_check:
            column.dialect_options["mariadb_json"] = True
            continue
        found.append(CheckInfo(name, str(clause)))
    return found
