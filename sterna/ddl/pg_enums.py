"""Removing a value from a PostgreSQL enum type, which has no ``ALTER TYPE ... DROP VALUE``.

The type is renamed aside, recreated without the value, every column using it is converted
(``USING col::text::type``, defaults saved and restored), and the old type dropped.  Rows that
still hold the value make the conversion fail, so the transaction rolls back with the server's
error.  This reads the catalog, so it runs online only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import ENUM
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType

from sterna.ddl.elements import ColumnDefault, ColumnType
from sterna.errors_ddl import OperationError

if TYPE_CHECKING:
    from sterna.ddl.postgresql import PostgresqlImpl


class EnumColumn(NamedTuple):
    """A table column whose type is the enum, with its default expression (SQL) if any."""

    schema: str
    table: str
    column: str
    default: str | None


_LABELS = text(
    "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = :name "
    "AND n.nspname = coalesce(:schema, current_schema()) ORDER BY e.enumsortorder"
)
_COLUMNS = text(
    "SELECT n.nspname, c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid) "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE t.typname = :name AND tn.nspname = coalesce(:schema, current_schema()) "
    "AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') "
    "ORDER BY n.nspname, c.relname, a.attnum"
)


def drop_enum_value(impl: PostgresqlImpl, name: str, value: str, schema: str | None) -> None:
    if impl.as_sql or impl.connection is None:
        raise impl._unsupported(
            f"drop_enum_value({name!r}, {value!r}) in offline mode",
            "it reads the columns using the type from the database",
        )
    conn = impl.connection
    params: dict[str, Any] = {"name": name, "schema": schema}
    labels = [row[0] for row in conn.execute(_LABELS, params)]
    if not labels:
        raise OperationError(f"drop_enum_value: enum type {name!r} does not exist")
    if value not in labels:
        raise OperationError(f"drop_enum_value: enum type {name!r} has no value {value!r}")
    columns = [EnumColumn(*row) for row in conn.execute(_COLUMNS, params)]
    old_name = f"{name}__sterna_old"
    from sterna.ddl.postgresql import RenameEnum

    impl._exec(RenameEnum(name, schema, old_name))
    enum = ENUM(*[label for label in labels if label != value], name=name, schema=schema)
    impl._exec(CreateEnumType(enum))
    preparer = impl.dialect.identifier_preparer
    qualified = preparer.quote(name)
    if schema:
        qualified = f"{preparer.quote_schema(schema)}.{qualified}"
    for col in columns:
        _convert_column(impl, col, qualified, enum)
    from sterna.ddl.postgresql import DropEnum

    impl._exec(DropEnum(old_name, schema))


def _convert_column(impl: PostgresqlImpl, col: EnumColumn, qualified: str, enum: ENUM) -> None:
    column = impl.dialect.identifier_preparer.quote(col.column)
    if col.default is not None:
        impl._exec(ColumnDefault(col.table, col.column, None, col.schema))
    impl._exec(
        ColumnType(col.table, col.column, enum, col.schema, using=f"{column}::text::{qualified}")
    )
    if col.default is not None:
        impl._exec(ColumnDefault(col.table, col.column, text(col.default), col.schema))
