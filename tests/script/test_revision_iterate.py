"""``iterate_revisions`` (history ranges, ``--sql`` ranges) against Alembic's RevisionMap.

Every combination of options Alembic's callers use is compared on random graphs: the revisions
yielded, in order, or the kind of error.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sterna.errors import RangeNotAncestor, UnorderableRevisions
from tests.script._revision_support import (
    Spec,
    alembic_map,
    as_ids,
    chain,
    error_kind,
    graphs,
    sterna_map,
)

OPTIONS = [
    {"inclusive": True, "assert_relative_length": False},  # history / walk_revisions
    {"implicit_base": True},  # upgrade
    {"select_for_downgrade": True},  # downgrade
    {},
    {"inclusive": True, "implicit_base": True},
]


def _ordered(rmap: object, upper: object, lower: object, options: dict[str, bool]) -> object:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return as_ids(rmap.iterate_revisions(upper, lower, **options))  # type: ignore[attr-defined]
    except Exception as err:  # Alembic may crash; the kind is compared
        return error_kind(err)


def _compare(specs: Sequence[Spec], pairs: Sequence[tuple[object, object]]) -> int:
    ours, theirs = sterna_map(specs), alembic_map(specs)
    agreed = 0
    for upper, lower in pairs:
        for options in OPTIONS:
            ref = _ordered(theirs, upper, lower, options)
            mine = _ordered(ours, upper, lower, options)
            if isinstance(ref, str) and ref.startswith("crash:"):
                assert not (isinstance(mine, str) and mine.startswith("crash:")), (upper, lower)
                continue
            assert mine == ref, (upper, lower, options)
            agreed += isinstance(ref, tuple) and bool(ref)
    return agreed


def _bounds(specs: Sequence[Spec]) -> list[object]:
    bounds: list[object] = ["heads", "head", "base", None, "-1", "-2", "+1", "+2"]
    for s in specs:
        bounds += [s.rev, f"{s.rev}@head", f"{s.rev}-1", f"{s.rev}+1"]
        if s.labels:
            label = s.labels if isinstance(s.labels, str) else s.labels[0]
            bounds += [f"{label}@head", f"{label}@base", f"{label}@heads", f"{label}@-1"]
    return bounds


LADDER = [
    *chain("a1a1", "b2b2"),
    Spec("c3c3", "b2b2", labels="left"),
    Spec("d4d4", "b2b2"),
    Spec("e5e5", "c3c3"),
    Spec("f6f6", ("e5e5", "d4d4")),
    Spec("g7g7", "f6f6"),
    Spec("h8h8", "f6f6", labels="side"),
    Spec("i9i9", ("g7g7", "h8h8")),
    Spec("zz01", None, deps="e5e5"),
    Spec("zz02", "zz01"),
]


def test_handmade_ranges_like_alembic() -> None:
    bounds = _bounds(LADDER)
    pairs = [(u, lo) for u in bounds for lo in bounds]
    assert _compare(LADDER, pairs) > 100


def test_heads_as_tuples_like_alembic() -> None:
    pairs: list[tuple[object, object]] = [
        (("i9i9", "zz02"), ()),
        ("heads", ("g7g7", "h8h8")),
        (("g7g7", "h8h8"), "b2b2"),
        (("d4d4", "e5e5"), "base"),
        ("i9i9", ("c3c3", "d4d4")),
    ]
    assert _compare(LADDER, pairs) > 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_ranges_like_alembic(data: st.DataObject) -> None:
    specs = data.draw(graphs())
    bounds = _bounds(specs)
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(bounds), st.sampled_from(bounds)), max_size=12)
    )
    _compare(specs, [("heads", "base"), *pairs])


def test_history_of_a_range_lists_upper_first() -> None:
    ours = sterna_map(LADDER)
    got = [r.revision for r in ours.iterate_revisions("g7g7", "c3c3", inclusive=True)]
    # g7g7 needs f6f6, which merges e5e5 (above c3c3) and d4d4 (not above c3c3)
    assert got == ["g7g7", "f6f6", "e5e5", "c3c3"]


def test_range_not_ancestor() -> None:
    ours = sterna_map(LADDER)
    with pytest.raises(RangeNotAncestor, match="Revision d4d4 is not an ancestor of revision c3c3"):
        list(ours.iterate_revisions("c3c3", "d4d4"))


# b1b1 is above l0l0 but reaches a1a1 only through t1t1, a revision outside the range l0l0:h1h1
# (t1t1 depends on a1a1 but is not a down_revision descendant of l0l0)
THROUGH_OUTSIDE = [
    Spec("l0l0"),
    Spec("a1a1", "l0l0"),
    Spec("a2a2", "a1a1"),
    Spec("b0b0"),
    Spec("t1t1", "b0b0", deps="a1a1"),
    Spec("b1b1", ("t1t1", "l0l0")),
    Spec("h1h1", ("a2a2", "b1b1")),
]


def test_order_sees_links_through_revisions_outside_the_range() -> None:
    ours = sterna_map(THROUGH_OUTSIDE)
    got = [r.revision for r in ours.iterate_revisions("h1h1", "l0l0")]
    # a1a1 must wait for b1b1, which lies above it through t1t1
    assert got == ["h1h1", "a2a2", "b1b1", "a1a1"]
    assert _compare(THROUGH_OUTSIDE, [("h1h1", "l0l0"), ("heads", "a1a1"), ("b1b1", "l0l0")]) > 2


def test_range_whose_lower_part_is_unreachable_is_a_clear_error() -> None:
    specs = [
        Spec("l0l0"),
        Spec("a1a1", "l0l0"),
        Spec("x3x3", "l0l0"),
        Spec("b0b0"),
        Spec("y1y1", "b0b0", deps="a1a1"),
        Spec("z1z1", ("y1y1", "x3x3")),
    ]
    with pytest.raises(UnorderableRevisions, match="a1a1"):
        list(sterna_map(specs).iterate_revisions("z1z1", "l0l0"))
    _compare(specs, [("z1z1", "l0l0")])  # Alembic fails there with an AssertionError


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_dense_ranges_like_alembic(data: st.DataObject) -> None:
    specs = data.draw(graphs(dense=True))
    bounds = _bounds(specs)
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(bounds), st.sampled_from(bounds)), max_size=12)
    )
    _compare(specs, pairs)
