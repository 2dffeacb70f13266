"""The facade's helpers: get_bind, get_context, f, naming conventions, run_async, context()."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sterna.errors import OperationError
from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext
from tests.ddl.support import online, statements

CONVENTION = {
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
}


def _naming_calls(op: Any) -> None:
    op.create_unique_constraint(None, "order", ["a b"])
    op.create_check_constraint("positive", "order", "x > 0")
    op.create_check_constraint(op.f("ck_final"), "order", "x > 1")
    op.create_foreign_key(None, "order", "r", ["rid"], ["id"])
    op.create_index(None, "order", ["x"])
    op.drop_constraint(op.f("uq_order_a b"), "order", type_="unique")


def _offline_with(context_cls: Any, operations_cls: Any) -> list[str]:
    buf = io.StringIO()
    metadata = sa.MetaData(naming_convention=CONVENTION)
    context = context_cls.configure(
        dialect_name="postgresql",
        opts={"as_sql": True, "output_buffer": buf, "target_metadata": metadata},
    )
    _naming_calls(operations_cls(context))
    return statements(buf.getvalue())


def test_naming_convention_of_target_metadata_and_f_match_alembic() -> None:
    from alembic.operations import Operations as AlembicOperations
    from alembic.runtime.migration import MigrationContext as AlembicContext

    ours = _offline_with(MigrationContext, Operations)
    assert ours == _offline_with(AlembicContext, AlembicOperations)
    assert ours[0] == 'ALTER TABLE "order" ADD CONSTRAINT "uq_order_a b" UNIQUE ("a b")'
    assert ours[2] == 'ALTER TABLE "order" ADD CONSTRAINT ck_final CHECK (x > 1)'


def test_get_bind_get_context_and_migration_context(sqlite_url: str) -> None:
    def check(op: Operations, conn: Connection) -> None:
        assert op.get_bind() is conn
        assert op.get_context() is op.migration_context
        assert op.impl is op.migration_context.impl
        assert op.impl.dialect.name == "sqlite"

    online(sqlite_url, check)
    buf = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": buf}
    )
    from sqlalchemy.engine.mock import MockConnection

    assert isinstance(Operations(context).get_bind(), MockConnection)


def test_context_installs_op_proxy(sqlite_url: str) -> None:
    from sterna import op as op_proxy

    def run(op: Operations, conn: Connection) -> list[str]:
        with Operations.context(op.migration_context) as installed:
            op_proxy.create_table("t", sa.Column("a", sa.Integer))
            assert isinstance(installed, Operations)
        return sa.inspect(conn).get_table_names()

    assert online(sqlite_url, run) == ["t"]


async def _insert_and_count(aconn: Any, table: str, value: int) -> int:
    await aconn.execute(sa.text(f"INSERT INTO {table} (a) VALUES (:v)"), {"v": value})
    result = await aconn.execute(sa.text(f"SELECT count(*) FROM {table}"))
    count: int = result.scalar()
    return count


def test_run_async_on_an_async_engine(tmp_path: Path) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    def migrate(sync_conn: Connection) -> int:
        op = Operations(MigrationContext.configure(connection=sync_conn))
        op.create_table("t", sa.Column("a", sa.Integer))
        first: int = op.run_async(_insert_and_count, "t", 1)
        op.bulk_insert(sa.table("t", sa.column("a")), [{"a": 2}])
        second: int = op.run_async(_insert_and_count, "t", value=3)
        return first * 10 + second

    async def main() -> tuple[int, Any]:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
        try:
            async with engine.begin() as conn:
                result = await conn.run_sync(migrate)
            async with engine.connect() as conn:
                total = (await conn.execute(sa.text("SELECT sum(a) FROM t"))).scalar()
        finally:
            await engine.dispose()
        return result, total

    assert asyncio.run(main()) == (13, 6)


def test_run_async_needs_an_async_connection(sqlite_url: str) -> None:
    with pytest.raises(OperationError, match="async engine"):
        online(sqlite_url, lambda op, conn: op.run_async(_insert_and_count, "t", 1))
    buf = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": buf}
    )
    with pytest.raises(OperationError, match="not offline mode"):
        Operations(context).run_async(_insert_and_count, "t", 1)
