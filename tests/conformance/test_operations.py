"""Every operation, on SQLite, PostgreSQL and MariaDB: one revision at a time up and down again,
with the schema, data and version rows compared after every step, and the offline SQL of the
whole chain compared statement by statement."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import tally
from tests.conformance.offline_exec import sqlite_equivalence
from tests.conformance.opsets import chain
from tests.conformance.pair import Pair
from tests.conformance.projects import build


def test_online_step_by_step(backend: str, urls: tuple[str, str], tmp_path: Path) -> None:
    tally.count("projects")
    revisions = chain(backend)
    pair = Pair(build(tmp_path / "p", revisions), backend, *urls)
    for rev in revisions:  # every step is valid: Alembic, the reference, must succeed
        theirs, _ = pair.both("upgrade", "+1")
        assert theirs.ok, (rev.rev, theirs.error)
    pair.observe()
    for rev in reversed(revisions):
        theirs, _ = pair.both("downgrade", "-1")
        assert theirs.ok, (rev.rev, theirs.error)
    pair.observe(full=False)


def test_offline_chain(
    backend: str, offline_urls: tuple[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The whole chain in one offline run, both directions."""
    tally.count("projects")
    revisions = chain(backend)
    pair = Pair(build(tmp_path / "p", revisions), backend, *offline_urls)
    # SQLite's batch steps need a live table (or copy_from): the offline chain stops before them
    last = revisions[4] if backend == "sqlite" else revisions[-1]
    pair.both("upgrade", last.rev, sql=True)
    pair.both("downgrade", f"{last.rev}:base", sql=True)
    if backend == "sqlite":
        pair.both("upgrade", "head", sql=True)  # both refuse the batch step


@pytest.mark.parametrize("index", range(10))
def test_offline_revision(
    backend: str,
    offline_urls: tuple[str, str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    index: int,
) -> None:
    """Each revision on its own (``prev:rev`` up, ``rev:prev`` down), so that one difference
    does not hide the others."""
    revisions = chain(backend)
    rev = revisions[index]
    tally.count("projects")
    pair = Pair(build(tmp_path / "p", revisions), backend, *offline_urls)
    prev = revisions[index - 1].rev if index else "base"
    batch = "batch_alter_table" in rev.upgrade
    tag = "[batch]" if batch else ""
    up = sqlite_equivalence(pair.project, prev) if batch and backend == "sqlite" else None
    down = sqlite_equivalence(pair.project, rev.rev) if up is not None else None
    pair.both("upgrade", f"{prev}:{rev.rev}", sql=True, tag=tag, equivalent=up)
    pair.both("downgrade", f"{rev.rev}:{prev}", sql=True, tag=tag, equivalent=down)
