"""Revision identifiers: ``ScriptDirectory.get_revisions(identifier)`` resolves to the same
revisions, or fails with the same error, in both tools.  Identifiers are derived from each graph:
full and partial ids, labels with ``@head``/``@base``/``@±N``, ``rev@head``, ``head``, ``heads``,
``base``, tuples, relative forms and junk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conformance import tally
from tests.conformance.compare import same_resolution
from tests.conformance.harness import ALEMBIC, STERNA, resolver
from tests.conformance.projects import Project, RandomGraph, Rev, branched, build, linear

FIXED = (
    "head",
    "heads",
    "base",
    "",
    "zzzz",
    "head-1",
    "heads+1",
    "-1",
    "+1",
    "base+1",
    "@head",
    "nolabel@head",
    "a@b@c",
    "HEAD",
    "current",
)


def labels_of(revisions: list[Rev]) -> list[str]:
    found: list[str] = []
    for rev in revisions:
        if isinstance(rev.labels, str):
            found.append(rev.labels)
        elif rev.labels:
            found.extend(rev.labels)
    return found


def identifiers(revisions: list[Rev]) -> Iterator[object]:
    yield from FIXED
    for rev in revisions:
        rid = rev.rev
        yield rid
        yield from {rid[:n] for n in (2, 3, 4, 5) if n < len(rid)}
        yield f"{rid}@head"
        yield f"{rid}+1"
        yield f"{rid}-1"
        yield rid.upper()
    for label in labels_of(revisions):
        for suffix in ("head", "base", "-1", "+1", "-2"):
            yield f"{label}@{suffix}"
        yield label
        yield f"{label}@{revisions[0].rev}"
        yield f"{label}@{revisions[-1].rev[:4]}"
    ids = [rev.rev for rev in revisions]
    yield tuple(ids[:2])
    yield tuple(ids[-3:])
    yield ("heads", ids[0])
    yield (ids[0], "zzzz")


def resolve_all(project: Project, revisions: list[Rev]) -> None:
    theirs, ours = resolver(ALEMBIC, project.ini), resolver(STERNA, project.ini)
    seen: set[object] = set()
    for identifier in identifiers(revisions):
        if identifier in seen:
            continue
        seen.add(identifier)
        same_resolution(theirs(identifier), ours(identifier), repr(identifier))


def test_branched(tmp_path: Path) -> None:
    tally.count("projects")
    revisions = branched()
    resolve_all(build(tmp_path / "p", revisions), revisions)


def test_linear(tmp_path: Path) -> None:
    tally.count("projects")
    revisions = linear(12)
    resolve_all(build(tmp_path / "p", revisions), revisions)


@pytest.mark.parametrize("seed", range(10, 18))
def test_random(tmp_path: Path, seed: int) -> None:
    tally.count("projects")
    revisions = RandomGraph(seed, size=24).generate()
    resolve_all(build(tmp_path / "p", revisions), revisions)
