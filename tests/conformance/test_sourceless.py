"""``sourceless = true``: the version folder holds only bytecode of scripts Alembic users wrote
(``from alembic import op``).  Reading their headers means importing them, which must go through
the alias too: both tools list and run them the same way."""

from __future__ import annotations

import py_compile
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conformance import tally
from tests.conformance.pair import Pair
from tests.conformance.projects import Rev, build, set_ini_option
from tests.test_compat import BLOCK_REAL_ALEMBIC, REPO

REVISIONS = [
    Rev(
        "s1",
        None,
        "first",
        upgrade="op.create_table('s_one', sa.Column('id', sa.Integer))",
        downgrade="op.drop_table('s_one')",
    ),
    Rev(
        "s2",
        "s1",
        "second",
        upgrade="op.add_column('s_one', sa.Column('x', sa.Integer))",
        downgrade="op.drop_column('s_one', 'x')",
    ),
]


def test_sourceless_scripts(sqlite_url: str, tmp_path: Path) -> None:
    tally.count("projects")
    project = build(tmp_path / "p", REVISIONS)
    set_ini_option(project.ini, "sourceless", "true")
    for source in project.folder("").glob("*.py"):
        py_compile.compile(str(source), cfile=str(source.with_suffix(".pyc")), doraise=True)
        source.unlink()
    pair = Pair(project, "sqlite", sqlite_url, f"sqlite:///{tmp_path / 'sterna.db'}", strict=True)
    pair.both("heads")
    pair.both("history", verbose=True)
    pair.both("upgrade", "head")
    pair.both("downgrade", "base")


def test_sourceless_without_alembic_installed(tmp_path: Path) -> None:
    """Listing a sourceless project imports the bytecode to read the headers: in a process
    where Alembic cannot be imported that must still work (through the alias)."""
    tally.count("projects")
    project = build(tmp_path / "p", REVISIONS)
    set_ini_option(project.ini, "sourceless", "true")
    set_ini_option(project.ini, "sqlalchemy.url", f"sqlite:///{tmp_path / 'x.db'}")
    for source in project.folder("").glob("*.py"):
        py_compile.compile(str(source), cfile=str(source.with_suffix(".pyc")), doraise=True)
        source.unlink()
    code = textwrap.dedent(BLOCK_REAL_ALEMBIC) + textwrap.dedent("""
        from sterna.cli import main
        for argv in (["heads"], ["upgrade", "head"], ["current"]):
            status = main(argv)
            print("status", status)
    """)
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    tally.count("commands", 3)
    assert done.stdout.splitlines() == [
        "s2 (head)",
        "status 0",
        "status 0",
        "s2 (head)",
        "status 0",
    ], done.stdout + done.stderr
