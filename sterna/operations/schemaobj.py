"""Build throw-away SQLAlchemy schema objects from the names an operation carries.

DDL is compiled from SQLAlchemy constructs, which need ``Table``/``Column``/``Constraint`` objects.
An operation such as ``create_unique_constraint("uq", "t", ["a"])`` only knows names, so these
helpers make a minimal table in a private ``MetaData`` (columns typed ``NullType`` when their type
is unknown and irrelevant to the statement).  When the migration context has a
``target_metadata``, its naming convention is used so that unnamed constraints get the same names
the models would give them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy.exc import NoReferenceError
from sqlalchemy.sql.base import SchemaEventTarget
from sqlalchemy.sql.elements import ColumnElement, TextClause, conv
from sqlalchemy.sql.naming import _get_convention
from sqlalchemy.sql.schema import Constraint, SchemaItem
from sqlalchemy.types import NullType

from sterna.ddl.elements import UNKNOWN_TABLE

if TYPE_CHECKING:
    from sterna.operations.context_protocol import MigrationContextLike

CONSTRAINT_TYPES = ("foreignkey", "primary", "unique", "check")


class SchemaObjects:
    """Factory of minimal schema objects, aware of the context's naming convention."""

    def __init__(self, migration_context: MigrationContextLike | None = None) -> None:
        self.migration_context = migration_context

    def metadata(self) -> MetaData:
        convention = self._naming_convention()
        if convention is not None:
            return MetaData(naming_convention=convention)
        return MetaData()

    def _naming_convention(self) -> Any:
        context = self.migration_context
        if context is None:
            return None
        opts: Mapping[str, Any] = getattr(context, "opts", None) or {}
        target = opts.get("target_metadata")
        if isinstance(target, (list, tuple)):
            target = target[0] if target else None
        return getattr(target, "naming_convention", None)

    def keeps_index_name(self, name: Any) -> bool:
        """Whether an index built here keeps ``name`` as given: an ``op.f()`` name always; any
        other unless the naming convention for indexes includes ``%(constraint_name)s``."""
        convention = self._naming_convention()
        if isinstance(name, conv) or not convention:
            return True
        template = _get_convention(convention, Index)  # type: ignore[no-untyped-call]
        return not (isinstance(template, str) and "constraint_name" in template)

    # -- tables and columns --------------------------------------------------------------------

    def table(self, name: str, *items: SchemaItem, schema: str | None = None, **kw: Any) -> Table:
        """A ``Table`` in a fresh MetaData, with stub tables for the foreign keys' referents."""
        metadata = self.metadata()
        table = Table(name, metadata, *items, schema=schema, **kw)
        for item in items:
            if isinstance(item, Column):
                for fk in item.foreign_keys:
                    self._ensure_referent(metadata, fk.target_fullname, schema)
            elif isinstance(item, ForeignKeyConstraint):
                for element in item.elements:
                    self._ensure_referent(metadata, element.target_fullname, schema)
        return table

    def stub_table(self, name: str, columns: Iterable[str], schema: str | None = None) -> Table:
        """A table whose columns exist by name only (``NullType``)."""
        cols = _unique(columns)
        return Table(name, self.metadata(), *[Column(c, NullType()) for c in cols], schema=schema)

    def column(self, name: str, type_: Any, **kw: Any) -> Column[Any]:
        return Column(name, type_, **kw)

    def _ensure_referent(
        self, metadata: MetaData, fullname: str, default_schema: str | None
    ) -> None:
        parts = fullname.split(".")
        if len(parts) < 2:
            return
        col_name = parts[-1]
        tname = parts[-2]
        schema = ".".join(parts[:-2]) or None
        key = f"{schema}.{tname}" if schema else tname
        table = metadata.tables.get(key)
        if table is None:
            Table(tname, metadata, Column(col_name, NullType()), schema=schema)
        elif col_name not in table.c:
            table.append_column(Column(col_name, NullType()))

    # -- constraints ---------------------------------------------------------------------------

    def primary_key_constraint(
        self,
        name: str | None,
        table_name: str,
        cols: Sequence[str],
        schema: str | None = None,
        **kw: Any,
    ) -> PrimaryKeyConstraint:
        table = self.stub_table(table_name, cols, schema)
        pk = PrimaryKeyConstraint(*[table.c[c] for c in cols], name=name, **kw)
        table.append_constraint(pk)
        return pk

    def unique_constraint(
        self,
        name: str | None,
        table_name: str,
        cols: Sequence[str],
        schema: str | None = None,
        **kw: Any,
    ) -> UniqueConstraint:
        table = self.stub_table(table_name, cols, schema)
        uq = UniqueConstraint(*[table.c[c] for c in cols], name=name, **kw)
        table.append_constraint(uq)
        return uq

    def check_constraint(
        self,
        name: str | None,
        table_name: str,
        condition: str | TextClause | ColumnElement[Any],
        schema: str | None = None,
        **kw: Any,
    ) -> CheckConstraint:
        columns = _referenced_columns(condition)
        table = self.stub_table(table_name, columns, schema)
        ck = CheckConstraint(condition, name=name, **kw)
        table.append_constraint(ck)
        return ck

    def foreign_key_constraint(
        self,
        name: str | None,
        source: str,
        referent: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        *,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        use_alter: bool = False,
        **dialect_kw: Any,
    ) -> ForeignKeyConstraint:
        metadata = self.metadata()
        same = source == referent and source_schema == referent_schema
        src_cols = list(local_cols) + (list(remote_cols) if same else [])
        src = Table(
            source,
            metadata,
            *[Column(c, NullType()) for c in _unique(src_cols)],
            schema=source_schema,
        )
        if not same:
            Table(
                referent,
                metadata,
                *[Column(c, NullType()) for c in _unique(remote_cols)],
                schema=referent_schema,
            )
        prefix = f"{referent_schema}.{referent}" if referent_schema else referent
        fk = ForeignKeyConstraint(
            list(local_cols),
            [f"{prefix}.{c}" for c in remote_cols],
            name=name,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            initially=initially,
            match=match,
            use_alter=use_alter,
            **dialect_kw,
        )
        src.append_constraint(fk)
        return fk

    def generic_constraint(
        self,
        name: str | None,
        table_name: str,
        type_: str | None,
        schema: str | None = None,
        **kw: Any,
    ) -> Constraint:
        """A named constraint of the given kind, for ``DROP CONSTRAINT`` statements."""
        table = Table(table_name, self.metadata(), schema=schema)
        constraint: Constraint
        if type_ == "foreignkey":
            table.append_column(Column("_fk", NullType()))
            Table("_referent", table.metadata, Column("_pk", NullType()))
            constraint = ForeignKeyConstraint(["_fk"], ["_referent._pk"], name=name)
        elif type_ == "primary":
            constraint = PrimaryKeyConstraint(name=name)
        elif type_ == "unique":
            constraint = UniqueConstraint(name=name)
        elif type_ in ("check", "exclude") or type_ is None:  # dropped by name alone
            constraint = CheckConstraint("", name=name)
        else:
            raise ValueError(
                f"constraint type {type_!r} is not one of {', '.join(CONSTRAINT_TYPES)}"
            )
        table.append_constraint(constraint)
        constraint.info["sterna_generic_type"] = type_
        return constraint

    # -- indexes -------------------------------------------------------------------------------

    def index(
        self,
        name: str | None,
        table_name: str | None,
        columns: Sequence[str | TextClause | ColumnElement[Any]],
        schema: str | None = None,
        **kw: Any,
    ) -> Index:
        """An ``Index``; plain strings name columns, a column of another table is copied (name
        and type: GeoAlchemy2's rewriters read the type), text()/expressions are kept as
        written."""
        names = [c for c in columns if isinstance(c, str)]
        names += [c for c in kw.get("postgresql_include") or () if isinstance(c, str)]
        table = self.stub_table(table_name or UNKNOWN_TABLE, names, schema)
        exprs = [_index_element(table, c) for c in columns]
        return Index(name, *exprs, _table=table, **kw)


def _index_element(table: Table, column: str | TextClause | ColumnElement[Any]) -> Any:
    """``column`` as an element of an index on the stub ``table``."""
    if isinstance(column, str):
        return table.c[column]
    if isinstance(column, Column) and column.table is not None:
        if column.name not in table.c:
            table.append_column(Column(column.name, column.type))
        return table.c[column.name]
    return column


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(name, None)
    return list(seen)


def _referenced_columns(condition: str | TextClause | ColumnElement[Any]) -> list[str]:
    """Names of plain table columns a Core expression refers to (none for SQL text)."""
    if isinstance(condition, (str, TextClause)):
        return []
    from sqlalchemy.sql import visitors

    found: list[str] = []
    for element in visitors.iterate(condition):
        if isinstance(element, Column) and element.table is None:
            found.append(element.name)
    return found


def unbind_expression(expr: Any) -> Any:
    """``expr`` with every table-bound column replaced by a bare ``column(name)``, so it can be
    attached to another (stub) table; a bound plain column becomes its name."""
    from sqlalchemy import column as bare_column
    from sqlalchemy.sql import visitors

    if isinstance(expr, Column) and expr.table is not None:
        return expr.name
    if not isinstance(expr, ColumnElement):
        return expr

    def replace(element: Any, **kw: Any) -> Any:
        if isinstance(element, Column) and element.table is not None:
            return bare_column(element.name)
        return None

    opts: dict[str, Any] = {}
    return visitors.replacement_traverse(expr, opts, replace)


def detach(item: SchemaItem) -> SchemaItem:
    """A copy of a column or constraint that is not attached to any table (constraints refer to
    their columns by key, which a copied column keeps: ``Column("x", key="y")``), so that it can
    be placed in a new table beside copies of its columns."""
    if isinstance(item, Column):
        return item._copy()
    if isinstance(item, PrimaryKeyConstraint):
        return PrimaryKeyConstraint(
            *[c.key for c in item.columns], name=_name(item), **item.dialect_kwargs
        )
    if isinstance(item, UniqueConstraint):
        return UniqueConstraint(
            *[c.key for c in item.columns],
            name=_name(item),
            deferrable=item.deferrable,
            initially=item.initially,
            **item.dialect_kwargs,
        )
    if isinstance(item, CheckConstraint):
        return CheckConstraint(
            unbind_expression(item.sqltext),
            name=_name(item),
            deferrable=item.deferrable,
            initially=item.initially,
            **item.dialect_kwargs,
        )
    if isinstance(item, ForeignKeyConstraint):
        return _copy_foreign_key(item)
    if type(item).__name__ == "ExcludeConstraint":
        return _copy_exclude(item)
    if isinstance(item, Constraint):
        return item._copy()
    if isinstance(item, Index):
        return Index(
            item.name,
            *[unbind_expression(e) for e in item.expressions],
            unique=bool(item.unique),
            **item.dialect_kwargs,
        )
    return item


def referred_column_name(element: ForeignKey) -> str:
    """The name of the column a foreign key element refers to: ``ForeignKey("t.tid")`` for
    ``Column("id", key="tid")`` refers to ``t.id`` (what the database has and reports); the
    column as written when its table is not in the element's metadata."""
    try:
        return str(element.column.name)
    except NoReferenceError:
        return str(element._column_tokens[2])


def referred_schema(constraint: ForeignKeyConstraint) -> str | None:
    """The schema of the table a foreign key refers to, as SQLAlchemy resolves it: the one
    its target names, else the default schema of its table's ``MetaData`` (``MetaData(
    schema="s")`` and ``ForeignKey("t.id")`` refer to ``s.t``)."""
    schema = constraint.elements[0]._column_tokens[0] if constraint.elements else None
    if schema is not None:
        return str(schema)
    metadata = getattr(getattr(constraint, "parent", None), "metadata", None)
    default = getattr(metadata, "schema", None)
    return str(default) if default is not None else None


def referred_target(element: ForeignKey) -> str:
    """``[schema.]table.column`` of a foreign key element, its schema resolved as by
    :func:`referred_schema` (the element's constraint gives the table's ``MetaData``)."""
    _, table, column = element._column_tokens
    constraint = element.constraint
    schema = referred_schema(constraint) if constraint is not None else element._column_tokens[0]
    return ".".join(str(part) for part in (schema, table, column) if part is not None)


def _copy_foreign_key(constraint: ForeignKeyConstraint) -> ForeignKeyConstraint:
    """A detached copy whose targets name the schema they resolve to: the copy leaves the
    models' ``MetaData``, whose default schema would otherwise be lost."""
    named = any(e._column_tokens[0] is not None for e in constraint.elements)
    schema = referred_schema(constraint)
    if named or schema is None:
        return constraint._copy()
    return constraint._copy(schema=schema)


def _copy_exclude(constraint: Any) -> Constraint:
    """A PostgreSQL EXCLUDE constraint whose elements and WHERE name their columns: its own
    ``_copy()`` keeps the bound columns, which attach the copy to the original table (the
    models' table gained a constraint each time an operation was rendered or run)."""
    elements = [(unbind_expression(e), operator) for e, _name, operator in constraint._render_exprs]
    where = constraint.where
    copy: Constraint = type(constraint)(
        *elements,
        name=_name(constraint),
        using=constraint.using,
        where=unbind_expression(where) if where is not None else None,
        deferrable=constraint.deferrable,
        initially=constraint.initially,
        ops=dict(constraint.ops),
    )
    return copy


def brings_nothing(column: Column[Any]) -> bool:
    """Whether placing ``column`` on a table adds nothing to the table but the column: no key,
    constraint, index or comment; no listener of its attachment (a type that sets something up
    on the table, such as ``Boolean``'s or ``Enum``'s CHECK, registers one on the column, also
    from inside a ``TypeDecorator`` or a variant); and, as a second guard, a type that is no
    schema event target and has no variants.  Such a column needs a table only to be
    compiled."""
    type_ = column.type
    dispatch = column.dispatch
    return not (
        column.primary_key
        or column.foreign_keys
        or column.constraints
        or column.index
        or column.unique
        or column.comment is not None
        or isinstance(type_, SchemaEventTarget)
        or getattr(type_, "_variant_mapping", None)
        or dispatch.before_parent_attach
        or dispatch.after_parent_attach
    )


def is_attached(item: SchemaItem) -> bool:
    """Whether a column or constraint already belongs to a table."""
    try:
        return getattr(item, "table", None) is not None
    except Exception:  # an unattached constraint raises InvalidRequestError on .table
        return False


def _name(constraint: Constraint) -> Any:
    """The constraint's name as given (a ``conv`` stays final; an unnamed one gives None)."""
    name = constraint.name
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return name
