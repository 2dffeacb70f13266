"""Relative targets and range selection: what ``upgrade X``, ``downgrade X`` and ``a:b`` select.

These follow Alembic's reading of targets exactly (it is what every existing project's commands
and scripts rely on), with clear errors where Alembic fails with an assertion:

* ``+N`` / ``label@+N`` (upgrade): N steps up from the current head (on ``label``'s branch);
* ``rev+N`` / ``rev-N`` / ``label@rev-N``: relative to a revision;
* ``-N`` / ``label@-N`` (downgrade): N steps down from the current head (on that branch);
* anything else is an absolute identifier (see :mod:`sterna.script.revision`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence

from sterna.errors_script import (
    AmbiguousUpgrade,
    AmbiguousWalk,
    InvalidDowngradeTarget,
    NotAString,
    RangeNotAncestor,
    RelativeRevisionError,
    UnknownRevision,
)
from sterna.script import revision_walk as walk
from sterna.script.revision_base import BaseMarker, Revision, as_tuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sterna.script.revision import Node, RevisionMap

Bound = str | Sequence[str] | None

_RELATIVE = re.compile(r"(?:(.+?)@)?(\w+)?([+-]\d+)")


def _ids(nodes: Iterable[Node]) -> list[str]:
    return [n.revision for n in nodes if isinstance(n, Revision)]


def _format(bound: Bound) -> str | None:
    if bound is None or isinstance(bound, str):
        return bound
    return ", ".join(bound) or None


def parse_downgrade_target(
    rmap: RevisionMap, current: Bound, target: Bound, assert_relative_length: bool
) -> tuple[str | None, Node]:
    """``(branch_label, revision)`` a downgrade target names; relative forms count from
    ``current`` (the heads in the database)."""
    if target is None:
        return None, None
    if not isinstance(target, str):
        raise NotAString(target)
    match = _RELATIVE.fullmatch(target)
    if match is None:
        label, _, symbol = target.rpartition("@")
        return (label or None), rmap.get_revision(symbol)
    label, symbol, relative = match.groups()
    steps = int(relative)
    if steps >= 0:
        if symbol is None:
            raise RelativeRevisionError(relative, abs(steps))
        node = rmap._walk(symbol, steps, label, no_overwalk=assert_relative_length)
        if node is None:
            raise RelativeRevisionError(relative, abs(steps), symbol)
        return label, node
    from_current = symbol is None
    if symbol is None:
        if label:
            symbol = _current_on_branch(rmap, current, label, relative)
        else:
            symbol = _single_current(current, relative)
            label = symbol
    start = rmap.get_revision(symbol if label is None else f"{label}@{symbol}")
    node = rmap._walk(start, steps, no_overwalk=assert_relative_length)
    if node is None:
        raise RelativeRevisionError(relative, abs(steps), None if from_current else symbol)
    return label, node


def _single_current(current: Bound, relative: str) -> str:
    heads = as_tuple(current)
    if not heads:
        raise RelativeRevisionError(relative, abs(int(relative)))
    if len(set(heads)) > 1:
        warnings.warn(
            f"downgrade {relative} from multiple heads ({', '.join(heads)}) is ambiguous; "
            f"counting from {heads[0]}; name a branch with <branchname>@{relative}",
            UserWarning,
            stacklevel=4,
        )
    return heads[0]


def _current_on_branch(rmap: RevisionMap, current: Bound, label: str, relative: str) -> str:
    """The one current revision on ``label``'s branch (a head, or a branch head it implies)."""
    heads = as_tuple(current)
    symbols = list(rmap.filter_for_lineage(heads, label))
    if not symbols:
        implied = rmap._get_all_current(heads)
        symbols = [r.revision for r in rmap.filter_for_lineage(list(implied), label)]
    if not symbols:
        raise RelativeRevisionError(f"{label}@{relative}", abs(int(relative)))
    if len(symbols) > 1:
        raise AmbiguousWalk(label, sorted(symbols))
    return symbols[0]


def parse_upgrade_target(
    rmap: RevisionMap, current: Bound, target: Bound, assert_relative_length: bool
) -> tuple[Node, ...]:
    """The revisions an upgrade target names; relative forms count from ``current``."""
    match = _RELATIVE.fullmatch(target) if isinstance(target, str) else None
    if match is None:
        return rmap._get_revisions_raw(target)
    label, symbol, relative = match.groups()
    steps = int(relative)
    if steps > 0 and symbol is None:
        start = _upgrade_start(rmap, current, label)
        node = rmap._walk(start, steps, label, no_overwalk=assert_relative_length)
        if node is None:
            raise RelativeRevisionError(relative, abs(steps))
        return (node,)
    if steps > 0:
        assert symbol is not None
        origin = rmap.get_revision(symbol)
        node = rmap._walk(origin, steps, label, no_overwalk=assert_relative_length)
        if node is None:
            raise RelativeRevisionError(relative, abs(steps), symbol)
        return (node,)
    if symbol is None:
        raise RelativeRevisionError(str(steps), abs(steps))
    origin = rmap.get_revision(symbol if label is None else f"{label}@{symbol}")
    node = rmap._walk(origin, steps, no_overwalk=assert_relative_length)
    if node is None:
        raise RelativeRevisionError(relative, abs(steps), symbol)
    return (node,)


def _upgrade_start(rmap: RevisionMap, current: Bound, label: str | None) -> str | Node:
    """Where ``+N`` starts: the current head (on ``label``'s branch), else below the bases."""
    heads = as_tuple(current)
    if not label:
        if len(heads) > 1:
            raise AmbiguousUpgrade(heads)
        return heads[0] if heads else None
    found = [r for r in rmap._get_revisions_raw(heads) if isinstance(r, Revision)]
    starts: list[str] = _ids(rmap.filter_for_lineage(found, label))
    if not starts:
        # the branch has no current head: start from the tips of what is applied on it
        applied = rmap._get_ancestor_nodes(found)
        on_branch = rmap.filter_for_lineage(applied, label)
        below = {d for r in on_branch for d in r._normalized_down_revisions}
        starts = [r.revision for r in on_branch if r.revision not in below]
    if len(starts) > 1:
        raise AmbiguousUpgrade(starts)
    return starts[0] if starts else None


def collect_upgrade(
    rmap: RevisionMap,
    upper: Bound,
    lower: Bound,
    inclusive: bool,
    implicit_base: bool,
    assert_relative_length: bool,
) -> tuple[set[str], list[str]]:
    """``(revisions to apply, upper heads)`` to go from ``lower`` up to ``upper``."""
    graph = rmap._graph_data
    targets = _upgrade_targets(rmap, upper, lower, assert_relative_length)
    required = walk.checked_closure(graph, targets, walk.ANCESTORS) | set(targets)
    current = rmap._get_revisions_raw(lower)
    if not implicit_base and any(
        not isinstance(r, Revision) or r.revision not in required for r in current if r is not None
    ):
        raise RangeNotAncestor(_format(lower), _format(upper))
    if current and current[0] is None:
        # a relative lower bound that walked below base: read it against the upper bound
        _, node = parse_downgrade_target(rmap, upper, lower, assert_relative_length)
        if isinstance(node, Revision):
            current, lower = (node,), node.revision
        else:
            current, lower = (), None
    current_ids = _ids(current)
    applied = walk.checked_closure(graph, current_ids, walk.ANCESTORS) | set(current_ids)
    needs = required - applied
    if inclusive:
        needs.update(_ids(rmap._get_revisions_raw(lower)))
    if current_ids and not implicit_base:
        needs &= walk.checked_closure(graph, current_ids, walk.VERSIONED_DESCENDANTS)
    return needs, targets


def _upgrade_targets(
    rmap: RevisionMap, upper: Bound, lower: Bound, assert_relative_length: bool
) -> list[str]:
    nodes = parse_upgrade_target(rmap, lower, upper, assert_relative_length)
    if any(n is None for n in nodes):
        raise UnknownRevision(_format(upper) or "")
    targets = [n for n in nodes if isinstance(n, Revision)]
    if isinstance(lower, str) and "@" in lower:
        branch = lower.partition("@")[0]
        branch_rev = rmap.get_revision(branch)
        if branch_rev is not None and branch_rev.revision == branch:
            # a revision id used as the label: the branch it carries
            if len(branch_rev.branch_labels) != 1:
                raise RangeNotAncestor(_format(lower), _format(upper))
            branch = next(iter(branch_rev.branch_labels))
        targets = [t for t in targets if branch in t.branch_labels]
    return [t.revision for t in targets]


def collect_downgrade(
    rmap: RevisionMap,
    upper: Bound,
    lower: Bound,
    inclusive: bool,
    implicit_base: bool,
    assert_relative_length: bool,
) -> tuple[set[str], list[str]]:
    """``(revisions to undo, current heads)`` to go from the heads ``upper`` down to ``lower``."""
    graph = rmap._graph_data
    label, target = parse_downgrade_target(rmap, upper, lower, assert_relative_length)
    if isinstance(target, BaseMarker):
        target = None
    roots = _downgrade_roots(rmap, target, inclusive)
    if label and len(roots) > 1:
        on_branch = walk.closure(
            graph, [rmap._resolve_branch(label).revision], walk.VERSIONED_ANCESTORS
        )
        roots = [r for r in roots if r in on_branch]
        if not roots:
            raise InvalidDowngradeTarget(str(lower))
    heads = rmap._get_revisions_raw(upper)
    head_ids = _ids(heads)
    active = walk.closure(graph, head_ids, walk.ANCESTORS)
    undo = walk.closure(graph, roots, walk.DESCENDANTS) & active
    if implicit_base:
        undo |= active - walk.closure(graph, roots, walk.ANCESTORS)
    if target is not None and not undo and target not in heads:
        raise RangeNotAncestor(_format(lower), _format(upper))
    return undo, head_ids


def _downgrade_roots(rmap: RevisionMap, target: Node, inclusive: bool) -> list[str]:
    if target is None:
        return [r.revision for r in rmap if r.down_revision is None]
    assert isinstance(target, Revision)
    if inclusive:
        return [target.revision]
    return sorted(target.nextrev, key=rmap._graph_data.order.__getitem__)


__all__ = [
    "collect_downgrade",
    "collect_upgrade",
    "parse_downgrade_target",
    "parse_upgrade_target",
]
