"""Steps that fail part way where DDL cannot be rolled back: the history row records which
statements took effect, the next run refuses, and ``upgrade --resume`` or ``resolve`` go on.

MariaDB commits DDL implicitly; PostgreSQL commits inside ``autocommit_block()``.  The projects
are written at run time (tests/runtime/test_preflight.py) and run through the command line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from tests.conftest import REPO, run_sterna
from tests.runtime.helpers import table_names, version_rows
from tests.runtime.test_history import history, sterna_ok
from tests.runtime.test_preflight import error_lines, versions, write_project, write_script

DDL_AND_DML = """
def upgrade():
    op.execute("CREATE TABLE t_x (id INTEGER)")
    op.execute("INSERT INTO t_x (id) VALUES (1)")
    op.execute("CREATE TABLE t_y (id INTEGER)")
    op.execute("{last}")


def downgrade():
    pass
"""

BROKEN_LAST = "ALTER TABLE t_missing ADD COLUMN z INTEGER"
FIXED_LAST = "ALTER TABLE t_y ADD COLUMN z INTEGER"


def project(tmp_path: Path, url: str, last: str = BROKEN_LAST) -> Path:
    root = write_project(tmp_path, url)
    write_script(versions(root) / "a1_first.py", "a1", None)
    write_script(
        versions(root) / "a2_partial.py", "a2", "a1", functions=DDL_AND_DML.format(last=last)
    )
    return root


def set_last(root: Path, last: str) -> None:
    path = versions(root) / "a2_partial.py"
    path.write_text(path.read_text().replace(BROKEN_LAST, last))


def query(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def columns(url: str, table: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [column["name"] for column in inspect(conn).get_columns(table)]
    finally:
        engine.dispose()


def failed_part_way(root: Path, url: str) -> dict[str, object]:
    """Run ``upgrade head`` on the broken a2; returns a2's history row."""
    proc = run_sterna("upgrade", "head", cwd=root)
    assert proc.returncode == 1, proc.stderr
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert "--resume" in lines[0] and "sterna resolve a2 --applied" in lines[0], lines[0]
    assert version_rows(url) == ["a1"]
    row = history(url)[-1]
    assert (row["revision"], row["status"]) == ("a2", "failed")
    return row


# -- MariaDB: DDL commits implicitly ----------------------------------------------------------


def test_failed_row_records_the_statements_that_took_effect(tmp_path: Path, mysql_url: str) -> None:
    root = project(tmp_path, mysql_url)
    row = failed_part_way(root, mysql_url)
    # the failing ALTER committed the INSERT before it (it is no parse error)
    assert row["statements_executed"] == 3
    assert len(str(row["statement_hashes"]).split()) == 3
    assert row["failed_statement"] == BROKEN_LAST
    assert query(mysql_url, "SELECT id FROM t_x") == [(1,)]
    refused = run_sterna("upgrade", "head", cwd=root)
    assert refused.returncode == 1
    (line,) = error_lines(refused)
    assert "revision a2 (versions/a2_partial.py): its upgrade failed" in line
    assert "after 3 statement(s) took effect" in line and "upgrade --resume" in line
    assert run_sterna("validate", cwd=root).returncode == 1


def test_resume_skips_what_took_effect(tmp_path: Path, mysql_url: str) -> None:
    root = project(tmp_path, mysql_url)
    row = failed_part_way(root, mysql_url)
    set_last(root, FIXED_LAST)
    sterna_ok(root, "upgrade", "head", "--resume")
    assert version_rows(mysql_url) == ["a2"]
    assert query(mysql_url, "SELECT id FROM t_x") == [(1,)]  # the INSERT did not run twice
    assert "z" in columns(mysql_url, "t_y")
    rows = history(mysql_url)
    assert len(rows) == 2 and rows[-1]["id"] == row["id"]  # the same row, finished
    assert (rows[-1]["status"], rows[-1]["statements_executed"]) == ("applied", 4)
    assert str(rows[-1]["statement_hashes"]).split()[:3] == str(row["statement_hashes"]).split()
    sterna_ok(root, "validate")
    assert (
        "no step that failed part way" in run_sterna("upgrade", "head", "--resume", cwd=root).stderr
    )


def test_resume_refuses_a_changed_statement(tmp_path: Path, mysql_url: str) -> None:
    root = project(tmp_path, mysql_url)
    row = failed_part_way(root, mysql_url)
    path = versions(root) / "a2_partial.py"
    path.write_text(
        path.read_text().replace("VALUES (1)", "VALUES (2)").replace(BROKEN_LAST, FIXED_LAST)
    )
    proc = run_sterna("upgrade", "head", "--resume", cwd=root)
    assert proc.returncode == 1
    (line,) = error_lines(proc)
    assert "cannot resume a2: its statement 2 is not the one that took effect" in line, line
    assert query(mysql_url, "SELECT id FROM t_x") == [(1,)]
    assert "z" not in columns(mysql_url, "t_y") and version_rows(mysql_url) == ["a1"]
    after = history(mysql_url)[-1]
    assert (after["id"], after["status"]) == (row["id"], "failed")
    assert after["statement_hashes"] == row["statement_hashes"]


def test_dml_before_a_ddl_that_does_not_parse_is_rolled_back(
    tmp_path: Path, mysql_url: str
) -> None:
    root = write_project(tmp_path, mysql_url)
    write_script(versions(root) / "a1_first.py", "a1", None)
    write_script(
        versions(root) / "a2_partial.py",
        "a2",
        "a1",
        functions="""
def upgrade():
    op.execute("CREATE TABLE t_x (id INTEGER)")
    op.execute("INSERT INTO t_x (id) VALUES (1)")
    op.execute("CREATE TABL oops (id INTEGER)")


def downgrade():
    pass
""",
    )
    proc = run_sterna("upgrade", "head", cwd=root)
    assert proc.returncode == 1
    (line,) = error_lines(proc)
    # MariaDB makes no implicit commit for a statement it cannot parse: the INSERT is gone
    assert query(mysql_url, "SELECT id FROM t_x") == []
    applied = line.split("already applied")[1]
    assert "'CREATE TABLE t_x (id INTEGER)'" in applied and "INSERT" not in applied, line
    row = history(mysql_url)[-1]
    assert (row["status"], row["statements_executed"]) == ("failed", 1)


def test_resolve_applied_and_rolled_back(tmp_path: Path, mysql_url: str) -> None:
    root = project(tmp_path, mysql_url)
    failed_part_way(root, mysql_url)
    assert run_sterna("resolve", "a1", "--applied", cwd=root).returncode == 1
    assert run_sterna("resolve", "a2", cwd=root).returncode == 1
    execute(mysql_url, "ALTER TABLE t_y ADD COLUMN z INTEGER")  # the step finished by hand
    set_last(root, FIXED_LAST)
    out = sterna_ok(root, "resolve", "a2", "--applied").stdout
    assert "a2: upgrade marked applied" in out and version_rows(mysql_url) == ["a2"]
    sterna_ok(root, "validate")
    # and back: a failed downgrade undone by hand
    path = versions(root) / "a2_partial.py"
    path.write_text(
        path.read_text().replace(
            "def downgrade():\n    pass",
            'def downgrade():\n    op.execute("DROP TABLE t_y")\n    op.execute("DROP TABLE t_nope")',  # noqa: E501
        )
    )
    sterna_ok(root, "repair")  # the script changed after it ran: reviewed
    assert run_sterna("downgrade", "a1", cwd=root).returncode == 1
    assert "t_y" not in table_names(mysql_url)
    execute(mysql_url, "CREATE TABLE t_y (id INTEGER, z INTEGER)")  # undone by hand
    out = sterna_ok(root, "resolve", "a2", "--rolled-back").stdout
    assert "a2: downgrade marked rolled back" in out and version_rows(mysql_url) == ["a2"]
    statuses = [(r["revision"], r["direction"], r["status"]) for r in history(mysql_url)]
    assert statuses[-1] == ("a2", "downgrade", "rolled-back")
    sterna_ok(root, "validate")


# -- PostgreSQL: autocommit_block() ---------------------------------------------------------------

AUTOCOMMIT = """
def upgrade():
    op.execute("CREATE TABLE t_p (id INTEGER)")
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_p ON t_p (id)")
    op.execute("INSERT INTO t_p (id) VALUES (7)")
    op.execute("{last}")


def downgrade():
    pass
"""


def test_autocommit_block_failure_and_resume(tmp_path: Path, pg_url: str) -> None:
    root = write_project(tmp_path, pg_url)
    write_script(versions(root) / "a1_first.py", "a1", None)
    write_script(
        versions(root) / "a2_partial.py", "a2", "a1", functions=AUTOCOMMIT.format(last=BROKEN_LAST)
    )
    row = failed_part_way(root, pg_url)
    # committed: the table (with the block's start) and the index; rolled back: the INSERT
    assert row["statements_executed"] == 2
    assert "t_p" in table_names(pg_url) and query(pg_url, "SELECT id FROM t_p") == []
    set_last(root, FIXED_LAST.replace("t_y", "t_p"))
    sterna_ok(root, "upgrade", "head", "--resume")
    assert query(pg_url, "SELECT id FROM t_p") == [(7,)] and version_rows(pg_url) == ["a2"]
    assert (history(pg_url)[-1]["status"], history(pg_url)[-1]["statements_executed"]) == (
        "applied",
        4,
    )


def test_transactional_failure_records_nothing_taken_effect(tmp_path: Path, db_url: str) -> None:
    """Without autocommit_block, PostgreSQL and SQLite roll a failed step back: its row says no
    statement took effect, and the next run is not refused."""
    root = project(tmp_path, db_url)
    proc = run_sterna("upgrade", "head", cwd=root)
    assert proc.returncode == 1
    row = history(db_url)[-1]
    if db_url.startswith("mysql"):
        assert row["statements_executed"] == 3
        return
    assert (row["status"], row["statements_executed"]) == ("failed", 0)
    set_last(root, FIXED_LAST)
    sterna_ok(root, "upgrade", "head")
    assert version_rows(db_url) == ["a2"]


# -- Ctrl-C ---------------------------------------------------------------------------------------

SLOW_DDL = """
def upgrade():
    op.execute("CREATE TABLE t_x (id INTEGER)")
    open({marker!r}, "w").write("x")
    op.execute("CREATE TABLE t_slow AS SELECT SLEEP(2) AS s")
    op.execute("CREATE TABLE t_after (id INTEGER)")


def downgrade():
    pass
"""


def interrupt_a2(
    tmp_path: Path, url: str, functions: str, delay: float, per_migration: bool = True
) -> tuple[int, str]:
    """Run ``upgrade head`` with a1 and a slow a2 (``functions`` writing the marker file when it
    reaches the place to interrupt), send Ctrl-C ``delay`` seconds after the mark; returns the
    exit status and standard error."""
    root = write_project(tmp_path, url, per_migration=per_migration)
    marker = tmp_path / "marker"
    write_script(versions(root) / "a1_first.py", "a1", None)
    write_script(
        versions(root) / "a2_slow.py", "a2", "a1", functions=functions.format(marker=str(marker))
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "sterna", "upgrade", "head"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_ctrl_c_waits_for_the_statement_in_progress(tmp_path: Path, mysql_url: str) -> None:
    # 0.5 s: inside the two-second CREATE TABLE ... AS SELECT SLEEP(2)
    code, err = interrupt_a2(tmp_path, mysql_url, SLOW_DDL, 0.5)
    assert code != 0, err
    assert "stopping once the statement in progress is done" in err
    assert (
        "FAILED: interrupted: upgrade of revision a2 stopped after 2 of its statements took "
        "effect (not rolled back" in err
    ), err
    tables = table_names(mysql_url)
    assert "t_slow" in tables and "t_after" not in tables
    row = history(mysql_url)[-1]
    assert (row["revision"], row["status"], row["statements_executed"]) == ("a2", "failed", 2)
    assert "interrupted" in str(row["error"])


SLOW_PYTHON = """
import time


def upgrade():
    op.execute("CREATE TABLE t_x (id INTEGER)")
    open({marker!r}, "w").write("x")
    time.sleep(10)
    op.execute("CREATE TABLE t_after (id INTEGER)")


def downgrade():
    pass
"""


def test_ctrl_c_between_statements_says_what_is_left(tmp_path: Path, db_url: str) -> None:
    code, err = interrupt_a2(tmp_path, db_url, SLOW_PYTHON, 0.3)
    assert code == 130, err
    (line,) = [line for line in err.splitlines() if line.startswith("FAILED:")]
    assert version_rows(db_url) == ["a1"]
    if db_url.startswith("mysql"):
        assert "stopped after 1 of its statements took effect" in line, line
        assert "t_x" in table_names(db_url)
    else:
        assert line == (
            "FAILED: interrupted: upgrade of revision a2 stopped; this step was rolled back, "
            "the step before it stayed applied: the database is at revision a1"
        ), line
        assert "t_x" not in table_names(db_url)


def test_ctrl_c_in_a_run_in_one_transaction(tmp_path: Path, sqlite_url: str) -> None:
    """One transaction for the run: a1 goes with it."""
    code, err = interrupt_a2(tmp_path, sqlite_url, SLOW_PYTHON, 0.3, per_migration=False)
    assert code == 130, err
    (line,) = [line for line in err.splitlines() if line.startswith("FAILED:")]
    assert line == (
        "FAILED: interrupted: upgrade of revision a2 stopped; the whole run was rolled back: the "
        "schema and the version table are as before the run, at base (no revision applied)"
    ), line
    assert not version_rows(sqlite_url)
    assert not table_names(sqlite_url) - {"alembic_version"}
