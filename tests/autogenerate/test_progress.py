"""Autogenerate names what it reads and compares while it works (sterna.util.progress.status):
``sterna check`` and ``revision --autogenerate`` on a pseudo-terminal, against a SQLite database
of 20 tables, with an ``include_object`` hook slow enough for the live line to be drawn."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.autogenerate._autogen_project import Project
from tests.conftest import run_sterna
from tests.util._terminal import screen, sterna_on_terminal

TABLES = 20

MODELS = "\n".join(
    f"""
class T{n:02d}(Base):
    __tablename__ = "t{n:02d}"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(20))
"""
    for n in range(TABLES)
)

EXTRA = """
class Extra(Base):
    __tablename__ = "extra"
    id = sa.Column(sa.Integer, primary_key=True)
"""

SLOW_HOOK = '''
import time


def slow_include(obj, name, type_, reflected, compare_to):
    """Slow enough (a twentieth of a second a table) for the live line to be seen."""
    if type_ == "table":
        time.sleep(0.05)
    return True

'''


@pytest.fixture
def project(tmp_path: Path) -> Project:
    made = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    made.models(MODELS)
    env = made.backend / "alembic" / "env.py"
    text = env.read_text().replace(
        "context.configure(connection=connection, target_metadata=target_metadata)",
        "context.configure(\n"
        "            connection=connection,\n"
        "            target_metadata=target_metadata,\n"
        "            include_object=slow_include,\n"
        "        )",
    )
    env.write_text(
        text.replace("\ndef run_migrations_offline", SLOW_HOOK + "\ndef run_migrations_offline")
    )
    assert "include_object=slow_include" in env.read_text()
    made.ok("revision", "--autogenerate", "-m", "tables")
    made.ok("upgrade", "head")
    return made


def test_check_shows_what_it_reflects_and_compares(project: Project) -> None:
    status, output = sterna_on_terminal("check", cwd=project.backend)
    assert status == 0, output
    assert f"reflecting {TABLES} tables  " in output, output
    compared = re.findall(rf"comparing table (\d+)/{TABLES}: t(\d\d)", output)
    assert compared, output
    # the count and the name go together: the tables are compared in name order
    assert all(int(index) == int(name) + 1 for index, name in compared), compared
    # the line is gone at the end; what the command prints stays whole
    assert screen(output)[-1] == "No new upgrade operations detected."
    assert not any("comparing table" in line for line in screen(output))


def test_check_through_a_pipe_shows_none_of_it(project: Project) -> None:
    done = run_sterna("check", cwd=project.backend)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "No new upgrade operations detected.\n"
    assert "comparing" not in done.stderr and "reflecting" not in done.stderr
    assert "\r" not in done.stderr and "\x1b" not in done.stderr


def test_revision_autogenerate_shows_it_too(project: Project) -> None:
    project.models(MODELS + EXTRA)
    status, output = sterna_on_terminal(
        "revision", "--autogenerate", "-m", "extra", cwd=project.backend
    )
    assert status == 0, output
    assert re.search(rf"comparing table \d+/{TABLES}: t\d\d", output), output
    shown = screen(output)
    assert any(line.startswith("Generating ") for line in shown), shown
    assert not any("comparing table" in line or "reflecting" in line for line in shown), shown
