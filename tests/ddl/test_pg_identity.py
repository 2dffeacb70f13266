"""alter_column to, from and between identity columns on PostgreSQL: the offline SQL is
Alembic's, and online the column's identity is what was asked (read from the catalog)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import Column, Identity, Integer, MetaData, Table, create_engine, text

from sterna.compat import alembic_alias
from sterna.errors import OperationError
from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext

CASES: list[dict[str, Any]] = [
    {"server_default": Identity(always=True, start=5, increment=2)},
    {"server_default": Identity()},
    {"server_default": None, "existing_server_default": Identity()},
    {"server_default": Identity(always=True), "existing_server_default": Identity()},
    {
        "server_default": Identity(
            start=3, increment=4, minvalue=1, maxvalue=100, cycle=True, cache=5
        ),
        "existing_server_default": Identity(start=1),
    },
    # options the new identity leaves out stay as they are ("SET MAXVALUE None" was written)
    {
        "server_default": Identity(start=3, cache=2),
        "existing_server_default": Identity(start=3, maxvalue=9999, minvalue=0),
    },
]


def offline(context_module: Any, operations_module: Any, kw: dict[str, Any]) -> str:
    buf = io.StringIO()
    ctx = context_module.MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    operations_module.Operations(ctx).alter_column("t", "id", existing_type=Integer(), **kw)
    return buf.getvalue()


@pytest.mark.parametrize("kw", CASES)
def test_offline_sql_is_alembics(kw: dict[str, Any]) -> None:
    import alembic.operations as real_operations
    import alembic.runtime.migration as real_migration

    expected = offline(real_migration, real_operations, kw)
    with alembic_alias():
        import alembic.operations as operations
        import alembic.runtime.migration as migration

        assert offline(migration, operations, kw) == expected


def identity_of(conn: Any) -> tuple[str, str, str, str]:
    row = conn.execute(
        text(
            "SELECT is_identity, identity_generation, identity_start, identity_increment "
            "FROM information_schema.columns WHERE table_name = 't' AND column_name = 'id'"
        )
    ).one()
    return tuple(str(value) for value in row)  # type: ignore[return-value]


def test_online_add_change_drop(pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            Table("t", MetaData(), Column("id", Integer, nullable=False)).create(conn)
            op = Operations(MigrationContext.configure(conn))
            op.alter_column("t", "id", server_default=Identity(start=10), existing_type=Integer())
            assert identity_of(conn) == ("YES", "BY DEFAULT", "10", "1")
            op.alter_column(
                "t",
                "id",
                server_default=Identity(always=True, start=10, increment=3),
                existing_server_default=Identity(start=10),
            )
            assert identity_of(conn) == ("YES", "ALWAYS", "10", "3")
            op.alter_column(
                "t", "id", server_default=None, existing_server_default=Identity(always=True)
            )
            assert identity_of(conn)[0] == "NO"
            with pytest.raises(OperationError, match="between an identity and a plain"):
                op.alter_column("t", "id", server_default="5", existing_server_default=Identity())
    finally:
        engine.dispose()
