"""``./dev demo`` (``tools/demo.py``): the commands it shows can be pasted into a shell as they
are, it names its temporary folder and removes it at the end, unless ``--keep`` is given."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _demo(tmp_path: Path, *args: str) -> str:
    """Run the demo with its temporary folder under ``tmp_path``; its output."""
    env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, str(REPO / "tools" / "demo.py"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _work_folder(out: str, tmp_path: Path) -> Path:
    found = re.match(r"Working in the temporary folder (\S+) \(", out)
    assert found, out[:300]
    work = Path(found.group(1))
    assert work.parent == tmp_path
    return work


def test_commands_are_shell_quoted_and_the_folder_is_removed(tmp_path: Path) -> None:
    out = _demo(tmp_path)
    typed = [shlex.split(line[2:]) for line in out.splitlines() if line.startswith("$ ")]
    assert ["sterna", "revision", "-m", "create suppliers table"] in typed
    assert [
        "sterna",
        "revision",
        "--autogenerate",
        "-m",
        "add purchase orders table",
    ] in typed
    assert ["sterna", "downgrade", "-1"] in typed
    work = _work_folder(out, tmp_path)
    assert out.rstrip().endswith(f"Removed {work}.")
    assert not work.exists()


def test_keep_keeps_the_folder(tmp_path: Path) -> None:
    out = _demo(tmp_path, "--keep")
    work = _work_folder(out, tmp_path)
    assert f"Kept {work}" in out
    assert (work / "alembic.ini").is_file() and (work / "app.db").is_file()
