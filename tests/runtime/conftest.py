"""Runtime test fixtures.

Until the operations layer provides ``sterna.operations.Operations``, a minimal stand-in with
``execute``/``get_bind``/``get_context`` is installed so that the runtime can be tested alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_mock_engine

from sterna.ddl.impl import DefaultImpl
from sterna.runtime.migration import MigrationContext


class MinimalOperations:
    def __init__(self, migration_context: MigrationContext) -> None:
        self.migration_context = migration_context
        self.impl = migration_context.impl

    def execute(self, sql: Any, execution_options: Any = None) -> None:
        self.migration_context.impl._exec(sql, execution_options)

    def get_bind(self) -> Any:
        return self.migration_context.bind

    def get_context(self) -> MigrationContext:
        return self.migration_context


def _has_real_operations() -> bool:
    try:
        from sterna.operations import Operations  # noqa: F401
    except ImportError:
        return False
    return True


class _TransactionalImpl(DefaultImpl):
    transactional_ddl = True


@pytest.fixture(autouse=True)
def _operations_available(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not _has_real_operations():
        monkeypatch.setattr(MigrationContext, "_operations", lambda self: MinimalOperations(self))
    DefaultImpl.get_by_dialect(create_mock_engine("sqlite://", print).dialect)  # load registry
    if "postgresql" not in DefaultImpl._registry:
        # until sterna/ddl/postgresql.py exists: PostgreSQL has transactional DDL
        monkeypatch.setitem(DefaultImpl._registry, "postgresql", _TransactionalImpl)
    yield
