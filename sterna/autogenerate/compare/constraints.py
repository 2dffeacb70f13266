"""Primary keys, foreign keys and CHECK constraints.

* Primary key (beyond Alembic): a change of its columns drops the old key and adds the new one.
* Foreign keys: matched by signature (columns, target, ``onupdate``/``ondelete``, deferrable,
  initially, each normalised per dialect: MySQL's ``RESTRICT`` is its default, PostgreSQL omits
  ``NO ACTION``); a changed key is dropped and added again.
* CHECK constraints (beyond Alembic): matched by name, else by normalised expression; those that
  ``Boolean``/``Enum`` types create, and MariaDB's ``json_valid()``, are left alone.  A CHECK
  declared inside a ``Column`` counts as its table's (an added one is created on that table).
  When the environment selects ``alembic.ext.checkconstraint_byname`` they are matched by name
  only, as Alembic's plugin does: unnamed ones on either side are left alone, a type's named
  CHECK takes part, and a pair is equal unless ``compare_check_constraint`` says otherwise;
  excluding that plugin (``~``) turns CHECK comparison off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    Table,
)

from sterna.autogenerate.compare.conditional import included
from sterna.autogenerate.compare.hooks import impl_hook
from sterna.autogenerate.compare.naming import written_name
from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.compare.schemas import schema_key
from sterna.autogenerate.reflect import CheckInfo
from sterna.dialects import profile_for
from sterna.dialects.compare_elements import check_text  # re-exported from its old home
from sterna.dialects.compare_types import resolve_type
from sterna.dialects.sql_text import normalize_expression
from sterna.operations.ops import (
    AddConstraintOp,
    CreatePrimaryKeyOp,
    DropConstraintOp,
    ModifyTableOps,
)
from sterna.operations.schemaobj import referred_column_name

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import ForeignKeyInfo, TableInfo

log = logging.getLogger("alembic.autogenerate.compare")


def _parent(conn: TableInfo) -> dict[str, str | None]:
    return {"schema_name": conn.schema, "table_name": conn.name}


# -- primary key ----------------------------------------------------------------------------------


@comparators.dispatch_native("table")
def compare_primary_key(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn: TableInfo | None,
    meta: Table | None,
) -> None:
    if conn is None or meta is None:
        return
    wanted = _primary_key_order(meta.primary_key)
    found = conn.primary_key.columns if conn.primary_key is not None else ()
    if wanted == found:
        return
    if found:
        constraint = ctx.conn_table(conn).primary_key
        op = DropConstraintOp.from_constraint(constraint)
        op.schema = schema
        modify_ops.ops.append(op)
    if wanted:
        modify_ops.ops.append(CreatePrimaryKeyOp.from_constraint(meta.primary_key))


def _primary_key_order(key: PrimaryKeyConstraint) -> tuple[str, ...]:
    """The key's columns in the order ``CREATE TABLE`` writes them: for a key made from the
    columns' ``primary_key=True`` SQLAlchemy puts the autoincrement column first."""
    implicit = getattr(key, "_implicit_generated", False)
    columns = key.columns_autoinc_first if implicit else list(key.columns)
    return tuple(c.name for c in columns)


# -- foreign keys ---------------------------------------------------------------------------------


class FKSig(NamedTuple):
    columns: tuple[str, ...]
    referred_schema: str | None
    referred_table: str
    referred_columns: tuple[str, ...]
    onupdate: str | None
    ondelete: str | None
    deferrable: bool | None
    initially: str | None


def _action(value: str | None, dialect_name: str) -> str | None:
    if value is None:
        return None
    upper = " ".join(value.upper().split())
    if upper == "NO ACTION" or (
        upper == "RESTRICT" and profile_for(dialect_name).restrict_is_no_action
    ):
        return None
    return upper


def _deferral(
    deferrable: bool | None, initially: str | None, dialect_name: str
) -> tuple[bool | None, str | None]:
    if not profile_for(dialect_name).compares_fk_deferral:
        return None, None
    initial = initially.upper() if initially else None
    # INITIALLY DEFERRED implies DEFERRABLE (PostgreSQL reflects the key as deferrable)
    deferred = initial == "DEFERRED"
    return (True if deferrable or deferred else None), (None if initial == "IMMEDIATE" else initial)


def conn_fk_sig(ctx: AutogenContext, fk: ForeignKeyInfo) -> FKSig:
    dialect = ctx.snapshot.dialect_name if ctx.snapshot else ""
    return FKSig(
        fk.columns,
        schema_key(ctx, fk.referred_schema),
        fk.referred_table,
        fk.referred_columns,
        _action(fk.onupdate, dialect),
        _action(fk.ondelete, dialect),
        *_deferral(fk.deferrable, fk.initially, dialect),
    )


def meta_fk_sig(ctx: AutogenContext, fk: ForeignKeyConstraint) -> FKSig:
    dialect = ctx.snapshot.dialect_name if ctx.snapshot else ""
    tokens = [e._column_tokens for e in fk.elements]
    referred_schema = tokens[0][0]
    table = fk.table
    if referred_schema is None and isinstance(table, Table) and table.metadata is not None:
        referred_schema = _referred_table_schema(table, tokens[0][1])
    return FKSig(
        tuple(c.parent.name for c in fk.elements),
        schema_key(ctx, referred_schema),
        str(tokens[0][1]),
        tuple(referred_column_name(element) for element in fk.elements),
        _action(fk.onupdate, dialect),
        _action(fk.ondelete, dialect),
        *_deferral(fk.deferrable, fk.initially, dialect),
    )


def _referred_table_schema(table: Table, referred: str) -> str | None:
    """A target named without schema is the metadata's default schema (usually None)."""
    return table.metadata.schema


@comparators.dispatch_native("table")
def compare_foreign_keys(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn: TableInfo | None,
    meta: Table | None,
) -> None:
    if conn is None or meta is None:
        return
    parent = _parent(conn)
    wanted: dict[FKSig, ForeignKeyConstraint] = {}
    left_out: set[FKSig | str | None] = set()
    for fk in sorted(meta.foreign_key_constraints, key=lambda c: c._creation_order):
        if not included(ctx, fk):  # a ddl_if() rule leaves it out: so is its database twin
            left_out.update((meta_fk_sig(ctx, fk), _written(ctx, fk)))
        elif ctx.run_name_filters(_written(ctx, fk), "foreign_key_constraint", parent):
            wanted.setdefault(meta_fk_sig(ctx, fk), fk)
    left_out.discard(None)
    found = {
        sig: fk
        for fk in conn.foreign_keys
        if (sig := conn_fk_sig(ctx, fk)) not in left_out
        and fk.name not in left_out
        and ctx.run_name_filters(fk.name, "foreign_key_constraint", parent)
    }
    correct = impl_hook(ctx, "correct_for_autogen_foreignkeys")
    if correct is not None:
        wanted, found = _corrected_fks(ctx, correct, conn, wanted, found)
    for sig, info in found.items():
        if sig in wanted:
            continue
        built = _built_fk(ctx, conn, info)
        if ctx.run_object_filters(built, info.name, "foreign_key_constraint", True, None):
            op = DropConstraintOp.from_constraint(built)
            op.schema = schema
            modify_ops.ops.append(op)
    for sig, fk in wanted.items():
        if sig not in found and ctx.run_object_filters(
            fk, _name(fk), "foreign_key_constraint", False, None
        ):
            modify_ops.ops.append(AddConstraintOp.from_constraint(fk))


def _corrected_fks(
    ctx: AutogenContext,
    correct: Callable[..., Any],
    conn: TableInfo,
    wanted: dict[FKSig, ForeignKeyConstraint],
    found: dict[FKSig, ForeignKeyInfo],
) -> tuple[dict[FKSig, ForeignKeyConstraint], dict[FKSig, ForeignKeyInfo]]:
    """The implementation's ``correct_for_autogen_foreignkeys`` sees both sides as sets of
    ``ForeignKeyConstraint``; what it removes is not compared, and what it changes (actions,
    deferral...) is compared as changed."""
    built = [(info, _built_fk(ctx, conn, info)) for info in found.values()]
    conn_fks = {fk for _, fk in built}
    metadata_fks = set(wanted.values())
    correct(conn_fks, metadata_fks)
    return (
        {meta_fk_sig(ctx, fk): fk for fk in wanted.values() if fk in metadata_fks},
        {meta_fk_sig(ctx, fk): info for info, fk in built if fk in conn_fks},
    )


def _name(constraint: Any) -> str | None:
    name = constraint.name
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return str(name)


def _written(ctx: AutogenContext, constraint: Any) -> str | None:
    """The model constraint's name as the database will hold it (a long convention name
    shortened as the dialect's DDL shortens it)."""
    assert ctx.dialect is not None
    return written_name(ctx.dialect, constraint)


def _built_fk(ctx: AutogenContext, conn: TableInfo, info: ForeignKeyInfo) -> ForeignKeyConstraint:
    table = ctx.conn_table(conn)
    columns = list(info.columns)
    for fk in table.foreign_key_constraints:
        if fk.name == info.name and [c.parent.name for c in fk.elements] == columns:
            return fk
    raise AssertionError(f"reflected foreign key {info.name!r} missing from built table")


# -- CHECK constraints ----------------------------------------------------------------------------


def _check_text(ctx: AutogenContext, constraint: CheckConstraint, table_name: str) -> str:
    assert ctx.dialect is not None
    return check_text(constraint, ctx.dialect, table_name)


def _meta_checks(meta: Table) -> list[CheckConstraint]:
    found: dict[int, CheckConstraint] = {}
    for constraint in meta.constraints:
        if isinstance(constraint, CheckConstraint):
            found[id(constraint)] = constraint
    for column in meta.columns:
        for constraint in column.constraints:
            if isinstance(constraint, CheckConstraint):
                found[id(constraint)] = constraint
    return sorted(found.values(), key=lambda c: c._creation_order)


def _type_checks(ctx: AutogenContext, meta: Table) -> tuple[set[str], set[str], tuple[str, ...]]:
    """Names and normalised expressions of the CHECKs that column types create, and the
    ``x in `` prefixes of the checks a ``Boolean``/``Enum`` column may carry (with the values of
    an earlier version of the type: the type comparison handles those)."""
    assert ctx.dialect is not None
    names: set[str] = set()
    texts: set[str] = set()
    for constraint in _meta_checks(meta):
        if getattr(constraint, "_type_bound", False):
            if _written(ctx, constraint):
                names.add(str(_written(ctx, constraint)))
            texts.add(_check_text(ctx, constraint, meta.name))
    prefixes = tuple(
        f"{column.name.lower()} in "
        for column in meta.columns
        if isinstance(resolve_type(column.type, ctx.dialect), (Boolean, Enum))
    )
    return names, texts, prefixes


class _Check(NamedTuple):
    name: str | None
    text: str


def _left_out_checks(ctx: AutogenContext, meta: Table) -> list[CheckConstraint]:
    """The table's CHECKs that a ``ddl_if()`` rule leaves out on this database (one declared in
    a ``Column`` is written with its column whatever its rule, as ``CREATE TABLE`` does)."""
    return [
        c
        for c in sorted(meta.constraints, key=lambda c: c._creation_order)
        if isinstance(c, CheckConstraint) and not included(ctx, c)
    ]


def _found_checks(
    ctx: AutogenContext, conn: TableInfo, meta: Table
) -> list[tuple[_Check, CheckInfo]]:
    """The database's CHECKs to compare: not those a column type makes, nor those matching
    (by name, else by expression) a model CHECK that ``ddl_if()`` leaves out here."""
    assert ctx.dialect is not None
    names, texts, prefixes = _type_checks(ctx, meta)
    for constraint in _left_out_checks(ctx, meta):
        name = _written(ctx, constraint)
        if name:
            names.add(name)
        else:
            texts.add(_check_text(ctx, constraint, meta.name))
    found = [
        (_Check(c.name, normalize_expression(c.sqltext, ctx.dialect.name, table_name=meta.name)), c)
        for c in conn.checks
    ]
    return [
        (k, c)
        for k, c in found
        if k.name not in names
        and k.text not in texts
        and not (prefixes and k.text.startswith(prefixes))
    ]


@comparators.dispatch_native("table")
def compare_checks(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn: TableInfo | None,
    meta: Table | None,
) -> None:
    if conn is None or meta is None or ctx.dialect is None or ctx.check_constraints == "off":
        return
    if "checks" in conn.unreflected:  # the dialect cannot tell: nothing to compare with
        return
    if ctx.check_constraints == "by_name":
        _compare_checks_by_name(ctx, modify_ops, schema, conn, meta)
        return
    left_out = {id(c) for c in _left_out_checks(ctx, meta)}
    wanted = [
        (_Check(_written(ctx, c), _check_text(ctx, c, table_name)), c)
        for c in _meta_checks(meta)
        if not getattr(c, "_type_bound", False) and id(c) not in left_out
    ]
    found = _found_checks(ctx, conn, meta)
    hook = impl_hook(ctx, "compare_check_constraint")

    def differs(key: _Check, constraint: CheckConstraint, other: _Check, info: CheckInfo) -> bool:
        if hook is None:
            return key.text != other.text
        assert conn is not None
        return _check_differs(ctx, conn, constraint, info)

    unmatched_conn, unmatched_meta = _match_checks(wanted, found, differs)
    _apply_checks(ctx, modify_ops, schema, conn, unmatched_conn, unmatched_meta)


def _check_differs(
    ctx: AutogenContext, conn: TableInfo, constraint: CheckConstraint, info: CheckInfo
) -> bool:
    """Whether the implementation's ``compare_check_constraint`` finds a same-named pair
    different (without one, a pair is equal: by-name mode never compares expressions)."""
    hook = impl_hook(ctx, "compare_check_constraint")
    if hook is None:
        return False
    result = hook(constraint, _built_check(ctx, conn, info))
    if result.is_skip:
        log.info(
            "Cannot compare check constraint %r, assuming equal and skipping. %s",
            info.name,
            result.message,
        )
    return bool(result.is_different)


def _compare_checks_by_name(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    conn: TableInfo,
    meta: Table,
) -> None:
    """``alembic.ext.checkconstraint_byname``: named CHECKs paired by name, the rest ignored;
    ``include_name`` sees the database's as ``"check_constraint"``."""
    left_out = {_written(ctx, c) for c in _left_out_checks(ctx, meta)}
    wanted: dict[str, CheckConstraint] = {}
    for constraint in _meta_checks(meta):
        name = _written(ctx, constraint)
        if name and name not in left_out:
            wanted.setdefault(name, constraint)
    found = {
        c.name: c
        for c in conn.checks
        if c.name
        and c.name not in left_out
        and ctx.run_name_filters(c.name, "check_constraint", _parent(conn))
    }
    drop = [info for name, info in found.items() if name not in wanted]
    add = [c for name, c in wanted.items() if name not in found]
    for name in wanted.keys() & found.keys():
        if _check_differs(ctx, conn, wanted[name], found[name]):
            drop.append(found[name])
            add.append(wanted[name])
    _apply_checks(ctx, modify_ops, schema, conn, drop, add)


def _apply_checks(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    conn: TableInfo,
    drop: list[CheckInfo],
    add: list[CheckConstraint],
) -> None:
    """Drop the named database CHECKs of ``drop`` and add the model CHECKs of ``add`` (each
    that ``include_object`` keeps)."""
    for check in drop:
        if check.name is not None:
            _drop_check(ctx, modify_ops, schema, conn, check)
    for constraint in add:
        if ctx.run_object_filters(constraint, _name(constraint), "check_constraint", False, None):
            modify_ops.ops.append(AddConstraintOp.from_constraint(constraint))


def _match_checks(
    wanted: list[tuple[_Check, CheckConstraint]],
    found: list[tuple[_Check, CheckInfo]],
    differs: Callable[[_Check, CheckConstraint, _Check, CheckInfo], bool],
) -> tuple[list[CheckInfo], list[CheckConstraint]]:
    """Pair by name (a pair that ``differs`` counts as dropped and added), then the rest by
    expression; returns (database checks to drop, model checks to add)."""
    by_name = {k.name: (k, c) for k, c in found if k.name}
    drop: list[CheckInfo] = []
    add: list[CheckConstraint] = []
    used: set[int] = set()
    rest: list[tuple[_Check, CheckConstraint]] = []
    for key, constraint in wanted:
        match = by_name.get(key.name) if key.name else None
        if match is None:
            rest.append((key, constraint))
            continue
        used.add(id(match[1]))
        if differs(key, constraint, match[0], match[1]):
            drop.append(match[1])
            add.append(constraint)
    for key, constraint in rest:
        same = next((c for k, c in found if id(c) not in used and k.text == key.text), None)
        if same is None:
            add.append(constraint)
        else:
            used.add(id(same))
    drop.extend(c for _, c in found if id(c) not in used)
    return drop, add


def _built_check(ctx: AutogenContext, conn: TableInfo, check: CheckInfo) -> CheckConstraint:
    table = ctx.conn_table(conn)
    return next(
        c for c in table.constraints if isinstance(c, CheckConstraint) and c.name == check.name
    )


def _drop_check(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    conn: TableInfo,
    check: CheckInfo,
) -> None:
    built = _built_check(ctx, conn, check)
    if not ctx.run_object_filters(built, check.name, "check_constraint", True, None):
        return
    op = DropConstraintOp.from_constraint(built)
    op.schema = schema
    modify_ops.ops.append(op)
