"""The SQLite rebuild, online: everything the table had survives, or nothing changes.

What SQLite needs beyond the generic move-and-copy (see :mod:`sterna.ddl.recreate`):

* **All or nothing.**  The rebuild runs inside a ``SAVEPOINT``: any failure (a NOT NULL column
  over existing rows, a broken copy, a failed check below) rolls it back to the untouched
  table.  Outside any transaction Sterna opens its own.
* **Renames in place.**  Column renames run first as ``ALTER TABLE ... RENAME COLUMN``, which
  rewrites the references in triggers, views and other tables' foreign keys.
* **The definition as written.**  The new table is the ``sqlite_master`` text with only the
  requested changes; the indexes are re-created from their own ``CREATE INDEX`` text and the
  table's triggers (dropped with it) from theirs.  Views are left alone: the final
  ``RENAME`` runs with ``PRAGMA legacy_alter_table=ON`` so that SQLite does not re-check them.
* **Foreign keys in both directions.**  With enforcement off (SQLite's default) the rows are
  simply moved.  With ``PRAGMA foreign_keys=ON`` -- which cannot be switched off inside the
  migration's transaction -- ``DROP TABLE`` deletes the rows first, which would fire the
  ``ON DELETE`` actions of the tables referring to this one: so such a rebuild is refused when a
  referring table has ``CASCADE``/``SET NULL``/``SET DEFAULT``, and otherwise runs with
  ``PRAGMA defer_foreign_keys=ON`` and copies the rows back into a table of the original name
  so that the referring rows find their parents again.  Afterwards ``PRAGMA
  foreign_key_check`` must find no violation that was not there before.
* **Dependents still compile.**  Views and triggers that mention the table are compiled
  (``EXPLAIN``) before and after; one that compiled before and fails after stops the rebuild.
* **AUTOINCREMENT and row ids.**  The ``sqlite_sequence`` counter never goes down, and rows of
  a table without an ``INTEGER PRIMARY KEY`` keep their rowid.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from sterna.ddl.impl_hooks import overrides
from sterna.ddl.recreate import (
    RebuildPlan,
    apply_overrides,
    copy_expressions,
    copy_sql,
    has_rowid_alias,
    model_from_table,
    reflect,
    rowid_name,
    temp_name,
)
from sterna.ddl.recreate_changes import (
    RebuildRequest,
    apply_changes,
    has_renames,
    hoist_renames,
)
from sterna.ddl.recreate_model import TableModel
from sterna.ddl.recreate_parse import parse_create_index, parse_create_table
from sterna.ddl.recreate_render import executable
from sterna.ddl.recreate_sql import identifiers
from sterna.ddl.recreate_sqlite_catalog import Catalog, Child, FKState
from sterna.errors_ddl import (
    BatchDependentBroken,
    BatchError,
    BatchForeignKeyError,
    BatchNoSuchObject,
)

if TYPE_CHECKING:
    from sterna.ddl.impl import DefaultImpl

log = logging.getLogger("alembic.ddl.recreate")

#: ``ON DELETE`` actions that ``DROP TABLE`` would carry out on referring rows.
_DESTRUCTIVE = frozenset({"CASCADE", "SET NULL", "SET DEFAULT"})


def _driver_in_transaction(conn: Connection) -> bool:
    pooled = conn.connection
    for raw in (pooled.dbapi_connection, pooled.driver_connection):
        state = getattr(raw, "in_transaction", None)
        if isinstance(state, bool):
            return state
    return True  # cannot tell: assume the caller's transaction


def _driver(conn: Connection, sql: str) -> None:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


@contextmanager
def atomic(catalog: Catalog, name: str = "sterna_batch") -> Iterator[None]:
    """A savepoint around the rebuild; outside any transaction, a transaction of its own (with
    foreign key enforcement switched off for it, since that is possible there)."""
    conn = catalog.conn
    own = not _driver_in_transaction(conn)
    fk_was_on = False
    if own:
        fk_was_on = catalog.pragma("foreign_keys") == 1
        if fk_was_on:
            catalog.execute("PRAGMA foreign_keys=OFF")
        _driver(conn, "BEGIN")
    catalog.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        with suppress(Exception):
            catalog.execute(f"ROLLBACK TO {name}")
            catalog.execute(f"RELEASE {name}")
            if own:
                _driver(conn, "ROLLBACK")
        if fk_was_on:
            with suppress(Exception):
                catalog.execute("PRAGMA foreign_keys=ON")
        raise
    catalog.execute(f"RELEASE {name}")
    if own:
        _driver(conn, "COMMIT")
    if fk_was_on:
        catalog.execute("PRAGMA foreign_keys=ON")


@contextmanager
def pragmas(catalog: Catalog, **values: int) -> Iterator[None]:
    previous = {key: catalog.pragma(key) for key in values}
    for key, value in values.items():
        catalog.execute(f"PRAGMA {key}={int(value)}")
    try:
        yield
    finally:
        for key, value in previous.items():
            with suppress(Exception):
                catalog.execute(f"PRAGMA {key}={int(value or 0)}")


# -- the rebuild --------------------------------------------------------------------------------


@dataclass
class Before:
    """What is recorded before the rebuild, to re-create or compare afterwards."""

    triggers: list[str]
    indexes: list[str]
    sequence: int | None
    checked: list[str]
    fks: FKState
    probes: dict[tuple[str, str], dict[str, str | None]]


def rebuild_sqlite(impl: DefaultImpl, request: RebuildRequest) -> None:
    conn = impl.connection
    assert conn is not None
    catalog = Catalog(conn, request.schema)
    found = catalog.table(request.table_name)
    if found is None:
        raise BatchNoSuchObject(request.label, "no such table in the database")
    name = found[0]
    if identifiers(found[1].split("(", 1)[0]) >= {"create", "virtual"}:
        raise BatchError(
            request.label,
            "a virtual table cannot be altered or rebuilt; create a new one and copy the rows",
        )
    with atomic(catalog):
        fk_on = catalog.pragma("foreign_keys") == 1
        tables = catalog.tables()
        children = catalog.children(name, tables)
        if fk_on:
            _refuse_destructive(request.label, name, children)
        changes, renamed = _renames_in_place(impl, catalog, request, name)
        before = _record(catalog, name, children, tables)
        model = _model(impl, catalog, request, name, before.indexes, None if renamed else found[1])
        had_rowid = model.has_rowid() and not has_rowid_alias(model)
        old_columns = [c.name for c in model.columns]
        apply_changes(model, changes)
        model.reorder = [tuple(names) for names in request.partial_reordering]
        rowid = rowid_name(model, old_columns, had_rowid)
        # column renames create no table: the names read above are still the schema's
        temp = temp_name(impl, request, [table for table, _ in tables])
        expressions = _prepare(impl, request, model, temp)
        if fk_on and children:
            _copy_back(impl, catalog, model, temp, rowid, expressions)
        else:
            _move(impl, catalog, model, temp, rowid, fk_on, expressions)
        for sql in model.index_sql() + before.triggers:
            impl._exec(executable(sql))
        _keep_sequence(impl, catalog, model, before.sequence)
        _check(catalog, request.label, before)


def _refuse_destructive(label: str, table: str, children: list[Child]) -> None:
    destructive = [c for c in children if c.on_delete in _DESTRUCTIVE]
    if not destructive:
        return
    listed = ", ".join(f"{c.table} (ON DELETE {c.on_delete})" for c in destructive)
    raise BatchForeignKeyError(
        label,
        f"the table must be rebuilt, and foreign key enforcement is on (PRAGMA "
        f"foreign_keys=ON) inside the migration's transaction, where SQLite cannot switch it "
        f"off; dropping the old table would delete or change the rows of {listed} that refer "
        f"to {table!r}.  Run migrations with PRAGMA foreign_keys=OFF on the connection (set "
        f"before the transaction begins); the rebuild checks every foreign key afterwards",
    )


def _renames_in_place(
    impl: DefaultImpl, catalog: Catalog, request: RebuildRequest, name: str
) -> tuple[list[Any], bool]:
    """Run the batch's renames as ``RENAME COLUMN``; return the changes left for the model
    (all of them when the renames cannot run first, e.g. a broken view elsewhere) and whether
    any ran (the table's text changed then).  A batch that renames nothing reads no columns."""
    if not has_renames(request.changes):
        return list(request.changes), False
    renames, remaining = hoist_renames(request.changes, catalog.columns(name, hidden=True))
    if not renames:
        return list(request.changes), False
    try:
        with atomic(catalog, "sterna_batch_rename"):
            for old, new in renames:
                impl.alter_column(name, old, name=new, schema=request.schema)
    except DBAPIError as exc:
        log.info(
            "%s: renaming in place failed (%s); renaming in the rebuild instead",
            request.label,
            exc.orig,
        )
        return list(request.changes), False
    return remaining, True


def _record(
    catalog: Catalog, name: str, children: list[Child], tables: list[tuple[str, str]]
) -> Before:
    """What to re-create and compare afterwards (``tables``: read before the renames in
    place, which create and drop no table)."""
    checked = [name] + [c.table for c in children if c.table not in (name,)]
    checked = list(dict.fromkeys(checked))
    schema_rows = catalog.schema_rows(name)
    return Before(
        triggers=catalog.triggers_on(name, schema_rows),
        indexes=catalog.index_sql(name, schema_rows),
        sequence=catalog.sequence(name, tables),
        checked=checked,
        fks=catalog.fk_state(checked),
        probes={target: catalog.probe(target) for target in catalog.dependents(name, schema_rows)},
    )


def _model(
    impl: DefaultImpl,
    catalog: Catalog,
    request: RebuildRequest,
    name: str,
    index_texts: list[str],
    sql: str | None,
) -> TableModel:
    """The table's definition: its ``sqlite_master`` text (``sql`` when it was read already
    and has not changed since, else read now), or SQLAlchemy's reflection when
    ``reflect_kwargs`` (such as reflection listeners) are given; ``index_texts``: its
    indexes' ``CREATE INDEX`` texts, read with what :func:`_record` keeps."""
    indexes = [parse_create_index(text) for text in index_texts]
    if request.reflect_kwargs:
        model = model_from_table(reflect(impl, request), impl.dialect, request)
        model.indexes = indexes
    else:
        if sql is None:
            found = catalog.table(name)
            assert found is not None
            sql = found[1]
        model = TableModel.from_parts(
            name,
            request.schema,
            impl.dialect,
            parse_create_table(sql),
            indexes,
            request.naming_convention,
        )
        apply_overrides(model, request, request.reflect_args)
        apply_overrides(model, request, request.table_args)
        _table_options(model, request)
    model.name = name
    return model


def _table_options(model: TableModel, request: RebuildRequest) -> None:
    """``table_kwargs`` SQLite understands: autoincrement, WITHOUT ROWID, STRICT."""
    for key, value in request.table_kwargs.items():
        if key == "sqlite_autoincrement" and value:
            primary = [c for c in model.constraints if c.kind == "primary"]
            columns = (
                primary[0].columns
                if primary
                else [c.name for c in model.columns if c.has("primary")]
            )
            if len(columns) == 1:
                model.set_autoincrement(columns[0], True)
        elif key in ("sqlite_with_rowid", "sqlite_strict"):
            option = "WITHOUT ROWID" if key == "sqlite_with_rowid" else "STRICT"
            wanted = (value is False) if key == "sqlite_with_rowid" else bool(value)
            present = option in " ".join(model.options.upper().split())
            if wanted and not present:
                model.options = ", ".join(p for p in (model.options, option) if p)
        else:
            log.warning("%s: table_kwargs %r is not used on SQLite", request.label, key)


def _prepare(
    impl: DefaultImpl, request: RebuildRequest, model: TableModel, temp: str
) -> dict[str, str]:
    """The implementation's ``prep_table_for_batch`` and ``cast_for_batch_migrate`` (the
    table as it is is reflected for them only when one of them is overridden); returns the
    copy expressions."""
    existing: Table | None = None
    if overrides(impl, "prep_table_for_batch") or overrides(impl, "cast_for_batch_migrate"):
        assert impl.connection is not None
        existing = Table(
            model.name, MetaData(), schema=request.schema, autoload_with=impl.connection
        )
        impl.prep_table_for_batch(RebuildPlan(impl, request, existing, temp, model), existing)
    return copy_expressions(impl, model, existing)


def _move(
    impl: DefaultImpl,
    catalog: Catalog,
    model: TableModel,
    temp: str,
    rowid: str | None,
    fk_on: bool,
    expressions: dict[str, str],
) -> None:
    """Create, copy, drop, rename.  With enforcement on (and no referring tables), the new
    table's foreign keys to itself point to its temporary name, which the rename updates."""
    settings = {"legacy_alter_table": 1}
    if fk_on:
        settings["defer_foreign_keys"] = 1
    with pragmas(catalog, **settings):
        impl._exec(executable(model.create_table_sql(temp, temp if fk_on else None)))
        impl._exec(executable(copy_sql(model, temp, model.name, rowid, expressions)))
        impl.drop_table(Table(model.name, MetaData(), schema=model.schema))
        impl.rename_table(temp, model.name, schema=model.schema)


def _copy_back(
    impl: DefaultImpl,
    catalog: Catalog,
    model: TableModel,
    temp: str,
    rowid: str | None,
    expressions: dict[str, str],
) -> None:
    """For enforced foreign keys from other tables: park the rows in the temporary table, drop
    the old table, create the new one under the original name and copy the rows back, so that
    the referring rows find their parents again before the transaction ends."""
    with pragmas(catalog, defer_foreign_keys=1, legacy_alter_table=1):
        impl._exec(executable(model.create_table_sql(temp, temp)))
        impl._exec(executable(copy_sql(model, temp, model.name, rowid, expressions)))
        impl.drop_table(Table(model.name, MetaData(), schema=model.schema))
        impl._exec(executable(model.create_table_sql(model.name)))
        names = [model.quote(new) for new, _ in model.copied_columns()]
        if rowid is not None:
            names.insert(0, rowid)
        listed = ", ".join(names)
        impl._exec(
            executable(
                f"INSERT INTO {model.qualified(model.name)} ({listed}) "
                f"SELECT {listed} FROM {model.qualified(temp)}"
            )
        )
        impl.drop_table(Table(temp, MetaData(), schema=model.schema))


def _keep_sequence(
    impl: DefaultImpl, catalog: Catalog, model: TableModel, before: int | None
) -> None:
    """AUTOINCREMENT never reuses an id: the counter must not drop below what it was."""
    if before is None:
        return
    now = catalog.sequence(model.name)
    table = f"{catalog.db}.sqlite_sequence"
    if now is None:
        if "AUTOINCREMENT" not in model.create_table_sql(model.name).upper():
            return
        statement = text(f"INSERT INTO {table} (name, seq) VALUES (:name, :seq)")
    elif now < before:
        statement = text(f"UPDATE {table} SET seq = :seq WHERE lower(name) = lower(:name)")
    else:
        return
    impl._exec(statement.bindparams(name=model.name, seq=before))


def _check(catalog: Catalog, label: str, before: Before) -> None:
    after = catalog.fk_state(before.checked)
    for table, error in after.errors.items():
        if table not in before.fks.errors:
            raise BatchForeignKeyError(
                label,
                f"after the rebuild the foreign keys of table {table!r} no longer "
                f"match their referent ({error}); nothing was changed",
            )
    grown = [
        f"{count - before.fks.counts.get(key, 0)} row(s) of {key[0]!r} refer to missing "
        f"rows of {key[1]!r}"
        for key, count in sorted(after.counts.items())
        if count > before.fks.counts.get(key, 0)
    ]
    if grown:
        raise BatchForeignKeyError(
            label,
            "after the rebuild " + "; ".join(grown) + " (PRAGMA foreign_key_check); "
            "nothing was changed",
        )
    for target, results in before.probes.items():
        now = catalog.probe(target)
        for what, failure in now.items():
            if failure is not None and results.get(what, "missing") is None:
                raise BatchDependentBroken(
                    label,
                    f"{what} no longer compile(s) after the rebuild: {failure}; "
                    "nothing was changed",
                )
