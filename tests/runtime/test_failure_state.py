"""Every failure says what state the database is left in, and says it truthfully: each test reads
the real database afterwards.

The project: a1 -> a2 -> a3 (each creates ``t_<rev>``), a3 then fails on a statement.  The
database is first upgraded to a1, so the failing run (a2, a3) starts from a revision, not from
base.  The lock timeout and the validation refusal ("nothing was done to the database") are
checked with the database in ``test_lock.py`` and ``test_history.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_sterna
from tests.runtime.helpers import table_names, version_rows
from tests.runtime.test_preflight import (
    BROKEN_BODY,
    chain_a,
    error_lines,
    versions,
    write_project,
    write_script,
)

FAILING_A3 = """\
def upgrade():
    op.execute("CREATE TABLE t_a3 (id INTEGER)")
    op.execute("SELECT * FROM no_such_table")

def downgrade():
    pass
"""


def _failing_run(tmp_path: Path, url: str, per_migration: bool, a3: str = FAILING_A3) -> str:
    """Upgrade to a1, then ``upgrade head`` with ``a3``; the one FAILED line it prints."""
    root = write_project(tmp_path, url, per_migration=per_migration)
    chain_a(root)
    assert run_sterna("upgrade", "a1", cwd=root).returncode == 0
    write_script(versions(root) / "a3_third.py", "a3", "a2", functions=a3)
    proc = run_sterna("upgrade", "head", cwd=root)
    assert proc.returncode == 1, proc.stderr
    lines = error_lines(proc)
    assert "Traceback" not in proc.stderr and lines[-1].startswith("FAILED: "), proc.stderr
    return lines[-1]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_one_transaction_for_the_run(tmp_path: Path, db_url: str) -> None:
    line = _failing_run(tmp_path, db_url, per_migration=False)
    assert line.startswith("FAILED: upgrade of revision a3 failed while running 'SELECT ")
    assert line.endswith(
        "; the whole run was rolled back: the schema and the version table are as before the "
        "run, at revision a1"
    )
    assert table_names(db_url) == {"alembic_version", "t_a1"}  # t_a2 went with the run
    assert version_rows(db_url) == ["a1"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_one_transaction_per_migration(tmp_path: Path, db_url: str) -> None:
    line = _failing_run(tmp_path, db_url, per_migration=True)
    assert line.endswith(
        "; this step was rolled back, the step before it stayed applied: the database is at "
        "revision a2"
    )
    assert table_names(db_url) == {"alembic_version", "t_a1", "t_a2"}
    assert version_rows(db_url) == ["a2"]


@pytest.mark.parametrize("per_migration", [False, True])
def test_first_step_of_the_run_fails(tmp_path: Path, sqlite_url: str, per_migration: bool) -> None:
    root = write_project(tmp_path, sqlite_url, per_migration=per_migration)
    write_script(versions(root) / "a1_first.py", "a1", None, functions=FAILING_A3)
    proc = run_sterna("upgrade", "head", cwd=root)
    line = error_lines(proc)[-1]
    if per_migration:
        assert line.endswith(
            "; this step was rolled back: the database is at base (no revision applied), as "
            "before the run"
        )
    else:
        assert line.endswith("as before the run, at base (no revision applied)")
    assert table_names(sqlite_url) <= {"alembic_version"}
    assert not version_rows(sqlite_url)


@pytest.mark.parametrize("per_migration", [False, True])
def test_mariadb_keeps_the_resume_story_and_names_the_revision(
    tmp_path: Path, mysql_url: str, per_migration: bool
) -> None:
    """DDL commits implicitly: t_a3 stays, and the version table still says a2."""
    line = _failing_run(tmp_path, mysql_url, per_migration)
    assert "'CREATE TABLE t_a3 (id INTEGER)'" in line and "NOT rolled back" in line
    assert "sterna upgrade --resume" in line
    assert line.endswith("; the step before it stayed applied: the version table shows revision a2")
    assert table_names(mysql_url) == {"alembic_version", "t_a1", "t_a2", "t_a3"}
    assert version_rows(mysql_url) == ["a2"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
def test_broken_script_found_by_the_preflight(tmp_path: Path, db_url: str) -> None:
    line = _failing_run(tmp_path, db_url, per_migration=False, a3=BROKEN_BODY)
    assert line.startswith("FAILED: ") and "a3_third.py" in line and "syntax error" in line
    assert line.endswith("; nothing was done to the database")
    assert table_names(db_url) == {"alembic_version", "t_a1"}
    assert version_rows(db_url) == ["a1"]


RAISING_A3 = """\
def upgrade():
    op.execute("CREATE TABLE t_a3 (id INTEGER)")
    raise RuntimeError("boom")

def downgrade():
    pass
"""


def test_offline_failure_touches_no_database(tmp_path: Path, sqlite_url: str) -> None:
    root = write_project(tmp_path, sqlite_url, per_migration=False)
    chain_a(root)
    write_script(versions(root) / "a3_third.py", "a3", "a2", functions=RAISING_A3)
    proc = run_sterna("upgrade", "head", "--sql", cwd=root)
    assert proc.returncode == 1, proc.stderr
    line = error_lines(proc)[-1]
    assert line.startswith("FAILED: upgrade of revision a3 failed: RuntimeError: boom")
    assert line.endswith(
        "; offline (--sql): nothing was done to the database; the SQL written stops here"
    )
    assert "CREATE TABLE t_a2" in proc.stdout
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_transaction_of_the_caller(tmp_path: Path, sqlite_url: str) -> None:
    """env.py begins the transaction before configure(): committing or rolling back is its
    own business (here its ``with`` block rolls the whole run back)."""
    root = write_project(tmp_path, sqlite_url, per_migration=False)
    env = root / "migrations" / "env.py"
    text = env.read_text()
    outer = "    with engine.connect() as connection:\n"
    assert outer in text
    env.write_text(
        text.replace(outer, "    with engine.connect() as connection, connection.begin():\n")
    )
    chain_a(root)
    assert run_sterna("upgrade", "a1", cwd=root).returncode == 0
    write_script(versions(root) / "a3_third.py", "a3", "a2", functions=RAISING_A3)
    line = error_lines(run_sterna("upgrade", "head", cwd=root))[-1]
    assert line.endswith(
        "; the transaction belongs to the caller (it was open before configure()): the caller "
        "commits or rolls it back"
    )
    assert version_rows(sqlite_url) == ["a1"]
    assert table_names(sqlite_url) == {"alembic_version", "t_a1"}


AUTOCOMMIT_A2 = """\
def upgrade():
    op.execute("CREATE TABLE t_before (id INTEGER)")
    with op.get_context().autocommit_block():
        op.execute("CREATE TABLE t_block (id INTEGER)")
    op.execute("CREATE TABLE t_a2 (id INTEGER)")

def downgrade():
    pass
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_rollback_after_an_autocommit_block_goes_back_to_its_commit(
    tmp_path: Path, db_url: str
) -> None:
    """autocommit_block() in a2 commits the run's transaction: when a3 fails, the rollback
    goes back to that commit, not to the start of the run, and the message says so."""
    root = write_project(tmp_path, db_url, per_migration=False)
    chain_a(root)
    assert run_sterna("upgrade", "a1", cwd=root).returncode == 0
    write_script(versions(root) / "a2_second.py", "a2", "a1", functions=AUTOCOMMIT_A2)
    write_script(versions(root) / "a3_third.py", "a3", "a2", functions=FAILING_A3)
    proc = run_sterna("upgrade", "head", cwd=root)
    assert proc.returncode == 1, proc.stderr
    line = error_lines(proc)[-1]
    assert line.endswith(
        "; rolled back to the commit autocommit_block() made in revision a2: the version table "
        "shows revision a1, and what a2 ran up to there stayed applied (see 'sterna validate')"
    ), line
    assert "whole run was rolled back" not in line
    assert table_names(db_url) == {"alembic_version", "t_a1", "t_before", "t_block"}
    assert version_rows(db_url) == ["a1"]
