"""``tools/testdb.py`` installs missing Debian packages with apt-get as root, through sudo
otherwise, and with neither stops with one line naming the packages to install."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO


def _load_testdb() -> ModuleType:
    """``tools/testdb.py`` (a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("testdb", REPO / "tools" / "testdb.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


testdb = _load_testdb()


def test_root_runs_apt_get_itself() -> None:
    command = testdb.apt_command(["install", "-y", "x"], True, "/usr/bin/sudo", ["x"])
    assert command == ["apt-get", "install", "-y", "x"]


def test_not_root_goes_through_sudo_keeping_the_frontend() -> None:
    command = testdb.apt_command(["install", "-y", "x"], False, "/usr/bin/sudo", ["x"])
    assert command[0] == "/usr/bin/sudo" and command[-4:] == ["apt-get", "install", "-y", "x"]
    assert "DEBIAN_FRONTEND=noninteractive" in command[1:-4]


SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runuser") or not Path(SYSTEM_PYTHON).exists(),
    reason="needs root (to run as nobody), runuser and the system Python",
)
def test_neither_root_nor_sudo_stops_with_one_line(tmp_path: Path) -> None:
    """A real run as ``nobody``, with no sudo on its PATH."""
    bare = tmp_path / "bin"
    bare.mkdir()
    tools = REPO / "tools"
    code = f"import sys; sys.path.insert(0, {str(tools)!r}); import testdb; "
    code += "testdb.apt_install('mariadb-server', 'postgresql')"
    proc = subprocess.run(
        ["runuser", "-u", "nobody", "--", "env", f"PATH={bare}", SYSTEM_PYTHON, "-c", code],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "testdb: mariadb-server postgresql missing and cannot be installed (not root, and no "
        "sudo): run 'apt-get install mariadb-server postgresql' as root, then run again"
    ]
