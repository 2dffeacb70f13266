"""DDL constructs SQLAlchemy lacks (ALTER TABLE ... ADD/DROP/ALTER COLUMN, RENAME ...).

Each is an ``ExecutableDDLElement`` compiled by the dialect's own DDL compiler, so identifiers are
quoted by the dialect's preparer and literals escaped by its literal renderer: no name or value is
ever pasted into SQL.  This module holds the constructs and their default (standard SQL /
PostgreSQL-like) compilation; ``sqlite.py``, ``postgresql.py`` and ``mysql.py`` register the
dialect-specific forms with ``@compiles(Construct, "<dialect>")``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, MetaData, String, Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn, ExecutableDDLElement
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.schema import ForeignKeyConstraint
from sqlalchemy.types import NullType, TypeEngine, to_instance

#: Table name of an index dropped without naming its table (``op.drop_index("ix")``).
UNKNOWN_TABLE = "_sterna_unknown_table"


class AlterTable(ExecutableDDLElement):
    """Base: a statement about one table, named by name and schema."""

    def __init__(self, table_name: str, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


class RenameTable(AlterTable):
    def __init__(self, table_name: str, new_table_name: str, schema: str | None = None) -> None:
        super().__init__(table_name, schema)
        self.new_table_name = new_table_name


class AddColumn(AlterTable):
    """``ADD COLUMN``; ``column`` must belong to a table (for its column-level constraints)."""

    def __init__(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        *,
        if_not_exists: bool = False,
        inline_references: bool = False,
        inline_primary_key: bool = False,
    ) -> None:
        super().__init__(table_name, schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key


class DropColumn(AlterTable):
    def __init__(
        self,
        table_name: str,
        column_name: str,
        schema: str | None = None,
        *,
        if_exists: bool = False,
    ) -> None:
        super().__init__(table_name, schema)
        self.column_name = column_name
        self.if_exists = if_exists


class AlterColumn(AlterTable):
    """Base of the one-aspect ``ALTER COLUMN`` statements."""

    def __init__(self, table_name: str, column_name: str, schema: str | None = None) -> None:
        super().__init__(table_name, schema)
        self.column_name = column_name


class ColumnType(AlterColumn):
    def __init__(
        self,
        table_name: str,
        column_name: str,
        type_: Any,
        schema: str | None = None,
        *,
        using: str | None = None,
    ) -> None:
        super().__init__(table_name, column_name, schema)
        self.type_: TypeEngine[Any] = to_instance(type_)
        self.using = using


class ColumnNullable(AlterColumn):
    def __init__(
        self, table_name: str, column_name: str, nullable: bool, schema: str | None = None
    ) -> None:
        super().__init__(table_name, column_name, schema)
        self.nullable = nullable


class ColumnDefault(AlterColumn):
    """``SET DEFAULT`` (``default`` as accepted by ``Column(server_default=...)``) or, for
    ``None``, ``DROP DEFAULT``."""

    def __init__(
        self, table_name: str, column_name: str, default: Any, schema: str | None = None
    ) -> None:
        super().__init__(table_name, column_name, schema)
        self.default = default


class ColumnName(AlterColumn):
    def __init__(
        self, table_name: str, column_name: str, new_name: str, schema: str | None = None
    ) -> None:
        super().__init__(table_name, column_name, schema)
        self.new_name = new_name


class ColumnComment(AlterColumn):
    def __init__(
        self, table_name: str, column_name: str, comment: str | None, schema: str | None = None
    ) -> None:
        super().__init__(table_name, column_name, schema)
        self.comment = comment


# -- formatting helpers shared by the dialect modules -------------------------------------------


def format_table(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """``schema.name`` quoted as the dialect requires."""
    preparer = compiler.preparer
    quoted = preparer.quote(name)
    if schema:
        return f"{preparer.quote_schema(schema)}.{quoted}"
    return quoted


def format_column(compiler: DDLCompiler, name: str) -> str:
    return compiler.preparer.quote(name)


def format_type(compiler: DDLCompiler, type_: Any) -> str:
    return compiler.dialect.type_compiler_instance.process(to_instance(type_))


def format_literal(compiler: DDLCompiler, value: str | None) -> str:
    """A string literal escaped by the dialect (``NULL`` for None)."""
    if value is None:
        return "NULL"
    return compiler.sql_compiler.render_literal_value(value, String())


def format_server_default(compiler: DDLCompiler, default: Any) -> str | None:
    """The SQL of a server default (a string is a literal; ``text()`` is SQL as written)."""
    if default is None:
        return None
    column: Column[Any] = Column("_", NullType(), server_default=default)
    return compiler.get_column_default_string(column)


def alter_table(compiler: DDLCompiler, element: AlterTable) -> str:
    return f"ALTER TABLE {format_table(compiler, element.table_name, element.schema)}"


def alter_column(compiler: DDLCompiler, element: AlterColumn) -> str:
    return f"{alter_table(compiler, element)} ALTER COLUMN " + format_column(
        compiler, element.column_name
    )


def column_definition(compiler: DDLCompiler, element: AddColumn) -> str:
    """The column as in CREATE TABLE, plus inline REFERENCES / PRIMARY KEY when asked."""
    text = str(compiler.process(CreateColumn(element.column)))
    if element.inline_primary_key and element.column.primary_key:
        text += " PRIMARY KEY"
    if element.inline_references:
        constraints = [fk.constraint for fk in element.column.foreign_keys]
        for constraint in sorted(constraints, key=lambda c: getattr(c, "_creation_order", 0)):
            assert isinstance(constraint, ForeignKeyConstraint)
            text += " " + inline_references(compiler, constraint)
    return text


def inline_references(compiler: DDLCompiler, constraint: ForeignKeyConstraint) -> str:
    """``[CONSTRAINT name] REFERENCES t (c) [MATCH ...] [ON ...] [DEFERRABLE ...]``."""
    preparer = compiler.preparer
    parts = []
    if constraint.name is not None:
        name = preparer.format_constraint(constraint)
        if name:
            parts.append(f"CONSTRAINT {name}")
    remote = constraint.elements[0].column.table
    remote_cols = ", ".join(preparer.quote(e.column.name) for e in constraint.elements)
    remote_name = compiler.define_constraint_remote_table(  # type: ignore[no-untyped-call]
        constraint, remote, preparer
    )
    parts.append(f"REFERENCES {remote_name} ({remote_cols})")
    tail = (
        compiler.define_constraint_match(constraint)
        + compiler.define_constraint_cascades(constraint)
        + compiler.define_constraint_deferrability(constraint)
    )
    return " ".join(parts) + tail


def stub_column_table(name: str, schema: str | None, column: Column[Any]) -> Table:
    """Attach ``column`` to a throw-away table named like the target (for compilers that
    need ``column.table``)."""
    return Table(name, MetaData(), column, schema=schema)


# -- default compilation -----------------------------------------------------------------------


@compiles(RenameTable)
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    """The new name qualified with the table's schema, as Alembic writes it for a dialect it
    has no rule for; SQLite, PostgreSQL and Oracle, which refuse a qualified new name, have
    their own rule (the table stays in its schema)."""
    new = format_table(compiler, element.new_table_name, element.schema)
    return f"{alter_table(compiler, element)} RENAME TO {new}"


def rename_table_in_place(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    """``RENAME TO`` an unqualified name: the form of the databases that keep a renamed table
    in its schema and refuse a schema in the new name (SQLite, PostgreSQL, Oracle)."""
    return f"{alter_table(compiler, element)} RENAME TO " + compiler.preparer.quote(
        element.new_table_name
    )


@compiles(AddColumn)
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    exists = "IF NOT EXISTS " if element.if_not_exists else ""
    return f"{alter_table(compiler, element)} ADD COLUMN {exists}" + column_definition(
        compiler, element
    )


@compiles(DropColumn)
def _drop_column(element: DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    exists = "IF EXISTS " if element.if_exists else ""
    return f"{alter_table(compiler, element)} DROP COLUMN {exists}" + format_column(
        compiler, element.column_name
    )


@compiles(ColumnType)
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    text = f"{alter_column(compiler, element)} TYPE {format_type(compiler, element.type_)}"
    if element.using:
        text += f" USING {element.using}"
    return text


@compiles(ColumnNullable)
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    action = "DROP NOT NULL" if element.nullable else "SET NOT NULL"
    return f"{alter_column(compiler, element)} {action}"


@compiles(ColumnDefault)
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    default = format_server_default(compiler, element.default)
    if default is None:
        return f"{alter_column(compiler, element)} DROP DEFAULT"
    return f"{alter_column(compiler, element)} SET DEFAULT {default}"


@compiles(ColumnName)
def _column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    """``RENAME a TO b``, the standard short form (PostgreSQL's, and what Alembic writes for a
    dialect it has no rule for); SQLite, MySQL/MariaDB and Oracle have their own rule
    (``RENAME COLUMN``)."""
    return (
        f"{alter_table(compiler, element)} RENAME "
        f"{format_column(compiler, element.column_name)} TO "
        f"{format_column(compiler, element.new_name)}"
    )


def rename_column_with_keyword(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    """``RENAME COLUMN a TO b``: the form of SQLite, MySQL 8 / MariaDB 10.5.2 and Oracle, which
    register it for their dialect."""
    return (
        f"{alter_table(compiler, element)} RENAME COLUMN "
        f"{format_column(compiler, element.column_name)} TO "
        f"{format_column(compiler, element.new_name)}"
    )


# Oracle has no implementation in Sterna (its DDL is the generic one), but Alembic writes its
# renames in the forms Oracle accepts, which the generic ones are not: kept for its users.
compiles(ColumnName, "oracle")(rename_column_with_keyword)
compiles(RenameTable, "oracle")(rename_table_in_place)


@compiles(ColumnComment)
def _column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    table = format_table(compiler, element.table_name, element.schema)
    return (
        f"COMMENT ON COLUMN {table}.{format_column(compiler, element.column_name)} "
        f"IS {format_literal(compiler, element.comment)}"
    )


# -- Alembic's names (alembic.ddl.base), for extensions' own @compiles rules --------------------

#: ``format_table_name(compiler, name, schema)``: the quoted, schema-qualified table name.
format_table_name = format_table

#: ``visit_rename_table(element, compiler)``: the default RENAME compilation, which a dialect
#: override falls back to (GeoAlchemy2 renames spatial tables on SQLite its own way).
visit_rename_table = _rename_table
