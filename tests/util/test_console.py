"""The console script's speed measures (sterna.util.console) stay in the console script: a
library call -- ``sterna.command``, ``sterna.cli.main``, a Config built with ``cmd_opts`` as
Alembic's own CLI does -- leaves the garbage collector as it found it, and the console script
still takes its measures."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sterna import command
from sterna.config import Config
from sterna.util.console import FEW_COLLECTIONS
from tests.autogenerate._autogen_project import Project, _cwd, forget_app_modules

ODD = (777, 7, 7)  # thresholds nobody uses: any change shows

MODELS = """
class Thing(Base):
    __tablename__ = "thing"
    id = sa.Column(sa.Integer, primary_key=True)
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    made = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    made.models(MODELS)
    return made


@pytest.fixture(params=[True, False], ids=["gc-on", "gc-off"])
def collector(request: pytest.FixtureRequest) -> Iterator[tuple[tuple[int, int, int], bool]]:
    saved, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(*ODD)
    (gc.enable if request.param else gc.disable)()
    try:
        yield ODD, request.param
    finally:
        gc.set_threshold(*saved)
        (gc.enable if enabled else gc.disable)()


def _state() -> tuple[tuple[int, int, int], bool]:
    return gc.get_threshold(), gc.isenabled()


def test_command_functions_leave_the_collector_alone(
    project: Project, collector: tuple[tuple[int, int, int], bool]
) -> None:
    # a Config with cmd_opts, as a program wrapping Alembic's command line builds it
    opts = argparse.Namespace(x=None, quiet=False, autogenerate=True)
    with _cwd(project.backend):
        config = Config(str(project.backend / "alembic.ini"), cmd_opts=opts)
        try:
            command.revision(config, message="things", autogenerate=True)
            assert _state() == collector
            command.upgrade(config, "head")
            assert _state() == collector
            command.heads(config)
            assert _state() == collector
        finally:
            forget_app_modules()
    assert "thing" in project.tables()


def test_cli_main_leaves_the_collector_alone(
    project: Project, collector: tuple[tuple[int, int, int], bool]
) -> None:
    project.ok("revision", "--autogenerate", "-m", "things")  # sterna.cli.main, in process
    assert _state() == collector
    project.ok("upgrade", "head")
    assert _state() == collector
    assert gc.get_freeze_count() == 0  # nothing of the process frozen out of the collector's reach


ENV_REPORT = "import gc\nprint('env.py sees', gc.get_threshold(), gc.isenabled())\n"


def test_console_script_still_takes_its_measures(project: Project) -> None:
    """From the console script, autogenerate compares with few collections (and env.py gets
    the collector back, on); ``sterna.cli.main`` in the same kind of process does not."""
    env_py = project.backend / "alembic" / "env.py"
    env_py.write_text(ENV_REPORT + env_py.read_text())
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    console = subprocess.run(
        [sys.executable, "-m", "sterna", "revision", "--autogenerate", "-m", "things"],
        cwd=project.backend,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert console.returncode == 0, console.stderr
    assert f"env.py sees {FEW_COLLECTIONS} True" in console.stdout.splitlines()
    for script in project.versions():  # the database is still empty: autogenerate again
        script.unlink()
    library = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from sterna.cli import main; sys.exit(main())",
            "revision",
            "--autogenerate",
            "-m",
            "more",
        ],
        cwd=project.backend,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert library.returncode == 0, library.stderr
    assert f"env.py sees {gc.get_threshold()} True" in library.stdout.splitlines()


FREEZE_REPORT = "import gc\nprint('env.py frozen', gc.get_freeze_count() > 1000)\n"


def test_console_script_freezes_what_exists_when_env_py_starts(project: Project) -> None:
    """From the console script, the objects alive when env.py starts (modules, graphs,
    scripts' code) are frozen out of the collector's reach, so that the migration's
    collections do not walk them again and again; from ``sterna.cli.main`` nothing is."""
    project.ok("revision", "--autogenerate", "-m", "things")
    env_py = project.backend / "alembic" / "env.py"
    env_py.write_text(FREEZE_REPORT + env_py.read_text())
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    runs = {
        "console": [sys.executable, "-m", "sterna", "upgrade", "head"],
        "library": [
            sys.executable,
            "-c",
            "import sys; from sterna.cli import main; sys.exit(main())",
            "downgrade",
            "base",
        ],
    }
    seen = {}
    for kind, argv in runs.items():
        done = subprocess.run(
            argv, cwd=project.backend, env=environ, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        seen[kind] = [line for line in done.stdout.splitlines() if line.startswith("env.py")]
    assert seen == {"console": ["env.py frozen True"], "library": ["env.py frozen False"]}
