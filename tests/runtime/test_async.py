"""The async template's flow: env.py runs the migrations through ``run_sync`` (aiosqlite)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from sterna.errors import MigrationError
from sterna.runtime.environment import EnvironmentContext
from tests.runtime.helpers import Chain, FakeConfig, table_names, upgrade_fn, version_rows

pytest.importorskip("aiosqlite")
pytest.importorskip("greenlet")  # SQLAlchemy's asyncio extension needs it

from sqlalchemy.ext.asyncio import create_async_engine


def _run(chain: Chain, path: Path) -> None:
    async def main() -> None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")

        def do_run(connection: Any) -> None:
            with EnvironmentContext(FakeConfig(), chain.directory(), fn=upgrade_fn(chain)) as env:
                env.configure(connection=connection)
                with env.begin_transaction():
                    env.run_migrations()

        try:
            async with engine.connect() as conn:
                await conn.run_sync(do_run)
        finally:
            await engine.dispose()

    asyncio.run(main())


def test_async_sqlite_rolls_back_a_failed_run(tmp_path: Path) -> None:
    chain = Chain(tmp_path)
    chain.add("a1", "op.execute('CREATE TABLE t_a (id INTEGER PRIMARY KEY)')")
    chain.add(
        "b2",
        "op.execute('CREATE TABLE t_b (id INTEGER)')\nop.execute('CREATE TABLE t_b (id INTEGER)')",
    )
    path = tmp_path / "async.db"
    with pytest.raises(MigrationError, match="b2"):
        _run(chain, path)
    url = f"sqlite:///{path}"
    assert not table_names(url) & {"t_a", "t_b"}
    assert version_rows(url) is None

    chain.scripts.pop()
    _run(chain, path)
    assert version_rows(url) == ["a1"] and "t_a" in table_names(url)
