"""Branches, merges, several bases and dependencies, through the whole stack (command layer,
ScriptDirectory, planner, runtime) compared step by step with real Alembic on a twin project."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.runtime.helpers import write_env
from tests.runtime.test_offline import normalise

# revision, down_revision, branch_labels, depends_on
GRAPH: list[tuple[str, Any, Any, Any]] = [
    ("a0", None, None, None),
    ("b1", "a0", None, None),
    ("b2", "a0", None, None),
    ("m3", ("b1", "b2"), None, None),
    ("x0", None, "other", None),
    ("x1", "x0", None, "b1"),
    ("c4", "m3", None, None),
]

SCRIPT = '''"""step {rev}"""
from {package} import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {depends!r}


def upgrade():
    op.execute("CREATE TABLE t_{rev} (id INTEGER)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS t_{rev}")
'''

# (verb, target) run one after the other on the same database
SEQUENCE = [
    ("upgrade", "b1"),
    ("upgrade", "b2"),
    ("upgrade", "heads"),
    ("downgrade", "b2"),
    ("downgrade", "a0"),
    ("upgrade", "other@head"),
    ("stamp", "c4"),
    ("downgrade", "base"),
]


def project(folder: Path, package: str) -> Path:
    versions = folder / "versions"
    versions.mkdir(parents=True)
    for rev, down, labels, depends in GRAPH:
        (versions / f"{rev}_step.py").write_text(
            SCRIPT.format(rev=rev, down=down, labels=labels, depends=depends, package=package)
        )
    write_env(folder, package)
    (folder / "script.py.mako").write_text("")
    return folder


def rows(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    engine.dispose()
    return found


def run_sequence(command: Any, config: Any, url: str) -> list[Any]:
    log: list[Any] = []

    def record(ctx: Any, step: Any, heads: set[str], run_args: Any) -> None:
        log.append(
            (
                step.is_upgrade,
                step.is_stamp,
                step.up_revision_ids,
                step.down_revision_ids,
                sorted(heads),
            )
        )

    config.attributes["configure"] = {"on_version_apply": record}
    for verb, target in SEQUENCE:
        getattr(command, verb)(config, target)
        log.append((verb, target, rows(url)))
    return log


@pytest.fixture
def plan_available() -> None:
    pytest.importorskip("sterna.script.plan")


def test_branch_merge_and_dependency_runs_match_alembic(
    tmp_path: Path, db_url: str, plan_available: None
) -> None:
    """Alembic runs on SQLite; Sterna on each backend must keep the same rows at every step."""
    from alembic import command as alembic_command
    from alembic.config import Config as AlembicConfig

    from sterna import command
    from sterna.config import Config

    theirs_url = f"sqlite:///{tmp_path / 'alembic.db'}"
    theirs = AlembicConfig()
    theirs.set_main_option("script_location", str(project(tmp_path / "a", "alembic")))
    theirs.set_main_option("sqlalchemy.url", theirs_url)
    expected = run_sequence(alembic_command, theirs, theirs_url)

    ours_url = db_url
    ours = Config()
    ours.set_main_option("script_location", str(project(tmp_path / "s", "sterna")))
    ours.set_main_option("sqlalchemy.url", ours_url)
    assert run_sequence(command, ours, ours_url) == expected


_INSERT = re.compile(r"INSERT INTO alembic_version \(version_num\) VALUES \('(\w+)'\);")
_UPDATE = re.compile(
    r"UPDATE alembic_version SET version_num='(\w+)' "
    r"WHERE alembic_version.version_num = '(\w+)';"
)
_DELETE = re.compile(r"DELETE FROM alembic_version WHERE alembic_version.version_num = '(\w+)';")


def heads_per_step(lines: list[str]) -> list[Any]:
    """Other lines as they are; version statements replaced by the rows after each step.

    Where a step merges two heads, Alembic picks the row to UPDATE and the one to DELETE by
    iterating a set, so its choice changes with PYTHONHASHSEED; the rows that result do not.
    """
    out: list[Any] = []
    rows: set[str] = set()
    for line in lines:
        if m := _INSERT.fullmatch(line):
            rows.add(m[1])
        elif m := _UPDATE.fullmatch(line):
            rows.remove(m[2])
            rows.add(m[1])
        elif m := _DELETE.fullmatch(line):
            rows.remove(m[1])
        else:
            if line.startswith("-- Running") or line == "COMMIT;":
                out.append(sorted(rows))
            out.append(line)
    return out


@pytest.mark.parametrize("target", ["heads", "c4", "other@head"])
def test_offline_graph_upgrade_matches_alembic(
    tmp_path: Path, target: str, plan_available: None
) -> None:
    from alembic import command as alembic_command
    from alembic.config import Config as AlembicConfig

    from sterna import command
    from sterna.config import Config

    url = "postgresql://u:p@localhost/db"
    outputs = []
    for package, mod, cls in (
        ("alembic", alembic_command, AlembicConfig),
        ("sterna", command, Config),
    ):
        buffer = io.StringIO()
        config = cls(output_buffer=buffer)
        config.set_main_option("script_location", str(project(tmp_path / package, package)))
        config.set_main_option("sqlalchemy.url", url)
        mod.upgrade(config, target, sql=True)
        outputs.append(heads_per_step(normalise(buffer.getvalue())))
    assert outputs[1] == outputs[0]
    assert any(isinstance(item, list) and len(item) == 2 for item in outputs[1])


def test_stamp_purge_replaces_rows_the_scripts_do_not_know(
    tmp_path: Path, db_url: str, plan_available: None
) -> None:
    from sterna import command
    from sterna.config import Config

    config = Config()
    config.set_main_option("script_location", str(project(tmp_path / "s", "sterna")))
    config.set_main_option("sqlalchemy.url", db_url)
    command.stamp(config, "b2")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('gone')"))
    engine.dispose()
    command.stamp(config, "b1", purge=True)
    assert rows(db_url) == ["b1"]
