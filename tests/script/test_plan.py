"""Planning runs by hand-made examples: the steps and the version-table statements of each.

Expectations are written out from the rules (one row per head; Alembic's statement order), not
produced by the planner; ``test_plan_alembic.py`` checks the same rules against Alembic itself.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from sterna.errors import (
    InvalidDestination,
    MultipleHeads,
    MultipleHeadsPresent,
    RelativeRevisionError,
    UnknownRevision,
    VersionTableConflict,
)
from sterna.script.plan import Step, VersionChange, plan_downgrade, plan_stamp, plan_upgrade
from sterna.script.revision import RevisionMap
from tests.script._revision_support import PathRevision, Spec, chain, sterna_map


def _changes(steps: list[Step]) -> list[tuple[str | None, list[str]]]:
    return [
        (step.script.revision if step.script else None, [str(c) for c in step.changes])
        for step in steps
    ]


LINE = chain("a1a1", "b2b2", "c3c3")
FORK = [*LINE, Spec("d4d4", "b2b2", labels="side"), Spec("e5e5", ("c3c3", "d4d4"))]
ROOTS = [*LINE, Spec("x1x1", None, labels="other"), Spec("x2x2", "x1x1", deps="b2b2")]


def test_upgrade_a_line_from_empty() -> None:
    steps = plan_upgrade(sterna_map(LINE), "head", ())
    assert _changes(steps) == [
        ("a1a1", ["insert a1a1"]),
        ("b2b2", ["update a1a1 -> b2b2"]),
        ("c3c3", ["update b2b2 -> c3c3"]),
    ]
    assert [s.short_log for s in steps] == [
        "upgrade  -> a1a1",
        "upgrade a1a1 -> b2b2",
        "upgrade b2b2 -> c3c3",
    ]
    assert steps[0].from_revisions == () and steps[0].to_revisions == ("a1a1",)
    assert all(s.is_upgrade and not s.is_stamp for s in steps)


def test_downgrade_a_line_to_base() -> None:
    steps = plan_downgrade(sterna_map(LINE), "base", ("c3c3",))
    assert _changes(steps) == [
        ("c3c3", ["update c3c3 -> b2b2"]),
        ("b2b2", ["update b2b2 -> a1a1"]),
        ("a1a1", ["delete a1a1"]),
    ]
    assert steps[-1].short_log == "downgrade a1a1 -> "
    assert steps[0].from_revisions == ("c3c3",) and steps[0].to_revisions == ("b2b2",)


def test_relative_steps() -> None:
    rmap = sterna_map(LINE)
    assert _changes(plan_upgrade(rmap, "+2", ("a1a1",))) == [
        ("b2b2", ["update a1a1 -> b2b2"]),
        ("c3c3", ["update b2b2 -> c3c3"]),
    ]
    assert _changes(plan_downgrade(rmap, "-1", ("c3c3",))) == [("c3c3", ["update c3c3 -> b2b2"])]
    assert _changes(plan_upgrade(rmap, "a1a1+1", ())) == [
        ("a1a1", ["insert a1a1"]),
        ("b2b2", ["update a1a1 -> b2b2"]),
    ]
    with pytest.raises(RelativeRevisionError, match="Relative revision -3 didn't produce 3"):
        plan_downgrade(rmap, "-3", ("b2b2",))
    with pytest.raises(RelativeRevisionError, match=r"Relative revision \+2 didn't produce 2"):
        plan_upgrade(rmap, "+2", ("b2b2",))


def test_branch_then_merge() -> None:
    rmap = sterna_map(FORK)
    steps = plan_upgrade(rmap, "heads", ())
    # the merge e5e5 needs c3c3 and d4d4: the branch is inserted as a second row, then the
    # merge deletes the first parent's row and moves the second
    assert _changes(steps) == [
        ("a1a1", ["insert a1a1"]),
        ("b2b2", ["update a1a1 -> b2b2"]),
        ("d4d4", ["update b2b2 -> d4d4"]),
        ("c3c3", ["insert c3c3"]),
        ("e5e5", ["delete c3c3", "update d4d4 -> e5e5"]),
    ]
    assert steps[-1].short_log == "upgrade c3c3, d4d4 -> e5e5"


def test_unmerge_then_branch_deletion() -> None:
    steps = plan_downgrade(sterna_map(FORK), "a1a1", ("e5e5",))
    assert _changes(steps) == [
        ("e5e5", ["insert c3c3", "update e5e5 -> d4d4"]),
        ("c3c3", ["delete c3c3"]),  # b2b2 is still below d4d4
        ("d4d4", ["update d4d4 -> b2b2"]),
        ("b2b2", ["update b2b2 -> a1a1"]),
    ]
    assert steps[0].short_log == "downgrade e5e5 -> c3c3, d4d4"


def test_label_targets() -> None:
    rmap = sterna_map(FORK)
    assert _changes(plan_upgrade(rmap, "side@head", ("b2b2",))) == [
        ("d4d4", ["update b2b2 -> d4d4"]),
        ("c3c3", ["insert c3c3"]),
        ("e5e5", ["delete c3c3", "update d4d4 -> e5e5"]),
    ]
    assert _changes(plan_downgrade(rmap, "side@-1", ("c3c3", "d4d4"))) == [
        ("d4d4", ["delete d4d4"]),
    ]


def test_second_base_and_dependency() -> None:
    rmap = sterna_map(ROOTS)
    # x2x2 depends on b2b2: both lines up to it are needed; b2b2's row is then replaced by
    # x2x2's, since x2x2 implies it
    assert _changes(plan_upgrade(rmap, "x2x2", ())) == [
        ("a1a1", ["insert a1a1"]),
        ("b2b2", ["update a1a1 -> b2b2"]),
        ("x1x1", ["insert x1x1"]),
        ("x2x2", ["delete x1x1", "update b2b2 -> x2x2"]),
    ]
    assert _changes(plan_downgrade(rmap, "other@base", ("c3c3", "x2x2"))) == [
        ("x2x2", ["update x2x2 -> x1x1"]),
        ("x1x1", ["delete x1x1"]),
    ]


def test_stamps() -> None:
    rmap = sterna_map(FORK)
    steps = plan_stamp(rmap, ["heads"], ())
    assert _changes(steps) == [(None, ["insert e5e5"])]
    assert steps[0].is_stamp and steps[0].short_log == "stamp_revision  -> e5e5"
    assert _changes(plan_stamp(rmap, ["c3c3"], ("e5e5",))) == [(None, ["update e5e5 -> c3c3"])]
    assert _changes(plan_stamp(rmap, ["e5e5"], ("c3c3", "d4d4"))) == [
        (None, ["delete c3c3", "update d4d4 -> e5e5"]),
    ]
    assert _changes(plan_stamp(rmap, ["base"], ("c3c3", "d4d4"))) == [
        (None, ["delete c3c3"]),
        (None, ["delete d4d4"]),
    ]
    assert _changes(plan_stamp(rmap, ["c3c3", "d4d4"], ())) == [
        (None, ["insert c3c3"]),
        (None, ["insert d4d4"]),
    ]
    assert plan_stamp(rmap, ["e5e5"], ("e5e5",)) == []


def test_stamp_purge_ignores_the_rows() -> None:
    rmap = sterna_map(FORK)
    assert _changes(plan_stamp(rmap, ["b2b2"], ("gone", "c3c3"), purge=True)) == [
        (None, ["insert b2b2"]),
    ]
    with pytest.raises(UnknownRevision, match="'gone'"):
        plan_stamp(rmap, ["b2b2"], ("gone",))


def test_step_text() -> None:
    class Documented(PathRevision):
        doc = "add a column"

    rmap = RevisionMap([Documented(s) for s in LINE])
    step = plan_upgrade(rmap, "a1a1", ())[0]
    assert str(step) == "upgrade  -> a1a1, add a column"
    assert step.name == "upgrade" and step.doc == "add a column"
    stamp = plan_stamp(rmap, ["a1a1"], ())[0]
    assert str(stamp) == "stamp_revision  -> a1a1" and stamp.doc is None
    assert str(VersionChange("update", "a", "b")) == "update a -> b"


def test_upgrade_head_with_several_heads() -> None:
    rmap = sterna_map([*LINE, Spec("d4d4", "b2b2")])
    with pytest.raises(MultipleHeads, match="for given argument 'head'"):
        plan_upgrade(rmap, "head", ())


def test_stamp_head_with_several_heads_words_it_for_stamp() -> None:
    rmap = sterna_map([*LINE, Spec("d4d4", "b2b2")])
    with pytest.raises(MultipleHeadsPresent, match="please specify a single target revision"):
        plan_stamp(rmap, ["head"], ())


def test_downgrade_to_a_descendant_is_not_a_valid_destination() -> None:
    with pytest.raises(InvalidDestination) as info:
        plan_downgrade(sterna_map(LINE), "c3c3", ("b2b2",))
    assert str(info.value).startswith(
        "Destination c3c3 is not a valid downgrade target from current head(s)"
    )


def test_unknown_destination() -> None:
    with pytest.raises(UnknownRevision, match="^Can't locate revision identified by 'zzzz'$"):
        plan_upgrade(sterna_map(LINE), "zzzz", ())


def test_stamping_the_same_revision_twice_is_a_clear_error() -> None:
    with pytest.raises(VersionTableConflict, match="already in the version table"):
        plan_stamp(sterna_map(LINE), ["c3c3", "c3c3"], ())


def test_downgrading_a_revision_that_is_not_a_row() -> None:
    # rows naming a revision and its descendant: the descendant's downgrade deletes its row
    # (its parent is still implied by the other row), then the parent is downgraded normally
    rmap = sterna_map(LINE)
    assert _changes(plan_downgrade(rmap, "base", ("b2b2", "c3c3"))) == [
        ("c3c3", ["delete c3c3"]),
        ("b2b2", ["update b2b2 -> a1a1"]),
        ("a1a1", ["delete a1a1"]),
    ]


def test_planning_never_imports_sqlalchemy() -> None:
    code = (
        "import sys; import sterna.script.plan, sterna.script.revision;"
        "assert 'sqlalchemy' not in sys.modules, sorted(m for m in sys.modules if 'sqla' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_large_graphs_plan_every_revision() -> None:
    n = 3000
    ids = [f"r{i:05d}" for i in range(n)]
    rmap = RevisionMap(PathRevision(s) for s in chain(*ids))
    up = plan_upgrade(rmap, "heads", ())
    assert [s.script.revision for s in up] == ids  # type: ignore[union-attr]
    down = plan_downgrade(rmap, "base", (ids[-1],))
    assert [str(c) for s in down[-2:] for c in s.changes] == [
        f"update {ids[1]} -> {ids[0]}",
        f"delete {ids[0]}",
    ]
    assert len(rmap.current_revisions([ids[-1]])) == 1


def test_downgrade_minus_one_from_several_heads_warns_and_counts_from_the_first() -> None:
    rmap = sterna_map([*LINE, Spec("d4d4", "b2b2")])
    with pytest.warns(UserWarning, match="ambiguous"):
        steps = plan_downgrade(rmap, "-1", ("d4d4", "c3c3"))
    assert _changes(steps) == [("d4d4", ["delete d4d4"])]


def test_rows_holding_a_prefix_are_read_as_identifiers() -> None:
    rmap = sterna_map([*chain("abcdef", "b2b2"), Spec("x1x1", "abcdef")])
    # "abcd" (a row written by hand) is read as abcdef when another step asks what it implies
    steps = plan_downgrade(rmap, "abcdef", ("abcd", "x1x1"))
    assert _changes(steps) == [("x1x1", ["delete x1x1"])]
