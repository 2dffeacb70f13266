"""Switching tools part way: a database migrated part way by Alembic continues under Sterna, and
the reverse; the result must equal the same run made by Alembic alone (schema, data, version
rows), up and back down, on the every-operation chain and on a branched graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import tally
from tests.conformance.compare import same_database
from tests.conformance.opsets import chain
from tests.conformance.pair import Pair
from tests.conformance.projects import branched, build, with_tables


def handover(pair: Pair, first: str, steps: list[tuple[str, str]]) -> None:
    """Run ``steps`` with Alembic alone on ``alembic_url`` (the reference) and on
    ``sterna_url`` with the two tools taking turns, ``first`` first; compare the two
    databases after every step."""
    second = "sterna" if first == "alembic" else "alembic"
    for index, (verb, target) in enumerate(steps):
        tool = first if index % 2 == 0 else second
        reference = pair.run("alembic", verb, target)
        mixed = pair.run(tool, verb, target, on="sterna")
        tally.count("commands")
        assert reference.ok and mixed.ok, (reference, mixed)
        same_database(
            pair.alembic_url,
            pair.sterna_url,
            f"{verb} {target} by {tool} after {first}",
            pair.backend,
        )


@pytest.mark.parametrize("first", ["alembic", "sterna"])
def test_operation_chain(backend: str, urls: tuple[str, str], tmp_path: Path, first: str) -> None:
    tally.count("projects")
    revisions = chain(backend)
    pair = Pair(build(tmp_path / "p", revisions), backend, *urls)
    middle = len(revisions) // 2
    steps = [
        ("upgrade", revisions[middle].rev),
        ("upgrade", "head"),
        ("downgrade", revisions[middle - 1].rev),
        ("downgrade", "base"),
    ]
    # each tool upgrades revisions the other did not run, and downgrades ones the other ran
    handover(pair, first, steps)


@pytest.mark.parametrize("first", ["alembic", "sterna"])
def test_branched_graph(backend: str, urls: tuple[str, str], tmp_path: Path, first: str) -> None:
    tally.count("projects")
    pair = Pair(
        build(tmp_path / "p", with_tables(branched())), backend, *urls, full_snapshots=False
    )
    steps = [
        ("upgrade", "feature@head"),
        ("upgrade", "d4b"),
        ("upgrade", "other@head"),
        ("upgrade", "heads"),
        ("downgrade", "c3"),
        ("downgrade", "base"),
    ]
    handover(pair, first, steps)
