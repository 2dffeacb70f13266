"""The exceptions of the operations layer (``sterna/operations/``): an operation that cannot be
reversed, a batch block that needs a rebuild ``recreate='never'`` forbids.  No SQLAlchemy.
"""

from __future__ import annotations

from sterna.errors_ddl import BatchError, OperationError

__all__ = [
    "BatchRecreateRequired",
    "IrreversibleOperation",
]


class IrreversibleOperation(OperationError, ValueError):
    """``reverse()`` was asked of an operation whose inverse cannot be known."""

    def __init__(self, operation: str, reason: str) -> None:
        self.operation = operation
        self.reason = reason
        super().__init__(f"{operation} cannot be reversed: {reason}")


class BatchRecreateRequired(BatchError):
    """An operation needs the table to be rebuilt but ``recreate='never'`` forbids it (or the
    backend can only do it with a rebuild)."""
