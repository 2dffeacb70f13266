"""A run's version changes: one statement for a chain of steps in one transaction, and the
truth wherever the version table can be seen (sterna.runtime.version_writes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from tests.runtime.helpers import (
    Chain,
    downgrade_fn,
    run_env,
    table_names,
    upgrade_fn,
    version_rows,
)

WRITES = ("INSERT", "UPDATE", "DELETE")
SEEN = "op.execute('CREATE TABLE seen (step VARCHAR(8), found VARCHAR(32))')"


def seen_rows(url: str) -> list[tuple[str, str | None]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT step, found FROM seen ORDER BY step"))
            return [(row[0], row[1]) for row in rows]
    finally:
        engine.dispose()


def version_statements(url: str, run: Any) -> list[str]:
    """The statements ``run(connection)`` sends that write the version table."""
    sent: list[str] = []
    engine = create_engine(url)

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "alembic_version" in statement and statement.lstrip().startswith(WRITES):
            sent.append(" ".join(statement.split()))

    try:
        with engine.connect() as conn:
            event.listen(conn, "before_cursor_execute", note)
            run(conn)
    finally:
        engine.dispose()
    return sent


def test_a_step_that_reads_the_version_table_finds_the_step_before(
    db_url: str, tmp_path: Path
) -> None:
    chain = Chain(tmp_path)
    chain.add("a1", SEEN)
    for rev in ("b2", "c3", "d4"):
        chain.add(
            rev,
            f"op.execute(\"INSERT INTO seen SELECT '{rev}', version_num FROM alembic_version\")",
        )
    run_env(chain, db_url, upgrade_fn(chain))
    assert seen_rows(db_url) == [("b2", "a1"), ("c3", "b2"), ("d4", "c3")]
    assert version_rows(db_url) == ["d4"]


def test_get_current_revision_in_a_step_finds_the_step_before(db_url: str, tmp_path: Path) -> None:
    chain = Chain(tmp_path)
    chain.add("a1", SEEN)
    for rev in ("b2", "c3"):
        chain.add(
            rev,
            f"""
            found = op.get_context().get_current_revision()
            op.execute(sa.text("INSERT INTO seen VALUES ('{rev}', :f)").bindparams(f=found))
            """,
        )
    run_env(chain, db_url, upgrade_fn(chain))
    assert seen_rows(db_url) == [("b2", "a1"), ("c3", "b2")]


def test_a_run_in_one_transaction_writes_the_version_once(
    db_url: str, backend: str, tmp_path: Path
) -> None:
    chain = Chain(tmp_path)
    for rev in ("a1", "b2", "c3", "d4"):
        chain.add(
            rev, f"op.execute('CREATE TABLE t_{rev} (id INTEGER)')", f"op.drop_table('t_{rev}')"
        )
    up = version_statements(
        db_url, lambda conn: run_env(chain, db_url, upgrade_fn(chain), connection=conn)
    )
    assert version_rows(db_url) == ["d4"]
    down = version_statements(
        db_url, lambda conn: run_env(chain, db_url, downgrade_fn(chain), connection=conn)
    )
    assert version_rows(db_url) == []
    assert not table_names(db_url) & {"t_a1", "t_b2", "t_c3", "t_d4"}
    if backend == "mariadb":  # DDL commits itself: each step commits its own version row
        assert len(up) == 4 and len(down) == 4
        return
    assert up == ["INSERT INTO alembic_version (version_num) VALUES ('d4')"]
    assert down == ["DELETE FROM alembic_version WHERE alembic_version.version_num = 'd4'"]
    run_env(chain, db_url, upgrade_fn(chain, "b2"))
    middle = version_statements(
        db_url, lambda conn: run_env(chain, db_url, upgrade_fn(chain), connection=conn)
    )
    assert middle == [
        "UPDATE alembic_version SET version_num='d4' WHERE alembic_version.version_num = 'b2'"
    ]


FAILS = "op.execute('CREATE TABLE t_c3 (id INTEGER)')\nraise RuntimeError('c3 fails')"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_autocommit_block_commits_the_version_of_the_steps_before_it(
    db_url: str, tmp_path: Path
) -> None:
    chain = Chain(tmp_path)
    chain.add("a1", "op.execute('CREATE TABLE t_a1 (id INTEGER)')")
    chain.add(
        "b2",
        """
        with op.get_context().autocommit_block():
            op.execute('CREATE TABLE t_b2 (id INTEGER)')
        """,
    )
    chain.add("c3", FAILS)
    with pytest.raises(Exception, match="c3 fails"):
        run_env(chain, db_url, upgrade_fn(chain))
    # the block committed a1 (its version row with it); b2's row and c3 were rolled back
    assert version_rows(db_url) == ["a1"]
    assert table_names(db_url) == {"alembic_version", "t_a1", "t_b2"}


SWALLOWING_ENV = """
from sterna import context
from sqlalchemy import create_engine

engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        try:
            context.run_migrations()
        except Exception:
            {commit}
engine.dispose()
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "commit",
    [
        "pass  # the transaction commits what ran when the block ends",
        "connection.commit()  # on the connection, around Sterna",
    ],
)
def test_env_py_that_commits_after_a_failure_keeps_the_last_completed_step(
    db_url: str, tmp_path: Path, commit: str
) -> None:
    chain = Chain(tmp_path)
    chain.add("a1", "op.execute('CREATE TABLE t_a1 (id INTEGER)')")
    chain.add("b2", "op.execute('CREATE TABLE t_b2 (id INTEGER)')")
    chain.add("c3", FAILS)
    (tmp_path / "env.py").write_text(SWALLOWING_ENV.format(commit=commit))
    run_env(chain, db_url, upgrade_fn(chain))
    assert version_rows(db_url) == ["b2"]  # as step-by-step UPDATEs leave it
    assert {"t_a1", "t_b2", "t_c3"} <= table_names(db_url)
