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
            assert gc.get_freeze_count() == 0  # nothing moved out of the collector's reach
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


CONSOLE = ["-m", "sterna"]  # the console script's process
LIBRARY = ["-c", "import sys; from sterna.cli import main; sys.exit(main())"]


def _run(project: Project, how: list[str], *args: str) -> str:
    """Sterna run as ``how`` says in a process of its own in the project; its output."""
    run = subprocess.run(
        [sys.executable, *how, *args],
        cwd=project.backend,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_console_script_still_takes_its_measures(project: Project) -> None:
    """From the console script, autogenerate compares with few collections (and env.py gets
    the collector back, on); ``sterna.cli.main`` in the same kind of process does not."""
    env_py = project.backend / "alembic" / "env.py"
    env_py.write_text(ENV_REPORT + env_py.read_text())
    console = _run(project, CONSOLE, "revision", "--autogenerate", "-m", "things")
    assert f"env.py sees {FEW_COLLECTIONS} True" in console.splitlines()
    for script in project.versions():  # the database is still empty: autogenerate again
        script.unlink()
    library = _run(project, LIBRARY, "revision", "--autogenerate", "-m", "more")
    assert f"env.py sees {gc.get_threshold()} True" in library.splitlines()


FREEZE_REPORT = "import gc\nprint('env.py frozen', gc.get_freeze_count())\n"


def test_console_script_freezes_what_stays_alive(project: Project) -> None:
    """The console script moves what was made before env.py, then the imported scripts, out of
    the collector's reach (``gc.freeze()``: no collection walks them again); a library call
    freezes nothing."""
    env_py = project.backend / "alembic" / "env.py"
    env_py.write_text(FREEZE_REPORT + env_py.read_text())
    project.ok("revision", "--autogenerate", "-m", "things")
    (script,) = project.versions()
    marker = "def upgrade() -> None:\n"
    assert marker in script.read_text()
    report = "    import gc\n    print('upgrade frozen', gc.get_freeze_count())\n"
    script.write_text(script.read_text().replace(marker, marker + report))
    counts = {}
    for name, how in (("console", CONSOLE), ("library", LIBRARY)):
        (project.root / "app.db").unlink(missing_ok=True)
        out = _run(project, how, "upgrade", "head")
        lines = [line.split() for line in out.splitlines() if "frozen" in line]
        counts[name] = {words[0]: int(words[2]) for words in lines}
    console, library = counts["console"], counts["library"]
    assert 0 < console["env.py"] < console["upgrade"]  # the scripts' objects frozen too
    assert library == {"env.py": 0, "upgrade": 0}
