"""Fixtures of the conformance suite; its session summary hooks come from ``summary.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conformance.summary import (  # noqa: F401 - hooks, registered by being here
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)
from tests.conftest import _fresh_database


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
    "mariadb": "mariadb+pymysql://someone@db.invalid/app",
}


@pytest.fixture
def offline_urls(backend: str) -> tuple[str, str]:
    """URLs for ``--sql`` runs: only their dialect matters, no database is created."""
    return OFFLINE_URLS[backend], OFFLINE_URLS[backend]


