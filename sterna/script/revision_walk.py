"""Walks over a built revision graph: ancestors, descendants, lineage, ordering.

Every function here is linear in the part of the graph it visits.  The links used:

* ``ANCESTORS`` follows ``_normalized_down_revisions`` (``down_revision`` plus dependencies);
* ``VERSIONED_ANCESTORS`` follows ``down_revisions`` only;
* ``DESCENDANTS`` follows ``_all_nextrev`` (children by ``down_revision`` or ``depends_on``);
* ``VERSIONED_DESCENDANTS`` follows ``nextrev``.

(The normalised and the full dependency links have the same transitive closure: normalisation
only drops a dependency that an ancestor already has.)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from sterna.errors_script import UnorderableRevisions
from sterna.script.revision_base import Revision
from sterna.script.revision_build import Graph

Links = Callable[[Revision], Iterable[str]]


def _ancestors(rev: Revision) -> Iterable[str]:
    return rev._normalized_down_revisions


def _versioned_ancestors(rev: Revision) -> Iterable[str]:
    return rev.down_revisions


def _descendants(rev: Revision) -> Iterable[str]:
    return rev._all_nextrev


def _versioned_descendants(rev: Revision) -> Iterable[str]:
    return rev.nextrev


ANCESTORS: Links = _ancestors
VERSIONED_ANCESTORS: Links = _versioned_ancestors
DESCENDANTS: Links = _descendants
VERSIONED_DESCENDANTS: Links = _versioned_descendants


def closure(graph: Graph, starts: Iterable[str], links: Links) -> set[str]:
    """The start ids and every id reachable from them through ``links``."""
    revs = graph.revs
    seen = set(starts)
    stack = list(seen)
    while stack:
        for nxt in links(revs[stack.pop()]):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def bounded_closure(
    graph: Graph, starts: Iterable[str], links: Links, keep: Callable[[str], bool]
) -> set[str]:
    """Like :func:`closure`, not entering ids for which ``keep`` is false."""
    revs = graph.revs
    seen = {s for s in starts if keep(s)}
    stack = list(seen)
    while stack:
        for nxt in links(revs[stack.pop()]):
            if nxt not in seen and keep(nxt):
                seen.add(nxt)
                stack.append(nxt)
    return seen


def checked_closure(graph: Graph, targets: Collection[str], links: Links) -> set[str]:
    """Closure of ``targets``; raises if one target reaches another (Alembic's overlap check).

    The targets are walked in order, sharing what was already seen; a target whose walk meets a
    different target is reported, as Alembic does.
    """
    from sterna.errors_script import OverlappingRevisions

    if len(targets) < 2:
        return closure(graph, targets, links)
    revs = graph.revs
    target_set = set(targets)
    seen: set[str] = set()
    for target in targets:
        met: set[str] = set()
        stack = [target]
        while stack:
            rid = stack.pop()
            if rid in target_set:
                met.add(rid)
            if rid in seen:
                continue
            seen.add(rid)
            stack.extend(links(revs[rid]))
        met.discard(target)
        if met:
            ordered = sorted(met, key=graph.order.__getitem__)
            raise OverlappingRevisions(target, ordered)
    return seen


def lineage(graph: Graph, ids: Iterable[str], include_dependencies: bool) -> set[str]:
    """Every revision that is an ancestor or a descendant of (or one of) ``ids``."""
    ids = list(ids)
    if include_dependencies:
        return closure(graph, ids, ANCESTORS) | closure(graph, ids, DESCENDANTS)
    return closure(graph, ids, VERSIONED_ANCESTORS) | closure(graph, ids, VERSIONED_DESCENDANTS)


def branch_heads(graph: Graph, ids: Iterable[str]) -> set[str]:
    """The ids with no ``down_revision`` descendant among ``ids``."""
    members = set(ids)
    below: set[str] = set()
    stack = list(members)
    revs = graph.revs
    while stack:
        for down in revs[stack.pop()].down_revisions:
            if down not in below:
                below.add(down)
                stack.append(down)
    return members - below


class AncestorIndex:
    """Answers "is ``rid`` an ancestor of (or equal to) ``head``" for rows that move step by step.

    A question is first tried with a short walk down from ``head`` (never below ``rid`` in the
    topological order); when that walk runs long, ``head``'s whole ancestor set is computed and
    kept.  A kept set follows its row when the row moves to its only parent or to a child whose
    only parent it was (one element removed or added), so rows walking along long lines are
    answered in O(1) per step.
    """

    BUDGET = 256

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.kept: dict[str, set[str]] = {}

    def is_below(self, rid: str, head: str) -> bool:
        if rid == head:
            return True
        kept = self.kept.get(head)
        if kept is not None:
            return rid in kept
        found = self._short_walk(rid, head)
        if found is not None:
            return found
        kept = closure(self.graph, [head], ANCESTORS)
        self.kept[head] = kept
        return rid in kept

    def _short_walk(self, rid: str, head: str) -> bool | None:
        revs, topo = self.graph.revs, self.graph.topo
        floor = topo[rid]
        if topo[head] < floor:
            return False
        seen = {head}
        stack = [head]
        while stack:
            for down in revs[stack.pop()]._normalized_down_revisions:
                if down == rid:
                    return True
                if down not in seen and topo[down] > floor:
                    if len(seen) >= self.BUDGET:
                        return None
                    seen.add(down)
                    stack.append(down)
        return False

    def moved(self, old: str, new: str | None) -> None:
        """Row ``old`` became ``new`` (None: deleted); carry its kept set along if cheap."""
        kept = self.kept.pop(old, None)
        if kept is None or new is None:
            return
        revs = self.graph.revs
        if revs[old]._normalized_down_revisions == (new,):
            kept.discard(old)
            self.kept[new] = kept
        elif revs[new]._normalized_down_revisions == (old,):
            kept.add(new)
            self.kept[new] = kept


def is_antichain(graph: Graph, heads: Collection[str]) -> bool:
    """Whether no revision of ``heads`` is an ancestor of another."""
    revs = graph.revs
    parents = [d for h in heads for d in revs[h]._normalized_down_revisions]
    return not (closure(graph, parents, ANCESTORS) & set(heads))


def topological_sort(graph: Graph, todo: set[str], heads: Iterable[str]) -> list[str]:
    """``todo`` ordered from the upper revisions down, exactly as Alembic orders a range.

    Alembic keeps a list of "current heads" (initially ``heads`` within ``todo``, in map order)
    and repeatedly emits the current one unless another current head descends from it, in which
    case it moves to the first such head; after emitting it replaces the head by its parents
    within ``todo``.  This reproduces that order without Alembic's ancestor sets: a revision has
    a current head above it exactly when one of its children still lies below a current head.
    When no revision outside ``todo`` sits between two members of ``todo`` (the usual case)
    those children are simply the not yet emitted members of ``todo``; otherwise a counter of
    such "live" children per revision of the in-between region is kept up to date.
    """
    order = graph.order
    current = sorted({h for h in heads if h in todo}, key=order.__getitem__)
    region = _between(graph, todo)
    walk = _OrderWalk(graph, todo, region)
    return walk.run(current)


def _between(graph: Graph, todo: set[str]) -> set[str] | None:
    """``todo`` plus every revision on a path between two of its members; None if that is
    just ``todo``."""
    revs, topo = graph.revs, graph.topo
    if len(todo) == len(revs):  # the whole graph (``history``): nothing lies outside
        return None
    outside = {c for rid in todo for c in revs[rid]._all_nextrev if c not in todo}
    if not outside:
        return None
    high = max(topo[r] for r in todo)
    above = bounded_closure(graph, outside, DESCENDANTS, lambda x: topo[x] <= high)
    if above.isdisjoint(todo):
        return None
    low = min(topo[r] for r in todo)
    below = bounded_closure(graph, todo, ANCESTORS, lambda x: topo[x] >= low)
    return (above | todo) & below


class _OrderWalk:
    """Alembic's emitting loop, knowing in O(1) which revisions have a current head above.

    Without a ``region`` (nothing outside ``todo`` between its members) a revision has a
    current head above it when one of its children is still in ``todo``.  With one, a count of
    live children (children of the region not yet emitted, or still below a live child) is kept
    per revision of the region.
    """

    def __init__(self, graph: Graph, todo: set[str], region: set[str] | None) -> None:
        self.graph = graph
        self.revs = graph.revs
        self.todo = set(todo)
        self.region = region
        self.dead: set[str] = set()
        self.count: dict[str, int] = {}
        self._above: dict[str, set[str]] = {}
        if region is not None:
            revs = self.revs
            self.count = {
                rid: sum(1 for c in revs[rid]._all_nextrev if c in region) for rid in region
            }

    def run(self, current: list[str]) -> list[str]:
        output: list[str] = []
        todo, revs, count = self.todo, self.revs, self.count
        simple = self.region is None
        current_set = set(current)
        idx = 0
        while current:
            if simple and len(current) == 1:
                # one current head is never blocked: follow its line while it has one parent
                self._follow_line(current, output)
                current_set = set(current)
                idx = 0
                if not current:
                    break
            candidate = current[idx]
            rev = revs[candidate]
            if (not todo.isdisjoint(rev._all_nextrev)) if simple else count[candidate] > 0:
                idx = self._first_head_above(current, candidate, idx)
                continue
            output.append(candidate)
            todo.discard(candidate)
            current_set.discard(candidate)
            added = [
                r for r in rev._normalized_down_revisions if r in todo and r not in current_set
            ]
            if added:
                current[idx] = added[0]
                if len(added) > 1:
                    current.extend(added[1:])
                current_set.update(added)
            else:
                del current[idx]
                idx = max(idx - 1, 0)
            if not simple:
                self._emitted(candidate)
        if todo:
            raise UnorderableRevisions(sorted(todo, key=self.graph.order.__getitem__))
        return output

    def _follow_line(self, current: list[str], output: list[str]) -> None:
        """Emit the single current head and its line down to a merge point or the range's end;
        leaves the merge point (not yet emitted) or nothing in ``current``."""
        todo, revs = self.todo, self.revs
        candidate = current[0]
        while True:
            downs = revs[candidate]._normalized_down_revisions
            if len(downs) > 1:
                current[0] = candidate
                return
            output.append(candidate)
            todo.discard(candidate)
            if not downs or downs[0] not in todo:
                current.clear()
                return
            candidate = downs[0]

    def _live_children(self, rid: str) -> list[str]:
        children = self.revs[rid]._all_nextrev
        if self.region is None:
            todo = self.todo
            return [c for c in children if c in todo]
        region, dead = self.region, self.dead
        return [c for c in children if c in region and c not in dead]

    def _first_head_above(self, current: list[str], candidate: str, idx: int) -> int:
        above = self._above.get(candidate)
        if above is None:
            above = self._live_above(candidate)
            if len(self._above) >= 8:
                self._above.clear()
            self._above[candidate] = above
        for j, head in enumerate(current):
            if j != idx and head in above:
                return j
        # a live revision with no current head above: part of ``todo`` is unreachable
        raise UnorderableRevisions(sorted(self.todo, key=self.graph.order.__getitem__))

    def _live_above(self, candidate: str) -> set[str]:
        """The live revisions above ``candidate``.

        Kept for later questions about the same candidate: liveness only ever decreases and
        current heads are live, so a current head is above ``candidate`` exactly when it is in
        this set, however much was emitted since.
        """
        above: set[str] = set()
        stack = [candidate]
        while stack:
            for child in self._live_children(stack.pop()):
                if child not in above:
                    above.add(child)
                    stack.append(child)
        return above

    def _emitted(self, rid: str) -> None:
        """``rid`` no longer lies below a current head; so may its parents outside ``todo``."""
        assert self.region is not None
        region, todo, revs, count, dead = self.region, self.todo, self.revs, self.count, self.dead
        dead.add(rid)
        stack = [rid]
        while stack:
            for parent in revs[stack.pop()]._all_down_revisions:
                if parent not in region:
                    continue
                count[parent] -= 1
                if count[parent] == 0 and parent not in todo and parent not in dead:
                    dead.add(parent)
                    stack.append(parent)
