"""Fixtures of the conformance suite.  Its session summary hooks (``summary.py``) are registered
by the top-level ``tests/conftest.py``, so that the xdist controller prints the counts too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
