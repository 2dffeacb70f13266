"""SQLAlchemy objects -> the text parts of a table rebuild, compiled by the target dialect.

A rebuild adds columns, constraints and indexes given as SQLAlchemy objects (by batch
directives, ``copy_from``, ``table_args`` or reflection).  Each is compiled with the dialect's own
DDL compiler -- so quoting, types and defaults are the dialect's -- and parsed back into the parts
:mod:`sterna.ddl.recreate_model` works with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Index, Integer, MetaData, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable
from sqlalchemy.sql.schema import (
    CheckConstraint,
    Constraint,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.types import NullType

from sterna.ddl.recreate_parse import (
    ColumnDef,
    IndexDef,
    ParsedTable,
    TableConstraint,
    parse_column,
    parse_create_index,
    parse_create_table,
    parse_table_constraint,
)
from sterna.ddl.recreate_sql import escape_binds


def compile_ddl(construct: Any, dialect: Dialect) -> str:
    return str(construct.compile(dialect=dialect)).replace("\t", "    ").strip()


def _ddl_compiler(dialect: Dialect) -> Any:
    return dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]


@dataclass
class ColumnParts:
    """What adding one column brings: its definition, table-level constraints (foreign keys,
    UNIQUE, the CHECK of a Boolean/Enum type) and indexes (``index=True``)."""

    column: ColumnDef
    constraints: list[TableConstraint] = field(default_factory=list)
    indexes: list[IndexDef] = field(default_factory=list)
    comment: str | None = None


def ensure_referents(table: Table) -> None:
    """Add placeholder tables for the referents of ``table``'s foreign keys, so that the
    constraints compile (only the referent's name and column names are rendered)."""
    metadata = table.metadata
    for constraint in list(table.foreign_key_constraints):
        for element in constraint.elements:
            parts = element.target_fullname.split(".")
            if len(parts) < 2:
                continue
            schema = ".".join(parts[:-2]) or None
            key = f"{schema}.{parts[-2]}" if schema else parts[-2]
            referent = metadata.tables.get(key)
            if referent is None:
                referent = Table(parts[-2], metadata, schema=schema)
            if parts[-1] not in referent.c:
                referent.append_column(Column(parts[-1], NullType()))


def stub_table(
    name: str, schema: str | None, naming_convention: Mapping[str, Any] | None, *items: Any
) -> Table:
    metadata = (
        MetaData(naming_convention=dict(naming_convention)) if naming_convention else MetaData()
    )
    table = Table(name, metadata, *items, schema=schema)
    ensure_referents(table)
    return table


def column_parts(
    column: Column[Any],
    table_name: str,
    schema: str | None,
    dialect: Dialect,
    naming_convention: Mapping[str, Any] | None = None,
) -> ColumnParts:
    """Compile a new column (a copy of ``column``) as it would appear in ``table_name``."""
    copy = column._copy()
    table = stub_table(table_name, schema, naming_convention, copy)
    spec = compile_ddl(CreateColumn(copy), dialect)
    definition = parse_column_text(spec)
    definition.source = None
    parts = ColumnParts(definition, comment=copy.comment)
    for constraint in sorted(table.constraints, key=lambda c: c._creation_order):
        if constraint in copy.constraints:
            continue
        if isinstance(constraint, PrimaryKeyConstraint) and not constraint.columns:
            continue  # (a primary_key=True column makes the table's primary key: kept)
        parts.constraints.append(constraint_part(constraint, dialect))
    for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
        parts.indexes.append(index_part(index, dialect))
    return parts


def parse_column_text(spec: str) -> ColumnDef:
    from sterna.ddl.recreate_sql import tokenize

    return parse_column(tokenize(spec))


def constraint_part(constraint: Constraint, dialect: Dialect) -> TableConstraint:
    """A table constraint compiled to text (``CONSTRAINT name UNIQUE (a)``...)."""
    from sterna.ddl.recreate_sql import tokenize

    if isinstance(constraint, PrimaryKeyConstraint):
        text = _primary_key_text(constraint, dialect)
    else:
        compiled = _ddl_compiler(dialect).process(constraint)
        if not compiled:
            raise ValueError(f"{type(constraint).__name__} renders no DDL on {dialect.name}")
        text = str(compiled)
    return parse_table_constraint(tokenize(text.replace("\t", "    ").strip()))


def _primary_key_text(constraint: PrimaryKeyConstraint, dialect: Dialect) -> str:
    preparer = dialect.identifier_preparer
    columns = ", ".join(preparer.quote(c.name) for c in constraint.columns)
    prefix = ""
    if constraint.name is not None and type(constraint.name).__name__ != "_NoneName":
        prefix = f"CONSTRAINT {preparer.format_constraint(constraint)} "
    return f"{prefix}PRIMARY KEY ({columns})"


def index_part(index: Index, dialect: Dialect) -> IndexDef:
    return parse_create_index(compile_ddl(CreateIndex(index), dialect))


def type_text(type_: Any, dialect: Dialect) -> str:
    from sqlalchemy.types import to_instance

    return str(dialect.type_compiler_instance.process(to_instance(type_)))


def default_text(server_default: Any, dialect: Dialect) -> str:
    """The text after ``DEFAULT`` for a server default (string, ``text()``, expression), with
    the parentheses the dialect's column definition puts around it (SQLite takes a function
    default only as ``DEFAULT (datetime('now'))``)."""
    column: Column[Any] = Column("x", Integer(), server_default=server_default)
    Table("t", MetaData(), column)
    compiler = _ddl_compiler(dialect)
    rendered = str(compiler.get_column_default_string(column))
    if f"DEFAULT ({rendered})" in compiler.get_column_specification(column):
        return f"({rendered})"
    return rendered


def type_checks(
    column_name: str,
    type_: Any,
    table_name: str,
    schema: str | None,
    dialect: Dialect,
    naming_convention: Mapping[str, Any] | None = None,
) -> list[TableConstraint]:
    """The CHECK constraints a type brings along (``Boolean``/``Enum`` with
    ``create_constraint=True``) for a column of that type."""
    column: Column[Any] = Column(column_name, type_)
    table = stub_table(table_name, schema, naming_convention, column)
    return [
        constraint_part(c, dialect)
        for c in table.constraints
        if isinstance(c, CheckConstraint) and getattr(c, "_type_bound", False)
    ]


def table_parts(table: Table, dialect: Dialect) -> tuple[ParsedTable, list[IndexDef]]:
    """A SQLAlchemy table compiled to ``CREATE TABLE``/``CREATE INDEX`` and parsed."""
    ensure_referents(table)
    parsed = parse_create_table(compile_ddl(CreateTable(table), dialect))
    indexes = [index_part(ix, dialect) for ix in sorted(table.indexes, key=lambda i: str(i.name))]
    return parsed, indexes


def convention_name(
    constraint: TableConstraint,
    table_name: str,
    schema: str | None,
    naming_convention: Mapping[str, Any],
    dialect: Dialect,
) -> str | None:
    """The name ``naming_convention`` gives an unnamed constraint (None when it gives none)."""
    columns = constraint.columns
    table = stub_table(
        table_name, schema, naming_convention, *[Column(c, NullType()) for c in columns]
    )
    built: Constraint
    try:
        if constraint.kind == "unique":
            built = UniqueConstraint(*columns)
        elif constraint.kind == "primary":
            built = PrimaryKeyConstraint(*columns)
        elif constraint.kind == "foreign" and constraint.ref_table:
            remote = constraint.ref_columns or columns
            built = ForeignKeyConstraint(columns, [f"{constraint.ref_table}.{c}" for c in remote])
        elif constraint.kind == "check":
            built = CheckConstraint("1")
        else:
            return None
        table.append_constraint(built)
        ensure_referents(table)
        part = constraint_part(built, dialect)
    except Exception:  # a convention that cannot name this constraint
        return None
    return part.name


def executable(sql: str) -> Any:
    """SQL text kept or generated by the rebuild, as a ``text()`` that runs it verbatim."""
    from sqlalchemy import text

    return text(escape_binds(sql))
