"""SQLAlchemy schema objects built from snapshot records.

Comparisons work on the records; an operation that drops something needs the object itself (so
that its ``reverse()`` can recreate it), and project hooks (``include_object``, comparators, the
dialect implementation's hooks) get the SQLAlchemy objects Alembic would give them.  These
builders make them on demand; each object keeps its record in ``info[REFLECTED]``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    DefaultClause,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.sql.schema import SchemaItem
from sqlalchemy.types import NullType

from sterna.autogenerate.reflect import (
    CheckInfo,
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
    TableInfo,
    UniqueInfo,
)
from sterna.ddl.impl_hooks import REFLECTED

_IDENTITY_KEYS = (
    "always",
    "on_null",
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
)


def identity_of(options: dict[str, Any]) -> Identity:
    return Identity(**{k: v for k, v in options.items() if k in _IDENTITY_KEYS})


def server_default_of(column: ColumnInfo) -> Any:
    """What ``Column.server_default`` is for the reflected column (None when it has none)."""
    if column.computed is not None:
        return Computed(text(column.computed.sqltext), persisted=column.computed.persisted)
    if column.identity is not None:
        return identity_of(column.identity)
    if column.default is None:
        return None
    return DefaultClause(text(column.default))


def build_column(column: ColumnInfo) -> Column[Any]:
    """A detached ``Column`` for a reflected column."""
    items: list[Any] = []
    server_default: Any = None
    if column.computed is not None:
        items.append(Computed(text(column.computed.sqltext), persisted=column.computed.persisted))
    elif column.identity is not None:
        items.append(identity_of(column.identity))
    elif column.default is not None:
        server_default = DefaultClause(text(column.default))
    autoincrement: Any = column.autoincrement
    if autoincrement not in (True, False, "auto", "ignore_fk"):
        autoincrement = "auto"
    return Column(
        column.name,
        column.type,
        *items,
        nullable=column.nullable,
        server_default=server_default,
        autoincrement=autoincrement,
        comment=column.comment,
        info={REFLECTED: column},
    )


def _fk_target(fk: ForeignKeyInfo, column: str) -> str:
    if fk.referred_schema:
        return f"{fk.referred_schema}.{fk.referred_table}.{column}"
    return f"{fk.referred_table}.{column}"


def build_foreign_key(fk: ForeignKeyInfo) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        list(fk.columns),
        [_fk_target(fk, c) for c in fk.referred_columns],
        name=fk.name,
        onupdate=fk.onupdate,
        ondelete=fk.ondelete,
        deferrable=fk.deferrable,
        initially=fk.initially,
        match=fk.match,
        info={REFLECTED: fk},
    )


_INDEX_TEXT_OPTIONS = frozenset({"postgresql_where", "sqlite_where"})


def build_index(index: IndexInfo) -> Index:
    """A (detached) ``Index``; plain columns by name, expressions as ``text()``."""
    elements: list[Any] = []
    for element, is_expression in zip(index.elements, index.expressions, strict=False):
        elements.append(text(element) if is_expression else element)
    options: dict[str, Any] = {}
    for key, value in index.dialect_options.items():
        if key in _INDEX_TEXT_OPTIONS and isinstance(value, str):
            options[key] = text(value)
        elif key != "mysql_on_update":
            options[key] = value
    return Index(index.name, *elements, unique=index.unique, info={REFLECTED: index}, **options)


def build_unique(unique: UniqueInfo, as_index: bool = False) -> Index | UniqueConstraint:
    """A unique constraint, or (MySQL's kind) the unique index it is."""
    if as_index:
        return Index(unique.name, *unique.columns, unique=True, info={REFLECTED: unique})
    return UniqueConstraint(*unique.columns, name=unique.name, info={REFLECTED: unique})


def build_check(check: CheckInfo) -> CheckConstraint:
    return CheckConstraint(text(check.sqltext), name=check.name, info={REFLECTED: check})


def table_items(table: TableInfo) -> list[SchemaItem]:
    """Columns, constraints and indexes of a reflected table, ready for ``Table(...)``."""
    items: list[SchemaItem] = [build_column(c) for c in table.columns]
    if table.primary_key is not None:
        items.append(PrimaryKeyConstraint(*table.primary_key.columns, name=table.primary_key.name))
    items.extend(build_foreign_key(fk) for fk in table.foreign_keys)
    for unique in table.uniques:
        items.append(build_unique(unique, as_index=unique.from_index))
    items.extend(build_check(c) for c in table.checks)
    items.extend(build_index(ix) for ix in table.indexes)
    return items


def build_table(table: TableInfo, metadata: MetaData) -> Table:
    """The reflected table as a ``Table`` in ``metadata`` (replaced if already there)."""
    key = f"{table.schema}.{table.name}" if table.schema else table.name
    if key in metadata.tables:
        metadata.remove(metadata.tables[key])
    kw: dict[str, Any] = {}
    if table.comment is not None:
        kw["comment"] = table.comment
    built = Table(table.name, metadata, *table_items(table), schema=table.schema, **kw)
    _add_referred_placeholders(table, built)
    return built


def _add_referred_placeholders(table: TableInfo, built: Table) -> None:
    """A stand-in table for each table the foreign keys refer to that is not reflected (an
    include_name hook left it out), with every referred column typed as the referring one, so
    that ``fk.referred_table`` and ``fk.column`` answer (an include_object hook reading them
    failed with NoReferencedTableError).  A table reflected later replaces its stand-in."""
    metadata = built.metadata
    for fk in table.foreign_keys:
        name, schema = fk.referred_table, fk.referred_schema
        stand_in = metadata.tables.get(f"{schema}.{name}" if schema else name)
        if stand_in is None:
            stand_in = Table(name, metadata, schema=schema, info={_STAND_IN: True})
        if not stand_in.info.get(_STAND_IN):
            continue
        for local, referred in zip(fk.columns, fk.referred_columns, strict=False):
            if referred not in stand_in.c:
                kind = built.c[local].type if local in built.c else NullType()
                stand_in.append_column(Column(referred, kind))


#: ``Table.info`` key of a referred table's stand-in
_STAND_IN = "sterna_referred_stand_in"
