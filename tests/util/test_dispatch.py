"""Priority dispatch (``alembic.util.PriorityDispatcher``): the same registrations run in the
same order, with the same STOP behaviour, as under Alembic's own dispatcher (the reference)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from alembic.util import DispatchPriority as AlembicPriority
from alembic.util import PriorityDispatcher as AlembicDispatcher
from alembic.util import PriorityDispatchResult as AlembicResult

from sterna.compat import alembic_alias
from sterna.util.dispatch import DispatchPriority, DispatchResult, PriorityDispatcher

PRIORITIES = ["FIRST", "MEDIUM", "LAST"]


def _calls(
    dispatcher: Any, priority_enum: Any, stop: Any, plan: list[tuple[Any, ...]], qualifier: str
) -> list[int]:
    called: list[int] = []
    for number, (priority, dialect, subgroup, stops) in enumerate(plan):

        def fn(*args: Any, _n: int = number, _stops: bool = stops) -> Any:
            assert args == ("a", "b")
            called.append(_n)
            return stop if _stops else None

        dispatcher.dispatch_for(
            "schema",
            priority=getattr(priority_enum, priority),
            qualifier=dialect,
            subgroup=subgroup,
        )(fn)
    dispatcher.branch().dispatch("schema", qualifier=qualifier)("a", "b")
    return called


@pytest.mark.parametrize("seed", range(25))
def test_same_order_as_alembic(seed: int) -> None:
    rng = random.Random(seed)
    plan = [
        (
            rng.choice(PRIORITIES),
            rng.choice(["default", "sqlite", "postgresql"]),
            rng.choice([None, "x", "y"]),
            rng.random() < 0.2,
        )
        for _ in range(12)
    ]
    qualifier = rng.choice(["default", "sqlite"])
    ours = _calls(PriorityDispatcher(), DispatchPriority, DispatchResult.STOP, plan, qualifier)
    theirs = _calls(AlembicDispatcher(), AlembicPriority, AlembicResult.STOP, plan, qualifier)
    assert ours == theirs


def test_populate_with_adds_after_own_functions() -> None:
    first, second = PriorityDispatcher(), PriorityDispatcher()
    seen: list[str] = []
    first.dispatch_for("t")(lambda: seen.append("own"))
    second.dispatch_for("t")(lambda: seen.append("added"))
    second.dispatch_for("t", priority=DispatchPriority.FIRST)(lambda: seen.append("early"))
    first.populate_with(second)
    first.dispatch("t")()
    assert seen == ["early", "own", "added"]


def test_names_under_the_alias() -> None:
    with alembic_alias():
        from alembic.util import DispatchPriority as Priority
        from alembic.util import PriorityDispatcher as Dispatcher
        from alembic.util import PriorityDispatchResult as Result
    assert (Priority, Dispatcher, Result) == (
        DispatchPriority,
        PriorityDispatcher,  # type: ignore[comparison-overlap]  # the alias serves sterna's class
        DispatchResult,
    )
    assert [(p.name, int(p)) for p in Priority] == [(p.name, int(p)) for p in AlembicPriority]
