"""How the ``sterna`` process ends (``sterna.cli.console_main``): a command that never imported
SQLAlchemy leaves without tearing its objects down, and must still deliver every byte of its
output, run the exit handlers and keep its exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Project
from tests.conftest import REPO, run_sterna

LINES = 400  # about 25 KB of history: more than one buffer's worth


def chain(project: Project, count: int) -> None:
    down = None
    for index in range(count):
        rev = f"r{index:04d}"
        project.add(rev, down, f"step {index}")
        down = rev


def env() -> dict[str, str]:
    full = dict(os.environ)
    full["PYTHONPATH"] = os.pathsep.join([str(REPO), full.get("PYTHONPATH", "")])
    return full


def test_long_output_to_a_file_is_complete(project: Project, tmp_path: Path) -> None:
    chain(project, LINES)
    target = tmp_path / "history.txt"
    with target.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "sterna", "history"],
            cwd=project.ours,
            env=env(),
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    lines = target.read_text().splitlines()
    assert len(lines) == LINES
    assert lines[0].startswith(f"r{LINES - 2:04d} -> r{LINES - 1:04d} (head), step {LINES - 1}")
    assert lines[-1] == "<base> -> r0000, step 0"


def test_closed_pipe_is_not_an_error(project: Project) -> None:
    chain(project, LINES)
    done = subprocess.run(
        f"{sys.executable} -m sterna history | head -n 1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        cwd=project.ours,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.splitlines() == [
        f"r{LINES - 2:04d} -> r{LINES - 1:04d} (head), step {LINES - 1}"
    ]
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr


def test_exit_handlers_run_and_status_is_kept(project: Project) -> None:
    chain(project, 3)
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('exit handler ran'))\n"
        "sys.argv = ['sterna'] + sys.argv[1:]\n"
        "from sterna.cli import console_main\n"
        "console_main()\n"
    )
    ok = subprocess.run(
        [sys.executable, "-c", code, "heads"],
        cwd=project.ours,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == ["r0002 (head)", "exit handler ran"]
    failed = subprocess.run(
        [sys.executable, "-c", code, "show", "nope"],
        cwd=project.ours,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1
    assert "nope" in failed.stderr
    assert failed.stdout.splitlines() == ["exit handler ran"]


def test_database_command_exits_normally(project: Project) -> None:
    chain(project, 3)
    done = run_sterna("upgrade", "head", cwd=project.ours)
    assert done.returncode == 0, done.stderr
    assert run_sterna("current", cwd=project.ours).stdout.strip() == "r0002 (head)"


REPORT = (  # counts what a console policy was asked to keep (None: no policy was made)
    "import atexit, gc, sys\n"
    "from sterna.util import console\n"
    "kept = []\n"
    "made = console.ConsolePolicy.__init__\n"
    "def init(self):\n"
    "    made(self)\n"
    "    kept.append(0)\n"
    "real = console.ConsolePolicy.keep\n"
    "def keep(self, *objects):\n"
    "    kept.extend(objects)\n"
    "    real(self, *objects)\n"
    "console.ConsolePolicy.__init__ = init\n"
    "console.ConsolePolicy.keep = keep\n"
    "def report():\n"
    "    print('gc', gc.isenabled(), 'kept', len(kept) - 1 if kept else None)\n"
    "atexit.register(report)\n"
    "sys.argv = ['sterna'] + sys.argv[1:]\n"
    "from sterna.cli import {entry}\n"
    "{entry}()\n"
)


def test_console_read_command_keeps_its_graph_and_collects_nothing(project: Project) -> None:
    """The console process keeps the graph it built until ``os._exit`` (nothing freed object by
    object when the command returns) and never collects garbage: no user code ran."""
    chain(project, 3)
    done = subprocess.run(
        [sys.executable, "-c", REPORT.format(entry="console_main"), "heads"],
        cwd=project.ours,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["r0002 (head)", "gc False kept 2"]


def test_console_turns_garbage_collection_back_on_for_env_py(project: Project) -> None:
    chain(project, 3)
    env_py = project.ours / "migrations" / "env.py"
    env_py.write_text("import gc\nprint('env.py sees gc', gc.isenabled())\n" + env_py.read_text())
    done = subprocess.run(
        [sys.executable, "-c", REPORT.format(entry="console_main"), "upgrade", "head"],
        cwd=project.ours,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "env.py sees gc True" in done.stdout.splitlines()


def test_library_use_keeps_nothing_and_leaves_gc_alone(project: Project) -> None:
    """``sterna.cli.main`` (programmatic use) neither keeps objects nor touches the collector."""
    chain(project, 3)
    code = REPORT.format(entry="main").replace("main()\n", "sys.exit(main())\n")
    done = subprocess.run(
        [sys.executable, "-c", code, "heads"],
        cwd=project.ours,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["r0002 (head)", "gc True kept None"]
