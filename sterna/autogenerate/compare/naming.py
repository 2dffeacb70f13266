"""Names for constraints the models leave unnamed, as the database would give them.

``create_unique_constraint(None, ...)`` works, but its reverse ``drop_constraint(None, ...)``
cannot: the downgrade would fail.  Where the database's naming rule is known, the operation
gets the name the database would choose anyway, so the downgrade can drop it (the rules are the
dialect profiles', :mod:`sterna.dialects`):

* PostgreSQL: ``<table>_pkey``, ``<table>_<columns>_key``, ``<table>_<columns>_fkey`` (when the
  name fits in 63 characters and is not taken);
* MySQL/MariaDB: ``<table>_ibfk_<n>`` for foreign keys, the first column's name for unique
  constraints (``<column>_2``... when taken).

CHECKs (:mod:`sterna.autogenerate.compare.check_names`): PostgreSQL ``<table>_<column>_check``
(one column) or ``<table>_check``; MariaDB ``CONSTRAINT_<n>``; MySQL ``<table>_chk_<n>``.

The foreign keys of a new table that go after the tables (a cycle, ``use_alter``) get the same
treatment (:func:`name_split_foreign_keys`).

A model name is matched with the database's in the form the dialect writes it
(:func:`written_name`): SQLAlchemy shortens a convention name (``conv``, ``op.f()``) longer than
the dialect allows to its first ``limit - 8`` characters, ``_`` and the last 4 hex digits of the
MD5 of the whole name.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKeyConstraint, Index, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import _truncated_label

from sterna.autogenerate.compare.check_names import name_new_checks
from sterna.dialects import profile_for
from sterna.dialects.profile import FOREIGN_KEY, PRIMARY_KEY, UNIQUE
from sterna.operations.ops import (
    CreateForeignKeyOp,
    CreatePrimaryKeyOp,
    CreateUniqueConstraintOp,
    DropConstraintOp,
    DropIndexOp,
    ModifyTableOps,
)
from sterna.operations.ops.constraints import constraint_name_or_none

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import TableInfo

_PG_MAX = 63


def written_name(dialect: Dialect, item: Any) -> str | None:
    """The name of a model index or constraint as the dialect's DDL writes it: a convention
    name (a ``conv``, ``op.f()``) longer than the dialect's limit for its kind is shortened as
    SQLAlchemy's compiler shortens it; other names as they are (SQLAlchemy refuses an explicit
    name over ``max_identifier_length``).  ``None`` for an unnamed one (or one a convention
    names only at DDL time)."""
    name = item.name
    if name is None or type(name).__name__ == "_NoneName":
        return None
    limit = _name_limit(dialect, isinstance(item, Index))
    if isinstance(name, _truncated_label) and len(name) > limit:
        digest = hashlib.md5(str(name).encode("utf-8"), usedforsecurity=False).hexdigest()
        return f"{name[: limit - 8]}_{digest[-4:]}"
    return str(name)


def _name_limit(dialect: Dialect, index: bool) -> int:
    specific = dialect.max_index_name_length if index else dialect.max_constraint_name_length
    return int(specific or dialect.max_identifier_length)


def _taken(conn: TableInfo, modify_ops: ModifyTableOps) -> set[str]:
    """Names of the table's constraints and indexes that remain after the drops."""
    dropped = {
        str(op.constraint_name)
        for op in modify_ops.ops
        if isinstance(op, DropConstraintOp) and op.constraint_name
    } | {str(op.index_name) for op in modify_ops.ops if isinstance(op, DropIndexOp)}
    names = {i.name for i in conn.indexes} | {u.name for u in conn.uniques}
    names |= {f.name for f in conn.foreign_keys} | {c.name for c in conn.checks}
    if conn.primary_key is not None:
        names.add(conn.primary_key.name)
    return {n for n in names if n} - dropped


def name_new_constraints(
    ctx: AutogenContext, modify_ops: ModifyTableOps, conn: TableInfo | None
) -> None:
    """Give unnamed new constraints of an existing table the database's default name
    (the dialect profile's ``name_added_constraints``)."""
    if conn is None or ctx.dialect is None:
        return
    unnamed = [
        op
        for op in modify_ops.ops
        if isinstance(op, (CreatePrimaryKeyOp, CreateUniqueConstraintOp, CreateForeignKeyOp))
        and op.constraint_name is None
    ]
    if unnamed:
        wanted = [_kind_and_columns(op) for op in unnamed]
        names = profile_for(ctx.dialect).name_added_constraints(
            conn.name, wanted, _taken(conn, modify_ops)
        )
        for op, name in zip(unnamed, names, strict=True):
            if name is not None:
                op.constraint_name = name
    name_new_checks(ctx, modify_ops, conn, _taken(conn, modify_ops))


def _kind_and_columns(
    op: CreatePrimaryKeyOp | CreateUniqueConstraintOp | CreateForeignKeyOp,
) -> tuple[str, tuple[str, ...]]:
    if isinstance(op, CreatePrimaryKeyOp):
        return PRIMARY_KEY, tuple(op.columns)
    if isinstance(op, CreateUniqueConstraintOp):
        return UNIQUE, tuple(op.columns)
    return FOREIGN_KEY, tuple(op.local_cols)


# -- foreign keys a new table gets after the tables (cycles, use_alter) ---------------------------


def name_split_foreign_keys(
    ctx: AutogenContext,
    table: Table,
    split: list[ForeignKeyConstraint],
    ops: list[CreateForeignKeyOp],
) -> None:
    """Name the unnamed foreign keys of a new table that are added after the tables, so that
    the downgrade can drop them: the name the database gives an ``ADD FOREIGN KEY`` (MySQL
    numbers after the keys ``CREATE TABLE`` named), elsewhere ``fk_<table>_<columns>``; a
    name longer than the database allows is shortened with a hash."""
    assert ctx.dialect is not None
    moved = {id(fk) for fk in split}
    inline = [fk for fk in table.foreign_key_constraints if not _named(fk) and id(fk) not in moved]
    unnamed = [op for op in ops if op.constraint_name is None]
    names = profile_for(ctx.dialect).name_split_foreign_keys(
        str(table.name),
        [tuple(map(str, fk.column_keys)) for fk in inline],
        [tuple(op.local_cols) for op in unnamed],
        _new_table_names(table),
        int(ctx.dialect.max_identifier_length or _PG_MAX),
    )
    for op, name in zip(unnamed, names, strict=True):
        op.constraint_name = name


def _named(fk: ForeignKeyConstraint) -> bool:
    return constraint_name_or_none(fk.name) is not None


def _new_table_names(table: Table) -> set[str]:
    names = {str(c.name) for c in table.constraints if constraint_name_or_none(c.name)}
    names |= {str(i.name) for i in table.indexes if i.name}
    return names
