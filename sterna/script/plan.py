"""Planning a run: which scripts to apply, in which order, and the version-table statements.

:func:`plan_upgrade`, :func:`plan_downgrade` and :func:`plan_stamp` are pure: given a
:class:`~sterna.script.revision.RevisionMap` and the heads stored in the version table they
return a list of :class:`Step`.  Each step carries the :class:`VersionChange` statements that
keep the version table at one row per head, in the order Alembic issues them (Alembic decides
them while running, from the rows; the rows only change through the steps, so deciding them up
front gives the same statements):

* upgrade: INSERT for a new base or branch; UPDATE moving a head to its child; for a merge,
  DELETE the merged heads but one, then UPDATE that one;
* downgrade: UPDATE moving a head to its parent; DELETE when reaching base or a revision another
  head still implies; for a merge point, INSERT the unmerged heads but one, then UPDATE;
* stamp: the same statements between the stamped heads, with no script run.

Where Alembic picks among several rows by Python set order (which row a merge keeps, which an
unmerge updates) the plan picks by the order of ``down_revision`` as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sterna.errors_script import (
    InvalidDestination,
    MultipleHeads,
    MultipleHeadsPresent,
    RangeNotAncestor,
    VersionTableConflict,
)
from sterna.script import revision_walk as walk
from sterna.script.revision import Revision, RevisionMap
from sterna.script.revision_base import BaseMarker

__all__ = ["Step", "VersionChange", "plan_downgrade", "plan_stamp", "plan_upgrade"]

ChangeKind = Literal["insert", "update", "delete"]


@dataclass(frozen=True)
class VersionChange:
    """One statement against the version table, in order."""

    kind: ChangeKind
    old: str | None  # the row replaced or deleted (update/delete)
    new: str | None  # the row written (insert/update)

    def __str__(self) -> str:
        if self.kind == "insert":
            return f"insert {self.new}"
        if self.kind == "delete":
            return f"delete {self.old}"
        return f"update {self.old} -> {self.new}"


@dataclass(frozen=True)
class Step:
    """One step of a run: a script to run (None for a stamp) and the version rows to change.

    ``from_revisions``/``to_revisions`` include dependencies (Alembic's ``MigrationInfo``); the
    ``*_no_deps`` forms are what the log line shows.
    """

    script: Revision | None
    is_upgrade: bool
    from_revisions: tuple[str, ...]
    to_revisions: tuple[str, ...]
    changes: tuple[VersionChange, ...]
    is_stamp: bool = False

    @property
    def is_downgrade(self) -> bool:
        return not self.is_upgrade

    @property
    def name(self) -> str:
        """The function run: ``upgrade``, ``downgrade`` or ``stamp_revision``."""
        if self.is_stamp or self.script is None:
            return "stamp_revision"
        return "upgrade" if self.is_upgrade else "downgrade"

    @property
    def from_revisions_no_deps(self) -> tuple[str, ...]:
        if self.is_stamp or self.script is None:
            return self.from_revisions
        if self.is_upgrade:
            return self.script.down_revisions
        return (self.script.revision,)

    @property
    def to_revisions_no_deps(self) -> tuple[str, ...]:
        if self.is_stamp or self.script is None:
            return self.to_revisions
        if self.is_upgrade:
            return (self.script.revision,)
        return self.script.down_revisions

    @property
    def doc(self) -> str | None:
        if self.is_stamp or self.script is None:
            return None
        doc = getattr(self.script, "doc", None)
        return doc if isinstance(doc, str) else None

    @property
    def short_log(self) -> str:
        """``upgrade a -> b`` (Alembic's ``-- Running ...`` line, without dependencies)."""
        src = ", ".join(self.from_revisions_no_deps)
        dst = ", ".join(self.to_revisions_no_deps)
        return f"{self.name} {src} -> {dst}"

    def __str__(self) -> str:
        doc = self.doc
        return f"{self.short_log}, {doc}" if doc else self.short_log


def plan_upgrade(revmap: RevisionMap, destination: str, current_heads: Sequence[str]) -> list[Step]:
    """The steps taking the version rows ``current_heads`` up to ``destination``."""
    heads = tuple(current_heads)
    revs = _revisions(revmap, "upgrade", destination, heads, destination, heads, implicit_base=True)
    revs.reverse()
    state = _Rows(revmap, heads)
    return [state.upgrade(rev) for rev in revs]


def plan_downgrade(
    revmap: RevisionMap, destination: str, current_heads: Sequence[str]
) -> list[Step]:
    """The steps taking the version rows ``current_heads`` down to ``destination``."""
    heads = tuple(current_heads)
    revs = _revisions(
        revmap, "downgrade", destination, heads, heads, destination, select_for_downgrade=True
    )
    state = _Rows(revmap, heads)
    return [state.downgrade(rev) for rev in revs]


def _revisions(
    revmap: RevisionMap,
    verb: str,
    destination: str,
    heads: tuple[str, ...],
    upper: str | Sequence[str],
    lower: str | Sequence[str],
    **kw: bool,
) -> list[Revision]:
    """``iterate_revisions(upper, lower, **kw)`` as a list, its errors worded for ``verb``."""
    try:
        return list(revmap.iterate_revisions(upper, lower, **kw))
    except InvalidDestination:
        raise
    except RangeNotAncestor as err:
        raise InvalidDestination(destination, verb, heads) from err
    except MultipleHeads as err:
        raise _for_argument(err, destination) from err


def plan_stamp(
    revmap: RevisionMap,
    destinations: Sequence[str],
    current_heads: Sequence[str],
    purge: bool = False,
) -> list[Step]:
    """The stamp steps writing ``destinations`` into the version rows ``current_heads``.

    With ``purge`` the current rows are ignored (the caller empties the table first, with one
    unconditional DELETE, as Alembic does).
    """
    heads = () if purge else tuple(current_heads)
    targets = (destinations,) if isinstance(destinations, str) else tuple(destinations)
    try:
        moves = _stamp_moves(revmap, targets or ("base",), heads)
    except MultipleHeadsPresent:
        raise
    except MultipleHeads as err:
        raise MultipleHeadsPresent(
            err.heads,
            err.argument,
            "Multiple heads are present; please specify a single target revision",
        ) from err
    state = _Rows(revmap, heads)
    return [state.stamp(move) for move in moves]


def _for_argument(err: MultipleHeads, destination: str) -> MultipleHeads:
    if isinstance(err, MultipleHeadsPresent) or err.argument == destination:
        return err
    return MultipleHeads(err.heads, destination)


@dataclass(frozen=True)
class _StampMove:
    from_: tuple[str, ...]
    to_: tuple[str, ...]
    is_upgrade: bool
    branch_move: bool


def _stamp_moves(
    revmap: RevisionMap, targets: tuple[str, ...], heads: tuple[str, ...]
) -> list[_StampMove]:
    head_revs = [r for r in revmap._get_revisions_raw(heads) if isinstance(r, Revision)]
    involved: dict[str, None] = {}
    for target in targets:
        if target:
            for rev in revmap.filter_for_lineage(head_revs, target, include_dependencies=True):
                involved[rev.revision] = None
    moving = tuple(involved)
    dests = revmap._get_revisions_raw(targets) or (None,)
    graph = revmap._graph_data
    moves: list[_StampMove] = []
    for dest in dests:
        if dest is None or isinstance(dest, BaseMarker):
            moves.extend(_StampMove((h,), (), False, True) for h in moving)
            continue
        if dest.revision in involved:
            continue
        if walk.closure(graph, [dest.revision], walk.DESCENDANTS).intersection(moving):
            moves.append(_StampMove(moving, (dest.revision,), False, False))
        elif walk.closure(graph, [dest.revision], walk.ANCESTORS).intersection(moving):
            moves.append(_StampMove(moving, (dest.revision,), True, False))
        else:
            moves.append(_StampMove((), (dest.revision,), True, True))
    return moves


class _Rows:
    """The version rows during a plan, and the statements each step issues."""

    def __init__(self, revmap: RevisionMap, heads: Iterable[str]) -> None:
        self.revmap = revmap
        self.rows: dict[str, None] = dict.fromkeys(heads)
        self.changes: list[VersionChange] = []
        self.step_name = ""
        self.below = walk.AncestorIndex(revmap._graph_data)
        # rows written by hand may hold prefixes or labels; steps only ever write full ids
        self.unknown = {h for h in self.rows if h not in revmap}
        # with rows that are known and none an ancestor of another, a revision whose only
        # child is the step's revision cannot be below another row (see _below_other_rows)
        self.consistent = not self.unknown and revmap._is_antichain(list(self.rows))

    # -- statements -----------------------------------------------------------------------------

    def _insert(self, rev: str) -> None:
        if rev in self.rows:
            self._conflict(f"{rev} is already in the version table")
        self.rows[rev] = None
        self.changes.append(VersionChange("insert", None, rev))

    def _delete(self, rev: str) -> None:
        if rev not in self.rows:
            self._conflict(f"{rev} is not in the version table")
        del self.rows[rev]
        self.unknown.discard(rev)
        self.below.moved(rev, None)
        self.changes.append(VersionChange("delete", rev, None))

    def _update(self, old: str, new: str) -> None:
        if old not in self.rows:
            self._conflict(f"{old} is not in the version table")
        if new in self.rows:
            self._conflict(f"{new} is already in the version table")
        del self.rows[old]
        self.rows[new] = None
        self.unknown.discard(old)
        self.below.moved(old, new)
        self.changes.append(VersionChange("update", old, new))

    def _conflict(self, problem: str) -> None:
        raise VersionTableConflict(self.step_name, self.rows, problem)

    def _take(self) -> tuple[VersionChange, ...]:
        taken = tuple(self.changes)
        self.changes.clear()
        return taken

    # -- steps ----------------------------------------------------------------------------------

    def upgrade(self, rev: Revision) -> Step:
        self.step_name = f"upgrade to {rev.revision}"
        downs = rev._normalized_down_revisions
        present = [d for d in downs if d in self.rows]
        if not present:
            self._insert(rev.revision)
        elif len(present) > 1:
            kept = [d for d in downs if not self._below_other_rows(d, set(downs), rev)]
            if not kept:
                self._conflict(f"no row of {', '.join(downs)} is left to update")
            for down in kept[:-1]:
                self._delete(down)
            self._update(kept[-1], rev.revision)
        else:
            self._update(downs[0] if len(downs) == 1 else present[0], rev.revision)
        return Step(rev, True, downs, (rev.revision,), self._take())

    def downgrade(self, rev: Revision) -> Step:
        self.step_name = f"downgrade of {rev.revision}"
        downs = rev._normalized_down_revisions
        if rev.revision not in self.rows:
            self._conflict(f"{rev.revision} is not in the version table")
        targets = self._unmerge_targets(rev, downs) if downs else []
        if not targets:
            self._delete(rev.revision)
        elif len(downs) > 1:
            for target in targets[:-1]:
                self._insert(target)
            self._update(rev.revision, targets[-1])
        else:
            self._update(rev.revision, downs[0])
        return Step(rev, False, (rev.revision,), downs, self._take())

    def stamp(self, move: _StampMove) -> Step:
        self.step_name = f"stamp {', '.join(move.from_) or 'base'} -> {', '.join(move.to_)}"
        rows = self.rows
        if not move.is_upgrade and move.branch_move:
            self._delete(move.from_[0])
        elif (
            move.is_upgrade
            and (move.branch_move or any(f not in rows for f in move.from_))
            and any(t not in rows for t in move.to_)
        ):
            self._insert(move.to_[0])
        elif len(move.from_) > 1:
            for old in move.from_[:-1]:
                self._delete(old)
            self._update(move.from_[-1], move.to_[0])
        elif len(move.from_) == 1 and len(move.to_) == 1:
            self._update(move.from_[0], move.to_[0])
        else:
            self._conflict("the stamp target is already in the version table")
        return Step(None, move.is_upgrade, move.from_, move.to_, self._take(), is_stamp=True)

    # -- ancestry -------------------------------------------------------------------------------

    def _unmerge_targets(self, rev: Revision, downs: tuple[str, ...]) -> list[str]:
        """The parents that become rows again: those no other row already implies."""
        if len(self.rows) > 1:
            mine = {rev.revision}
            return [d for d in downs if not self._below_other_rows(d, mine, rev)]
        if len(downs) == 1:
            return list(downs)
        is_below = self.below.is_below
        return [d for d in downs if not any(e != d and is_below(d, e) for e in downs)]

    def _below_other_rows(self, down: str, skip: set[str], rev: Revision) -> bool:
        """Whether ``down`` (a parent of ``rev``) is a row, or an ancestor of one, other than
        the rows in ``skip``."""
        rows = self.rows
        if down in rows and down not in skip:
            return True
        revmap = self.revmap
        if self.consistent and len(revmap._graph_data.revs[down]._all_nextrev) == 1:
            # its only child is ``rev``: being below another row would put ``rev`` below it
            # too, which rows that form an antichain (and an unapplied ``rev``) rule out
            return False
        others: Iterable[str] = (h for h in rows if h not in skip)
        if self.unknown:
            # rows holding prefixes or labels: read them as identifiers, as Alembic does
            others = [r.revision for r in revmap.get_revisions(list(others)) if r is not None]
        is_below = self.below.is_below
        return any(is_below(down, other) for other in others)
