"""The step loop against real databases: version rows, transactions, failures, per backend."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from sterna.errors import MigrationError, PartialMigrationError, ScriptError
from tests.runtime.helpers import (
    Chain,
    downgrade_fn,
    run_env,
    table_names,
    upgrade_fn,
    version_rows,
)


def create(name: str) -> str:
    return f"op.execute('CREATE TABLE {name} (id INTEGER PRIMARY KEY)')"


def drop(name: str) -> str:
    return f"op.execute('DROP TABLE {name}')"


def three_steps(folder: Path) -> Chain:
    chain = Chain(folder)
    chain.add("a1", create("t_a"), drop("t_a"), doc="create a")
    chain.add("b2", create("t_b"), drop("t_b"), doc="create b")
    chain.add("c3", create("t_c"), drop("t_c"), doc="create c")
    return chain


def test_linear_upgrade_and_downgrade_keep_one_row_per_step(db_url: str, tmp_path: Path) -> None:
    chain = three_steps(tmp_path)
    seen: list[tuple[str, list[str], set[str]]] = []

    def record(ctx: Any, step: Any, heads: set[str], run_args: dict[str, Any]) -> None:
        rows = sorted(
            r[0] for r in ctx.connection.execute(text("SELECT version_num FROM alembic_version"))
        )
        kind = "up" if step.is_upgrade else "down"
        seen.append((kind, rows, heads))

    run_env(chain, db_url, upgrade_fn(chain), configure={"on_version_apply": record})
    assert seen == [
        ("up", ["a1"], {"a1"}),
        ("up", ["b2"], {"b2"}),
        ("up", ["c3"], {"c3"}),
    ]
    assert version_rows(db_url) == ["c3"]
    assert {"t_a", "t_b", "t_c"} <= table_names(db_url)

    seen.clear()
    run_env(chain, db_url, downgrade_fn(chain, "a1"), configure={"on_version_apply": record})
    assert seen == [("down", ["b2"], {"b2"}), ("down", ["a1"], {"a1"})]
    assert table_names(db_url) & {"t_a", "t_b", "t_c"} == {"t_a"}

    run_env(chain, db_url, downgrade_fn(chain, "base"))
    assert version_rows(db_url) == []  # online, the table stays (as Alembic)
    assert table_names(db_url) == {"alembic_version"}


def test_log_lines_match_alembic_wording(
    tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    chain = three_steps(tmp_path)
    caplog.set_level(logging.INFO, logger="alembic")
    run_env(chain, sqlite_url, upgrade_fn(chain, "b2"))
    run_env(chain, sqlite_url, downgrade_fn(chain, "base"))
    running = [
        r.getMessage()
        for r in caplog.records
        if r.name == "alembic.runtime.migration" and r.getMessage().startswith("Running")
    ]
    # the text Alembic 1.20 logs for the same steps (note the two spaces before "->" from base)
    assert running == [
        "Running upgrade  -> a1, create a",
        "Running upgrade a1 -> b2, create b",
        "Running downgrade b2 -> a1, create b",
        "Running downgrade a1 -> , create a",
    ]


def failing_chain(folder: Path) -> Chain:
    chain = Chain(folder)
    chain.add("a1", create("t_a"), drop("t_a"))
    # the second statement fails: t_b1 already exists
    chain.add("b2", create("t_b1") + "\n" + create("t_b1"), drop("t_b1"))
    return chain


def test_failure_mid_step_leaves_schema_and_version_table_agreeing(
    db_url: str, backend: str, tmp_path: Path
) -> None:
    chain = failing_chain(tmp_path)
    with pytest.raises(MigrationError) as info:
        run_env(chain, db_url, upgrade_fn(chain))
    err = info.value
    assert err.revision == "b2"
    assert err.direction == "upgrade"
    assert err.statement == "CREATE TABLE t_b1 (id INTEGER PRIMARY KEY)"
    assert "b2" in str(err) and "CREATE TABLE t_b1" in str(err)
    tables = table_names(db_url)
    if backend == "mariadb":
        # DDL commits implicitly: step a1 is complete and recorded, b2's first statement stayed
        assert isinstance(err, PartialMigrationError)
        assert err.applied == ("CREATE TABLE t_b1 (id INTEGER PRIMARY KEY)",)
        assert "already applied" in str(err)
        assert version_rows(db_url) == ["a1"]
        assert {"t_a", "t_b1"} <= tables
    else:
        # one transaction for the run: back to the start, version table included
        assert not isinstance(err, PartialMigrationError)
        assert version_rows(db_url) in (None, [])
        assert not tables & {"t_a", "t_b1"}


def test_transaction_per_migration_keeps_completed_steps(
    db_url: str, backend: str, tmp_path: Path
) -> None:
    chain = failing_chain(tmp_path)
    with pytest.raises(MigrationError):
        run_env(chain, db_url, upgrade_fn(chain), configure={"transaction_per_migration": True})
    assert version_rows(db_url) == ["a1"]
    tables = table_names(db_url)
    assert "t_a" in tables
    assert ("t_b1" in tables) == (backend == "mariadb")


def test_sqlite_failing_second_statement_rolls_back_first_and_version_row(
    tmp_path: Path, sqlite_url: str
) -> None:
    chain = Chain(tmp_path)
    chain.add("a1", create("t_a") + "\nop.execute('INSERT INTO t_a (id) VALUES (1)')", drop("t_a"))
    chain.add(
        "b2",
        "op.execute('ALTER TABLE t_a ADD COLUMN x INTEGER')\n"
        "op.execute('CREATE TABLE t_a (id INTEGER)')",
        "",
    )
    run_env(chain, sqlite_url, upgrade_fn(chain, "a1"))
    with pytest.raises(MigrationError):
        run_env(chain, sqlite_url, upgrade_fn(chain))
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(t_a)"))]
    engine.dispose()
    assert columns == ["id"]  # the ALTER of the failed step was rolled back
    assert version_rows(sqlite_url) == ["a1"]


def test_version_table_that_lies_is_an_error(db_url: str, backend: str, tmp_path: Path) -> None:
    chain = three_steps(tmp_path)
    run_env(chain, db_url, upgrade_fn(chain, "a1"))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('a1')"))

    # the planner believes a1 is current but the row is gone when the step updates it
    def plan(heads: tuple[str, ...], ctx: Any) -> Any:
        ctx.connection.execute(text("DELETE FROM alembic_version"))
        return chain.upgrade(("a1",), "b2")

    with pytest.raises(MigrationError) as info:
        run_env(chain, db_url, plan)
    engine.dispose()
    assert "version table 'alembic_version'" in str(info.value)
    assert "'a1'" in str(info.value) and "found 0" in str(info.value)
    if backend != "mariadb":
        assert "t_b" not in table_names(db_url)
        assert version_rows(db_url) == ["a1"]


def test_connection_from_config_attributes_uses_callers_transaction(
    db_url: str, backend: str, tmp_path: Path
) -> None:
    chain = three_steps(tmp_path)
    engine = create_engine(db_url)
    try:
        if backend != "mariadb":  # there DDL commits itself, whatever the caller does
            with engine.connect() as conn:
                outer = conn.begin()
                run_env(chain, db_url, upgrade_fn(chain, "a1"), connection=conn)
                assert conn.in_transaction() and outer.is_active  # left to the caller
                outer.rollback()
            assert "t_a" not in table_names(db_url)
            assert version_rows(db_url) is None
        with engine.begin() as conn:
            run_env(chain, db_url, upgrade_fn(chain, "b2"), connection=conn)
            assert conn.in_transaction()
    finally:
        engine.dispose()
    assert version_rows(db_url) == ["b2"]
    assert {"t_a", "t_b"} <= table_names(db_url)


def test_script_without_upgrade_names_its_file(tmp_path: Path, sqlite_url: str) -> None:
    chain = three_steps(tmp_path)
    path = Path(chain.scripts[1].path)
    path.write_text(path.read_text().replace("def upgrade(**kw):", "def not_upgrade(**kw):"))
    with pytest.raises(ScriptError) as info:
        run_env(chain, sqlite_url, upgrade_fn(chain))
    assert str(path) in str(info.value) and "upgrade()" in str(info.value)
    assert version_rows(sqlite_url) in (None, [])  # nothing of the run was kept


def test_run_args_reach_the_scripts(tmp_path: Path, sqlite_url: str) -> None:
    from sterna.runtime.environment import EnvironmentContext
    from tests.runtime.helpers import FakeConfig

    chain = Chain(tmp_path)
    chain.add("a1", "op.execute(f\"CREATE TABLE {kw['name']} (id INTEGER)\")")
    calls: list[dict[str, Any]] = []
    engine = create_engine(sqlite_url)
    with (
        EnvironmentContext(
            FakeConfig(url=sqlite_url), chain.directory(), fn=upgrade_fn(chain)
        ) as env,
        engine.connect() as conn,
    ):
        env.configure(connection=conn, on_version_apply=[lambda **kw: calls.append(kw["run_args"])])
        with env.begin_transaction():
            env.run_migrations(name="from_kw")
    engine.dispose()
    assert calls == [{"name": "from_kw"}]
    assert "from_kw" in table_names(sqlite_url)


def test_mariadb_error_lists_exactly_what_was_committed(mysql_url: str, tmp_path: Path) -> None:
    """DDL commits everything before it, even when it fails; later DML is rolled back."""
    chain = Chain(tmp_path)
    chain.add("a1", create("t_a"), drop("t_a"))
    chain.add(
        "b2",
        "\n".join(
            [
                create("t_x"),
                "op.execute('INSERT INTO t_a (id) VALUES (5)')",
                "op.execute('INSERT INTO t_x (id) VALUES (1)')",
                "op.execute('INSERT INTO t_x (id) VALUES (1)')",  # fails: duplicate key, not DDL
            ]
        ),
    )
    run_env(chain, mysql_url, upgrade_fn(chain, "a1"))
    with pytest.raises(PartialMigrationError) as info:
        run_env(chain, mysql_url, upgrade_fn(chain))
    assert info.value.applied == ("CREATE TABLE t_x (id INTEGER PRIMARY KEY)",)
    engine = create_engine(mysql_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM t_a")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM t_x")).scalar() == 0

    chain.scripts.pop()
    chain.add(
        "c3",
        "\n".join(
            [
                "op.execute('INSERT INTO t_a (id) VALUES (6)')",
                create("t_a"),  # fails, but commits the INSERT before it
            ]
        ),
    )
    with pytest.raises(PartialMigrationError) as info:
        run_env(chain, mysql_url, upgrade_fn(chain))
    assert info.value.applied == ("INSERT INTO t_a (id) VALUES (6)",)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM t_a")).scalars().all() == [6]
    engine.dispose()
    assert version_rows(mysql_url) == ["a1"]
