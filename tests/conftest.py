"""Shared fixtures: real databases, one fresh database per test.

The servers are started by ``tools/testdb.py`` (``./dev test`` does it); their administrator URLs
arrive in ``STERNA_TEST_PG_URL`` and ``STERNA_TEST_MYSQL_URL``.  When a URL is missing the test
fails if ``STERNA_REQUIRE_BACKENDS=1`` (always so under ``./dev test`` and in CI) and is skipped
otherwise, so that a developer can run a quick SQLite-only subset.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytest_plugins = ["tests.conformance.summary"]  # conformance counts, printed at session end

BACKENDS = ("sqlite", "postgresql", "mariadb")
ENV_VARS = {"postgresql": "STERNA_TEST_PG_URL", "mariadb": "STERNA_TEST_MYSQL_URL"}
REPO = Path(__file__).resolve().parent.parent


def _admin_url(backend: str) -> str:
    url = os.environ.get(ENV_VARS[backend])
    if url:
        return url
    message = f"{backend} test server not configured ({ENV_VARS[backend]} is unset)"
    if os.environ.get("STERNA_REQUIRE_BACKENDS") == "1" or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _fresh_database(backend: str) -> Iterator[str]:
    admin = make_url(_admin_url(backend))
    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            if backend == "postgresql":
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _fresh_database("postgresql")


@pytest.fixture
def mysql_url() -> Iterator[str]:
    yield from _fresh_database("mariadb")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database on each of the three backends."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield from _fresh_database(backend)


def run_sterna(
    *args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sterna ARGS`` in ``cwd`` and capture its output."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join([str(REPO), full_env.get("PYTHONPATH", "")])
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "sterna", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"sterna {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc
