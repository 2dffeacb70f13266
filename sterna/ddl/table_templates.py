"""``CREATE TABLE`` from templates: a table's shape is everything its DDL depends on but names.

The idea is :mod:`sterna.ddl.templates`'s.  Walking a table gives its *recipe*: the names, each
in a numbered slot (one slot per distinct name, so that a column named like its table, or a key
to the table itself, has the same pattern in every table of the shape), and the *shape*, every
other input of the compiler: each column's type (class and state), nullability, primary-key
position, ``autoincrement``, server default (its text); each constraint's kind, columns,
referent and options; ``IF NOT EXISTS``; the naming convention.  A table of the same shape is
built from the recipe with placeholder names (the first table's own type objects) and compiled
with both spellings of the placeholders; every later table of that shape is the template filled
with its quoted names.  Compiling a 7-column table costs SQLAlchemy about 260 us; the walk and
the fill about a tenth of it.

A table takes the ordinary path unless everything the compiler reads is in the shape: columns
of SQLAlchemy's own types whose state is plain values, a server default that is a string or a
``text()`` without bound parameters, no client-side default, computed/identity, comment, dialect
options or column constraints; table constraints that are primary keys, foreign keys (string
references) and unique constraints, without dialect options; no table comment, prefixes or
dialect options; names that are plain strings (or ``op.f()`` names) within the dialect's length
for constraint names.  ``tests/ddl/test_table_templates.py`` compares template and compiler over
generated tables on every built-in dialect.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKeyConstraint,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy.schema import CreateColumn, CreateTable, DefaultClause
from sqlalchemy.sql.elements import ColumnClause, TextClause, conv, quoted_name
from sqlalchemy.types import NullType

from sterna.ddl.elements import AddColumn
from sterna.ddl.templates import sqlalchemy_compiler, usable, write

_CONSTRUCTS = (
    CreateTable,
    CreateColumn,
    Column,
    ColumnClause,
    TextClause,
    PrimaryKeyConstraint,
    ForeignKeyConstraint,
    UniqueConstraint,
)
_PLAIN = frozenset((str, int, bool, float, type(None)))
_NAME_TYPES = frozenset((str, conv, quoted_name))
_OPTIONS = ("ondelete", "onupdate", "match", "use_alter")


class Unfit(Exception):
    """The table has something the shape does not capture: the ordinary path compiles it."""


class Recipe:
    """The names of a table in slots, and what each slot holds (a name or a schema)."""

    def __init__(self, table: Table, constraint_limit: int) -> None:
        self.table = table
        self.constraint_limit = constraint_limit
        self.values: list[str] = []
        self.kinds: list[str] = []
        self._slots: dict[tuple[str, str], int] = {}

    def slot(self, value: Any, kind: str = "name") -> int:
        if (
            value.__class__ not in _NAME_TYPES
            or (value.__class__ is not str and value.quote is not None)
            or not value
            or "." in value  # "a.b" is also the key of table b in schema a
        ):
            raise Unfit
        key = (kind, value)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = len(self.values)
            self.values.append(value)
            self.kinds.append(kind)
        return found

    def constraint_name(self, name: Any) -> int | None:
        if name is None:
            return None
        if type(name) not in (str, conv) or len(name) > self.constraint_limit:
            raise Unfit
        return self.slot(name)


def table_shape(table: Table, flag: bool, dialect: Any) -> tuple[Hashable, Recipe] | None:
    """The shape of ``table``'s ``CREATE TABLE`` and its recipe, or None if it is unfit."""
    limit = min(dialect.max_constraint_name_length or 10**6, dialect.max_identifier_length)
    recipe = Recipe(table, limit)
    try:
        if table.comment is not None or _has_options(table) or table._prefixes:
            raise Unfit
        head = (
            flag,
            recipe.slot(table.name),
            None if table.schema is None else recipe.slot(table.schema, "schema"),
            _convention(table.metadata),
        )
        made = list(table.columns)
        columns = tuple([_column_shape(recipe, column) for column in made])
        positions = {column: i for i, column in enumerate(made)}
        constraints = tuple(
            [_constraint_shape(recipe, c, positions) for c in table._sorted_constraints]
        )
    except Unfit:
        return None
    return ("create_table", head, columns, constraints), recipe


def _convention(metadata: MetaData) -> Hashable:
    items = metadata.naming_convention.items()
    if not all(type(v) is str for _, v in items):
        raise Unfit
    return tuple(sorted((repr(k), v) for k, v in items))


def _column_shape(recipe: Recipe, column: Column[Any]) -> Hashable:
    # one function for the column, its type and its default: it runs for every column of
    # every table (the walk is most of what a templated CREATE TABLE costs)
    state = vars(column)
    if (
        column.default is not None
        or column.server_onupdate is not None
        or column.computed is not None
        or column.identity is not None
        or column.comment is not None
        or column.constraints
        or column.system
        or ("dialect_options" in state and column.dialect_kwargs)
    ):
        raise Unfit
    type_ = column.type
    cls = type_.__class__
    if not cls.__module__.startswith("sqlalchemy.") or hasattr(cls, "_compiler_dispatcher"):
        raise Unfit  # hasattr: a @compiles override on the class or on any class it extends
    type_state = vars(type_)
    if "dispatch" in type_state:  # DDL events run around the statement, not in it
        type_state = {k: v for k, v in type_state.items() if k != "dispatch"}
    for value in type_state.values():
        if value.__class__ not in _PLAIN:
            raise Unfit
    default = column.server_default
    return (
        recipe.slot(column.name),
        (cls, tuple(type_state.items())),
        column.nullable,
        column.autoincrement,
        None if default is None else _default_shape(default),
    )


def _default_shape(default: Any) -> Hashable:
    if type(default) is not DefaultClause or default.for_update:
        raise Unfit
    arg = default.arg
    if type(arg) is str:
        return ("str", arg)
    if type(arg) is TextClause and not arg._bindparams:
        return ("text", arg.text)
    raise Unfit


def _constraint_shape(
    recipe: Recipe, constraint: Any, positions: dict[Column[Any], int]
) -> Hashable:
    kind = type(constraint)
    if kind not in (PrimaryKeyConstraint, ForeignKeyConstraint, UniqueConstraint):
        raise Unfit
    if _has_options(constraint) or constraint.comment is not None:
        raise Unfit
    name = recipe.constraint_name(constraint.name)
    columns = tuple(positions[c] for c in constraint.columns)
    options = (constraint.deferrable, constraint.initially)
    if kind is ForeignKeyConstraint:
        options += tuple(getattr(constraint, o) for o in _OPTIONS)
        return (kind, name, columns, options, _referent(recipe, constraint))
    return (kind, name, columns, options)


def _referent(recipe: Recipe, constraint: ForeignKeyConstraint) -> Hashable:
    """The slots of what the foreign key refers to: (schema, table, columns)."""
    found = []
    for element in constraint.elements:
        schema, table, column = _target(element)
        schema_slot = None if schema is None else recipe.slot(schema, "schema")
        found.append((schema_slot, recipe.slot(table), recipe.slot(column)))
    if len({f[:2] for f in found}) != 1:
        raise Unfit
    return tuple(found)


def _target(element: Any) -> tuple[Any, Any, Any]:
    """(schema, table, column) a foreign key names by string; Unfit for a ``Column`` target."""
    if element._table_column is not None:
        raise Unfit
    tokens = getattr(element, "target_tokens", None)  # SQLAlchemy 2.1
    if tokens is not None:
        return tokens.schema, tokens.table_name, tokens.column_name
    parts = str(element._colspec).split(".")
    if len(parts) not in (2, 3):
        raise Unfit
    return (parts[0] if len(parts) == 3 else None), parts[-2], parts[-1]


def _has_options(item: Any) -> bool:
    """Whether ``item`` was given dialect options (``dialect_options`` exists once any was)."""
    return "dialect_options" in vars(item) and bool(item.dialect_kwargs)


def build(shape: Any, recipe: Recipe, names: Sequence[str]) -> CreateTable:
    """A table of ``shape`` named by ``names`` (placeholders), with the recipe's table's types
    and defaults, in a MetaData with the same naming convention."""
    _, (flag, table_slot, schema_slot, _), columns, constraints = shape
    convention: Any = recipe.table.metadata.naming_convention
    metadata = MetaData(naming_convention=dict(convention))
    schema = None if schema_slot is None else names[schema_slot]
    made = [
        Column(
            names[slot],
            original.type,
            nullable=nullable,
            autoincrement=autoincrement,
            server_default=_default_arg(original),
        )
        for (slot, _, nullable, autoincrement, _), original in zip(
            columns, recipe.table.columns, strict=True
        )
    ]
    items: list[Any] = [_constraint(c, made, names) for c in constraints]
    table = Table(names[table_slot], metadata, *made, *items, schema=schema)
    for constraint in constraints:
        if constraint[0] is ForeignKeyConstraint:
            _stub_referent(metadata, constraint[4], names)
    return CreateTable(table, if_not_exists=flag)


def _default_arg(column: Column[Any]) -> Any:
    default: Any = column.server_default
    return None if default is None else default.arg


def _constraint(shape: Any, made: list[Column[Any]], names: Sequence[str]) -> Any:
    kind, name_slot, columns, options = shape[:4]
    name = None if name_slot is None else names[name_slot]
    cols = [made[i] for i in columns]
    deferrable, initially = options[:2]
    if kind is ForeignKeyConstraint:
        refs = [
            ".".join(names[s] for s in (schema, table, col) if s is not None)
            for schema, table, col in shape[4]
        ]
        extra = dict(zip(_OPTIONS, options[2:], strict=True))
        return ForeignKeyConstraint(
            cols, refs, name=name, deferrable=deferrable, initially=initially, **extra
        )
    return kind(*cols, name=name, deferrable=deferrable, initially=initially)


def _stub_referent(metadata: MetaData, referent: Any, names: Sequence[str]) -> None:
    for schema_slot, table_slot, column_slot in referent:
        schema = None if schema_slot is None else names[schema_slot]
        key = f"{schema}.{names[table_slot]}" if schema else names[table_slot]
        table = metadata.tables.get(key)
        if table is None:
            table = Table(names[table_slot], metadata, schema=schema)
        if names[column_slot] not in table.c:
            table.append_column(Column(names[column_slot], NullType()))


def add_column_shape(element: AddColumn, dialect: Any) -> tuple[Hashable, Recipe] | None:
    """The shape of an ``ADD COLUMN`` (the column alone on its stub table, no inline key or
    reference), or None."""
    column = element.column
    if column.primary_key or (element.inline_references and column.foreign_keys):
        return None
    recipe = Recipe(column.table, 0)
    try:
        shape = (
            "add_column",
            element.if_not_exists,
            recipe.slot(element.table_name),
            None if element.schema is None else recipe.slot(element.schema, "schema"),
            _column_shape(recipe, column),
        )
    except Unfit:
        return None
    return shape, recipe


def _build_add_column(shape: Any, original: Column[Any], names: Sequence[str]) -> AddColumn:
    _, flag, table_slot, schema_slot, (column_slot, _, nullable, autoincrement, _) = shape
    schema = None if schema_slot is None else names[schema_slot]
    column = Column(
        names[column_slot],
        original.type,
        nullable=nullable,
        autoincrement=autoincrement,
        server_default=_default_arg(original),
    )
    Table(names[table_slot], MetaData(), column, schema=schema)
    return AddColumn(names[table_slot], column, schema, if_not_exists=flag)


def write_add_column_from_template(impl: Any, element: AddColumn) -> bool:
    """Write or execute ``element`` from its shape's template; False: the ordinary path."""
    dialect = impl.dialect
    if not usable(impl, ("add_column",)):
        return False
    if not sqlalchemy_compiler(dialect, _CONSTRUCTS) or not _own_compilation(AddColumn):
        return False
    found = add_column_shape(element, dialect)
    if found is None:
        return False
    shape, recipe = found
    column = element.column
    return write(
        impl,
        shape,
        lambda names: _build_add_column(shape, column, names),
        recipe.values,
        recipe.kinds,
    )


def _own_compilation(construct: type) -> bool:
    """Whether every ``@compiles`` rule of Sterna's ``construct`` is Sterna's own."""
    dispatcher = getattr(construct, "_compiler_dispatcher", None)
    specs = getattr(dispatcher, "specs", None)
    if not isinstance(specs, dict):
        return False
    return all(str(fn.__module__).startswith("sterna.ddl.") for fn in specs.values())


def write_table_from_template(impl: Any, table: Table, flag: bool) -> bool:
    """Write or execute ``CREATE TABLE`` for ``table`` from its shape's template; False when it
    must take the ordinary path."""
    dialect = impl.dialect
    if not usable(impl, ("create_table",)):
        return False
    if not sqlalchemy_compiler(dialect, _CONSTRUCTS):
        return False
    found = table_shape(table, flag, dialect)
    if found is None:
        return False
    shape, recipe = found
    return write(
        impl, shape, lambda names: build(shape, recipe, names), recipe.values, recipe.kinds
    )
