"""The applied-history table (sterna_history), validation and repair, through the command line
on real SQLite, PostgreSQL and MariaDB databases (projects written at run time)."""

from __future__ import annotations

import getpass
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

import sterna
from tests.conftest import run_sterna
from tests.runtime.helpers import table_names, version_rows
from tests.runtime.test_preflight import (
    chain_a,
    error_lines,
    run_alembic,
    versions,
    write_project,
    write_script,
)

RUFF = str(Path(sys.executable).with_name("ruff"))  # the test venv's (test extras)


def history(url: str, table: str = "sterna_history") -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def sterna_ok(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sterna(*args, cwd=root, check=True)


CAUGHT_FAILURE = """\
def upgrade():
    bind = op.get_bind()
    op.execute("CREATE TABLE t_c1 (id INTEGER)")
    try:
        with bind.begin_nested():  # a savepoint: the failure leaves the step's work standing
            bind.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")
    except Exception:
        pass
    bind.exec_driver_sql("INSERT INTO t_c1 (id) VALUES (1)")
    bind.exec_driver_sql("SELECT id FROM t_c1")

def downgrade():
    op.execute("DROP TABLE t_c1")
"""


def test_statement_count_leaves_out_reads_and_a_caught_failure(tmp_path: Path, db_url: str) -> None:
    """Counted: the statements that took effect, whichever way the script sent them (op or its
    own connection); not the SELECT, not the INSERT that failed inside a caught savepoint.
    Nor SAVEPOINT, RELEASE or ROLLBACK TO: the transaction's own control."""
    root = write_project(tmp_path, db_url)
    write_script(versions(root) / "c1_caught.py", "c1", None, functions=CAUGHT_FAILURE)
    sterna_ok(root, "upgrade", "head")
    (row,) = history(db_url)
    assert (row["status"], row["statements_executed"], row["statements_total"]) == ("applied", 2, 2)


def test_rows_for_upgrade_downgrade_and_stamp(tmp_path: Path, db_url: str) -> None:
    root = write_project(tmp_path, db_url)
    chain_a(root)
    sterna_ok(root, "upgrade", "head")
    sterna_ok(root, "downgrade", "a1")
    sterna_ok(root, "stamp", "a2")
    rows = history(db_url)
    assert [(r["revision"], r["direction"], r["status"]) for r in rows] == [
        ("a1", "upgrade", "applied"),
        ("a2", "upgrade", "applied"),
        ("a2", "downgrade", "applied"),
        ("a2", "stamp", "applied"),
    ]
    assert [r["script"] for r in rows] == [
        "versions/a1_first.py",
        "versions/a2_second.py",
        "versions/a2_second.py",
        None,
    ]
    # each script's function runs one statement; a stamp runs none
    assert [r["statements_executed"] for r in rows] == [1, 1, 1, 0]
    assert [r["statements_total"] for r in rows] == [1, 1, 1, 0]
    assert rows[1]["checksum"] == rows[2]["checksum"] != rows[0]["checksum"]
    assert rows[1]["checksum"].startswith("ast-sha256:") and rows[3]["checksum"] is None
    for row in rows:
        assert row["started_at"] <= row["finished_at"] and row["duration_ms"] >= 0
        assert row["installed_by"] == getpass.getuser()
        assert row["host"] == socket.gethostname()
        assert row["sterna_version"] == sterna.__version__
        assert row["failed_statement"] is None and row["error"] is None


def test_failing_step_leaves_a_failed_row(tmp_path: Path, db_url: str, backend: str) -> None:
    root = write_project(tmp_path, db_url)
    write_script(versions(root) / "a1_first.py", "a1", None)
    write_script(
        versions(root) / "a2_bad.py",
        "a2",
        "a1",
        functions="""
        def upgrade():
            op.execute("CREATE TABLE t_x (id INTEGER)")
            op.execute("CREATE TABLE t_a1 (id INTEGER)")


        def downgrade():
            pass
        """,
    )
    proc = run_sterna("upgrade", "head", cwd=root)
    assert proc.returncode == 1
    assert version_rows(db_url) == ["a1"]  # the version table tells the truth
    partial = backend == "mariadb"  # DDL commits itself: t_x stays
    assert ("t_x" in table_names(db_url)) is partial
    rows = history(db_url)
    assert [(r["revision"], r["direction"], r["status"]) for r in rows] == [
        ("a1", "upgrade", "applied"),
        ("a2", "upgrade", "failed"),
    ]
    failed = rows[1]
    assert failed["failed_statement"] == "CREATE TABLE t_a1 (id INTEGER)"
    # what took effect: on MariaDB the first CREATE TABLE; elsewhere nothing (rolled back)
    assert "t_a1" in failed["error"] and failed["statements_executed"] == (1 if partial else 0)
    assert (failed["statement_hashes"] is not None) is partial
    assert failed["statements_total"] is None and failed["finished_at"] is not None
    # a step that failed part way (MariaDB) blocks until a human repairs it
    assert (run_sterna("validate", cwd=root).returncode == 1) is partial
    if partial:
        refused = run_sterna("upgrade", "head", cwd=root).stderr
        assert "after 1 statement(s) took effect" in refused and "--resume" in refused
        out = sterna_ok(root, "repair").stdout
        assert "a2: failed upgrade marked repaired" in out
        assert history(db_url)[1]["status"] == "repaired"
        sterna_ok(root, "validate")


REFUSED = re.compile(
    r"^FAILED: revision a1 \(versions/a1_first\.py\), applied \d{4}-\d\d-\d\d \d\d:\d\d UTC, "
    r"was edited after it ran \(checksum differs\); review the change, then run 'sterna "
    r"repair' \(or pass --skip-validation for this run\); nothing was done to the database$"
)


def test_edited_script_refused_until_repair(tmp_path: Path, db_url: str) -> None:
    root = write_project(tmp_path, db_url)
    a1, a2 = chain_a(root)
    sterna_ok(root, "upgrade", "a1")
    a1.write_text(a1.read_text().replace("(id INTEGER)", "(id INTEGER, extra INTEGER)"))
    write_script(versions(root) / "a3_third.py", "a3", "a2")
    proc = run_sterna("upgrade", "head", cwd=root)
    assert proc.returncode == 1
    lines = error_lines(proc)
    assert len(lines) == 1 and REFUSED.match(lines[0]), lines
    assert version_rows(db_url) == ["a1"] and len(history(db_url)) == 1  # nothing done
    assert run_sterna("validate", cwd=root).returncode == 1
    assert run_sterna("downgrade", "base", cwd=root).returncode == 1
    out = sterna_ok(root, "repair").stdout
    assert "revision a1 (versions/a1_first.py): checksum ast-sha256:" in out
    sterna_ok(root, "validate")
    sterna_ok(root, "upgrade", "head")
    assert version_rows(db_url) == ["a3"]
    assert [r["direction"] for r in history(db_url)] == ["upgrade", "repair", "upgrade", "upgrade"]


def test_formatting_and_comments_accepted(tmp_path: Path, sqlite_url: str) -> None:
    root = write_project(tmp_path, sqlite_url)
    a1, a2 = chain_a(root)
    sterna_ok(root, "upgrade", "head")
    a2.write_text(
        a2.read_text().replace(
            '    op.execute("CREATE', '    # creates the table\n    op.execute("CREATE'
        )
    )
    source = a1.read_text()
    subprocess.run([RUFF, "format", "--no-cache", str(a1)], check=True, capture_output=True)
    assert a1.read_text() != source  # ruff did reformat it
    sterna_ok(root, "validate")
    sterna_ok(root, "downgrade", "base")


def test_deleted_applied_script_refused(tmp_path: Path, db_url: str) -> None:
    root = write_project(tmp_path, db_url)
    a1, a2 = chain_a(root)
    sterna_ok(root, "upgrade", "head")
    a2.unlink()
    for argv in (("upgrade", "head"), ("downgrade", "base"), ("validate",)):
        proc = run_sterna(*argv, cwd=root)
        assert proc.returncode == 1
        lines = error_lines(proc)
        assert re.match(
            r"FAILED: revision a2 \(versions/a2_second\.py\), applied [-\d]+ [:\d]+ UTC, but its "
            r"script is gone from the script directory; review the change, then run 'sterna "
            r"repair'",
            lines[-1],
        ), lines
    assert version_rows(db_url) == ["a2"] and len(history(db_url)) == 2


def test_skip_validation_flag_and_config_key(tmp_path: Path, sqlite_url: str) -> None:
    root = write_project(tmp_path, sqlite_url)
    a1, a2 = chain_a(root)
    sterna_ok(root, "upgrade", "a1")
    a1.write_text(a1.read_text().replace("(id INTEGER)", "(id INTEGER, extra INTEGER)"))
    assert run_sterna("upgrade", "head", cwd=root).returncode == 1
    sterna_ok(root, "upgrade", "head", "--skip-validation")
    assert version_rows(sqlite_url) == ["a2"]
    (root / "alembic.ini").write_text(
        (root / "alembic.ini").read_text() + "sterna_validate = false\n"
    )
    sterna_ok(root, "downgrade", "a1")
    assert run_sterna("validate", cwd=root).returncode == 1  # validate itself still checks


def test_baseline_rows_after_alembic(tmp_path: Path, db_url: str) -> None:
    root = write_project(tmp_path, db_url)
    a1, a2 = chain_a(root)
    proc = run_alembic("upgrade", "head", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "sterna_history" not in table_names(db_url, history=True)
    sterna_ok(root, "upgrade", "head")  # nothing to run: nothing written
    assert "sterna_history" not in table_names(db_url, history=True)
    write_script(versions(root) / "a3_third.py", "a3", "a2")
    sterna_ok(root, "upgrade", "head")
    rows = history(db_url)
    assert [(r["revision"], r["direction"], r["status"]) for r in rows] == [
        ("a2", "baseline", "applied"),
        ("a3", "upgrade", "applied"),
    ]
    assert rows[0]["script"] == "versions/a2_second.py" and rows[0]["checksum"]
    a2.write_text(a2.read_text().replace("(id INTEGER)", "(id BIGINT)"))
    assert "revision a2 (versions/a2_second.py)" in run_sterna("validate", cwd=root).stderr
    # the database can still go back to Alembic
    a2.write_text(a2.read_text().replace("(id BIGINT)", "(id INTEGER)"))
    proc = run_alembic("downgrade", "a1", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert version_rows(db_url) == ["a1"]


def test_baseline_row_for_a_head_alembic_reached_after_sterna(tmp_path: Path, db_url: str) -> None:
    """The run learns which heads the history names from validation's read of every row (no
    second query): a head Alembic reached after Sterna's last run still gets its baseline row,
    and one that has a row gets none."""
    root = write_project(tmp_path, db_url)
    chain_a(root)
    sterna_ok(root, "upgrade", "a1")
    proc = run_alembic("upgrade", "a2", cwd=root)
    assert proc.returncode == 0, proc.stderr
    write_script(versions(root) / "a3_third.py", "a3", "a2")
    write_script(versions(root) / "a4_fourth.py", "a4", "a3")
    sterna_ok(root, "upgrade", "a3")
    sterna_ok(root, "upgrade", "head")
    assert [(r["revision"], r["direction"]) for r in history(db_url)] == [
        ("a1", "upgrade"),
        ("a2", "baseline"),
        ("a3", "upgrade"),
        ("a4", "upgrade"),
    ]


@pytest.mark.parametrize("name", ["sterna_history", "deploy_log"])
def test_check_ignores_the_history_table(tmp_path: Path, db_url: str, name: str) -> None:
    extra = "" if name == "sterna_history" else f"sterna_history_table = {name}\n"
    root = write_project(tmp_path, db_url, extra_ini=extra)
    write_script(
        versions(root) / "a1_first.py",
        "a1",
        None,
        functions="""
        def upgrade():
            pass


        def downgrade():
            pass
        """,
    )
    sterna_ok(root, "upgrade", "head")
    assert name in table_names(db_url, history=True)
    assert history(db_url, name)[0]["revision"] == "a1"
    out = sterna_ok(root, "check").stdout
    assert "No new upgrade operations detected" in out


def test_history_statements_per_step_and_no_reparse_when_warm(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step writes its row with one INSERT (MariaDB: and one UPDATE) and reads nothing of
    the table; a warm run takes the applied scripts' checksums from the header cache (nothing
    parsed)."""
    import os
    import time

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    import sterna.runtime.history as runtime_history
    import sterna.script.cache as cache
    from sterna import command
    from sterna.config import Config
    from sterna.script.checksum import file_checksum  # what runtime_history binds

    root = write_project(tmp_path, db_url)
    chain_a(root)
    write_script(versions(root) / "a3_third.py", "a3", "a2")
    write_script(versions(root) / "a4_fourth.py", "a4", "a3")
    old = time.time() - 3600  # outside the racy window, as committed scripts are
    for path in versions(root).glob("*.py"):
        os.utime(path, (old, old))
    statements: list[str] = []
    parsed: list[str] = []
    real = file_checksum

    def counting(path: str) -> str:
        parsed.append(os.path.basename(path))
        return real(path)

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "sterna_history" in statement:
            statements.append(statement.split(None, 1)[0].upper())

    monkeypatch.setattr(runtime_history, "file_checksum", counting)
    cfg = Config(str(root / "alembic.ini"))
    event.listen(Engine, "before_cursor_execute", record)
    try:
        runs: list[tuple[list[str], list[str]]] = []
        for target in ("a1", "a2", "head"):  # the table is created by the first
            monkeypatch.setattr(cache, "_OPEN", {})  # a new process: no cache object open
            statements.clear()
            parsed.clear()
            command.upgrade(cfg, target)
            runs.append((list(statements), sorted(parsed)))
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    (_, first_parsed), (one, one_parsed), (two, two_parsed) = runs
    # transactional DDL: the row is inserted when the step is done; MariaDB: inserted (and
    # committed) before the step, updated after it
    updates = 1 if db_url.startswith("mysql") else 0
    assert one.count("INSERT") == 1 and one.count("UPDATE") == updates  # one step
    assert two.count("INSERT") == 2 and two.count("UPDATE") == 2 * updates  # two steps
    reads = [s for s in two if s not in ("INSERT", "UPDATE")]
    assert reads == [s for s in one if s not in ("INSERT", "UPDATE")]  # per run, not per step
    assert first_parsed == ["a1_first.py"]
    # the applied scripts are validated from the cache; each new one parsed once for its row
    assert one_parsed == ["a2_second.py"]
    assert two_parsed == ["a3_third.py", "a4_fourth.py"]


def test_validation_without_the_header_cache_parses_only_changed_scripts(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deploy without the header cache (a fresh container) validates every applied script by
    the SHA-256 of its bytes; only a script whose bytes changed is parsed, and a reformatted one
    still passes."""
    import shutil

    import sterna.runtime.history as runtime_history
    import sterna.script.cache as cache
    from sterna import command
    from sterna.config import Config
    from sterna.script.checksum import file_checksum  # what runtime_history binds

    root = write_project(tmp_path, sqlite_url)
    a1, a2 = chain_a(root)
    sterna_ok(root, "upgrade", "head")
    rows = history(sqlite_url)
    assert [len(row["file_sha256"] or "") for row in rows] == [64, 64]
    shutil.rmtree(versions(root) / "__pycache__", ignore_errors=True)
    a2.write_text(
        a2.read_text().replace('    op.execute("CREATE', '    # a comment\n    op.execute("CREATE')
    )
    parsed: list[str] = []
    real = file_checksum

    def counting(path: str) -> str:
        parsed.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(runtime_history, "file_checksum", counting)
    monkeypatch.setattr(cache, "_OPEN", {})
    command.validate(Config(str(root / "alembic.ini")))
    assert parsed == ["a2_second.py"]
    a1.write_text(a1.read_text().replace("(id INTEGER)", "(id INTEGER, extra INTEGER)"))
    shutil.rmtree(versions(root) / "__pycache__", ignore_errors=True)
    monkeypatch.setattr(cache, "_OPEN", {})
    assert run_sterna("validate", cwd=root).returncode == 1  # edited: parsed, and refused


def test_rows_inserted_together_read_back_as_one_by_one(db_url: str) -> None:
    """``insert_many`` (a driver-level executemany where parameters are positional) stores
    exactly what inserting the same rows one at a time through SQLAlchemy stores."""
    from datetime import datetime

    from sterna.runtime.history_table import HistoryTable

    engine = create_engine(db_url)
    started = datetime(2026, 12, 7, 10, 11, 12, 345678)
    rows = [
        dict(
            revision=f"r{i}",
            direction="upgrade",
            script=f"versions/r{i}.py",
            checksum=None if i % 2 else f"ast-sha256:{i:064x}",
            file_sha256=f"{i:064x}",
            started_at=started,
            finished_at=started.replace(second=13),
            duration_ms=i,
            status="applied",
            statements_executed=i,
            statements_total=i,
            statement_hashes=None if i % 3 else "a b",
            installed_by="me",
            host="here",
        )
        for i in range(5)
    ]
    try:
        with engine.begin() as conn:
            many = HistoryTable(conn.dialect, "hist_many", None)
            one = HistoryTable(conn.dialect, "hist_one", None)
            many.create(conn)
            one.create(conn)
            many.insert_many(conn, [dict(row) for row in rows])
            for row in rows:
                one.insert(conn, **row)
        read = {name: history(db_url, name) for name in ("hist_many", "hist_one")}
    finally:
        engine.dispose()
    assert len(read["hist_many"]) == 5
    assert read["hist_many"] == read["hist_one"]
    # (SQLite returns the stored text to a plain SELECT; MariaDB's DATETIME keeps whole seconds)
    assert str(read["hist_many"][0]["started_at"])[:19] == "2026-12-07 10:11:12"


def test_what_validation_read_serves_the_same_transaction_once(sqlite_url: str) -> None:
    """The rows validation read tell the run's preparation which heads the history names and
    that the table exists, in the same transaction only, and once."""
    from datetime import datetime

    from sterna.runtime.history_table import HistoryTable

    engine = create_engine(sqlite_url)
    table = HistoryTable(engine.dialect, "sterna_history", None)
    at = datetime(2026, 12, 7)
    try:
        with engine.connect() as conn:
            assert table.read_brief(conn) == []
            assert table.take_seen(conn) == (False, frozenset())
            assert table.take_seen(conn) is None  # once
            table.create(conn)
            for rev in ("a1", "a2"):
                table.insert(
                    conn, revision=rev, direction="upgrade", started_at=at, status="applied"
                )
            conn.commit()
            assert [row[1] for row in table.read_brief(conn)] == ["a1", "a2"]
            assert table.take_seen(conn) == (True, frozenset({"a1", "a2"}))
            table.read_brief(conn)
            conn.commit()  # another transaction: the rows may have changed since
            assert table.take_seen(conn) is None
            table.read_brief(conn)
            with engine.connect() as other:
                assert table.take_seen(other) is None  # another connection
    finally:
        engine.dispose()
