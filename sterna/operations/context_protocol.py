"""What the operations layer needs from the runtime's ``MigrationContext`` (a typing Protocol).

The runtime (``sterna.runtime.migration.MigrationContext``) satisfies it; tests may pass a small
fake.  Keeping the dependency structural avoids importing the runtime from the operations layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

    from sterna.ddl.impl import DefaultImpl


class MigrationContextLike(Protocol):
    """The attributes of a migration context that operations use."""

    impl: DefaultImpl
    dialect: Dialect
    opts: Mapping[str, Any]
    as_sql: bool

    @property
    def bind(self) -> Connection | None: ...

    def autocommit_block(self) -> AbstractContextManager[Any]: ...
