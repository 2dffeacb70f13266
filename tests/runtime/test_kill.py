"""kill -9 at random points of a run (alone, and while other runs wait for the lock), then the
next run finishes: the schema, the version row and the history agree.

Each script marks its progress in a file (process id and place) and sleeps after every
statement, so that the kill lands at a chosen place; the place is drawn at random (the seed is
in the failure message).  On SQLite and PostgreSQL the killed step is rolled back and the next
``upgrade head`` simply runs it; on MariaDB its statements that took effect are recorded, the
next run refuses, and ``upgrade --resume`` finishes it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import REPO, run_sterna
from tests.runtime.helpers import version_rows
from tests.runtime.test_history import history
from tests.runtime.test_preflight import versions, write_project, write_script

REVISIONS = ["k1", "k2", "k3", "k4"]
PLACES = 4  # marks per script: before its first statement and after each of its three

STEPS = """
import os, time

MARKS = {marks!r}


def mark(place):
    with open(MARKS, "a") as marks:
        marks.write(f"{{os.getpid()}} {rev}.{{place}}\\n")
    time.sleep(0.25)


def upgrade():
    mark(0)
    op.execute("CREATE TABLE t_{rev} (id INTEGER)")
    mark(1)
    op.execute("INSERT INTO t_{rev} (id) VALUES (1)")
    mark(2)
    op.execute("ALTER TABLE t_{rev} ADD COLUMN z INTEGER")
    mark(3)


def downgrade():
    op.execute("DROP TABLE t_{rev}")
"""


def project(tmp_path: Path, url: str) -> tuple[Path, Path]:
    root = write_project(tmp_path / "project", url)
    marks = tmp_path / "marks"
    down = None
    for rev in REVISIONS:
        write_script(
            versions(root) / f"{rev}_step.py",
            rev,
            down,
            functions=STEPS.format(rev=rev, marks=str(marks)),
        )
        down = rev
    return root, marks


def start(root: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "sterna", "upgrade", "head"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(marks: Path, place: str, timeout: float = 90) -> int:
    """The process id that reached ``place`` (e.g. ``k2.1``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marks.exists():
            for line in marks.read_text().splitlines():
                pid, _, where = line.partition(" ")
                if where == place:
                    return int(pid)
        time.sleep(0.01)
    raise AssertionError(f"no run reached {place}")


def finish(root: Path, backend: str, why: str) -> None:
    """The run after the kill: succeeds, or on MariaDB refuses and is resumed."""
    proc = run_sterna("upgrade", "head", cwd=root)
    if backend == "mariadb":
        assert proc.returncode == 1 and "--resume" in proc.stderr, why + proc.stderr
        proc = run_sterna("upgrade", "head", "--resume", cwd=root)
    assert proc.returncode == 0, why + proc.stderr


def assert_consistent(root: Path, url: str, why: str) -> None:
    assert version_rows(url) == ["k4"], why
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for rev in REVISIONS:
                rows = conn.execute(text(f"SELECT id, z FROM t_{rev}")).all()
                assert [tuple(row) for row in rows] == [(1, None)], why + rev
            assert {"t_" + rev for rev in REVISIONS} <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    steps = [row for row in history(url) if row["status"] != "rolled-back"]
    assert [(r["revision"], r["direction"], r["status"]) for r in steps] == [
        (rev, "upgrade", "applied") for rev in REVISIONS
    ], why
    assert all(row["statements_executed"] == 3 for row in steps), why
    assert run_sterna("validate", cwd=root).returncode == 0, why


def random_place(what: str) -> tuple[random.Random, str, str]:
    """A random generator, the place to kill at (``k2.1``) and the failure message's prefix
    naming the seed, so that a failure can be replayed."""
    seed = random.randrange(1 << 30)
    chosen = random.Random(seed)
    place = f"{chosen.choice(REVISIONS)}.{chosen.randrange(PLACES)}"
    return chosen, place, f"(seed {seed}: {what} at {place}) "


@pytest.mark.parametrize("trial", [1, 2, 3])
def test_kill_at_a_random_point_then_the_next_run_finishes(
    backend: str, db_url: str, tmp_path: Path, trial: int
) -> None:
    chosen, place, why = random_place("killed")
    root, marks = project(tmp_path, db_url)
    proc = start(root)
    try:
        pid = wait_for(marks, place)
        time.sleep(chosen.uniform(0, 0.2))  # somewhere in the sleep after the mark
        os.kill(pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL, why
    finish(root, backend, why)
    assert_consistent(root, db_url, why)


def test_kill_the_lock_holder_while_others_wait(backend: str, db_url: str, tmp_path: Path) -> None:
    _, place, why = random_place("holder killed")
    root, marks = project(tmp_path, db_url)
    procs = [start(root) for _ in range(4)]
    pid = wait_for(marks, place)
    os.kill(pid, signal.SIGKILL)
    results = {proc.pid: (proc.wait(timeout=120), proc.communicate()[1]) for proc in procs}
    assert results[pid][0] == -signal.SIGKILL, why
    others = [result for key, result in results.items() if key != pid]
    if backend == "mariadb":  # the dead run's step took effect part way: each waiter refuses
        for code, err in others:
            assert code == 1 and "did not finish" in err and "--resume" in err, why + err
        finish(root, backend, why)
    else:  # the dead run's step was rolled back: the next holder runs it, the rest find it done
        for code, err in others:
            assert code == 0, why + err
    assert_consistent(root, db_url, why)
