"""The seed's workflow end to end through the CLI, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.cli.conftest import Project, Result, failure, run_in_process

SEED_UPGRADE = """\
def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
"""
SEED_DOWNGRADE = """\
def downgrade() -> None:
    op.drop_table("suppliers")
"""


def tables(url: str) -> set[str]:
    """The tables, less Sterna's applied-history table (tests/runtime/test_history.py)."""
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"sterna_history"}
    finally:
        engine.dispose()


def version_rows(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version"))
            return sorted(row[0] for row in rows)
    finally:
        engine.dispose()


def write_seed_body(path: Path) -> None:
    """Replace the generated upgrade()/downgrade() with the seed's section 4."""
    source = path.read_text()
    source = re.sub(r"def upgrade\(\) -> None:\n(    .*\n)+", SEED_UPGRADE, source)
    source = re.sub(r"def downgrade\(\) -> None:\n(    .*\n)+", SEED_DOWNGRADE, source)
    path.write_text(source)


def new_script(result: Result) -> Path:
    match = re.search(r"Generating (\S+\.py) \.\.\.  done", result.out)
    assert match, result
    return Path(match.group(1))


def test_seed_workflow(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url)
    created = project.sterna("revision", "-m", "create suppliers table")
    assert created.status == 0, created
    script = new_script(created)
    assert script.parent == project.versions
    assert script.name.endswith("_create_suppliers_table.py")
    source = script.read_text()
    assert "from sterna import op" in source
    found = re.search(r"^revision: str = (.+)$", source, re.M)
    assert found is not None
    rev = ast.literal_eval(found.group(1))
    write_seed_body(script)

    upgraded = project.sterna("upgrade", "head")
    assert upgraded.status == 0, upgraded
    assert "suppliers" in tables(db_url)
    assert version_rows(db_url) == [rev]

    current = project.sterna("current")
    assert current.out == f"{rev} (head)\n"
    history = project.sterna("history")
    assert history.out == f"<base> -> {rev} (head), create suppliers table\n"

    assert project.sterna("downgrade", "-1").status == 0
    assert "suppliers" not in tables(db_url)
    assert version_rows(db_url) == []
    assert project.sterna("current").out == ""

    assert project.sterna("upgrade", "head").status == 0
    assert project.sterna("downgrade", "base").status == 0
    assert "suppliers" not in tables(db_url)


def test_offline_sql(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url)
    project.add(
        "a1",
        None,
        upgrade="op.execute('CREATE TABLE t1 (id INTEGER)')",
        downgrade="op.execute('DROP TABLE t1')",
    )
    project.add(
        "b2",
        "a1",
        upgrade="op.execute('CREATE TABLE t2 (id INTEGER)')",
        downgrade="op.execute('DROP TABLE t2')",
    )
    up = project.sterna("upgrade", "head", "--sql")
    assert up.status == 0, up
    assert "CREATE TABLE alembic_version" in up.out
    assert up.out.index("CREATE TABLE t1") < up.out.index("CREATE TABLE t2")
    assert "INSERT INTO alembic_version (version_num) VALUES ('a1')" in up.out
    ranged = project.sterna("upgrade", "a1:b2", "--sql")
    assert "CREATE TABLE t1" not in ranged.out
    assert "CREATE TABLE t2" in ranged.out
    down = project.sterna("downgrade", "--sql", "b2:base")
    assert down.status == 0, down
    assert down.out.index("DROP TABLE t2") < down.out.index("DROP TABLE t1")
    # nothing was run
    assert tables(db_url) == set()

    refused = project.sterna("downgrade", "--sql", "base")
    assert refused.status == 1
    assert failure(refused.err) == "downgrade with --sql requires <fromrev>:<torev>"
    no_range = project.sterna("upgrade", "a1:b2")
    assert no_range.status == 1
    assert "--sql" in failure(no_range.err)


def test_stamp_and_ensure_version(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url)
    project.add("a1", None, upgrade="op.execute('CREATE TABLE t1 (id INTEGER)')")
    project.add("b2", "a1")
    project.add("c3", None, labels="other")

    sql = project.sterna("ensure_version", "--sql")
    assert sql.status == 0, sql
    assert "CREATE TABLE alembic_version" in sql.out
    assert tables(db_url) == set()
    assert project.sterna("ensure_version").status == 0
    assert tables(db_url) == {"alembic_version"}

    assert project.sterna("stamp", "b2").status == 0
    assert version_rows(db_url) == ["b2"]
    assert "t1" not in tables(db_url)
    assert project.sterna("stamp", "c3").status == 0
    assert version_rows(db_url) == ["b2", "c3"]
    assert project.sterna("stamp", "--purge", "a1").status == 0
    assert version_rows(db_url) == ["a1"]
    assert project.sterna("stamp", "heads").status == 0
    assert version_rows(db_url) == ["b2", "c3"]
    assert project.sterna("stamp", "base").status == 0
    assert version_rows(db_url) == []

    offline = project.sterna("stamp", "--sql", "a1:b2")
    assert offline.status == 0, offline
    assert "UPDATE alembic_version SET version_num='b2'" in offline.out
    assert version_rows(db_url) == []


def test_merge_and_branching_revisions(project: Project) -> None:
    project.add("a1", None)
    assert project.sterna("revision", "-m", "left", "--rev-id", "l1").status == 0
    right = project.sterna("revision", "-m", "right", "--rev-id", "r1", "--head", "a1", "--splice")
    assert right.status == 0, right
    multiple = project.sterna("revision", "-m", "third")
    assert multiple.status == 1
    assert "Multiple heads" in failure(multiple.err)

    merged = project.sterna("merge", "heads", "-m", "join", "--rev-id", "m1")
    assert merged.status == 0, merged
    assert project.sterna("heads").out == "m1 (head)\n"
    header = (project.versions / "m1_join.py").read_text()
    assert "down_revision: str | Sequence[str] | None = ('l1', 'r1')" in header
    assert "Revises: l1, r1" in header


def test_revision_options(project: Project) -> None:
    (project.ours / "other_versions").mkdir()
    project.set_option("version_locations", "%(here)s/migrations/versions:%(here)s/other_versions")
    base = project.sterna(
        "revision",
        "-m",
        "Base One!",
        "--rev-id",
        "base1",
        "--branch-label",
        "core",
        "--version-path",
        "migrations/versions",
    )
    assert base.status == 0, base
    other = project.sterna(
        "revision",
        "-m",
        "other root",
        "--rev-id",
        "oth1",
        "--head",
        "base",
        "--branch-label",
        "extra",
        "--version-path",
        str(project.ours / "other_versions"),
        "--depends-on",
        "base1",
    )
    assert other.status == 0, other
    path = project.ours / "other_versions" / "oth1_other_root.py"
    tree = ast.parse(path.read_text())
    values = {
        node.target.id: ast.literal_eval(cast(ast.expr, node.value))
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    assert values == {
        "revision": "oth1",
        "down_revision": None,
        "branch_labels": ("extra",),
        "depends_on": "base1",
    }
    assert (project.versions / "base1_base_one.py").is_file()
    listed = project.sterna("heads").out.splitlines()
    assert sorted(line.split(" ")[0] for line in listed) == ["base1", "oth1"]
    # the new scripts read the same in Alembic (the mirror gets copies of them)
    for script in (project.versions / "base1_base_one.py", path):
        target = project.theirs / script.relative_to(project.ours)
        target.parent.mkdir(exist_ok=True)
        target.write_text(script.read_text())
    project.same("heads", sort=True)
    project.same("history")


def test_autogenerate_without_target_metadata_is_a_clear_error(project: Project) -> None:
    from sterna import command
    from sterna.config import Config
    from sterna.errors import CommandError

    before = sorted(p.name for p in project.versions.iterdir())
    with pytest.raises(CommandError, match="target_metadata"):
        command.revision(Config(project.ours / "alembic.ini"), "x", autogenerate=True)
    assert sorted(p.name for p in project.versions.iterdir()) == before  # nothing half-written


def test_in_process_runs_are_independent(tmp_path: Path) -> None:
    """Two projects in one process: each run sees its own env.py and scripts."""
    first = Project(tmp_path / "one", f"sqlite:///{tmp_path / 'one.db'}")
    second = Project(tmp_path / "two", f"sqlite:///{tmp_path / 'two.db'}")
    first.add("a1", None, upgrade="op.execute('CREATE TABLE one (id INTEGER)')")
    second.add("a1", None, upgrade="op.execute('CREATE TABLE two (id INTEGER)')")
    assert run_in_process(first.ours, ["upgrade", "head"]).status == 0
    assert run_in_process(second.ours, ["upgrade", "head"]).status == 0
    assert tables(f"sqlite:///{tmp_path / 'one.db'}") == {"alembic_version", "one"}
    assert tables(f"sqlite:///{tmp_path / 'two.db'}") == {"alembic_version", "two"}


def test_ensure_version_offline_like_alembic(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url)
    ours = project.sterna("ensure_version", "--sql")
    theirs = project.alembic("ensure_version", "--sql")
    assert ours.status == theirs.status == 0

    def statements(text: str) -> list[str]:
        return [" ".join(part.split()) for part in text.split(";") if part.strip()]

    assert statements(ours.out) == statements(theirs.out)
