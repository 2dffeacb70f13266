"""The migration lock (sterna/runtime/lock.py): concurrent ``upgrade head`` runs on one database,
the timeout, ``--no-lock`` and the config keys, offline mode, nested runs in one process.

Each test builds a real project (alembic.ini, env.py, ten scripts that sleep a little and log
themselves into a table) and runs ``python -m sterna`` on real SQLite files, PostgreSQL and
MariaDB.  The locks the tests hold themselves are taken with SQL and ``flock`` written here,
from the documented key derivation, not through Sterna.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import REPO, run_sterna

REVISIONS = [f"r{n:02d}" for n in range(1, 11)]

ENV_PY = """
import os
from logging.config import fileConfig

from sqlalchemy import create_engine, pool

from sterna import context

config = context.config
if config.config_file_name and not config.attributes.get("no_logging"):
    fileConfig(config.config_file_name)


def nested_check(ctx, step, heads, run_args):
    # a second run in this process, on another connection, while this one holds the lock
    if "r02" in heads and not config.attributes.get("inner_done"):
        config.attributes["inner_done"] = True
        from sterna import command
        command.ensure_version(config)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    nested = bool(config.attributes.get("nested"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            transaction_per_migration=nested,
            on_version_apply=nested_check if nested else None,
        )
        with context.begin_transaction():
            context.run_migrations()
"""

SCRIPT = '''"""revision {rev}

Revision ID: {rev}
Revises: {down}
"""
import os
import time

import sqlalchemy as sa
from sterna import op

revision = {rev!r}
down_revision = {down_value!r}
branch_labels = None
depends_on = None


def upgrade():
    time.sleep({sleep})
{create_log}    op.create_table("t_{rev}", sa.Column("id", sa.Integer, primary_key=True))
    op.execute(
        sa.text("INSERT INTO applied (rev, pid) VALUES (:rev, :pid)").bindparams(
            rev={rev!r}, pid=os.getpid()
        )
    )


def downgrade():
    op.drop_table("t_{rev}")
'''

CREATE_LOG = """    op.create_table(
        "applied",
        sa.Column("rev", sa.String(10), primary_key=True),
        sa.Column("pid", sa.Integer, nullable=False),
    )
"""

INI = """[alembic]
script_location = migrations
sqlalchemy.url = {url}
{extra}
[loggers]
keys = root,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""


def make_project(folder: Path, url: str, extra: str = "", sleep: float = 0.05) -> Path:
    versions = folder / "migrations" / "versions"
    versions.mkdir(parents=True)
    (folder / "migrations" / "env.py").write_text(ENV_PY)
    (folder / "alembic.ini").write_text(INI.format(url=url.replace("%", "%%"), extra=extra))
    down: str | None = None
    for rev in REVISIONS:
        (versions / f"{rev}_step.py").write_text(
            SCRIPT.format(
                rev=rev,
                down=down or "",
                down_value=down,
                sleep=sleep,
                create_log=CREATE_LOG if down is None else "",
            )
        )
        down = rev
    return folder


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


def applied(url: str) -> list[tuple[str, int]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(text("SELECT rev, pid FROM applied"))]
    finally:
        engine.dispose()


def version_rows(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


# -- holding the lock from the test, as documented (docs/production.md) ---------------------------


def pg_key(identity: str) -> int:
    return int.from_bytes(hashlib.sha256(identity.encode()).digest()[:8], "big", signed=True)


@contextmanager
def hold_lock(backend: str, url: str) -> Iterator[str]:
    """Hold the migration lock of ``url``'s alembic_version; yields what names the holder."""
    if backend == "sqlite":
        path = make_url(url).database
        assert path
        fd = os.open(path + ".sterna-lock", os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, b"process 4242 on host test-holder, since 2030-01-01T00:00:00\n")
            yield "process 4242 on host test-holder"
        finally:
            os.close(fd)
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if backend == "postgresql":
                conn.execute(text("SET application_name = 'lock-holder-test'"))
                key = pg_key("sterna:public.alembic_version")
                assert conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
                conn.commit()
                yield f"backend pid {pid}, application 'lock-holder-test'"
            else:
                name = f"sterna:{make_url(url).database}.alembic_version"
                assert conn.execute(text("SELECT GET_LOCK(:n, 0)"), {"n": name}).scalar() == 1
                cid = conn.execute(text("SELECT CONNECTION_ID()")).scalar()
                conn.commit()
                yield f"connection id {cid}"
    finally:
        engine.dispose()


# -- concurrent runs ------------------------------------------------------------------------------


@pytest.mark.parametrize("trial", [1, 2, 3])
def test_concurrent_upgrades_apply_each_revision_once(
    backend: str, db_url: str, tmp_path: Path, trial: int
) -> None:
    project = make_project(tmp_path / "project", db_url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sterna", "upgrade", "head"],
            cwd=project,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [(proc.wait(timeout=120), *proc.communicate()) for proc in procs]
    for code, out, err in results:
        assert code == 0, f"exit {code}\n{out}\n{err}"
    rows = applied(db_url)
    assert sorted(rev for rev, _ in rows) == REVISIONS
    assert len({pid for _, pid in rows}) == 1  # one process ran them all
    assert version_rows(db_url) == ["r10"]
    waiters = [err for _, _, err in results if "Waiting for the migration lock" in err]
    assert waiters, "no process waited: the test did not exercise the lock"
    for err in waiters:
        assert "Already at head: nothing to do" in err, err
        assert "Running upgrade" not in err, err
    runners = [err for _, _, err in results if "Running upgrade" in err]
    assert len(runners) == 1


# -- timeout, --no-lock, config keys, offline -----------------------------------------------------


def test_timeout_names_the_holder_and_writes_nothing(
    backend: str, db_url: str, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "project", db_url)
    with hold_lock(backend, db_url) as holder:
        started = time.monotonic()
        proc = run_sterna("upgrade", "head", "--lock-timeout", "1", cwd=project)
        elapsed = time.monotonic() - started
        assert proc.returncode != 0
        failed = [line for line in proc.stderr.splitlines() if line.startswith("FAILED:")]
        assert len(failed) == 1, proc.stderr
        assert "Timed out after 1 s waiting for the migration lock" in failed[0]
        assert holder in failed[0]
        assert "nothing was done to the database" in failed[0]
        assert elapsed < 15
        assert not table_names(db_url) - {"applied"}  # no version table, no t_r01
        assert "applied" not in table_names(db_url)
        # the same run without the lock goes through while it is held
        run_sterna("upgrade", "head", "--no-lock", cwd=project, check=True)
    assert sorted(rev for rev, _ in applied(db_url)) == REVISIONS


def test_waiting_line_names_the_holder(sqlite_url: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", sqlite_url)
    with hold_lock("sqlite", sqlite_url) as holder:
        proc = run_sterna("upgrade", "head", "--lock-timeout", "0.5", cwd=project)
    lines = proc.stderr.splitlines()
    waiting = [line for line in lines if "Waiting for the migration lock" in line]
    assert len(waiting) == 1 and holder in waiting[0], proc.stderr
    assert ".sterna-lock" in waiting[0]


@pytest.mark.parametrize(
    ("extra", "succeeds"),
    [("sterna_lock = false", True), ("sterna_lock_timeout = 0.5", False)],
)
def test_config_keys(backend: str, db_url: str, tmp_path: Path, extra: str, succeeds: bool) -> None:
    project = make_project(tmp_path / "project", db_url, extra=extra)
    with hold_lock(backend, db_url):
        proc = run_sterna("upgrade", "head", cwd=project)
    assert (proc.returncode == 0) is succeeds, proc.stderr
    if not succeeds:
        assert "Timed out after 0.5 s" in proc.stderr


def test_bad_timeout_is_a_config_error(sqlite_url: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", sqlite_url, extra="sterna_lock_timeout = soon")
    proc = run_sterna("upgrade", "head", cwd=project)
    assert proc.returncode != 0
    assert "sterna_lock_timeout" in proc.stderr and "'soon'" in proc.stderr
    assert not Path(make_url(sqlite_url).database or "").exists() or not table_names(sqlite_url)


def test_offline_takes_no_lock(backend: str, db_url: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", db_url)
    with hold_lock(backend, db_url):
        proc = run_sterna("upgrade", "head", "--sql", "--lock-timeout", "0", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "CREATE TABLE t_r10" in proc.stdout
    for word in ("advisory", "GET_LOCK", "RELEASE_LOCK", "sterna-lock", "Waiting"):
        assert word not in proc.stdout + proc.stderr


def test_stamp_and_downgrade_take_the_lock(sqlite_url: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", sqlite_url)
    run_sterna("upgrade", "head", cwd=project, check=True)
    with hold_lock("sqlite", sqlite_url):
        for args in (("stamp", "r05"), ("downgrade", "r09"), ("resolve", "r05", "--applied")):
            proc = run_sterna(*args, "--lock-timeout", "0", cwd=project)
            assert proc.returncode != 0 and "Timed out" in proc.stderr, (args, proc.stderr)
    assert version_rows(sqlite_url) == ["r10"]


# -- in-process: library use and nested runs ------------------------------------------------------


def test_migration_context_stamp_takes_the_lock(sqlite_url: str, tmp_path: Path) -> None:
    from sterna.errors import MigrationLockTimeout
    from sterna.runtime.migration import MigrationContext
    from sterna.script import ScriptDirectory

    project = make_project(tmp_path / "project", sqlite_url)
    run_sterna("upgrade", "head", cwd=project, check=True)
    script = ScriptDirectory(str(project / "migrations"))
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"sterna_lock_timeout": 0.2})
            with hold_lock("sqlite", sqlite_url), pytest.raises(MigrationLockTimeout):
                ctx.stamp(script, "r05")
            ctx.stamp(script, "r05")
            conn.commit()
    finally:
        engine.dispose()
    assert version_rows(sqlite_url) == ["r05"]


def _config(project: Path, **attributes: Any) -> Any:
    from sterna.config import Config

    config = Config(str(project / "alembic.ini"))
    config.attributes.update(no_logging=True, **attributes)
    return config


def test_library_use_and_nested_run_do_not_deadlock(
    backend: str, db_url: str, tmp_path: Path
) -> None:
    from sterna import command

    project = make_project(tmp_path / "project", db_url, sleep=0)
    config = _config(project, nested=True, **{"sterna.lock_timeout": 3})
    cwd = os.getcwd()
    os.chdir(project)
    try:
        command.upgrade(config, "head")
    finally:
        os.chdir(cwd)
    assert config.attributes.get("inner_done") is True
    assert version_rows(db_url) == ["r10"]
    # the lock was given back: another process takes it at once
    proc = run_sterna("downgrade", "r09", "--lock-timeout", "0", cwd=project)
    assert proc.returncode == 0, proc.stderr


def test_library_use_waits_for_the_lock(sqlite_url: str, tmp_path: Path) -> None:
    from sterna import command
    from sterna.errors import MigrationLockTimeout

    project = make_project(tmp_path / "project", sqlite_url, sleep=0)
    config = _config(project, **{"sterna.lock_timeout": 0.2})
    cwd = os.getcwd()
    os.chdir(project)
    try:
        with hold_lock("sqlite", sqlite_url), pytest.raises(MigrationLockTimeout):
            command.upgrade(config, "head")
    finally:
        os.chdir(cwd)


def test_pg_waiter_holds_no_transaction(pg_url: str, tmp_path: Path) -> None:
    """While a run waits, it has no transaction open (pg_stat_activity: 'idle', no xact)."""
    project = make_project(tmp_path / "project", pg_url)
    with hold_lock("postgresql", pg_url):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sterna", "upgrade", "head", "--lock-timeout", "4"],
            cwd=project,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            states = _waiter_states(pg_url, proc)
        finally:
            proc.wait(timeout=30)
            proc.communicate()
    assert states, "the waiting run was not seen"
    assert any(state == "idle" for state, _ in states), states
    # a try is one short transaction: none lasts while the run waits
    assert all(age is None or age < 0.5 for _, age in states), states


def _waiter_states(url: str, proc: subprocess.Popen[str]) -> list[tuple[str, float | None]]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    query = text(
        "SELECT state, extract(epoch FROM clock_timestamp() - xact_start) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND application_name <> 'lock-holder-test' AND backend_type = 'client backend'"
    )
    states: list[tuple[str, float | None]] = []
    try:
        with engine.connect() as conn:
            time.sleep(1.5)  # past start-up and the first read
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline and proc.poll() is None:
                for state, age in conn.execute(query):
                    states.append((str(state), None if age is None else float(age)))
                time.sleep(0.1)
    finally:
        engine.dispose()
    return states


def test_validation_waits_for_the_lock(backend: str, db_url: str, tmp_path: Path) -> None:
    """The applied scripts are validated under the lock, against the history as the holder left
    it: a run that waited sees a change made while it waited (here a recorded checksum and the
    script with it, as a run that applied an edited r01 would leave them)."""
    project = make_project(tmp_path / "project", db_url, sleep=0)
    run_sterna("upgrade", "r02", cwd=project, check=True)
    with hold_lock(backend, db_url):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sterna", "upgrade", "head", "--lock-timeout", "60"],
            cwd=project,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        seen = [proc.stderr.readline()]
        while seen[-1] and "Waiting for the migration lock" not in seen[-1]:
            seen.append(proc.stderr.readline())
        assert seen[-1], "".join(seen)
        engine = create_engine(db_url)
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE sterna_history SET checksum = 'edited-meanwhile', file_sha256 = NULL "  # noqa: E501
                        "WHERE revision = 'r01'"
                    )
                )
        finally:
            engine.dispose()
    code = proc.wait(timeout=60)
    err = "".join(seen) + proc.communicate()[1]
    assert code != 0, err
    assert "revision r01" in err and "edited" in err, err
    assert version_rows(db_url) == ["r02"]
