"""`heads`, `branches`, `history` (plain, -v, -r) and `show`: the same output lines from both
tools, on a hand-made graph with every feature and on seeded random graphs.  No database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import tally
from tests.conformance.compare import same_outcome
from tests.conformance.harness import ALEMBIC, STERNA, Settings, run
from tests.conformance.projects import Project, RandomGraph, Rev, branched, build, linear

NO_DB = Settings()


def both(project: Project, verb: str, *args: object, **kw: object) -> None:
    what = " ".join([verb, *map(str, args), *(f"{k}={v}" for k, v in kw.items())])
    theirs = run(ALEMBIC, project.ini, NO_DB, verb, *args, **kw)
    ours = run(STERNA, project.ini, NO_DB, verb, *args, **kw)
    same_outcome(theirs, ours, what)


def listing_commands(project: Project) -> None:
    for verbose in (False, True):
        both(project, "heads", verbose=verbose)
        both(project, "heads", verbose=verbose, resolve_dependencies=True)
        both(project, "branches", verbose=verbose)
        both(project, "history", verbose=verbose)


def ranges_for(revisions: list[Rev]) -> list[str]:
    ids = [rev.rev for rev in revisions]
    first, middle, last = ids[0], ids[len(ids) // 2], ids[-1]
    return [
        f"{first}:{middle}",
        f"{middle}:",
        f":{middle}",
        f"{middle}:{last}",
        "base:heads",
        ":heads",
        "base:",
        "-1:",
        "-3:",
        f"{middle}:+2",
        f"{first}:+1",
        f"-2:{middle}",
        f"{last}:{first}",
        f"{middle[:4]}:",
        "heads:",
        ":base",
        "zzzz:",
    ]


@pytest.fixture(scope="module")
def branched_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    tally.count("projects")
    return build(tmp_path_factory.mktemp("branched") / "p", branched())


def test_branched_listings(branched_project: Project) -> None:
    listing_commands(branched_project)


@pytest.mark.parametrize(
    "rev_range",
    [
        "a1:c3",
        "c3:",
        ":d4a",
        "b2:feature@head",
        "base:heads",
        "x1:x3",
        ":c3",
        "d4b:m6",
        "-1:",
        "-2:",
        "c3:+2",
        "b2:+1",
        "-1:c3",
        "-2:c3",
        "x1:z1",
        "lone@base:lone@head",
        "feature@base:",
        "other@-1:other@head",
        "c3:n7",
        "a1:n7",
        "m6:",
        "e5a:n7",
        "z1:",
        ":z1",
        "x2:x3",
    ],
)
def test_branched_history_ranges(branched_project: Project, rev_range: str) -> None:
    both(branched_project, "history", rev_range)
    both(branched_project, "history", rev_range, verbose=True)


@pytest.mark.parametrize(
    "rev",
    [
        "c3",
        "m6",
        "n7",
        "feature@head",
        "x2",
        "a1",
        "heads",
        "head",
        "base",
        "d4",
        "other@head",
        "lone@head",
        "z1",
        "x3",
        "e5",
        "zzz",
        "feature@-1",
        "c3@head",
        "x1@head",
    ],
)
def test_branched_show(branched_project: Project, rev: str) -> None:
    both(branched_project, "show", rev)


def test_linear_chain(tmp_path: Path) -> None:
    tally.count("projects")
    revisions = linear(9)
    project = build(tmp_path / "p", revisions)
    listing_commands(project)
    for rev_range in ranges_for(revisions):
        both(project, "history", rev_range)
    for rev in ("head", "base", revisions[4].rev, revisions[4].rev[:3], "-1", "heads"):
        both(project, "show", rev)


@pytest.mark.parametrize("seed", range(6))
def test_random_graph(tmp_path: Path, seed: int) -> None:
    tally.count("projects")
    revisions = RandomGraph(seed).generate()
    project = build(tmp_path / "p", revisions)
    listing_commands(project)
    for rev_range in ranges_for(revisions):
        both(project, "history", rev_range)
    for rev in revisions[::3]:
        both(project, "show", rev.rev)
        both(project, "show", rev.rev[:3])
