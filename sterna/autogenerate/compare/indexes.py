"""Indexes and unique constraints, compared together.

Each side is reduced to :class:`Item` records: kind (index or unique constraint), name, a
signature (elements -- column names or normalised expressions, with their sort order --,
uniqueness, and the dialect options that matter: ``postgresql_where``, ``postgresql_include``,
``postgresql_using``, ``sqlite_where``).  Items pair by name, then unnamed unique constraints by
columns; a pair whose signatures differ is dropped and created again, an unpaired model item is
created, an unpaired database item dropped.  On PostgreSQL and SQLite a model unique constraint
over the columns of the primary key or of another (paired) unique constraint is not missing:
``CREATE TABLE`` makes one constraint of such duplicates (:func:`_folded`).  MySQL/MariaDB keep
unique constraints as unique indexes, so a database unique there pairs with either kind; and an
index MySQL keeps for a foreign key of a table that stays is never dropped (of a dropped table,
only the one MySQL made by itself for a key is left to the ``drop_table``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Index, MetaData, Table, UniqueConstraint
from sqlalchemy.engine import Dialect

from sterna.autogenerate.compare.conditional import included
from sterna.autogenerate.compare.hooks import impl_hook
from sterna.autogenerate.compare.naming import written_name
from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.reflect_build import build_unique
from sterna.dialects import profile_for
from sterna.dialects.compare_elements import (  # the primitives, re-exported from their old home
    conn_element,
    index_signature,
    meta_element,
    options_signature,
    reflected_index_dict,
    unique_columns,
    unique_options_signature,
)
from sterna.dialects.records import REFLECTED
from sterna.operations.ops import (
    AddConstraintOp,
    CreateForeignKeyOp,
    CreateIndexOp,
    DropConstraintOp,
    DropIndexOp,
    MigrateOperation,
    ModifyTableOps,
)

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import TableInfo

__all__ = [
    "compare_indexes_and_uniques",
    "conn_items",
    "index_signature",
    "meta_items",
    "reflected_index_dict",
    "unique_columns",
]

log = logging.getLogger("alembic.autogenerate.compare")

INDEX = "index"
UNIQUE = "unique_constraint"


@dataclass
class Item:
    kind: str
    name: str | None
    elements: tuple[str, ...]
    unique: bool
    options: tuple[tuple[str, str], ...] = ()
    source: Any = None
    #: a database unique that MySQL keeps as an index (pairs with either kind)
    either: bool = False
    paired: bool = field(default=False, compare=False)

    @property
    def signature(self) -> tuple[Any, ...]:
        return (self.elements, self.unique, self.options)


def meta_items(ctx: AutogenContext, meta: Table) -> tuple[list[Item], set[str | None]]:
    """The model's indexes (one per name, see :func:`_one_per_name`) and unique constraints,
    in a stable order, less those the filters leave out; and the names of those a ``ddl_if()``
    rule leaves out on this database (a database object of such a name is not compared)."""
    assert ctx.dialect is not None
    dialect = ctx.dialect
    parent = {"schema_name": meta.schema, "table_name": meta.name}
    indexes: list[Item] = []
    left_out: set[str | None] = set()
    for index in meta.indexes:
        name = written_name(dialect, index)
        if not ctx.run_name_filters(name, "index", parent):
            continue
        if not included(ctx, index):
            left_out.add(name)
            continue
        elements = tuple(meta_element(e, dialect, meta.name) for e in index.expressions)
        options = options_signature(dict(index.dialect_kwargs), dialect, meta.name)
        indexes.append(Item(INDEX, name, elements, bool(index.unique), options, index))
    items = _one_per_name(meta.name, indexes)
    for constraint in sorted(meta.constraints, key=lambda c: c._creation_order):
        if not isinstance(constraint, UniqueConstraint):
            continue
        name = written_name(dialect, constraint)
        if not ctx.run_name_filters(name, "unique_constraint", parent):
            continue
        if not included(ctx, constraint):
            left_out.add(name)
            continue
        columns = tuple(c.name.lower() for c in constraint.columns)
        options = unique_options_signature(constraint.dialect_kwargs, dialect, meta.name)
        items.append(Item(UNIQUE, name, columns, True, options, constraint))
    left_out.discard(None)
    return items, left_out


def _index_order(item: Item) -> tuple[Any, ...]:
    """Indexes by name; of two with one name, the one declared as an ``Index`` before the one a
    column's ``index=True`` made, then by definition (never by the set's iteration order)."""
    column_flag = bool(getattr(item.source, "_column_flag", False))
    return (item.name or "", column_flag, item.elements, item.unique, item.options)


def _one_per_name(table_name: str, indexes: list[Item]) -> list[Item]:
    """The indexes in :func:`_index_order`, the first of each name only: a database cannot hold
    two indexes of one name in a table, so creating both fails (with a warning here)."""
    kept: list[Item] = []
    seen: set[str] = set()
    for item in sorted(indexes, key=_index_order):
        if item.name is not None and item.name in seen:
            warnings.warn(
                f"Table {table_name!r} has more than one index named {item.name!r} in the "
                "models (an Index() and a column's index=True?); only the first is created "
                "and compared",
                stacklevel=2,
            )
            continue
        if item.name is not None:
            seen.add(item.name)
        kept.append(item)
    return kept


def conn_items(ctx: AutogenContext, conn: TableInfo) -> list[Item]:
    assert ctx.dialect is not None
    dialect = ctx.dialect
    parent = {"schema_name": conn.schema, "table_name": conn.name}
    items: list[Item] = []
    adjust = impl_hook(ctx, "adjust_reflected_dialect_options")
    for index in conn.indexes:
        if not ctx.run_name_filters(index.name, "index", parent):
            continue
        elements = tuple(
            conn_element(index, i, dialect, conn.name) for i in range(len(index.elements))
        )
        reflected = index.dialect_options
        if adjust is not None:
            reflected = adjust(reflected_index_dict(index), "index")
        options = options_signature(reflected, dialect, conn.name)
        items.append(Item(INDEX, index.name, elements, index.unique, options, index))
    for unique in conn.uniques:
        kind = INDEX if unique.from_index else UNIQUE
        if not ctx.run_name_filters(unique.name, kind, parent):
            continue
        columns = tuple(c.lower() for c in unique.columns)
        options = unique_options_signature(unique.dialect_options, dialect, conn.name)
        items.append(
            Item(UNIQUE, unique.name, columns, True, options, unique, either=unique.from_index)
        )
    return items


def _name(item: Any) -> str | None:
    name = item.name
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return str(name)


def _pair(meta: list[Item], conn: list[Item]) -> list[tuple[Item, Item]]:
    """Pairs by name, then unique constraints by columns where one side has no name (a model
    constraint left to the database to name, or one the database reflects unnamed): two named
    differently are a drop and an add, as Alembic reports them (a renamed constraint)."""
    pairs: list[tuple[Item, Item]] = []
    by_name = {c.name: c for c in conn if c.name is not None}
    for item in meta:
        if item.name is None:
            continue
        other = by_name.get(item.name)
        if other is not None and not other.paired and _compatible(item, other):
            pairs.append((item, other))
            item.paired = other.paired = True
    for item in meta:
        if item.paired or item.kind != UNIQUE:
            continue
        other = next(
            (
                c
                for c in conn
                if not c.paired
                and c.kind == UNIQUE
                and (item.name is None or c.name is None)
                and c.elements == item.elements
                and c.options == item.options
            ),
            None,
        )
        if other is not None:
            pairs.append((item, other))
            item.paired = other.paired = True
    return pairs


def _folded(dialect: Dialect, conn: TableInfo | None, found: list[Item], item: Item) -> bool:
    """PostgreSQL and SQLite make one index for the unique constraints of a ``CREATE TABLE``
    that list the same columns (in the same order), and none for one over the primary key's
    columns: of several such model constraints the database keeps the first written (what
    ``create_all`` and the generated ``create_table`` make), so an unpaired model unique whose
    columns are the primary key's or a database unique constraint's is that one, not missing."""
    if conn is None or item.kind != UNIQUE or not profile_for(dialect).folds_redundant_uniques:
        return False
    key = conn.primary_key
    if key is not None and tuple(c.lower() for c in key.columns) == item.elements:
        return True
    return any(c.kind == UNIQUE and c.paired and c.elements == item.elements for c in found)


def _compatible(meta: Item, conn: Item) -> bool:
    """A model item can pair with a database item of the same kind; on MySQL a database
    unique pairs with a unique index or a unique constraint."""
    if meta.kind == conn.kind:
        return True
    return conn.either and meta.unique


def _fk_backing(conn: TableInfo, item: Item, dropped_fks: set[str]) -> bool:
    """An index MySQL keeps for a foreign key that stays (its leading columns are the key's
    columns): dropping it would fail, and the models need not declare it."""
    if item.kind != INDEX or item.unique:
        return False
    for fk in conn.foreign_keys:
        if fk.name in dropped_fks:
            continue
        columns = tuple(c.lower() for c in fk.columns)
        if item.elements[: len(columns)] == columns:
            return True
    return False


def _own_fk_index(conn: TableInfo, item: Item) -> bool:
    """An index MySQL made by itself for a foreign key (no index covered its columns): it
    carries the key's name, and comes back with the key."""
    if item.kind != INDEX or item.unique:
        return False
    for fk in conn.foreign_keys:
        columns = tuple(c.lower() for c in fk.columns)
        if item.name == fk.name and item.elements[: len(columns)] == columns:
            return True
    return False


def _kept_for_fk(conn: TableInfo, meta: Table | None, item: Item, dropped_fks: set[str]) -> bool:
    """MySQL: a database index left alone because of a foreign key.  In a table that stays,
    any index serving a remaining key (dropping it fails).  In a dropped table (``meta`` is
    None), only the index MySQL made for a key by itself: the others get their ``drop_index``,
    so that the downgrade creates them again after the ``create_table`` (which would
    otherwise make MySQL's own index for the key instead); ``fold_fk_index_drops`` then takes
    out of the upgrade the drops MySQL refuses before the ``drop_table``."""
    if meta is None:
        return _own_fk_index(conn, item)
    return _fk_backing(conn, item, dropped_fks)


def _fk_changes(modify_ops: ModifyTableOps) -> tuple[set[str], list[CreateForeignKeyOp]]:
    dropped = {
        str(op.constraint_name)
        for op in modify_ops.ops
        if isinstance(op, DropConstraintOp) and op.constraint_type == "foreignkey"
    }
    added = [op for op in modify_ops.ops if isinstance(op, CreateForeignKeyOp)]
    return dropped, added


def _fk_indexes(
    conn: TableInfo, added: list[CreateForeignKeyOp], kept: list[Item], schema: str | None
) -> list[CreateIndexOp]:
    """On MySQL, an index for each added foreign key that no index (kept or new) or the
    primary key covers, created explicitly so that the downgrade can drop it again."""
    leading: list[tuple[str, ...]] = [i.elements for i in kept]
    if conn.primary_key is not None:
        leading.append(tuple(c.lower() for c in conn.primary_key.columns))
    ops: list[CreateIndexOp] = []
    for fk in added:
        columns = tuple(c.lower() for c in fk.local_cols)
        if any(elements[: len(columns)] == columns for elements in leading):
            continue
        name = fk.constraint_name or fk.local_cols[0]
        ops.append(CreateIndexOp(name, conn.name, list(fk.local_cols), schema=schema))
        leading.append(columns)
    return ops


@comparators.dispatch_native("table")
def compare_indexes_and_uniques(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn: TableInfo | None,
    meta: Table | None,
) -> None:
    if ctx.dialect is None or (conn is None and meta is None):
        return
    wanted, left_out = meta_items(ctx, meta) if meta is not None else ([], set())
    found = conn_items(ctx, conn) if conn is not None else []
    found = [item for item in found if item.name not in left_out]
    blind = conn is not None and "uniques" in conn.unreflected
    if blind:  # the dialect cannot reflect unique constraints: the model's are not compared
        wanted = [item for item in wanted if item.kind != UNIQUE]
    correct = impl_hook(ctx, "correct_for_autogen_constraints")
    if correct is not None:
        wanted, found = _corrected(ctx, correct, conn, wanted, found)
    drops, adds = _changed_pairs(ctx, conn, _pair(wanted, found))
    filtered = {id(item) for item in drops + adds}  # the filters were asked about the change
    # a new table's unique constraints are part of its create_table
    adds.extend(
        i
        for i in wanted
        if not i.paired
        and (conn is not None or i.kind == INDEX)
        and not _folded(ctx.dialect, conn, found, i)
    )
    fk_indexes = profile_for(ctx.dialect).foreign_keys_need_an_index
    dropped_fks, added_fks = _fk_changes(modify_ops)
    changed = {id(item) for item in drops}

    def keep(item: Item) -> bool:
        return (
            item.paired
            or (blind and item.unique)  # it may be a unique constraint the models still have
            or (conn is not None and fk_indexes and _kept_for_fk(conn, meta, item, dropped_fks))
        )

    kept = [item for item in found if id(item) not in changed and keep(item)]
    drops += [item for item in found if id(item) not in changed and not keep(item)]
    if meta is None:
        # a dropped table's unique constraints go with its drop_table (and come back with
        # the create_table of the downgrade); its indexes, and on MySQL its unique indexes,
        # are dropped separately (as Alembic does)
        drops = [item for item in drops if item.kind == INDEX or item.either]
    for item in drops:
        assert conn is not None
        op = _drop_op(ctx, conn, item, schema, filtered=id(item) in filtered)
        if op is not None:
            modify_ops.ops.append(op)
    for item in adds:
        if id(item) in filtered or ctx.run_object_filters(
            item.source, item.name, item.kind, False, None
        ):
            modify_ops.ops.append(_create_op(item))
    if fk_indexes and conn is not None and meta is not None:
        modify_ops.ops.extend(_fk_indexes(conn, added_fks, kept + adds, schema))


# -- the dialect implementation's hooks ------------------------------------------------------------


def _differs(ctx: AutogenContext, conn: TableInfo | None, item: Item, other: Item) -> bool:
    """Whether a paired model item and database item differ: by their signatures, or by the
    implementation's ``compare_indexes``/``compare_unique_constraint`` when it has its own."""
    if item.kind != other.kind and not other.either:
        return True
    hook = impl_hook(ctx, "compare_indexes" if item.kind == INDEX else "compare_unique_constraint")
    if hook is None or conn is None:
        return item.signature != other.signature
    result = hook(item.source, _conn_object(ctx, conn, other, item.kind))
    if result.is_skip:
        what = "index" if item.kind == INDEX else "unique constraint"
        log.info(
            "Cannot compare %s %r, assuming equal and skipping. %s",
            what,
            other.name,
            result.message,
        )
        return False
    return bool(result.is_different)


def _conn_object(
    ctx: AutogenContext, conn: TableInfo, item: Item, as_kind: str | None = None
) -> Index | UniqueConstraint:
    """The SQLAlchemy object of a database item (from the built table); a unique index MySQL
    keeps for a constraint is given as a ``UniqueConstraint`` when compared with one."""
    if item.either and as_kind == UNIQUE:
        built = build_unique(item.source)
        assert isinstance(built, UniqueConstraint)
        return built
    table = ctx.conn_table(conn)
    candidates: list[Index | UniqueConstraint] = [*table.indexes]
    candidates.extend(c for c in table.constraints if isinstance(c, UniqueConstraint))
    return next(c for c in candidates if c.info.get(REFLECTED) is item.source)


def _corrected(
    ctx: AutogenContext,
    correct: Callable[..., Any],
    conn: TableInfo | None,
    wanted: list[Item],
    found: list[Item],
) -> tuple[list[Item], list[Item]]:
    """The items left after the implementation's ``correct_for_autogen_constraints`` removed
    objects from the four sets (database uniques and indexes, model uniques and indexes)."""
    conn_objects = {id(i): _conn_object(ctx, conn, i) for i in found} if conn else {}
    conn_uniques = {o for o in conn_objects.values() if isinstance(o, UniqueConstraint)}
    conn_indexes = {o for o in conn_objects.values() if isinstance(o, Index)}
    meta_uniques = {i.source for i in wanted if i.kind == UNIQUE}
    meta_indexes = {i.source for i in wanted if i.kind == INDEX}
    correct(conn_uniques, conn_indexes, meta_uniques, meta_indexes)
    kept_conn = conn_uniques | conn_indexes
    kept_meta = meta_uniques | meta_indexes
    return (
        [i for i in wanted if i.source in kept_meta],
        [i for i in found if conn_objects[id(i)] in kept_conn],
    )


def _create_op(item: Item) -> MigrateOperation:
    if item.kind == INDEX:
        return CreateIndexOp.from_index(item.source)
    return AddConstraintOp.from_constraint(item.source)


def _changed_pairs(
    ctx: AutogenContext, conn: TableInfo | None, pairs: list[tuple[Item, Item]]
) -> tuple[list[Item], list[Item]]:
    """The database items to drop and the model items to create for the pairs that differ and
    that the ``include_object`` hooks keep: asked once, about the model's object, with the
    database's as ``compare_to`` (as Alembic asks about a changed index or constraint)."""
    drops: list[Item] = []
    adds: list[Item] = []
    for item, other in pairs:
        if not _differs(ctx, conn, item, other):
            continue
        assert conn is not None
        theirs = _conn_object(ctx, conn, other, item.kind)
        if ctx.run_object_filters(item.source, item.name, item.kind, False, theirs):
            # a model unique constraint replaces MySQL's unique index as a constraint
            drops.append(replace(other, either=False) if item.kind == UNIQUE else other)
            adds.append(item)
    return drops, adds


def _drop_op(
    ctx: AutogenContext, conn: TableInfo, item: Item, schema: str | None, filtered: bool = False
) -> MigrateOperation | None:
    if item.name is None:
        return None  # an unnamed unique constraint (SQLite) cannot be dropped by name
    table = ctx.conn_table(conn)
    op: DropIndexOp | DropConstraintOp
    if item.kind == INDEX or item.either:
        index = next(ix for ix in table.indexes if ix.name == item.name)
        if not filtered and not ctx.run_object_filters(index, item.name, INDEX, True, None):
            return None
        op = DropIndexOp.from_index(index)
    else:
        constraint = _unique_constraint(table, item.name)
        if not filtered and not ctx.run_object_filters(constraint, item.name, UNIQUE, True, None):
            return None
        op = DropConstraintOp.from_constraint(constraint)
    op.schema = schema
    return op


def _unique_constraint(table: Table, name: str) -> UniqueConstraint:
    """The database's unique constraint ``name``; where MySQL keeps it as a unique index, the
    constraint it stands for (on a copy of the table's columns: the snapshot stays as read)."""
    found = next(
        (c for c in table.constraints if isinstance(c, UniqueConstraint) and c.name == name), None
    )
    if found is not None:
        return found
    index = next(ix for ix in table.indexes if ix.name == name)
    constraint = UniqueConstraint(*(c.name for c in index.columns), name=name)
    columns = [Column(c.name, c.type) for c in index.columns]
    Table(table.name, MetaData(), *columns, constraint, schema=table.schema)
    return constraint
