"""Graph walks: the ancestor index used by planning, and plans on graphs that stress it."""

from __future__ import annotations

import random

from sterna.script import revision_walk as walk
from tests.script._revision_support import Spec, chain, sterna_map
from tests.script.test_plan_alembic import _run_both


def _lockstep(n: int) -> list[Spec]:
    """Two lines where each revision of the second depends on its twin in the first."""
    first = chain(*(f"a{i:04d}" for i in range(n)))
    second = [Spec(f"b{i:04d}", f"b{i - 1:04d}" if i else None, deps=f"a{i:04d}") for i in range(n)]
    return first + second


def _naive_below(rmap: object, rid: str, head: str) -> bool:
    graph = rmap._graph_data  # type: ignore[attr-defined]
    return rid in walk.closure(graph, [head], walk.ANCESTORS)


def test_ancestor_index_agrees_with_a_full_walk() -> None:
    specs = _lockstep(40) + [Spec("m000", ("a0039", "b0020")), Spec("m001", "m000")]
    rmap = sterna_map(specs)
    ids = [s.rev for s in specs]
    rng = random.Random(7)
    for budget in (1, 3, 1000):
        index = walk.AncestorIndex(rmap._graph_data)
        index.BUDGET = budget
        for _ in range(400):
            rid, head = rng.choice(ids), rng.choice(ids)
            assert index.is_below(rid, head) == _naive_below(rmap, rid, head), (rid, head)


def test_ancestor_index_follows_moving_rows() -> None:
    rmap = sterna_map(chain(*(f"r{i:03d}" for i in range(50))))
    index = walk.AncestorIndex(rmap._graph_data)
    index.BUDGET = 1
    assert index.is_below("r000", "r049")  # too far for the short walk: the set is kept
    assert "r049" in index.kept
    index.moved("r049", "r048")  # a downgrade step: the kept set follows, minus r049
    assert set(index.kept) == {"r048"} and "r049" not in index.kept["r048"]
    assert not index.is_below("r049", "r048") and index.is_below("r001", "r048")
    index.moved("r048", "r049")  # and back up
    assert index.is_below("r048", "r049") and index.is_below("r049", "r049")
    index.moved("r049", None)
    assert not index.kept


def test_lockstep_lines_plan_like_alembic() -> None:
    specs = _lockstep(60)
    ops = [
        ("upgrade", "heads"),
        ("downgrade", "base"),
        ("upgrade", "b0030"),
        ("downgrade", "a0010"),
        ("upgrade", "a0059"),
        ("downgrade", "-3"),
        ("upgrade", "heads"),
        ("downgrade", "b0000"),
    ]
    assert _run_both(specs, ops) >= 6


def test_lockstep_lines_at_scale_plan_every_revision_once() -> None:
    n = 2000
    rmap = sterna_map(_lockstep(n))
    from sterna.script.plan import plan_downgrade, plan_upgrade

    up = plan_upgrade(rmap, "heads", ())
    assert len(up) == 2 * n and len({s.script.revision for s in up}) == 2 * n  # type: ignore[union-attr]
    rows: set[str] = set()
    for step in up:
        for change in step.changes:
            rows.discard(change.old)
            if change.new:
                rows.add(change.new)
    assert rows == {f"b{n - 1:04d}"}
    down = plan_downgrade(rmap, "base", tuple(rows))
    assert [s.script.revision for s in down][:2] == [f"b{n - 1:04d}", f"b{n - 2:04d}"]  # type: ignore[union-attr]
    assert len(down) == 2 * n
