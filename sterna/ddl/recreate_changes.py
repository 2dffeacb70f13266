"""What a table rebuild is asked to change: plain records, applied to a :class:`TableModel`.

Batch mode (``sterna.operations.batch``) turns its queued operations into these records, in
the order they were given; the DDL layer never sees operation objects.  Column names in each
record are the names at that point of the batch (after the renames before it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Column, Index, Table
from sqlalchemy.sql.schema import Constraint

from sterna.ddl.recreate_model import TableModel
from sterna.ddl.recreate_render import (
    column_parts,
    constraint_part,
    default_text,
    index_part,
    type_checks,
    type_text,
)
from sterna.ddl.recreate_sql import identifiers

log = logging.getLogger("alembic.ddl.recreate")

#: keyword arguments of batch directives that only a rebuild can honour (they place a column)
POSITION_KW = ("insert_before", "insert_after")


@dataclass(frozen=True)
class AddColumn:
    column: Column[Any]
    insert_before: str | None = None
    insert_after: str | None = None
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropColumn:
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class AlterColumn:
    """``server_default`` and ``comment`` are ``False`` when unchanged (None removes them)."""

    name: str
    new_name: str | None = None
    type_: Any = None
    nullable: bool | None = None
    server_default: Any = False
    comment: Any = False
    autoincrement: bool | None = None
    insert_before: str | None = None
    insert_after: str | None = None


@dataclass(frozen=True)
class AddConstraint:
    """A constraint on a stub table named like the rebuilt table."""

    constraint: Constraint


@dataclass(frozen=True)
class DropConstraint:
    name: str
    type_: str | None = None


@dataclass(frozen=True)
class AddIndex:
    """An index on a stub table named like the rebuilt table."""

    index: Index


@dataclass(frozen=True)
class DropIndex:
    name: str


@dataclass(frozen=True)
class SetTableComment:
    comment: str | None


Change = (
    AddColumn
    | DropColumn
    | AlterColumn
    | AddConstraint
    | DropConstraint
    | AddIndex
    | DropIndex
    | SetTableComment
)


@dataclass(frozen=True)
class RebuildRequest:
    """One rebuild of ``table_name``: the changes and ``batch_alter_table``'s options."""

    table_name: str
    schema: str | None
    changes: tuple[Change, ...]
    partial_reordering: tuple[tuple[str, ...], ...] = ()
    copy_from: Table | None = None
    table_args: tuple[Any, ...] = ()
    table_kwargs: Mapping[str, Any] = field(default_factory=dict)
    reflect_args: tuple[Any, ...] = ()
    reflect_kwargs: Mapping[str, Any] = field(default_factory=dict)
    naming_convention: Mapping[str, Any] | None = None
    #: changes already made by earlier parts of the batch (offline: not in ``copy_from``)
    prior_changes: tuple[Change, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.table_name}" if self.schema else self.table_name


def apply_changes(model: TableModel, changes: Sequence[Change]) -> None:
    for change in changes:
        apply_change(model, change)


def settle(model: TableModel) -> None:
    """Mark the model's current state as what the table now is (after changes made
    earlier in the batch): every column is copied from its current name."""
    for column in model.columns:
        column.source = column.name
    model.casts.clear()


def apply_change(model: TableModel, change: Change) -> None:
    dialect = model.dialect
    if isinstance(change, AddColumn):
        if change.if_not_exists and model.find_column(change.column.name) is not None:
            return
        parts = column_parts(
            change.column, model.name, model.schema, dialect, model.naming_convention
        )
        model.add_column(parts, change.insert_before, change.insert_after)
    elif isinstance(change, DropColumn):
        if not change.if_exists or model.find_column(change.name) is not None:
            model.drop_column(change.name)
    elif isinstance(change, AlterColumn):
        _alter(model, change)
    elif isinstance(change, AddConstraint):
        model.add_constraint(constraint_part(change.constraint, dialect))
    elif isinstance(change, DropConstraint):
        model.drop_constraint(change.name, change.type_)
    elif isinstance(change, AddIndex):
        model.add_index(index_part(change.index, dialect))
    elif isinstance(change, DropIndex):
        model.drop_index(change.name)
    else:
        model.comment = change.comment
        model.comment_changed = True


def _alter(model: TableModel, change: AlterColumn) -> None:
    dialect = model.dialect
    name = model.column(change.name).name
    if change.type_ is not None:
        checks = type_checks(
            name, change.type_, model.name, model.schema, dialect, model.naming_convention
        )
        model.set_type(name, type_text(change.type_, dialect), checks, change.type_)
    if change.nullable is not None:
        model.set_nullable(name, change.nullable)
    if change.server_default is not False:
        default = change.server_default
        model.set_default(name, None if default is None else default_text(default, dialect))
    if change.comment is not False:
        if dialect.supports_comments:
            model.set_column_comment(name, change.comment)
        else:
            log.warning(
                "%s has no comments; the comment of column %s.%s is not set",
                dialect.name,
                model.name,
                name,
            )
    if change.autoincrement is not None:
        model.set_autoincrement(name, change.autoincrement)
    if change.new_name is not None and change.new_name != name:
        model.rename_column(name, change.new_name)
        name = change.new_name
    if change.insert_before is not None or change.insert_after is not None:
        model.move_column(name, change.insert_before, change.insert_after)


# -- renames done in place before a SQLite rebuild ----------------------------------------------


def change_names(change: Change) -> set[str]:
    """Lower-cased column names a change refers to."""
    names: set[str] = set()
    if isinstance(change, AddColumn):
        names.add(change.column.name)
        names.update(n for n in (change.insert_before, change.insert_after) if n)
    elif isinstance(change, DropColumn):
        names.add(change.name)
    elif isinstance(change, AlterColumn):
        names.update(
            n
            for n in (change.name, change.new_name, change.insert_before, change.insert_after)
            if n
        )
    elif isinstance(change, AddConstraint):
        names.update(_constraint_names(change.constraint))
    elif isinstance(change, AddIndex):
        for expr in change.index.expressions:
            names.update(identifiers(str(expr)) if not hasattr(expr, "name") else {expr.name})
    return {n.lower() for n in names}


def _constraint_names(constraint: Constraint) -> set[str]:
    found = {c.name for c in getattr(constraint, "columns", ())}
    sqltext = getattr(constraint, "sqltext", None)
    if sqltext is not None:
        found.update(identifiers(str(sqltext)))
    return found


def has_renames(changes: Sequence[Change]) -> bool:
    """Whether ``changes`` rename a column (what :func:`hoist_renames` could hoist)."""
    return any(_renames(change) for change in changes)


def _renames(change: Change) -> bool:
    return (
        isinstance(change, AlterColumn)
        and change.new_name is not None
        and change.new_name.lower() != change.name.lower()
    )


def hoist_renames(
    changes: Sequence[Change], existing: Sequence[str]
) -> tuple[list[tuple[str, str]], list[Change]]:
    """Split out the renames of existing columns so that they can run in place first
    (``ALTER TABLE ... RENAME COLUMN``, which also rewrites triggers, views and other tables'
    foreign keys).  Returns ``(renames, remaining changes)``; when hoisting would change the
    meaning of the batch (a change before a rename names the columns involved, a rename of a
    column the batch adds, or names that collide), nothing is hoisted."""
    current = {name.lower() for name in existing}
    renames: list[tuple[str, str]] = []
    remaining: list[Change] = []
    seen: set[str] = set()
    for change in changes:
        if _renames(change):
            assert isinstance(change, AlterColumn) and change.new_name is not None
            old, new = change.name.lower(), change.new_name.lower()
            if old in seen or new in seen or old not in current or new in current:
                return [], list(changes)
            current.discard(old)
            current.add(new)
            renames.append((change.name, change.new_name))
            rest = replace(change, name=change.new_name, new_name=None)
            if _has_effect(rest):
                remaining.append(rest)
            seen.update({old, new})
            continue
        seen.update(change_names(change))
        remaining.append(change)
    return renames, remaining


def _has_effect(change: AlterColumn) -> bool:
    return (
        change.type_ is not None
        or change.nullable is not None
        or change.server_default is not False
        or change.comment is not False
        or change.autoincrement is not None
        or change.insert_before is not None
        or change.insert_after is not None
    )
