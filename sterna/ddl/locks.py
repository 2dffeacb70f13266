"""What a dialect's migration lock offers the runtime (``sterna/runtime/lock.py``).

Each dialect implementation returns one from ``DefaultImpl.migration_lock()``: a PostgreSQL
session advisory lock (``ddl/postgresql.py``), a MySQL/MariaDB named lock (``ddl/mysql.py``), an
``flock`` on a file beside a SQLite database (``ddl/sqlite.py``).  The runtime polls
``try_acquire()``; it never blocks in the database, so that no transaction stays open while a run
waits.  Names and keys are derived from the version table, so runs that share a version table
exclude each other and runs on other version tables (other schemas, tenants) do not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from typing import Protocol


class MigrationLock(Protocol):
    """One migration lock of one connection (or file)."""

    #: what the lock is, for messages: ``advisory lock 123 (sterna:public.alembic_version)``
    description: str

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        ...

    def release(self) -> None:
        """Give back one acquisition (a no-op for a lock the transaction's end releases)."""
        ...

    def session_token(self) -> Hashable:
        """Identifies the session (or file) that holds the lock after ``try_acquire()``
        succeeded, so that a second run of this process finds it is the holder."""
        ...

    def holder_token(self) -> Hashable | None:
        """Identifies the session (or file) holding the lock now, or None if unknown."""
        ...

    def describe_holder(self) -> str:
        """Who holds the lock, on one line, as far as the database can tell."""
        ...


def lock_identity(schema: str, table: str) -> str:
    """The text lock keys are derived from: ``sterna:<schema>.<table>``."""
    return f"sterna:{schema}.{table}"


def advisory_key(identity: str) -> int:
    """A stable signed 64-bit key: the first 8 bytes of the SHA-256 of ``identity``."""
    digest = hashlib.sha256(identity.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def short_name(identity: str, limit: int = 64) -> str:
    """``identity`` when it fits in ``limit`` characters, else ``sterna:`` and a hash."""
    if len(identity) <= limit:
        return identity
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()
    return "sterna:" + digest[: limit - len("sterna:")]
