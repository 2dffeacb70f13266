"""Upgrades, downgrades and stamps through branched and random graphs on SQLite, PostgreSQL and
MariaDB: after every command the same output, log lines, error, schema and ``alembic_version``
rows; offline SQL for ranges; ``current``/``history -i``/``show current`` at every state."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.conformance import tally
from tests.conformance.compare import same_outcome
from tests.conformance.pair import Pair
from tests.conformance.projects import RandomGraph, branched, build, linear, with_tables

BRANCHED_STEPS: list[tuple[str, str]] = [
    ("upgrade", "a1"),
    ("upgrade", "+1"),
    ("upgrade", "c3"),
    ("upgrade", "feature@head"),
    ("upgrade", "head"),  # several heads: an error, nothing changes
    ("upgrade", "d4b"),
    ("upgrade", "e5b"),
    ("upgrade", "m6"),
    ("downgrade", "-1"),
    ("upgrade", "x2"),  # needs c3, already there; brings x1
    ("upgrade", "other@head"),
    ("upgrade", "lone@head"),
    ("downgrade", "x1"),
    ("upgrade", "heads"),
    ("downgrade", "feature@-2"),
    ("downgrade", "c3"),
    ("downgrade", "lone@base"),
    ("upgrade", "e5a+1"),
    ("downgrade", "zzz"),
    ("upgrade", "heads"),
    ("downgrade", "other@base"),
    ("downgrade", "base"),
]


@pytest.fixture
def branched_pair(backend: str, urls: tuple[str, str], tmp_path: Path) -> Pair:
    tally.count("projects")
    project = build(tmp_path / "p", with_tables(branched()))
    return Pair(project, backend, *urls, full_snapshots=False)


def test_branched_online(branched_pair: Pair) -> None:
    branched_pair.observe()
    for index, (verb, target) in enumerate(BRANCHED_STEPS):
        branched_pair.both(verb, target)
        branched_pair.observe(full=index % 4 == 3)


def test_branched_stamps(branched_pair: Pair) -> None:
    pair = branched_pair
    pair.both("stamp", "c3")
    pair.observe()
    pair.both("stamp", ("e5a", "d4b"))
    pair.both("stamp", "x2")
    pair.observe()
    pair.both("stamp", "heads", purge=True)
    pair.both("stamp", "feature@-1")
    pair.both("stamp", "base")
    pair.both("stamp", "m6", purge=True)
    pair.both("stamp", "zzz")
    pair.observe()
    pair.both("ensure_version")


@pytest.mark.parametrize(
    ("verb", "rng"),
    [
        ("upgrade", "heads"),
        ("upgrade", "base:c3"),
        ("upgrade", "c3:feature@head"),
        ("upgrade", "a1:n7"),
        ("upgrade", "x1:x3"),
        ("upgrade", "base:lone@head"),
        ("downgrade", "n7:c3"),
        ("downgrade", "c3:base"),
        ("downgrade", "x3:x1"),
        ("downgrade", "e5a:d4a"),
        ("upgrade", "m6:heads"),
        ("downgrade", "heads:base"),
        ("stamp", "c3"),
        ("stamp", "a1:c3"),
    ],
)
def test_branched_offline(
    backend: str, offline_urls: tuple[str, str], tmp_path: Path, verb: str, rng: str
) -> None:
    tally.count("projects")
    pair = Pair(build(tmp_path / "p", with_tables(branched())), backend, *offline_urls)
    pair.both(verb, rng, sql=True)
    pair.both(verb, rng, sql=True, tag="release-1")


def test_linear_stepwise(backend: str, urls: tuple[str, str], tmp_path: Path) -> None:
    """Up one step at a time, down again, relative and absolute targets, offline both ways."""
    tally.count("projects")
    revisions = with_tables(linear(7))
    pair = Pair(build(tmp_path / "p", revisions), backend, *urls, full_snapshots=False)
    pair.both("upgrade", "head", sql=True)
    pair.both("downgrade", f"{revisions[-1].rev}:base", sql=True)
    for _ in revisions:
        pair.both("upgrade", "+1")
    pair.both("upgrade", "+1")
    pair.observe()
    pair.both("downgrade", "-2")
    pair.both("history", "-2:current")  # Alembic counts from head: a known difference
    explicit = f"{revisions[2].rev}:{revisions[4].rev}"  # current is revisions[4]
    same_outcome(
        pair.run("alembic", "history", explicit),
        pair.run("sterna", "history", "-2:current"),
        f"history {explicit} (alembic) = -2:current (sterna)",
        backend,
        log=False,
    )
    pair.both("upgrade", f"{revisions[2].rev}+3")
    pair.both("downgrade", revisions[3].rev[:4])
    pair.observe()
    pair.both("downgrade", "-9")
    pair.both("downgrade", "base")
    pair.both("downgrade", "-1")


def test_random_graph_walk(backend: str, urls: tuple[str, str], tmp_path: Path) -> None:
    """A different random graph on each backend, walked to random targets."""
    seed = {"sqlite": 3, "postgresql": 7, "mariadb": 11}[backend]
    tally.count("projects")
    revisions = with_tables(RandomGraph(seed, size=14).generate())
    pair = Pair(build(tmp_path / "p", revisions), backend, *urls, full_snapshots=False)
    rnd = random.Random(seed)
    targets = [rev.rev for rev in revisions]
    for _ in range(10):
        verb = rnd.choice(["upgrade", "upgrade", "downgrade"])
        pair.both(verb, rnd.choice(targets))
    pair.observe()
    pair.both("upgrade", "heads")
    pair.observe()
    pair.both("downgrade", "base")
