"""The documentation site, built once per test session, served on a loopback port, and the
headless browser that opens it.

MkDocs (the ``docs`` extra) and Chromium (Debian's ``chromium``) are installed by ``./dev test``;
when one is missing the tests that need it fail under ``STERNA_REQUIRE_BACKENDS=1`` or in CI, as
a missing database server does (tests/conftest.py), and are skipped otherwise.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tests.conftest import REPO
from tests.docs._browser import find_chromium


def missing(what: str) -> NoReturn:
    """Fail (required here) or skip: ``what`` is not installed."""
    if os.environ.get("STERNA_REQUIRE_BACKENDS") == "1" or os.environ.get("CI"):
        pytest.fail(f"{what} is not installed (./dev test installs it)")
    pytest.skip(f"{what} is not installed (./dev test installs it)")


def build_site(out: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of the repository's mkdocs.yml into ``out``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml"]
    return subprocess.run(
        [*command, "-d", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The built site's folder and MkDocs' output; the build's exit status is the test's."""
    if importlib.util.find_spec("mkdocs") is None:
        missing("MkDocs (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site") / "site"
    proc = build_site(out)
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stderr[-4000:]}")
    return out, proc.stderr


@pytest.fixture(scope="session")
def site(site_build: tuple[Path, str]) -> Path:
    return site_build[0]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built site served by http.server on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        missing("Chromium (apt-get install chromium)")
    return binary
