"""``RevisionMap(callable)`` builds on first use, and ``_revision_map`` reads the built graph.

Alembic's API takes a callable and builds the graph when the map is first read, so an invalid
graph raises there; code written against Alembic reads revisions by id or branch label through
``map._revision_map``.  Both are compared with Alembic's RevisionMap on the same declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from alembic.script import revision as alembic_revision
from hypothesis import HealthCheck, given, settings

from sterna.errors import CycleDetected, DuplicateBranchLabel, SelfReferenceError
from sterna.script.revision import Revision, RevisionMap
from tests.script._revision_support import PathRevision, Spec, alembic_map, graphs

_DIAMOND = [
    Spec("a", None, labels=("alab",)),
    Spec("b1", "a"),
    Spec("b2", "a", labels=("blab",)),
    Spec("c", ("b1", "b2"), deps=("a",)),
]


def _counting(specs: Sequence[Spec]) -> tuple[Callable[[], list[Revision]], list[int]]:
    calls: list[int] = []

    def source() -> list[Revision]:
        calls.append(1)
        return [PathRevision(s) for s in specs]

    return source, calls


def test_a_callable_is_called_on_first_use_and_once() -> None:
    source, calls = _counting(_DIAMOND)
    rmap = RevisionMap(source)
    assert calls == []
    assert rmap.heads == ("c",)
    assert rmap.bases == ("a",)
    assert rmap.get_revision("b1") is rmap._revision_map["b1"]
    assert calls == [1]


def test_an_iterable_is_read_at_once() -> None:
    with pytest.raises(SelfReferenceError):
        RevisionMap(iter([Revision("a", None), Revision("b", ("a", "b"))]))


_INVALID = [
    ([Spec("a"), Spec("b", ("a", "b"))], SelfReferenceError),
    ([Spec("a", "c"), Spec("b", "a"), Spec("c", "b")], CycleDetected),
    ([Spec("a", labels="x"), Spec("b", labels="x")], DuplicateBranchLabel),
]


@pytest.mark.parametrize(("specs", "error"), _INVALID)
def test_an_invalid_graph_raises_on_first_use_every_time(
    specs: list[Spec], error: type[Exception]
) -> None:
    rmap = RevisionMap(lambda: [PathRevision(s) for s in specs])  # no error yet
    alembic = alembic_revision.RevisionMap(
        lambda: [alembic_revision.Revision(s.rev, s.down, s.deps, s.labels) for s in specs]
    )
    for _ in range(2):
        with pytest.raises(error):
            rmap._revision_map  # noqa: B018
        with pytest.raises(alembic_revision.RevisionError):
            alembic._revision_map  # noqa: B018
    with pytest.raises(error):
        rmap.get_revision("a")


def test_revision_map_view_is_read_only_and_follows_add_revision() -> None:
    rmap = RevisionMap(lambda: [PathRevision(s) for s in _DIAMOND])
    view = rmap._revision_map
    with pytest.raises(TypeError):
        view["z"] = rmap.get_revision("a")  # type: ignore[index]
    assert "z" not in view
    with pytest.raises(KeyError):
        view["z"]
    rmap.add_revision(Revision("d", "c"))
    assert rmap._revision_map["d"].revision == "d"
    assert rmap.heads == ("d",)


def _alembic_view(specs: Sequence[Spec]) -> dict[str, str]:
    raw = alembic_map(specs)._revision_map
    return {k: v.revision for k, v in raw.items() if isinstance(k, str) and v is not None}


@given(specs=graphs())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_revision_map_view_holds_alembics_keys_and_revisions(specs: list[Spec]) -> None:
    rmap = RevisionMap(lambda: [PathRevision(s) for s in specs])
    view = rmap._revision_map
    assert {k: v.revision for k, v in view.items()} == _alembic_view(specs)
    assert len(view) == len(_alembic_view(specs))
    assert [k for k in view][: len(specs)] == [s.rev for s in specs]
