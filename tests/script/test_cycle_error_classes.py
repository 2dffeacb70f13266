"""Graph errors carry Alembic's classes (``alembic.script.revision``): a cycle, a cycle through
``depends_on``, a revision naming itself in ``down_revision`` or in ``depends_on``; each is
caught by the class Alembic raises for it, looked up under the alias."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest

from sterna.compat import alembic_alias

SCENARIOS: dict[str, Callable[[Any], list[Any]]] = {
    "cycle": lambda R: [R("a", "c"), R("b", "a"), R("c", "b")],
    "self": lambda R: [R("a", None), R("b", "b")],
    "dependency-cycle": lambda R: [R("a", None, dependencies="b"), R("b", None, dependencies="a")],
    "dependency-self": lambda R: [R("a", None, dependencies="a")],
}


def raised(module: Any, scenario: str) -> BaseException:
    try:
        revisions = SCENARIOS[scenario](module.Revision)
        rmap = module.RevisionMap(lambda: revisions)
        list(rmap.iterate_revisions("heads", "base"))
    except Exception as exc:  # the class is what is compared
        return exc
    raise AssertionError(f"{scenario}: no error")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_same_class_as_alembic(scenario: str) -> None:
    import alembic.script.revision as real

    expected = type(raised(real, scenario))
    names = ("CycleDetected", "DependencyCycleDetected", "LoopDetected", "DependencyLoopDetected")
    with alembic_alias():
        ours = importlib.import_module("alembic.script.revision")
        error = raised(ours, scenario)
        for name in names:  # caught by exactly the except clauses that catch Alembic's
            caught = isinstance(error, getattr(ours, name))
            assert caught == issubclass(expected, getattr(real, name)), (scenario, name)
