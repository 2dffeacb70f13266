"""pytest-alembic's built-in tests (single head, upgrade, model definitions match DDL, up/down
consistency) run by pytest in a subprocess on a project that switches to Sterna with ``-p
sterna.as_alembic`` in its pytest configuration, beside the same project on the real Alembic, on
SQLite and PostgreSQL: same outcomes, the same operations in the "model definitions" failure,
and Sterna served the switched run.

The built-in tests are imported into a test module of the project, pytest-alembic's other
documented way of enabling them: its ``--test-alembic`` collector fails on pytest 9 (0.13.1:
``'TestCollector' object has no attribute '_nodeid'``, with either tool), and its
``tests_path`` is pointed elsewhere so that the collector is never built."""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.ecosystem._switch import (
    SWITCH_BACKENDS,
    TOOLS,
    body_operations,
    has_history_table,
    run_each,
    tool_urls,
)

__all__ = ["tool_urls"]  # the fixture, used by name

PYTEST_INI = """\
[pytest]
addopts = -p no:cacheprovider {switch}
pytest_alembic_tests_path = elsewhere/conftest.py
"""

ENV_PY = """\
from alembic import context
from sqlalchemy import create_engine

from models import metadata

connectable = context.config.attributes.get("connection", None)
if connectable is None:
    connectable = create_engine(context.config.get_main_option("sqlalchemy.url"))

with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
"""

SCRIPTS = {
    "a1_users.py": '''\
"""users"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.create_index("ix_users_name", "users", ["name"])


def downgrade():
    op.drop_index("ix_users_name", table_name="users")
    op.drop_table("users")
''',
    "b2_email.py": '''\
"""email"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("email", sa.String(100)))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("email")
''',
}

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False, index=True),
    sa.Column("email", sa.String(100)),{extra}
)
"""

CONFTEST = '''\
import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def alembic_engine():
    """The project's database, emptied before each test."""
    engine = sa.create_engine(os.environ["DATABASE_URL"])
    existing = sa.MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)
    yield engine
    engine.dispose()
'''

TESTS = """\
import os

import alembic
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)


def test_served_by():
    served = getattr(alembic, "__sterna_version__", None) is not None
    assert served == (os.environ["EXPECT_STERNA"] == "1")
"""

BUILT_IN = (
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
)


def _project(root: Path, tool: str, url: str, extra: str) -> Path:
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "tests").mkdir()
    switch = "-p sterna.as_alembic" if tool == "sterna" else ""
    (root / "pytest.ini").write_text(PYTEST_INI.format(switch=switch))
    (root / "alembic.ini").write_text(
        f"[alembic]\nscript_location = migrations\nsqlalchemy.url = {url}\n"
    )
    (root / "migrations" / "env.py").write_text(ENV_PY)
    for name, text in SCRIPTS.items():
        (root / "migrations" / "versions" / name).write_text(text)
    (root / "models.py").write_text(MODELS.format(extra=extra))
    (root / "tests" / "conftest.py").write_text(CONFTEST)
    (root / "tests" / "test_migrations.py").write_text(TESTS)
    return root


def _outcomes(report: Path) -> dict[str, str]:
    """Test name -> ``passed`` or the message of its failure/error, from a JUnit report."""
    found: dict[str, str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        found[case.get("name", "")] = "passed" if problem is None else problem.text or "?"
    return found


def _run_both(tmp_path: Path, urls: dict[str, str], extra: str) -> dict[str, dict[str, str]]:
    runs = {}
    for tool in TOOLS:
        root = _project(tmp_path / tool, tool, urls[tool], extra)
        env = {"DATABASE_URL": urls[tool], "EXPECT_STERNA": "1" if tool == "sterna" else "0"}
        runs[tool] = (root, env)
    done = run_each(["-m", "pytest", "-q", "--junitxml=report.xml"], runs)
    for tool, proc in done.items():
        assert proc.returncode in (0, 1), f"{tool}: pytest failed to run\n{proc.stdout}"
    return {tool: _outcomes(tmp_path / tool / "report.xml") for tool in TOOLS}


def _proposed_block(message: str) -> list[str]:
    """The lines of model_definitions_match_ddl's "would have been generated" text, as pytest's
    report gives it (each line of the exception behind an ``E``)."""
    block: list[str] = []
    for line in message.split("would look like:", 1)[1].splitlines()[1:]:
        line = re.sub(r"^E(?= |$)", "", line)
        if not line.strip():
            break
        block.append(line)
    return block


def _proposed_upgrade(message: str) -> list[str]:
    """The operations of :func:`_proposed_block` (its marker comments left out)."""
    code = [line for line in _proposed_block(message) if not line.strip().startswith("#")]
    return body_operations(textwrap.dedent("\n".join(code)))


def _indents(message: str) -> set[int]:
    return {len(line) - len(line.lstrip()) for line in _proposed_block(message)}


@pytest.mark.parametrize("backend", SWITCH_BACKENDS)
def test_built_in_tests_pass_on_sterna(tmp_path: Path, tool_urls: dict[str, str]) -> None:
    outcomes = _run_both(tmp_path, tool_urls, extra="")
    expected = dict.fromkeys((*BUILT_IN, "test_served_by"), "passed")
    assert outcomes["alembic"] == expected
    assert outcomes["sterna"] == expected
    assert has_history_table(tool_urls["sterna"])
    assert not has_history_table(tool_urls["alembic"])


@pytest.mark.parametrize("backend", SWITCH_BACKENDS)
def test_model_drift_fails_the_same_way(tmp_path: Path, tool_urls: dict[str, str]) -> None:
    extra = '\n    sa.Column("age", sa.Integer),'
    outcomes = _run_both(tmp_path, tool_urls, extra)
    drift = {tool: outcomes[tool].pop("test_model_definitions_match_ddl") for tool in TOOLS}
    for tool in TOOLS:
        assert outcomes[tool] == dict.fromkeys((*BUILT_IN[1:], "test_served_by"), "passed"), tool
        assert "out of sync" in drift[tool], drift[tool]
    assert "auto generated by Sterna" in drift["sterna"]
    proposed = {tool: _proposed_upgrade(drift[tool]) for tool in TOOLS}
    assert proposed["sterna"] == proposed["alembic"]
    assert len(_indents(drift["alembic"])) == 1  # markers and operations at one margin
    assert _indents(drift["sterna"]) == _indents(drift["alembic"])
    assert proposed["alembic"] == body_operations(
        'op.add_column("users", sa.Column("age", sa.Integer(), nullable=True))'
    )


def test_proposed_upgrade_is_read_from_the_message() -> None:
    message = (
        "E   AlembicTestFailure: out of sync\nE   \nE   The upgrade which would have been "
        "generated would look like:\nE       # ### commands ###\nE       op.drop_table('t')\n"
        "E       op.drop_table('u')\nE       # ### end ###\n\nsome/file.py:91: AlembicTestFailure"
    )
    assert _proposed_upgrade(message) == body_operations("op.drop_table('t')\nop.drop_table('u')")


def test_switch_in_conftest_is_too_late_and_says_so(tmp_path: Path, sqlite_url: str) -> None:
    """pytest imports pytest-alembic, hence the real Alembic, before any conftest.py: the
    switch there refuses with its one line instead of leaving a half-switched process."""
    root = _project(tmp_path / "late", "alembic", sqlite_url, extra="")
    conftest = root / "tests" / "conftest.py"
    conftest.write_text(
        "import sterna.compat\nsterna.compat.use_as_alembic()\n" + conftest.read_text()
    )
    proc = run_each(["-m", "pytest", "-q"], {"late": (root, {"DATABASE_URL": sqlite_url})})
    out = proc["late"].stdout + proc["late"].stderr
    assert proc["late"].returncode != 0
    assert "the real Alembic is already imported (alembic from " in out
    assert "(with pytest: -p sterna.as_alembic)" in out
