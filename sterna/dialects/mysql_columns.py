"""MySQL/MariaDB columns read from ``information_schema`` with bound parameters (any name
works): the column part of autogenerate's MySQL reader (:mod:`sterna.autogenerate.reflect_mysql`,
which imports it from here), and what ``ddl/mysql.py`` fills missing ``existing_*`` values of
``alter_column`` with (:func:`read_columns`).  Below both ``ddl`` and ``autogenerate``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from sterna.dialects.mysql_types import mysql_type
from sterna.dialects.records import ColumnInfo, ComputedInfo


def select_for_names(sql: str) -> Any:
    return text(sql).bindparams(bindparam("names", expanding=True))


TABLES = select_for_names(
    "SELECT TABLE_NAME, TABLE_COMMENT, TABLE_COLLATION, ENGINE FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = :schema AND TABLE_NAME IN :names"
)
COLUMNS = select_for_names(
    "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, "
    "COLUMN_TYPE, COLLATION_NAME, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION "
    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = :schema AND TABLE_NAME IN :names "
    "ORDER BY TABLE_NAME, ORDINAL_POSITION"
)
#: Column types whose COLUMN_DEFAULT is shown unquoted by MySQL (not MariaDB) yet is a number.
_NUMERIC_TYPES = frozenset(
    {
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "integer",
        "bigint",
        "decimal",
        "numeric",
        "float",
        "double",
        "real",
        "bit",
        "year",
    }
)


def schema_name(connection: Connection, schema: str | None) -> str:
    return schema if schema is not None else str(connection.dialect.default_schema_name)


def read_columns(
    connection: Connection, schema: str | None, table_name: str
) -> list[ColumnInfo] | None:
    """The columns of one table (``None`` when there is no such table), read with bound
    parameters, so any name works (``ddl/mysql.py`` fills missing ``existing_*`` with it)."""
    params = {"schema": schema_name(connection, schema), "names": [table_name]}
    found = connection.execute(TABLES, params).all()
    if not found:
        return None
    collation = found[0][2]
    rows = connection.execute(COLUMNS, params).all()
    return [read_column(connection, row, collation) for row in rows if row[0] == found[0][0]]


def read_column(connection: Connection, row: Any, table_collation: str | None) -> ColumnInfo:
    (
        _,
        name,
        position,
        default,
        nullable,
        data_type,
        column_type,
        collation,
        extra,
        comment,
        generated,
    ) = row
    extra = (extra or "").lower()
    own_collation = collation if collation and collation != table_collation else None
    computed = None
    if generated:
        computed = ComputedInfo(str(generated), "stored" in extra or "persistent" in extra)
    return ColumnInfo(
        name=name,
        type=mysql_type(connection.dialect, column_type, own_collation),
        nullable=nullable == "YES",
        default=None if computed else _default(connection, default, data_type, extra),
        autoincrement="auto_increment" in extra,
        comment=comment or None,
        computed=computed,
        position=int(position) - 1,
        dialect_options=_column_options(extra, collation),
    )


def _column_options(extra: str, collation: str | None) -> dict[str, Any]:
    """``mysql_on_update`` (the ``ON UPDATE`` clause) and ``mysql_collation`` (the column's
    collation even when it is the table's: its character set sizes a ``TEXT(n)``)."""
    options: dict[str, Any] = {}
    if "on update" in extra:
        options["mysql_on_update"] = _on_update(extra)
    if collation:
        options["mysql_collation"] = str(collation)
    return options


def _default(connection: Connection, value: str | None, data_type: str, extra: str) -> str | None:
    """``COLUMN_DEFAULT`` as SQL text.  MariaDB shows SQL already (``'x'``, ``NULL``, ``1``,
    ``current_timestamp()``); MySQL shows a string default unquoted."""
    if value is None:
        return None
    if getattr(connection.dialect, "is_mariadb", False):
        return None if value == "NULL" else value
    if "default_generated" in extra or data_type.lower() in _NUMERIC_TYPES:
        return value
    if value.upper().startswith("CURRENT_TIMESTAMP"):
        return value
    return "'" + value.replace("'", "''") + "'"


def _on_update(extra: str) -> str:
    return extra.split("on update", 1)[1].strip()
