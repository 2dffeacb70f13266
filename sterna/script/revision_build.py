"""Building a revision graph from revisions: validation and every derived link, in linear time.

:func:`build_graph` checks the declarations (duplicate ids, duplicate branch labels, labels equal
to revision ids, dangling ``down_revision``/``depends_on``, cycles) and raises a
:class:`~sterna.errors.GraphError` naming the revisions and their files.  It then fills in each
revision's children, resolved and normalised dependencies and effective branch labels, following
Alembic's rules:

* a dependency may name a revision id or a branch label (then it means the labelled revision);
* a dependency already implied by a dependency of a (``down_revision``) ancestor is dropped from
  the *normalised* dependencies, which are what ordering and version rows use;
* a branch label applies to every ``down_revision`` descendant of the labelled revision and, when
  those descendants form a single line with no branch or merge point, also to the line's
  ancestors below the labelled revision, down to (not including) the nearest branch point or
  merge point.
"""

from __future__ import annotations

from collections import namedtuple

from sterna.errors_script import (
    CycleDetected,
    DanglingReference,
    DependencyCycleDetected,
    DuplicateBranchLabel,
    DuplicateRevision,
)
from sterna.script.revision_base import Revision, dedupe, path_of

# ``typing`` is imported for the type checker only: importing it would cost every command line
# about 3 ms.  The records are built with ``collections.namedtuple`` at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import NamedTuple

    class _GraphFields(NamedTuple):
        revs: dict[str, Revision]  # id -> revision, in the order given (the "map order")
        labels: dict[str, Revision]  # branch label -> the revision declaring it
        order: dict[str, int]  # id -> position in the map order
        topo: dict[str, int]  # id -> position in a topological order (parents first)
        heads: tuple[str, ...]
        bases: tuple[str, ...]
        real_heads: tuple[str, ...]
        real_bases: tuple[str, ...]
else:
    _GraphFields = namedtuple("Graph", "revs labels order topo heads bases real_heads real_bases")


class Graph(_GraphFields):
    """The derived view of a set of revisions (a named tuple: importing ``dataclasses`` would
    cost every command line a tenth of its start-up)."""

    __slots__ = ()


def build_graph(revisions: Iterable[Revision]) -> Graph:
    revs = _collect(revisions)
    labels = _map_labels(revs)
    _resolve_dependencies(revs, labels)
    _check_down_revisions(revs, labels)
    _link_children(revs)
    topo = _topological_order(revs)
    _normalize_dependencies(revs, topo)
    _propagate_labels(revs, topo)
    items = revs.items()
    bases = tuple(rid for rid, r in items if not r.down_revisions)
    return Graph(
        revs=revs,
        labels=labels,
        order=dict(zip(revs, range(len(revs)), strict=True)),
        topo=dict(zip(topo, range(len(topo)), strict=True)),
        heads=tuple(rid for rid, r in items if not r.nextrev),
        bases=bases,
        real_heads=tuple(rid for rid, r in items if not r._all_nextrev),
        real_bases=tuple(rid for rid in bases if not revs[rid].dependency_ids),
    )


def _collect(revisions: Iterable[Revision]) -> dict[str, Revision]:
    revs: dict[str, Revision] = {}
    for rev in revisions:
        rid = rev.revision
        if rid in revs:
            raise DuplicateRevision(rid, path_of(revs[rid]), path_of(rev))
        if rev._linked:
            rev._reset_links()
        revs[rid] = rev
    return revs


def _map_labels(revs: dict[str, Revision]) -> dict[str, Revision]:
    labels: dict[str, Revision] = {}
    for rev in revs.values():
        for label in rev._orig_branch_labels:
            clash = revs.get(label)
            if clash is not None:
                raise DuplicateBranchLabel(
                    label, rev.revision, path_of(rev), clash.revision, path_of(clash), True
                )
            owner = labels.get(label)
            if owner is not None:
                raise DuplicateBranchLabel(
                    label, rev.revision, path_of(rev), owner.revision, path_of(owner), False
                )
            labels[label] = rev
    return labels


def _resolve_dependencies(revs: dict[str, Revision], labels: dict[str, Revision]) -> None:
    for rev in revs.values():
        if not rev.dependency_ids:
            continue
        resolved: list[str] = []
        for dep in rev.dependency_ids:
            if dep in revs:
                resolved.append(dep)
            elif dep in labels:
                resolved.append(labels[dep].revision)
            else:
                raise DanglingReference(rev.revision, path_of(rev), "depends_on", dep)
        rev._resolved_dependencies = dedupe(resolved)
        rev._all_down_revisions = dedupe(rev.down_revisions + rev._resolved_dependencies)
        rev._linked = True


def _check_down_revisions(revs: dict[str, Revision], labels: dict[str, Revision]) -> None:
    for rev in revs.values():
        for down in rev.down_revisions:
            if down in revs:
                continue
            hint = ""
            if down in labels:
                hint = (
                    f"{down!r} is a branch label (of revision {labels[down].revision}); "
                    "down_revision must name revision ids"
                )
            raise DanglingReference(rev.revision, path_of(rev), "down_revision", down, hint)


def _link_children(revs: dict[str, Revision]) -> None:
    """Set ``nextrev`` and ``_all_nextrev`` on every revision that has children."""
    versioned: dict[str, list[str]] = {}
    with_deps = False
    for rid, rev in revs.items():
        for down in rev.down_revisions:
            children = versioned.get(down)
            if children is None:
                versioned[down] = [rid]
            else:
                children.append(rid)
        if rev._resolved_dependencies:
            with_deps = True
    for rid, children in versioned.items():
        parent = revs[rid]
        parent.nextrev = parent._all_nextrev = frozenset(children)
        parent._linked = True
    if with_deps:
        _link_dependents(revs)


def _link_dependents(revs: dict[str, Revision]) -> None:
    every: dict[str, list[str]] = {}
    for rid, rev in revs.items():
        for down in rev._all_down_revisions:
            every.setdefault(down, []).append(rid)
    for rid, children in every.items():
        parent = revs[rid]
        parent._all_nextrev = frozenset(children)
        parent._linked = True


def _topological_order(revs: dict[str, Revision]) -> list[str]:
    """Kahn's algorithm over all links (``down_revision``, ``depends_on``); raises on a cycle.

    Parents come before children; ties are broken by the map order (a FIFO of ready ids).
    """
    pending = {rid: len(rev._all_down_revisions) for rid, rev in revs.items()}
    order = [rid for rid, count in pending.items() if count == 0]
    position = 0
    while position < len(order):
        children = revs[order[position]]._all_nextrev
        position += 1
        if len(children) > 1:
            children = sorted(children)  # type: ignore[assignment]
        for child in children:
            left = pending[child] - 1
            pending[child] = left
            if left == 0:
                order.append(child)
    if len(order) != len(revs):
        _raise_cycle(revs, {rid for rid, count in pending.items() if count > 0})
    return order


def _raise_cycle(revs: dict[str, Revision], stuck: set[str]) -> None:
    """Every stuck revision has a stuck parent: follow parents until one repeats."""
    start = next(rid for rid in revs if rid in stuck)
    position: dict[str, int] = {}
    path: list[str] = []
    current = start
    while current not in position:
        position[current] = len(path)
        path.append(current)
        current = next(d for d in revs[current]._all_down_revisions if d in stuck)
    cycle = path[position[current] :]
    cycle.reverse()  # walk it from ancestor to descendant, as the scripts are read
    dependency = any(cycle[i - 1] not in revs[cycle[i]].down_revisions for i in range(len(cycle)))
    kind = DependencyCycleDetected if dependency else CycleDetected
    raise kind(cycle, [path_of(revs[rid]) for rid in cycle], dependency)


def _normalize_dependencies(revs: dict[str, Revision], topo: list[str]) -> None:
    """Drop each dependency that a ``down_revision`` ancestor already depends on.

    The dependencies of all ``down_revision`` ancestors are carried down as a bit mask over the
    dependency targets (an int, shared along lines), so this stays near-linear even when every
    revision depends on something.
    """
    bit: dict[str, int] = {}
    for rev in revs.values():
        for dep in rev._resolved_dependencies:
            bit.setdefault(dep, 1 << len(bit))
    if not bit:
        return
    own = {
        rid: _mask(rev._resolved_dependencies, bit)
        for rid, rev in revs.items()
        if rev._resolved_dependencies
    }
    inherited: dict[str, int] = {}
    for rid in topo:
        rev = revs[rid]
        above = 0
        for down in rev.down_revisions:
            above |= inherited[down] | own.get(down, 0)
        inherited[rid] = above
        if rev._resolved_dependencies:
            kept = tuple(d for d in rev._resolved_dependencies if not above & bit[d])
            rev._normalized_resolved_dependencies = kept
            rev._normalized_down_revisions = dedupe(rev.down_revisions + kept)


def _mask(deps: tuple[str, ...], bit: dict[str, int]) -> int:
    mask = 0
    for dep in deps:
        mask |= bit[dep]
    return mask


def _propagate_labels(revs: dict[str, Revision], topo: list[str]) -> None:
    labelled = [rev for rev in revs.values() if rev._orig_branch_labels]
    if not labelled:
        return
    for rid in topo:  # parents first: each revision inherits its down_revisions' labels
        rev = revs[rid]
        for down in rev.down_revisions:
            inherited = revs[down].branch_labels
            if inherited:
                rev.branch_labels.update(inherited)
                rev._linked = True
    tips = _line_tips(revs, topo)
    downward: dict[str, set[str]] = {}
    for rev in labelled:
        tip = tips[rev.revision]
        if tip is not None:
            downward.setdefault(tip, set()).update(rev.branch_labels)
    for tip, names in downward.items():
        _label_line_below(revs, revs[tip], names)


def _line_tips(revs: dict[str, Revision], topo: list[str]) -> dict[str, str | None]:
    """For each revision, the tip of the single line above it, or None if its descendants fork."""
    tips: dict[str, str | None] = {}
    for rid in reversed(topo):
        children = revs[rid].nextrev
        if not children:
            tips[rid] = rid
        elif len(children) == 1:
            tips[rid] = tips[next(iter(children))]
        else:
            tips[rid] = None
    return tips


def _label_line_below(revs: dict[str, Revision], tip: Revision, names: set[str]) -> None:
    node: Revision | None = tip
    while node is not None and not node._is_real_branch_point and not node.is_merge_point:
        node.branch_labels.update(names)
        node._linked = True
        down = node.down_revisions
        node = revs[down[0]] if down else None
