"""The read commands start without importing ``typing`` or SQLAlchemy (issue 2, start-up time).

Each command runs in a fresh interpreter, launched the way the ``sterna`` console script launches
it (``sterna.cli.console_main``); an exit handler registered before Sterna is imported reports
which of the two modules the process holds when it leaves.  Every command runs twice: once on a
fresh project (headers parsed, caches and the graph snapshot written) and once warm (read back).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sterna import command
from sterna.config import Config
from tests.cli.conftest import working_directory
from tests.conftest import REPO

WATCHED = ("typing", "sqlalchemy")

PROBE = f"""\
import atexit, sys
preloaded = [name for name in {WATCHED!r} if name in sys.modules]
def report():
    held = [name for name in {WATCHED!r} if name in sys.modules]
    sys.stderr.write(f"\\nPROBE preloaded={{','.join(preloaded)}} held={{','.join(held)}}\\n")
    sys.stderr.flush()
atexit.register(report)
sys.argv = ["sterna", *sys.argv[1:]]
from sterna.cli import console_main
console_main()
"""

# a main line a1 - a2 that forks into b1 and c1, merged again by m1 (so ``branches`` has a
# branch point to print and ``history`` a merge); a label and a dependency on the side
SCRIPTS = {
    "a1": ("None", "first", ""),
    "a2": ('"a1"', "second", ""),
    "b1": ('"a2"', "left side", 'branch_labels = ("left",)\ndepends_on = "a1"\n'),
    "c1": ('"a2"', "right side", ""),
    "m1": ('("b1", "c1")', "merge", ""),
}


def write_project(root: Path, url: str = "driver://user:pass@localhost/dbname") -> Path:
    with working_directory(root), contextlib.redirect_stdout(io.StringIO()):
        command.init(Config("alembic.ini"), "migrations")
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", url))
    an_hour_ago = time.time() - 3600  # files this old are cached (fresh ones are not trusted)
    for rev, (down, message, extra) in SCRIPTS.items():
        path = root / "migrations" / "versions" / f"{rev}_x.py"
        path.write_text(
            f'"""{message}\n\nRevision ID: {rev}\n"""\n'
            f'revision = "{rev}"\ndown_revision = {down}\n{extra}\n\n'
            "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
        )
        os.utime(path, (an_hour_ago, an_hour_ago))
    os.utime(path.parent, (an_hour_ago, an_hour_ago))
    return root


def probe(cwd: Path, *argv: str) -> tuple[set[str], str]:
    """The watched modules the process of ``sterna ARGV`` held at exit, and its stdout."""
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # caches written and read back, as for a user
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc
    line = proc.stderr.rstrip().splitlines()[-1]
    assert line.startswith("PROBE preloaded="), proc.stderr
    preloaded, held = (part.partition("=")[2] for part in line.split()[1:])
    assert not preloaded, f"the interpreter imports {preloaded} before Sterna; cannot tell"
    return {name for name in held.split(",") if name}, proc.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["list_templates"],
        ["heads"],
        ["heads", "-v"],
        ["history"],
        ["history", "-v"],
        ["history", "-r", "a2:m1"],
        ["branches", "-v"],
        ["show", "head"],
        ["show", "left@head"],
    ],
    ids=" ".join,
)
def test_read_commands_import_neither_typing_nor_sqlalchemy(
    tmp_path: Path, argv: list[str]
) -> None:
    root = write_project(tmp_path)
    for run in ("fresh", "warm"):
        held, out = probe(root, *argv)
        assert held == set(), (run, argv)
        assert out.strip(), (run, argv)  # the command did its work
    if argv[0] not in ("--help", "list_templates"):  # the warm run read the caches back
        assert list((root / "migrations").rglob("__pycache__/*")), "no cache written"


def test_probe_sees_the_imports_of_a_command_that_needs_the_database(tmp_path: Path) -> None:
    root = write_project(tmp_path, f"sqlite:///{tmp_path / 'probe.db'}")
    held, out = probe(root, "current")
    assert held == set(WATCHED)
    assert out == ""


BATCH_MODULES = ("sterna.ddl.recreate_changes", "sterna.ddl.recreate_model")
#: the snapshot records of autogenerate's reflection: no migration run reads one
RECORDS = "sterna.dialects.records"

BATCH_PROBE = f"""\
import atexit, sys
def report():
    held = [name for name in {(*BATCH_MODULES, RECORDS)!r} if name in sys.modules]
    sys.stderr.write(f"\\nPROBE held={{','.join(held)}}\\n")
    sys.stderr.flush()
atexit.register(report)
sys.argv = ["sterna", *sys.argv[1:]]
from sterna.cli import console_main
console_main()
"""


def _batch_modules_held(root: Path, *argv: str) -> set[str]:
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-c", BATCH_PROBE, *argv],
        cwd=root,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    line = proc.stderr.rstrip().splitlines()[-1]
    assert line.startswith("PROBE held="), proc.stderr
    return {name for name in line.partition("=")[2].split(",") if name}


def test_a_deploy_without_batch_mode_leaves_its_modules_unimported(tmp_path: Path) -> None:
    """SQLite's batch rebuild (``sterna.ddl.recreate*``, 55 M instructions to import) is
    imported by a run that uses batch mode, not by every run on SQLite; the snapshot records
    (30 M) by neither."""
    root = write_project(tmp_path, f"sqlite:///{tmp_path / 'probe.db'}")
    assert _batch_modules_held(root, "upgrade", "head") == set()
    path = root / "migrations" / "versions" / "z1_x.py"
    path.write_text(
        '"""batch\n\nRevision ID: z1\n"""\nimport sqlalchemy as sa\nfrom sterna import op\n\n'
        'revision = "z1"\ndown_revision = "m1"\n\n\ndef upgrade():\n'
        '    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))\n'
        '    with op.batch_alter_table("t") as batch:\n'
        '        batch.add_column(sa.Column("x", sa.Integer))\n\n\n'
        "def downgrade():\n    pass\n"
    )
    assert _batch_modules_held(root, "upgrade", "head") == set(BATCH_MODULES)
