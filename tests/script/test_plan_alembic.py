"""Run planning against Alembic: the same operations on the same graphs give the same steps.

Alembic plans with ``ScriptDirectory._upgrade_revs`` / ``_downgrade_revs`` / ``_stamp_revs`` and
decides the version-table statements while running, in ``HeadMaintainer``; both are real Alembic
code here (see ``_revision_support``).  For every step we compare the script and direction, the
kinds of statements in order, the rows they remove and write, and the rows afterwards.  Which of
several rows a merge keeps or an unmerge updates depends on Python's set order in Alembic, so
that choice alone is not compared (it is fixed by hand-written tests in ``test_plan.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sterna.script.plan import plan_downgrade, plan_stamp, plan_upgrade
from tests.script._revision_support import (
    AlembicRun,
    Spec,
    SternaRun,
    alembic_apply,
    alembic_directory,
    alembic_map,
    alembic_message_kind,
    chain,
    graphs,
    shape,
    sterna_apply,
    sterna_error_kind,
    sterna_map,
    target_pool,
)

Operation = tuple[str, str]


def _run_both(
    specs: Sequence[Spec], operations: Sequence[Operation], heads: Sequence[str] = ()
) -> int:
    """Apply the operations in turn with both tools; returns how many succeeded."""
    ours, theirs = sterna_map(specs), alembic_map(specs)
    directory = alembic_directory(theirs)
    rows = tuple(sorted(heads))
    done = 0
    for kind, target in operations:
        ref, mine = _apply(kind, target, rows, ours, theirs, directory)
        _check_same(ref, mine, (kind, target, rows))
        if mine.error is None and ref.error is None:
            done += 1
            if mine.steps:
                rows = tuple(sorted(mine.steps[-1][3]))
    return done


def _apply(
    kind: str, target: str, rows: tuple[str, ...], ours: object, theirs: object, directory: object
) -> tuple[AlembicRun, SternaRun]:
    sd = directory
    if kind == "upgrade":
        ref = alembic_apply(lambda: sd._upgrade_revs(target, rows), rows)  # type: ignore[attr-defined]
        mine = sterna_apply(lambda: plan_upgrade(ours, target, rows), rows)  # type: ignore[arg-type]
    elif kind == "downgrade":
        ref = alembic_apply(lambda: sd._downgrade_revs(target, rows), rows)  # type: ignore[attr-defined]
        mine = sterna_apply(lambda: plan_downgrade(ours, target, rows), rows)  # type: ignore[arg-type]
    else:
        targets = tuple(target.split(","))
        ref = alembic_apply(lambda: sd._stamp_revs(targets, rows), rows)  # type: ignore[attr-defined]
        mine = sterna_apply(lambda: plan_stamp(ours, targets, rows, False), rows)  # type: ignore[arg-type]
    return ref, mine


def _check_same(ref: AlembicRun, mine: SternaRun, where: object) -> None:
    if ref.error is not None and ref.error.startswith("crash:"):
        # Alembic fails with an assertion or a KeyError here; Sterna must not crash
        if mine.error is not None:
            assert sterna_error_kind(mine.error) != "crash", where
        return
    if ref.error is not None or mine.error is not None:
        assert ref.error is not None, (where, "only Sterna failed", mine.error)
        assert mine.error is not None, (where, "only Alembic failed", ref.error)
        assert sterna_error_kind(mine.error) == alembic_message_kind(ref.error), (
            where,
            ref.error,
            str(mine.error),
        )
        return
    assert [(n, r) for n, r, _, _ in mine.steps] == [(n, r) for n, r, _, _ in ref.steps], where
    for (_, rev, ours_sql, ours_rows), (_, _, ref_sql, ref_rows) in zip(
        mine.steps, ref.steps, strict=True
    ):
        assert shape(ours_sql) == shape(ref_sql), (where, rev, ours_sql, ref_sql)
        assert ours_rows == ref_rows, (where, rev)


# -- hand-made graphs -----------------------------------------------------------------------------

DIAMOND = [
    *chain("a1a1", "b2b2"),
    Spec("c3c3", "b2b2", labels="left"),
    Spec("d4d4", "b2b2", labels="right"),
    Spec("e5e5", ("c3c3", "d4d4")),
    Spec("f6f6", "e5e5"),
]

TWO_ROOTS = [
    *chain("a1a1", "b2b2", "c3c3"),
    Spec("x1x1", None, labels="other"),
    Spec("x2x2", "x1x1", deps="b2b2"),
    Spec("x3x3", "x2x2"),
    Spec("y1y1", "c3c3", deps="other"),
]


def test_diamond_round_trips_like_alembic() -> None:
    ops = [
        ("upgrade", "heads"),
        ("downgrade", "base"),
        ("upgrade", "left@head"),
        ("upgrade", "right@+1"),
        ("upgrade", "+1"),
        ("downgrade", "-1"),
        ("downgrade", "b2b2"),
        ("upgrade", "e5e5"),
        ("downgrade", "left@-1"),
        ("downgrade", "c3c3"),
        ("stamp", "heads"),
        ("stamp", "c3c3"),
        ("stamp", "d4d4"),
        ("stamp", "base"),
        ("stamp", "c3c3,d4d4"),
        ("upgrade", "head"),
        ("stamp", "b2b2"),
    ]
    assert _run_both(DIAMOND, ops) == len(ops) - 3  # right@+1, +1 and left@-1 fail in both


def test_dependencies_across_bases_like_alembic() -> None:
    ops = [
        ("upgrade", "x3x3"),
        ("upgrade", "heads"),
        ("downgrade", "other@base"),
        ("downgrade", "base"),
        ("upgrade", "y1y1"),
        ("downgrade", "b2b2"),
        ("upgrade", "heads"),
        ("downgrade", "x1x1"),
        ("stamp", "base"),
        ("stamp", "x2x2"),
        ("stamp", "heads"),
        ("downgrade", "other@-1"),
        ("upgrade", "other@+1"),
    ]
    assert _run_both(TWO_ROOTS, ops) >= len(ops) - 2


def test_errors_agree_with_alembic() -> None:
    ops = [
        ("upgrade", "head"),
        ("upgrade", "nosuch"),
        ("downgrade", "-1"),
        ("upgrade", "c3c3"),
        ("upgrade", "+5"),
        ("downgrade", "d4d4"),
        ("downgrade", "-9"),
        ("upgrade", "b2"),
        ("stamp", "head"),
        ("upgrade", "f6f6"),
        ("upgrade", "c3c3"),
        ("downgrade", "+1"),
        ("upgrade", "-1"),
        ("downgrade", "left@c3c3"),
    ]
    _run_both(DIAMOND, ops)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_graphs_plan_like_alembic(data: st.DataObject) -> None:
    specs = data.draw(graphs(dense=data.draw(st.booleans())))
    pool = target_pool(specs)
    moves = st.tuples(st.sampled_from(["upgrade", "upgrade", "downgrade"]), st.sampled_from(pool))
    several = st.lists(st.sampled_from(pool), min_size=1, max_size=3).map(",".join)
    stamps = st.tuples(st.just("stamp"), several)
    ops = data.draw(st.lists(st.one_of(moves, stamps), min_size=1, max_size=8))
    _run_both(specs, [("upgrade", "heads"), *ops, ("downgrade", "base")])
    _run_both(specs, ops)
