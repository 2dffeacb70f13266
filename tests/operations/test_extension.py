"""The extension API: ``Operations.register_operation`` / ``Operations.implementation_for``,
``invoke``, and a project whose migrations use its own operation through the CLI."""

from __future__ import annotations

import sqlite3
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sterna.operations import MigrateOperation, Operations, ops
from sterna.operations.base import AbstractOperations
from tests.conftest import run_sterna
from tests.ddl.support import offline, online


class CreateViewOp(MigrateOperation):
    """A project's own operation, written the way Alembic's documentation shows."""

    def __init__(self, view_name: str, select: str, *, schema: str | None = None) -> None:
        self.view_name = view_name
        self.select = select
        self.schema = schema

    @classmethod
    def create_view(cls, operations: Any, view_name: str, select: str, **kw: Any) -> Any:
        return operations.invoke(cls(view_name, select, **kw))

    @classmethod
    def make_view(cls, operations: Any, view_name: str, select: str) -> Any:
        return operations.invoke(cls(view_name, select))

    def reverse(self) -> MigrateOperation:
        return ops.ExecuteSQLOp(f"DROP VIEW {self.view_name}")


@pytest.fixture
def registered() -> Iterator[None]:
    Operations.register_operation("create_view")(CreateViewOp)
    Operations.register_operation("make_a_view", "make_view")(CreateViewOp)

    @Operations.implementation_for(CreateViewOp)
    def create_view(operations: Operations, operation: CreateViewOp) -> str:
        operations.execute(f"CREATE VIEW {operation.view_name} AS {operation.select}")
        return operation.view_name

    try:
        yield
    finally:
        delattr(Operations, "create_view")
        delattr(Operations, "make_a_view")
        AbstractOperations._to_impl.pop(CreateViewOp)


def test_custom_operation_online_and_offline(registered: None, sqlite_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> Any:
        op.create_table("t", sa.Column("a", sa.Integer))
        result = op.create_view("v", "SELECT a FROM t")  # type: ignore[attr-defined]
        op.make_a_view("w", "SELECT 1 AS one")  # type: ignore[attr-defined]
        create_x = CreateViewOp("x", "SELECT 2 AS two")
        op.invoke(create_x)
        op.invoke(create_x.reverse())
        return result, sa.inspect(conn).get_view_names()

    result, views = online(sqlite_url, lambda op, conn: migrate(op, conn))
    assert result == "v"
    assert sorted(views) == ["v", "w"]
    sql = offline("postgresql", lambda op: op.create_view("v", "SELECT 1"))
    assert sql == ["CREATE VIEW v AS SELECT 1"]


def test_register_operation_needs_the_source_classmethod() -> None:
    with pytest.raises(AttributeError, match="CreateViewOp has no classmethod 'nope'"):
        Operations.register_operation("nope")(CreateViewOp)
    assert not hasattr(Operations, "nope")


def test_implementation_for_refuses_a_second_registration_unless_replace(
    sqlite_url: str,
) -> None:
    original = AbstractOperations._to_impl[ops.ExecuteSQLOp]
    with pytest.raises(ValueError, match="already registered.*replace=True"):
        Operations.implementation_for(ops.ExecuteSQLOp)(lambda operations, operation: None)
    seen: list[Any] = []
    try:
        Operations.implementation_for(ops.ExecuteSQLOp, replace=True)(
            lambda operations, operation: seen.append(operation.sqltext)
        )
        online(sqlite_url, lambda op, conn: op.execute("this is not SQL"))
    finally:
        Operations.implementation_for(ops.ExecuteSQLOp, replace=True)(original)
    assert seen == ["this is not SQL"]


def test_subclass_of_builtin_operation_uses_its_implementation(sqlite_url: str) -> None:
    class AuditedAddColumn(ops.AddColumnOp):
        pass

    def migrate(op: Operations, conn: Connection) -> list[str]:
        op.create_table("t", sa.Column("a", sa.Integer))
        op.invoke(AuditedAddColumn("t", sa.Column("b", sa.String(5))))
        return [c["name"] for c in sa.inspect(conn).get_columns("t")]

    assert online(sqlite_url, migrate) == ["a", "b"]


def test_invoke_without_implementation_is_a_clear_error(sqlite_url: str) -> None:
    class Unknown(MigrateOperation):
        pass

    with pytest.raises(NotImplementedError, match="no implementation registered for Unknown"):
        online(sqlite_url, lambda op, conn: op.invoke(Unknown()))


def test_overriding_a_builtin_directive_name(sqlite_url: str) -> None:
    """A project that registers an operation under a built-in name gets its own one."""
    builtin = Operations.__dict__.get("create_view")
    assert builtin is None
    original = Operations.create_schema

    class MySchemaOp(MigrateOperation):
        def __init__(self, name: str) -> None:
            self.name = name

        @classmethod
        def create_schema(cls, operations: Any, name: str) -> Any:
            return operations.invoke(cls(name))

    Operations.register_operation("create_schema")(MySchemaOp)
    Operations.implementation_for(MySchemaOp)(lambda operations, operation: operation.name)
    try:
        assert online(sqlite_url, lambda op, conn: op.create_schema("x")) == "x"
    finally:
        Operations.create_schema = original  # type: ignore[method-assign]
        AbstractOperations._to_impl.pop(MySchemaOp)


PROJECT_OPS = """
from sterna.operations import MigrateOperation, Operations


@Operations.register_operation("create_view")
class CreateViewOp(MigrateOperation):
    def __init__(self, view_name, select):
        self.view_name = view_name
        self.select = select

    @classmethod
    def create_view(cls, operations, view_name, select):
        return operations.invoke(cls(view_name, select))

    def reverse(self):
        return DropViewOp(self.view_name, self.select)


@Operations.register_operation("drop_view")
class DropViewOp(MigrateOperation):
    def __init__(self, view_name, old_select=None):
        self.view_name = view_name
        self.old_select = old_select

    @classmethod
    def drop_view(cls, operations, view_name, **kw):
        return operations.invoke(cls(view_name, **kw))


@Operations.implementation_for(CreateViewOp)
def create_view(operations, operation):
    operations.execute(f"CREATE VIEW {operation.view_name} AS {operation.select}")


@Operations.implementation_for(DropViewOp)
def drop_view(operations, operation):
    operations.execute(f"DROP VIEW {operation.view_name}")
"""

ENV_PY = """
from sqlalchemy import create_engine
from sterna import context
import project_ops  # noqa: F401  (registers the project's operations)

url = context.config.get_main_option("sqlalchemy.url")
if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with create_engine(url).connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
"""

SCRIPT = '''
"""add view

Revision ID: a1
Revises:
"""
from sterna import op
import sqlalchemy as sa

revision = "a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t", sa.Column("a", sa.Integer))
    op.create_view("v", "SELECT a FROM t")


def downgrade():
    op.drop_view("v")
    op.drop_table("t")
'''


def test_project_with_its_own_operation(tmp_path: Path) -> None:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "project_ops.py").write_text(PROJECT_OPS)
    (tmp_path / "migrations" / "env.py").write_text(ENV_PY)
    (tmp_path / "migrations" / "versions" / "a1_add_view.py").write_text(textwrap.dedent(SCRIPT))
    db = tmp_path / "app.db"
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n"
        f"sqlalchemy.url = sqlite:///{db}\n"
    )

    def views() -> list[str]:
        with sqlite3.connect(db) as conn:
            return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='view'")]

    run_sterna("upgrade", "head", cwd=tmp_path, check=True)
    assert views() == ["v"]
    run_sterna("downgrade", "base", cwd=tmp_path, check=True)
    assert views() == []
    sql = run_sterna("upgrade", "head", "--sql", cwd=tmp_path, check=True).stdout
    assert "CREATE VIEW v AS SELECT a FROM t;" in sql
