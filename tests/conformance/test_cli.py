"""The command line itself: ``python -m alembic`` and ``python -m sterna`` on identical copies
of a project (env.py's logging set-up included), same exit status (zero or not), same standard
output and standard error, for successes and failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conformance import tally
from tests.conformance.compare import check
from tests.conformance.harness import ALEMBIC, STERNA
from tests.conformance.projects import Rev, build, set_ini_option
from tests.conformance.test_templates import cli, normalise

REVISIONS = [
    Rev(
        "c1",
        None,
        "first",
        upgrade="op.create_table('t1', sa.Column('id', sa.Integer))",
        downgrade="op.drop_table('t1')",
    ),
    Rev(
        "c2",
        "c1",
        "second",
        upgrade="op.add_column('t1', sa.Column('x', sa.Integer))",
        downgrade="op.drop_column('t1', 'x')",
    ),
]

COMMANDS = [
    ("heads", "-v"),
    ("-x", "ignored=1", "upgrade", "c1"),
    ("current", "-v"),
    ("upgrade", "zzz"),
    ("downgrade", "c1:base", "--sql"),
    ("stamp", "c2"),  # the database is at c1 but says c2:
    ("downgrade", "-1"),  # c2's downgrade fails in the database
    ("nosuchverb",),
]


def status(code: int) -> str:
    return "ok" if code == 0 else "failed"


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tally.count("projects")
    root = tmp_path_factory.mktemp("cli")
    build(root / "alembic", REVISIONS)
    shutil.copytree(root / "alembic", root / "sterna")
    for name in ("alembic", "sterna"):
        set_ini_option(
            root / name / "alembic.ini", "sqlalchemy.url", f"sqlite:///{root / name / 'app.db'}"
        )
    return {"alembic": root / "alembic", "sterna": root / "sterna"}


def test_command_line(sides: dict[str, Path]) -> None:
    for argv in COMMANDS:
        results = {}
        for tool in (ALEMBIC, STERNA):
            done = cli(tool, sides[tool.name], *argv)
            results[tool.name] = (
                status(done.returncode),
                tuple(normalise(done.stdout, sides[tool.name], [])),
                tuple(normalise(done.stderr, sides[tool.name], [])),
            )
        tally.count("commands")
        tally.count("output_lines", len(results["alembic"][1]) + len(results["alembic"][2]))
        check("cli", " ".join(argv), results["alembic"], results["sterna"], "sqlite")
