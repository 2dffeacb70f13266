"""Fixtures of the conformance suite.  Its session summary hooks (``summary.py``) are registered
by the top-level ``tests/conftest.py``, so that the xdist controller prints the counts too."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _fresh_database

#: The attribute of ``sys`` where a project extension run in process (``EXTENSION`` of
#: ``test_autogenerate_patterns``) records the ids of the registries it has already extended: the
#: harness imports it once per run, a real process once.
EXTENDED_REGISTRIES = "_conformance_audit_ext"


@pytest.fixture(autouse=True)
def _project_registrations_forgotten() -> Iterator[None]:
    """Sterna's comparator and renderer registries restored after each test.

    A project's env.py runs in this process and may register its own comparators and renderers
    (Alembic's cookbook extension in ``test_autogenerate_patterns``); left there, they would run
    in every later autogenerate of the process.  The built-in ones are registered (imported)
    before the snapshot, so that restoring it never drops them; the extension's record of having
    extended Sterna's registry goes with its registrations.
    """
    # imported first: importing them registers the built-in comparators and renderers
    import sterna.autogenerate.compare
    import sterna.autogenerate.render_ops  # noqa: F401
    from sterna.autogenerate.compare.registry import comparators
    from sterna.autogenerate.render import renderers

    saved_comparators = {key: list(found) for key, found in comparators._registry.items()}
    saved_renderers = dict(renderers._registry)
    yield
    comparators._registry.clear()
    comparators._registry.update(saved_comparators)
    comparators._resolved.clear()
    renderers._registry.clear()
    renderers._registry.update(saved_renderers)
    getattr(sys, EXTENDED_REGISTRIES, set()).discard(id(comparators))


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
