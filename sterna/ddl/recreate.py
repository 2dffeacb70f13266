"""Move-and-copy table rebuild: the engine behind batch mode's ``recreate``.

A rebuild creates the new table under a temporary name, copies the rows into it, drops the old
table, renames the new one and re-creates the indexes::

    CREATE TABLE _sterna_tmp_t (...new definition...);
    INSERT INTO _sterna_tmp_t (a, b) SELECT a, b FROM t;
    DROP TABLE t;
    ALTER TABLE _sterna_tmp_t RENAME TO t;
    CREATE INDEX ...;

The original table is dropped only after the copy succeeded, under a name no other table uses.
The new definition is the old one as SQL text with only the requested changes made (see
:mod:`sterna.ddl.recreate_model`), so whatever a change does not touch survives as written.

* SQLite online: :mod:`sterna.ddl.recreate_sqlite` reads the definition from ``sqlite_master``
  and adds what SQLite needs -- foreign keys in both directions, triggers, views, AUTOINCREMENT
  counters, row ids, an all-or-nothing savepoint and checks afterwards.
* Offline (``--sql``, any dialect) and online on other backends (``recreate="always"``): the
  definition comes from ``copy_from`` or from SQLAlchemy reflection, and the statements above
  are emitted as they are.

The dialect implementation takes part through its hooks: ``prep_table_for_batch`` runs before
the new table is created, ``cast_for_batch_migrate`` gives the copy expression of each column
whose type changes, and ``autogen_column_reflect`` sees the columns batch mode reflects.

``DefaultImpl.rebuild_table`` is the entry point: :func:`rebuild_by_copy` here, SQLite's own
online rebuild (``SQLiteImpl.rebuild_table``) there.  The dialect's rules of the rebuild are
attributes and methods of its implementation class (``rebuild_*``, ``tables_have_rowid``...).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, MetaData, Table, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import Cast
from sqlalchemy.types import NullType

from sterna.ddl.recreate_changes import (
    RebuildRequest,
    apply_changes,
    hoist_renames,
    settle,
)
from sterna.ddl.recreate_model import TableModel
from sterna.ddl.recreate_parse import ColumnDef
from sterna.ddl.recreate_render import (
    column_parts,
    constraint_part,
    table_parts,
)
from sterna.errors_ddl import BatchCopyFromRequired, BatchNoSuchObject

if TYPE_CHECKING:
    from sterna.ddl.impl import DefaultImpl

log = logging.getLogger("alembic.ddl.recreate")

TEMP_PREFIX = "_sterna_tmp_"


def rebuild_by_copy(impl: DefaultImpl, request: RebuildRequest) -> None:
    """Rebuild ``request.table_name`` with ``request.changes`` applied, from ``copy_from`` or
    the reflected table, by the statements of the module docstring."""
    if impl.as_sql and request.copy_from is None:
        raise BatchCopyFromRequired(
            request.label,
            "offline (--sql) mode cannot read the table to rebuild it; pass "
            "copy_from=<the Table as it is> to batch_alter_table",
        )
    source = request.copy_from if request.copy_from is not None else reflect(impl, request)
    model = model_from_table(source, impl.dialect, request)
    if request.prior_changes:
        apply_changes(model, request.prior_changes)
        settle(model)
    changes = list(request.changes)
    renames: list[tuple[str, str]] = []
    if impl.rebuild_renames_in_place:
        renames, changes = hoist_renames(changes, [c.name for c in model.columns])
        for old, new in renames:
            impl.alter_column(request.table_name, old, name=new, schema=request.schema)
            model.rename_column(old, new)
            model.column(new).source = new
    had_rowid = model.has_rowid() and not has_rowid_alias(model)
    apply_changes(model, changes)
    model.reorder = [tuple(names) for names in request.partial_reordering]
    from sterna.ddl.recreate_generic import run_generic

    temp = temp_name(impl, request)
    impl.prep_table_for_batch(RebuildPlan(impl, request, source, temp, model), source)
    run_generic(impl, model, temp, had_rowid, copy_expressions(impl, model, source))


# -- where the definition comes from --------------------------------------------------------


def reflect(impl: DefaultImpl, request: RebuildRequest) -> Table:
    """The table as it is in the database, reflected with ``reflect_args``/``reflect_kwargs``
    into a MetaData using ``naming_convention``."""
    conn = impl.connection
    assert conn is not None
    metadata = _metadata(request)
    if not inspect(conn).has_table(request.table_name, schema=request.schema):
        raise BatchNoSuchObject(request.label, "no such table in the database")
    kwargs = dict(request.reflect_kwargs)
    kwargs["listeners"] = [
        *kwargs.get("listeners", ()),
        ("column_reflect", impl.autogen_column_reflect),
    ]
    return Table(
        request.table_name,
        metadata,
        *request.reflect_args,
        schema=request.schema,
        autoload_with=conn,
        **kwargs,
    )


def _metadata(request: RebuildRequest, table: Table | None = None) -> MetaData:
    """A MetaData with the batch's ``naming_convention``, else that of ``table``'s own
    MetaData (a ``copy_from`` table's convention names its type's CHECK, as in the models)."""
    if request.naming_convention:
        return MetaData(naming_convention=dict(request.naming_convention))
    if table is not None and table.metadata is not None:
        convention: dict[str, Any] = dict(table.metadata.naming_convention.items())
        return MetaData(naming_convention=convention)
    return MetaData()


def model_from_table(table: Table, dialect: Dialect, request: RebuildRequest) -> TableModel:
    """The model of a SQLAlchemy table (``copy_from`` or reflected), compiled for
    ``dialect``; ``table_args``/``table_kwargs`` extend it first."""
    copy = table.to_metadata(_metadata(request, table))
    if request.table_args or request.table_kwargs:
        copy = Table(
            copy.name,
            copy.metadata,
            *request.table_args,
            schema=copy.schema,
            extend_existing=True,
            **dict(request.table_kwargs),
        )
    parsed, indexes = table_parts(copy, dialect)
    model = TableModel.from_parts(
        request.table_name, request.schema, dialect, parsed, indexes, request.naming_convention
    )
    model.comment = copy.comment
    model.column_comments = {c.name: c.comment for c in copy.columns if c.comment is not None}
    return model


def apply_overrides(model: TableModel, request: RebuildRequest, args: tuple[Any, ...]) -> None:
    """Columns in ``args`` replace the columns of the same name (keeping their data), other
    schema items (constraints) are added -- ``reflect_args``/``table_args`` on a definition
    read as SQL text."""
    from sqlalchemy import Column

    for item in args:
        if isinstance(item, Column):
            parts = column_parts(
                item, model.name, model.schema, model.dialect, model.naming_convention
            )
            index = model.find_column(item.name)
            if index is None:
                model.add_column(parts)
                continue
            parts.column.source = model.columns[index].source
            model.columns[index] = parts.column
            model.constraints.extend(parts.constraints)
        else:
            _attach_stub(item, model)
            part = constraint_part(item, model.dialect)
            if not _restated(model, part):
                model.add_constraint(part)


def _restated(model: TableModel, part: Any) -> bool:
    """An unnamed constraint the table already has, word for word (``table_args`` restating a
    CHECK the rebuild keeps anyway): not written twice."""
    if part.name is not None:
        return False
    text = " ".join(part.text.split())
    return any(
        c.name is None and c.kind == part.kind and " ".join(c.text.split()) == text
        for c in model.constraints
    )


def _attach_stub(item: Any, model: TableModel) -> None:
    from sqlalchemy import Column
    from sqlalchemy.types import NullType

    from sterna.ddl.recreate_render import stub_table

    columns = [Column(c.name, NullType()) for c in model.columns]
    stub_table(model.name, model.schema, model.naming_convention, *columns, item)


# -- the statements --------------------------------------------------------------------------


def temp_name(
    impl: DefaultImpl, request: RebuildRequest, tables: Iterable[str] | None = None
) -> str:
    """``_sterna_tmp_<table>``, shortened to the dialect's identifier limit, and made unique
    online if a table of that name exists (left over by an interrupted run elsewhere).
    ``tables``: the names of the schema's tables when the caller has read them already
    (SQLite's rebuild), else they are reflected."""
    base = fit_name(TEMP_PREFIX + request.table_name, impl.dialect)
    if impl.as_sql or impl.connection is None:
        return base
    if tables is None:
        tables = inspect(impl.connection).get_table_names(schema=request.schema)
    existing = {name.lower() for name in tables}
    candidate, counter = base, 1
    while candidate.lower() in existing:
        counter += 1
        candidate = fit_name(f"{TEMP_PREFIX}{counter}_{request.table_name}", impl.dialect)
    return candidate


def fit_name(name: str, dialect: Dialect) -> str:
    limit = dialect.max_identifier_length or 63
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return name[: limit - 9] + "_" + digest


def has_rowid_alias(model: TableModel) -> bool:
    """Whether a column is an alias of SQLite's rowid (an ``INTEGER PRIMARY KEY``)."""

    def is_integer(column: ColumnDef) -> bool:
        return " ".join(t.text for t in column.type_tokens).strip().upper() == "INTEGER"

    for column in model.columns:
        if column.has("primary") and is_integer(column):
            return True
    for constraint in model.constraints:
        if constraint.kind == "primary" and len(constraint.columns) == 1:
            index = model.find_column(constraint.columns[0])
            if index is not None and is_integer(model.columns[index]):
                return True
    return False


def rowid_name(model: TableModel, old_columns: list[str], had_rowid: bool) -> str | None:
    """The name to copy SQLite row ids by, when both tables have plain row ids (kept so that
    rows keep their ids); None when there is nothing to keep."""
    if not had_rowid or not model.has_rowid() or has_rowid_alias(model):
        return None
    taken = {c.name.lower() for c in model.columns} | {c.lower() for c in old_columns}
    return next((n for n in ("rowid", "_rowid_", "oid") if n not in taken), None)


def copy_sql(
    model: TableModel,
    target: str,
    source: str,
    rowid: str | None = None,
    expressions: Mapping[str, str] | None = None,
) -> str:
    """``INSERT INTO target (...) SELECT ... FROM source`` for the copied columns; a column
    in ``expressions`` (new name -> SQL) is copied by that expression (a cast)."""
    pairs = model.copied_columns()
    targets = [model.quote(new) for new, _ in pairs]
    sources = []
    for new, old in pairs:
        found = expressions.get(new) if expressions else None
        sources.append(found if found is not None else model.quote(old))
    if rowid is not None:
        targets.insert(0, rowid)
        sources.insert(0, rowid)
    clause = model.rules.overriding_identity_sql
    overriding = f" {clause}" if clause and _identity_always(model) else ""
    return (
        f"INSERT INTO {model.qualified(target)} ({', '.join(targets)}){overriding} "
        f"SELECT {', '.join(sources)} FROM {model.qualified(source)}"
    )


def copy_expressions(
    impl: DefaultImpl, model: TableModel, existing: Table | None
) -> dict[str, str]:
    """The copy expression of each copied column whose type changes, as the implementation's
    ``cast_for_batch_migrate`` decides (``existing`` is the table as it is, when known)."""
    found: dict[str, str] = {}
    for new, old in model.copied_columns():
        change = model.casts.get(new)
        if change is None:
            continue
        column: Column[Any] = (
            existing.c[old]
            if existing is not None and old in existing.c
            else Column(old, NullType())
        )
        transfer: dict[str, Any] = {"name": old, "expr": column}
        impl.cast_for_batch_migrate(column, transfer, change.type_)
        expr = transfer["expr"]
        if expr is column:
            continue
        if isinstance(expr, Cast) and expr.clause is column and expr.type is change.type_:
            found[new] = f"CAST({model.quote(old)} AS {change.sql})"
        else:
            found[new] = str(
                expr.compile(
                    dialect=impl.dialect,
                    compile_kwargs={"literal_binds": True, "include_table": False},
                )
            )
    return found


@dataclass(frozen=True)
class RebuildPlan:
    """What ``DefaultImpl.prep_table_for_batch(batch_impl, table)`` receives as
    ``batch_impl``: the rebuild about to start."""

    impl: DefaultImpl
    request: RebuildRequest
    table: Table
    temp_table_name: str
    model: TableModel


def _identity_always(model: TableModel) -> bool:
    return any(
        clause.kind == "identity" and "ALWAYS" in clause.text.upper()
        for column in model.columns
        if column.source is not None
        for clause in column.clauses
    )
