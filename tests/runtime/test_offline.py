"""Offline (``--sql``) output, compared line by line with real Alembic on the same project."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from sterna.errors import ContextUsageError
from sterna.runtime.migration import MigrationContext
from tests.runtime.helpers import Chain, downgrade_fn, run_env, upgrade_fn, write_env

URLS = {
    "sqlite": "sqlite:///offline.db",
    "postgresql": "postgresql://scott:tiger@localhost/test",
    "mysql": "mysql://scott:tiger@localhost/test",
}

BODIES = [
    ("a1", "CREATE TABLE t_a (id INTEGER PRIMARY KEY)", "DROP TABLE t_a", "create a"),
    ("b2", "CREATE TABLE t_b (id INTEGER PRIMARY KEY)", "DROP TABLE t_b", "create b"),
    ("c3", "INSERT INTO t_a (id) VALUES (1)", "DELETE FROM t_a WHERE id = 1", "data"),
]


def build(folder: Path, package: str) -> Chain:
    chain = Chain(folder, package=package)
    for rev, up, down, doc in BODIES:
        chain.add(rev, f"op.execute({up!r})", f"op.execute({down!r})", doc=doc)
    write_env(folder, package)
    return chain


@pytest.fixture
def projects(tmp_path: Path) -> tuple[Chain, Chain]:
    return build(tmp_path / "sterna", "sterna"), build(tmp_path / "alembic", "alembic")


def alembic_sql(
    chain: Chain, url: str, verb: str, target: str, configure: dict[str, Any] | None = None
) -> str:
    from alembic import command
    from alembic.config import Config

    buffer = io.StringIO()
    config = Config(output_buffer=buffer)
    config.set_main_option("script_location", str(chain.folder))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure"] = configure or {}
    getattr(command, verb)(config, target, sql=True)
    return buffer.getvalue()


def normalise(sql: str) -> list[str]:
    """Statements and comments, whitespace collapsed.

    Alembic 1.20 on SQLAlchemy 2.1 appends ``RETURNING version_num`` to the version INSERT (an
    artefact of compiling it with a SQL-expression primary key); Sterna writes the plain INSERT,
    which is what a DBA would run, so the clause is removed before comparing.
    """
    text = re.sub(r" RETURNING [\w.]+;", ";", sql)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("dialect", sorted(URLS))
def test_upgrade_and_downgrade_match_alembic(projects: tuple[Chain, Chain], dialect: str) -> None:
    ours, theirs = projects
    url = URLS[dialect]
    up = run_env(ours, url, upgrade_fn(ours), as_sql=True, destination_rev="head")
    assert normalise(up) == normalise(alembic_sql(theirs, url, "upgrade", "head"))
    assert "-- Running upgrade  -> a1" in up.splitlines()
    assert ("BEGIN;" in up) == (dialect == "postgresql")

    partial = run_env(
        ours, url, upgrade_fn(ours), as_sql=True, starting_rev="a1", destination_rev="c3"
    )
    assert normalise(partial) == normalise(alembic_sql(theirs, url, "upgrade", "a1:c3"))
    assert "CREATE TABLE alembic_version" not in partial

    down = run_env(
        ours, url, downgrade_fn(ours), as_sql=True, starting_rev="c3", destination_rev="base"
    )
    assert normalise(down) == normalise(alembic_sql(theirs, url, "downgrade", "c3:base"))
    assert normalise(down)[-2 if dialect == "postgresql" else -1] == (
        "DELETE FROM alembic_version WHERE alembic_version.version_num = 'a1';"
    )


def test_transaction_per_migration_matches_alembic(projects: tuple[Chain, Chain]) -> None:
    ours, theirs = projects
    url = URLS["postgresql"]
    opts = {"transaction_per_migration": True}
    sql = run_env(ours, url, upgrade_fn(ours), as_sql=True, configure=opts)
    assert normalise(sql) == normalise(alembic_sql(theirs, url, "upgrade", "head", opts))
    assert sql.count("BEGIN;") == 3 and sql.count("COMMIT;") == 3


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_custom_version_table_matches_alembic(projects: tuple[Chain, Chain], dialect: str) -> None:
    ours, theirs = projects
    url = URLS[dialect]
    opts = {
        "version_table": "deploy_log",
        "version_table_schema": "audit",
        "version_table_pk": False,
    }
    sql = run_env(ours, url, upgrade_fn(ours, "b2"), as_sql=True, configure=opts)
    assert normalise(sql) == normalise(alembic_sql(theirs, url, "upgrade", "b2", opts))
    assert "CREATE TABLE audit.deploy_log" in sql and "_pkc" not in sql


def test_stamp_matches_alembic(projects: tuple[Chain, Chain]) -> None:
    ours, theirs = projects
    url = URLS["postgresql"]
    directory = ours.directory()
    sql = run_env(ours, url, lambda heads, ctx: directory.plan_stamp(["b2"], heads), as_sql=True)
    assert normalise(sql) == normalise(alembic_sql(theirs, url, "stamp", "b2"))
    assert "-- Running stamp_revision  -> b2" in sql.splitlines()


def test_starting_rev_is_offline_only(tmp_path: Path, sqlite_url: str) -> None:
    chain = build(tmp_path, "sterna")
    with pytest.raises(ContextUsageError, match="offline"):
        run_env(chain, sqlite_url, upgrade_fn(chain), starting_rev="a1")


def test_purge_is_refused_offline(tmp_path: Path) -> None:
    chain = build(tmp_path, "sterna")
    with pytest.raises(ContextUsageError, match="--purge"):
        run_env(chain, URLS["sqlite"], upgrade_fn(chain), as_sql=True, purge=True)


def test_output_encoding_writes_bytes_to_a_binary_buffer() -> None:
    raw = io.BytesIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql",
        opts={"as_sql": True, "output_buffer": raw, "output_encoding": "latin-1"},
    )
    ctx.execute("INSERT INTO t (name) VALUES ('caf\u00e9')")
    ctx.impl.static_output("-- d\u00e9j\u00e0")
    assert raw.getvalue() == "INSERT INTO t (name) VALUES ('caf\xe9');\n\n-- d\xe9j\xe0\n\n".encode(
        "latin-1"
    )


def test_offline_bind_is_a_mock_that_writes_sql() -> None:
    from sqlalchemy import Column, Integer, MetaData, Table

    out = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": out}
    )
    table = Table("made_with_bind", MetaData(), Column("id", Integer, primary_key=True))
    assert ctx.bind is not None
    table.create(ctx.bind)  # what scripts do with op.get_bind() for types and tables
    assert normalise(out.getvalue()) == [
        "CREATE TABLE made_with_bind (",
        "id INTEGER NOT NULL,",
        "PRIMARY KEY (id)",
        ");",
    ]


def test_autocommit_block_offline_writes_commit_and_begin() -> None:
    out = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": out}
    )
    with ctx.begin_transaction():
        ctx.execute("CREATE TABLE x (id INTEGER)")
        with ctx.autocommit_block():
            ctx.execute("ALTER TYPE mood ADD VALUE 'meh'")
    assert normalise(out.getvalue()) == [
        "BEGIN;",
        "CREATE TABLE x (id INTEGER);",
        "COMMIT;",
        "ALTER TYPE mood ADD VALUE 'meh';",
        "BEGIN;",
        "COMMIT;",
    ]
