"""Likely renames: ask in a terminal, never rename silently, never drop silently.

Autogenerate sees a renamed column as a dropped column and an added one, and writing that as
``drop_column`` + ``add_column`` loses the column's data.  The comparison layer
(:mod:`sterna.autogenerate.renames`) pairs each such drop with a compatible add as a *candidate*;
for each candidate this module decides:

* accepted (the user answered ``y`` in a terminal, or renames are accepted by option): the drop
  and the add become one rename (``op.alter_column(..., new_column_name=...)`` /
  ``op.rename_table``), and the downgrade is rebuilt as the reverse of the upgrade;
* declined (the user answered ``n``, or renames are refused by option): drop and add stay;
* undecided (no terminal, no option): drop and add stay, with a loud warning comment in the script
  next to the drop and a warning line on the console.

The option: ``-x sterna.accept_renames=true`` (or ``false``) on the command line, or
``config.attributes["sterna.accept_renames"]`` for programmatic use.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sterna.autogenerate.render_ops import CommentOp
from sterna.operations import ops

log = logging.getLogger("alembic.autogenerate")

OPTION = "sterna.accept_renames"
Decision = Literal["accept", "decline", "warn"]


@dataclass(frozen=True)
class RenameCandidate:
    """A dropped table/column that looks renamed to an added one in the same place."""

    kind: Literal["table", "column"]
    old: str
    new: str
    table: str | None = None  # the table of a column
    schema: str | None = None

    def _qualified(self, name: str) -> str:
        parts = [self.schema] if self.schema else []
        if self.kind == "column" and self.table:
            parts.append(self.table)
        return ".".join([*parts, name])

    @property
    def old_name(self) -> str:
        return self._qualified(self.old)

    @property
    def new_name(self) -> str:
        return self._qualified(self.new)

    @property
    def question(self) -> str:
        what = "" if self.kind == "column" else "table "
        return f"Did you rename {what}{self.old_name} to {self.new_name}? [y/N] "


@dataclass
class RenameOutcome:
    accepted: list[RenameCandidate] = field(default_factory=list)
    declined: list[RenameCandidate] = field(default_factory=list)
    warned: list[RenameCandidate] = field(default_factory=list)


# -- deciding -------------------------------------------------------------------------------------


def accept_option(config: Any) -> bool | None:
    """The accept-renames option: True, False, or None when not given."""
    value: Any = None
    attributes = getattr(config, "attributes", None)
    if isinstance(attributes, dict) and OPTION in attributes:
        value = attributes[OPTION]
    for item in getattr(getattr(config, "cmd_opts", None), "x", None) or ():
        key, _, text = str(item).partition("=")
        if key.strip() == OPTION:
            value = text
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off"):
        return False
    from sterna.errors_autogenerate import AutogenerateSetupError

    raise AutogenerateSetupError(f"-x {OPTION}={value}: expected true or false")


def decider(config: Any) -> Callable[[RenameCandidate], Decision]:
    """How candidates are decided: by the option, else by asking in a terminal, else warn."""
    option = accept_option(config)
    if option is not None:
        decision: Decision = "accept" if option else "decline"
        return lambda candidate: decision
    if _interactive():
        return ask
    return lambda candidate: "warn"


def _interactive() -> bool:
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except (AttributeError, ValueError):
        return False


def ask(candidate: RenameCandidate) -> Decision:
    """Ask on the terminal; anything but yes is no."""
    try:
        answer = input(candidate.question)
    except EOFError:
        return "warn"
    return "accept" if answer.strip().lower() in ("y", "yes") else "decline"


# -- applying -------------------------------------------------------------------------------------


def apply_renames(
    upgrade_ops: ops.UpgradeOps,
    downgrade_ops: ops.DowngradeOps,
    candidates: Iterable[RenameCandidate],
    decide: Callable[[RenameCandidate], Decision],
) -> RenameOutcome:
    """Decide each candidate and rewrite the operations accordingly."""
    outcome = RenameOutcome()
    for candidate in candidates:
        decision = decide(candidate)
        if decision == "accept" and _rename(upgrade_ops, candidate):
            outcome.accepted.append(candidate)
        elif decision == "decline":
            outcome.declined.append(candidate)
        else:
            _warn_in_script(upgrade_ops, downgrade_ops, candidate)
            outcome.warned.append(candidate)
    if outcome.accepted:
        upgrade_ops.reverse_into(downgrade_ops)
    for candidate in outcome.warned:
        log.warning(
            "Possible rename: %s %s was dropped and %s added; the script drops the data of %s "
            "(see the warning in the script). Answer the question in a terminal, or run with "
            "-x %s=true to write a rename instead.",
            candidate.kind,
            candidate.old_name,
            candidate.new_name,
            candidate.old_name,
            OPTION,
        )
    return outcome


@dataclass
class _Found:
    container: ops.OpContainer
    index: int
    op: Any


def _walk(container: ops.OpContainer) -> Iterator[_Found]:
    for index, op in enumerate(container.ops):
        if isinstance(op, ops.OpContainer):
            yield from _walk(op)
        else:
            yield _Found(container, index, op)


def _matches(op: Any, klass: type[Any], candidate: RenameCandidate, name: str) -> bool:
    if not isinstance(op, klass) or getattr(op, "schema", None) != candidate.schema:
        return False
    if candidate.kind == "table":
        return bool(op.table_name == name)
    if op.table_name != candidate.table:
        return False
    column = op.column_name if isinstance(op, ops.DropColumnOp) else op.column.name
    return bool(column == name)


def _find(
    container: ops.OpContainer, klass: type[Any], candidate: RenameCandidate, name: str
) -> _Found | None:
    for found in _walk(container):
        if _matches(found.op, klass, candidate, name):
            return found
    return None


def _drop_and_add(candidate: RenameCandidate) -> tuple[type[Any], type[Any]]:
    if candidate.kind == "table":
        return ops.DropTableOp, ops.CreateTableOp
    return ops.DropColumnOp, ops.AddColumnOp


def _rename(upgrade_ops: ops.UpgradeOps, candidate: RenameCandidate) -> bool:
    drop_cls, add_cls = _drop_and_add(candidate)
    drop = _find(upgrade_ops, drop_cls, candidate, candidate.old)
    add = _find(upgrade_ops, add_cls, candidate, candidate.new)
    if drop is None or add is None:
        return False
    if candidate.kind == "column":
        add.container.ops[add.index] = _column_rename(drop.op, add.op)
        drop.container.ops.remove(drop.op)
    else:
        add.container.ops[add.index] = ops.RenameTableOp(
            candidate.old, candidate.new, schema=candidate.schema
        )
        drop.container.ops.remove(drop.op)
        _retarget_after(upgrade_ops, candidate)
    _prune_empty(upgrade_ops)
    return True


def _column_rename(drop: ops.DropColumnOp, add: ops.AddColumnOp) -> ops.AlterColumnOp:
    """The alter that renames the dropped column to the added one, keeping the old definition
    (and changing nullability when the new column differs)."""
    old = drop.to_column()
    new = add.column
    nullable = None if bool(new.nullable) == bool(old.nullable) else bool(new.nullable)
    return ops.AlterColumnOp(
        drop.table_name,
        drop.column_name,
        schema=drop.schema,
        existing_type=old.type,
        existing_nullable=bool(old.nullable),
        existing_server_default=old.server_default or False,
        existing_comment=old.comment,
        modify_name=new.name,
        modify_nullable=nullable,
    )


def _retarget_after(upgrade_ops: ops.UpgradeOps, candidate: RenameCandidate) -> None:
    """Operations on the old table that come after the rename now name the new table."""
    seen = False
    for op in upgrade_ops.ops:
        if isinstance(op, ops.RenameTableOp) and op.new_table_name == candidate.new:
            seen = True
        elif seen:
            for target in [op, *op.ops] if isinstance(op, ops.ModifyTableOps) else [op]:
                _retarget(target, candidate)


def _retarget(op: Any, candidate: RenameCandidate) -> None:
    if getattr(op, "schema", None) != candidate.schema:
        return
    if isinstance(op, ops.CreateForeignKeyOp):
        if op.source_table == candidate.old:
            op.source_table = candidate.new
        if op.referent_table == candidate.old:
            op.referent_table = candidate.new
    elif getattr(op, "table_name", None) == candidate.old:
        op.table_name = candidate.new


def _prune_empty(container: ops.OpContainer) -> None:
    for op in list(container.ops):
        if isinstance(op, ops.ModifyTableOps):
            _prune_empty(op)
            if not op.ops:
                container.ops.remove(op)


def warning_lines(candidate: RenameCandidate, dropped: str, added: str) -> list[str]:
    """The comment written above a drop that may be a rename."""
    schema = f', schema="{candidate.schema}"' if candidate.schema else ""
    if candidate.kind == "column":
        rename = (
            f'op.alter_column("{candidate.table}", "{dropped}", new_column_name="{added}"{schema})'
        )
    else:
        rename = f'op.rename_table("{dropped}", "{added}"{schema})'
    what = candidate.kind
    return [
        f"WARNING: {what} {candidate._qualified(dropped)} is dropped and "
        f"{candidate._qualified(added)} is added.",
        f"If this is a rename, the data of {candidate._qualified(dropped)} is LOST as written;",
        "replace the drop and the add with:",
        f"    {rename}",
    ]


def _warn_in_script(
    upgrade_ops: ops.UpgradeOps, downgrade_ops: ops.DowngradeOps, candidate: RenameCandidate
) -> None:
    drop_cls, _ = _drop_and_add(candidate)
    for container, dropped, added in (
        (upgrade_ops, candidate.old, candidate.new),
        (downgrade_ops, candidate.new, candidate.old),
    ):
        found = _find(container, drop_cls, candidate, dropped)
        if found is not None:
            comment = CommentOp(warning_lines(candidate, dropped, added))
            found.container.ops.insert(found.index, comment)
