"""Commands that print progress (``Generating ... done``) finish their work and exit 0 when
standard output is a pipe nobody reads any more (``sterna init migrations | head -0``): the
output is lost, the files are not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def run_with_closed_stdout(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``sterna ARGV`` whose standard output is a pipe with its reader already closed, buffered
    as a user's is (``PYTHONUNBUFFERED`` would turn the flush that fails into a write that
    fails)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("PYTHONUNBUFFERED", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "sterna", *argv],
            cwd=cwd,
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)


def test_init_and_revision_on_a_closed_pipe(tmp_path: Path) -> None:
    init = run_with_closed_stdout(tmp_path, "init", "migrations")
    assert (init.returncode, init.stderr) == (0, "")
    assert (tmp_path / "alembic.ini").is_file()
    assert (tmp_path / "migrations" / "env.py").is_file()
    revision = run_with_closed_stdout(tmp_path, "revision", "-m", "first")
    assert (revision.returncode, revision.stderr) == (0, "")
    scripts = list((tmp_path / "migrations" / "versions").glob("*.py"))
    assert len(scripts) == 1 and scripts[0].name.endswith("_first.py")
