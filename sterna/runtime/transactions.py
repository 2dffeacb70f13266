"""Transaction helpers of the runtime: the proxy env.py holds and the statements that only read.

SQLite's real transactions (the runtime emits ``BEGIN`` on its driver) are the implementation's:
``driver_transactions`` / ``ensure_driver_transaction`` in :mod:`sterna.ddl.sqlite`.
"""

from __future__ import annotations

from typing import Any, Protocol

#: First words of statements that change nothing (left out of the applied-statements record).
# left out of the statements a step records: reads, and the transaction's own control (a
# savepoint the script takes is made again by the script when a failed step is resumed)
_NOT_RECORDED = frozenset(
    {
        "SELECT",
        "SHOW",
        "DESCRIBE",
        "DESC",
        "EXPLAIN",
        "PRAGMA",
        "WITH",
        "BEGIN",
        "START",
        "COMMIT",
        "END",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
    }
)


class TransactionOwner(Protocol):
    def _end_transaction(self, commit: bool, failure: BaseException | None = None) -> None: ...


class TransactionProxy:
    """What ``begin_transaction()`` returns online: ends the context's transaction on exit.

    The context may replace its transaction while the block runs (``autocommit_block()`` commits
    and begins a new one), so the proxy acts on whatever transaction the context holds then.
    """

    def __init__(self, owner: TransactionOwner) -> None:
        self._owner = owner

    def __enter__(self) -> TransactionProxy:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._owner._end_transaction(commit=exc_type is None, failure=exc)

    def commit(self) -> None:
        self._owner._end_transaction(commit=True)

    def rollback(self) -> None:
        self._owner._end_transaction(commit=False)


def is_not_recorded(statement: str) -> bool:
    """Whether ``statement`` is left out of the statements a step recorded: it only reads, or
    it is transaction control (``SAVEPOINT``, ``RELEASE``, ``ROLLBACK TO``, ...)."""
    word = _first_word(statement)
    return not word or word in _NOT_RECORDED


def _first_word(statement: str) -> str:
    words = statement.split(None, 1)
    return words[0].upper() if words else ""


def one_line(sql: str) -> str:
    """``sql`` with every run of whitespace collapsed to one space."""
    return " ".join(sql.split())
