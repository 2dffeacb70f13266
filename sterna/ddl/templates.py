"""Statement templates: DDL whose only variable parts are identifiers, compiled once per shape.

``CREATE UNIQUE INDEX ix ON t (a, b)`` depends, beyond its identifiers, only on its shape: the
statement kind, ``UNIQUE``, the number of columns, a schema or not, ``IF [NOT] EXISTS``.  The first
statement of a shape is compiled by SQLAlchemy, as every statement is otherwise, with placeholder
identifiers; the text around the placeholders is the template, and each later statement of the
shape is the template with its identifiers quoted by the dialect's own preparer, the way the
compiler quotes them.  No ``Table``/``Index`` is built and nothing compiled for those (issue 15:
a third of an offline run of autogenerate-shaped scripts was building stub tables for indexes
and compiling them).

The template stands for the compiler only where that provably holds, so every condition below
sends the statement through the ordinary path instead:

* the dialect's DDL compiler and identifier preparer are SQLAlchemy's own, and no ``@compiles``
  override is registered for the constructs involved;
* the implementation method the statement stands for is Sterna's own (a project's subclass that
  overrides ``create_index`` gets its override);
* every identifier is a plain ``str`` (an ``op.f()`` name too: it is never truncated or renamed
  within the length checked here), not a ``quoted_name`` with a quoting flag; an index name no
  longer than the dialect's limits (a longer one is truncated or refused by SQLAlchemy);
* the statement has no dialect options and only plain column names;
* online, nothing on the connection sees the construct itself: no ``before_execute`` or
  ``after_execute`` listener, no ``schema_translate_map`` (the statement is then executed as
  SQLAlchemy executes the construct, the SQL compiled as it compiles it online).

A template whose placeholders do not each appear as a whole word is never used.
``tests/ddl/test_templates.py`` compares template and compiler over generated identifiers on
every built-in dialect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Index, MetaData, Table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex, DropIndex, ExecutableDDLElement
from sqlalchemy.sql.elements import ColumnClause, conv
from sqlalchemy.types import NullType

_WORD_EDGE = re.compile(r"[\w\"`$]")
_MISSING: Any = object()
_CONSTRUCTS = (CreateIndex, DropIndex, Column, ColumnClause)
#: two spellings of the placeholders: a template is kept only if both give the same one, so
#: that no literal text that happens to look like a placeholder is taken for one
SPELLINGS = ("sternaph", "sternaqz")


def placeholder(position: int, spelling: str = SPELLINGS[0]) -> str:
    """The identifier standing for the ``position``-th value while a template is compiled."""
    return f"{spelling}{position}x"


@dataclass(frozen=True)
class Template:
    """Literal pieces with the value positions between them: ``pieces[0] v pieces[1] v ...``."""

    pieces: tuple[str, ...]
    slots: tuple[int, ...]

    def fill(self, values: Sequence[str]) -> str:
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out.append(values[slot])
            out.append(piece)
        return "".join(out)


def derive(sql: str, count: int, spelling: str = SPELLINGS[0]) -> Template | None:
    """The template of ``sql`` compiled with ``count`` placeholders, or None when a placeholder
    is not a whole word of it (then the compiler did more than quote it).  A value the
    statement does not name (SQLite's ``DROP INDEX`` names no table) has no slot."""
    parts = re.split(spelling + r"(\d+)x", sql)
    pieces, slots = tuple(parts[0::2]), tuple(int(s) for s in parts[1::2])
    if sql.count(spelling) != len(slots) or not set(slots) <= set(range(count)):
        return None
    for before, after in zip(pieces[:-1], pieces[1:], strict=True):
        if _WORD_EDGE.match(before[-1:]) or _WORD_EDGE.match(after[:1]):
            return None
    return Template(pieces, slots)


def derive_checked(compile_: Callable[[Sequence[str]], str], count: int) -> Template | None:
    """The template of the statement ``compile_`` writes for ``count`` placeholder names, if
    both spellings of the placeholders give the same one."""
    found = []
    for spelling in SPELLINGS:
        try:
            sql = compile_([placeholder(i, spelling) for i in range(count)])
        except Exception:  # the ordinary path raises it, naming the real names
            return None
        found.append(derive(sql, count, spelling))
    first, second = found
    return first if first is not None and first == second else None


class StatementTemplates:
    """One dialect implementation's templates, by shape (None: the shape has no template)."""

    def __init__(self) -> None:
        self._by_shape: dict[Hashable, Template | None] = {}

    def render(
        self, shape: Hashable, compile_: Callable[[Sequence[str]], str], values: Sequence[str]
    ) -> str | None:
        """``values`` (quoted identifiers) in the template of ``shape``; ``compile_`` gives the
        SQL of the shape for a list of placeholder names, the first time."""
        template = self._by_shape.get(shape, _MISSING)
        if template is _MISSING:
            template = derive_checked(compile_, len(values))
            self._by_shape[shape] = template
        return None if template is None else template.fill(values)


@dataclass(frozen=True)
class PlainIndex:
    """An index statement by names only: what ``create_index``/``drop_index`` may template."""

    create: bool
    name: Any
    table_name: Any
    columns: Sequence[Any]
    schema: Any
    unique: bool
    flag: bool  # IF NOT EXISTS / IF EXISTS

    def shape(self) -> Hashable:
        kind = "create_index" if self.create else "drop_index"
        return (kind, self.unique, self.flag, len(self.columns), self.schema is None)

    def construct(self, names: Sequence[str]) -> CreateIndex | DropIndex:
        """The construct of this shape named by ``names``: index, table, columns..., schema;
        built as ``SchemaObjects.index`` builds the ordinary path's."""
        index_name, table_name, *rest = names
        column_names = rest[: len(self.columns)]
        schema = rest[-1] if self.schema is not None else None
        columns = [Column(c, NullType()) for c in column_names]
        table = Table(table_name, MetaData(), *columns, schema=schema)
        index = Index(
            index_name, *[table.c[c] for c in column_names], _table=table, unique=self.unique
        )
        if self.create:
            return CreateIndex(index, if_not_exists=self.flag)
        return DropIndex(index, if_exists=self.flag)

    def identifiers(self) -> list[Any]:
        tail = [] if self.schema is None else [self.schema]
        return [self.name, self.table_name, *self.columns, *tail]


def plain_enough(dialect: Any, statement: PlainIndex) -> bool:
    """Whether the compiler's SQL for ``statement`` is provably its template filled in."""
    if not sqlalchemy_compiler(dialect, _CONSTRUCTS):
        return False
    name = statement.name
    if type(name) not in (str, conv) or getattr(name, "quote", None) is not None:
        return False
    limit = min(dialect.max_index_name_length or 10**6, dialect.max_identifier_length)
    others = [statement.table_name, *statement.columns]
    if statement.schema is not None:
        others.append(statement.schema)
    return (
        0 < len(name) <= limit
        and all(type(x) is str and x for x in others)
        and len(set(statement.columns)) == len(statement.columns) > 0
    )


def sqlalchemy_compiler(dialect: Any, constructs: Sequence[type]) -> bool:
    """Whether ``dialect`` compiles with SQLAlchemy's own compilers and preparer, and no
    ``@compiles`` override is registered for ``constructs``."""
    if any("_compiler_dispatcher" in vars(cls) for cls in constructs):
        return False
    classes = (
        dialect.ddl_compiler,
        dialect.statement_compiler,
        type(dialect.type_compiler_instance),
        type(dialect.identifier_preparer),
    )
    return all(cls.__module__.startswith("sqlalchemy.") for cls in classes)


def own_methods(impl: Any, names: Sequence[str]) -> bool:
    """Whether the implementation's ``names`` methods are Sterna's (not a project's override)."""
    for name in names:
        module = getattr(getattr(type(impl), name), "__module__", "")
        if not str(module).startswith("sterna.ddl."):
            return False
    return True


def usable(impl: Any, methods: Sequence[str]) -> bool:
    """Whether ``impl`` may write statements from templates: its ``methods`` (and ``_exec``,
    ``_compile``) are Sterna's, and online, nothing on the connection would see the construct
    itself (``before_execute``/``after_execute`` listeners, a ``schema_translate_map``)."""
    if not own_methods(impl, (*methods, "_exec", "_compile")):
        return False
    if impl.as_sql:
        return True
    connection = impl.connection
    if not isinstance(connection, Connection):  # a mock engine's connection sees constructs
        return False
    if connection.get_execution_options().get("schema_translate_map"):
        return False
    dispatch = connection.dispatch
    return not (dispatch.before_execute or dispatch.after_execute)


def compiled(impl: Any, construct: Any) -> str:
    """``construct``'s SQL as the ordinary path compiles it: offline with literal values,
    online as SQLAlchemy compiles a DDL statement it executes."""
    if impl.as_sql:
        return str(construct.compile(dialect=impl.dialect, compile_kwargs={"literal_binds": True}))
    return str(construct.compile(dialect=impl.dialect))


def emit(impl: Any, sql: str) -> None:
    """Write (offline, as ``_exec`` writes a compiled statement) or execute ``sql``."""
    if impl.as_sql:
        impl.static_output(sql.replace("\t", "    ").strip() + impl.command_terminator)
    else:
        impl._exec(Precompiled(sql))


class Precompiled(ExecutableDDLElement):
    """A DDL statement whose SQL is already written (from a template); SQLAlchemy executes it
    as it executes the construct it stands for."""

    inherit_cache = False

    def __init__(self, sql: str) -> None:
        self.sql = sql


@compiles(Precompiled)
def _precompiled(element: Precompiled, compiler: Any, **kw: Any) -> str:
    return element.sql


def write_from_template(impl: Any, statement: PlainIndex) -> bool:
    """Write or execute ``statement`` from its template; False when it must take the ordinary
    path (not provably plain)."""
    if not usable(impl, ("create_index" if statement.create else "drop_index",)):
        return False
    if not plain_enough(impl.dialect, statement):
        return False
    names = [str(x) for x in statement.identifiers()]
    kinds = ["name"] * len(names)
    if statement.schema is not None:
        kinds[-1] = "schema"
    return write(impl, statement.shape(), statement.construct, names, kinds)


def write(
    impl: Any,
    shape: Hashable,
    build: Callable[[Sequence[str]], Any],
    names: Sequence[str],
    kinds: Sequence[str],
) -> bool:
    """Write or execute the statement of ``shape`` named by ``names`` (each a ``"name"`` or a
    ``"schema"``, quoted as the compiler quotes it) from the shape's template, ``build``
    making the construct for placeholder names the first time; False if it has none."""
    preparer = impl.dialect.identifier_preparer
    values = [
        preparer.quote_schema(v) if kind == "schema" else preparer.quote(v)
        for v, kind in zip(names, kinds, strict=True)
    ]
    templates: StatementTemplates = impl.statement_templates
    sql = templates.render(shape, lambda placeholders: compiled(impl, build(placeholders)), values)
    if sql is None:
        return False
    emit(impl, sql)
    return True
