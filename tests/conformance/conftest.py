"""Fixtures of the conformance suite, and its session summary (what was compared, which known
differences were met), summed over xdist workers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance import tally
from tests.conformance.known_differences import KNOWN
from tests.conftest import _fresh_database

_WORKER_KEY = "sterna_conformance_tally"
_COLLECTED: list[dict[str, dict[str, int]]] = []


@pytest.fixture
def urls(backend: str, db_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``(alembic_url, sterna_url)``: two fresh, empty databases on the same backend."""
    if backend == "sqlite":
        yield db_url, f"sqlite:///{tmp_path / 'sterna.db'}"
    else:
        yield from ((db_url, url) for url in _fresh_database(backend))


OFFLINE_URLS = {
    "sqlite": "sqlite:///offline.db",
    "postgresql": "postgresql+psycopg://someone@db.invalid/app",
    "mariadb": "mysql+pymysql://someone@db.invalid/app",
}


@pytest.fixture
def offline_urls(backend: str) -> tuple[str, str]:
    """URLs for ``--sql`` runs: only their dialect matters, no database is created."""
    return OFFLINE_URLS[backend], OFFLINE_URLS[backend]


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the controller
        workeroutput[_WORKER_KEY] = {"counts": dict(tally.COUNTS),
                                     "known": dict(tally.KNOWN_HITS)}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    data = getattr(node, "workeroutput", {}).get(_WORKER_KEY)
    if data:
        _COLLECTED.append(data)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    counts: Counter[str] = Counter(tally.COUNTS)
    known: Counter[str] = Counter(tally.KNOWN_HITS)
    for data in _COLLECTED:
        counts.update(data["counts"])
        known.update(data["known"])
    if not counts:
        return
    write = terminalreporter.write_line
    terminalreporter.section("Sterna/Alembic conformance")
    for kind, label in tally.KINDS.items():
        write(f"{counts.get(kind, 0):>8}  {label}")
    write("known differences met (tests/conformance/known_differences.py):")
    for entry in KNOWN:
        write(f"{known.get(entry.key, 0):>8}  {entry.key}")
