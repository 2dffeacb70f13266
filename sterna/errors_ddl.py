"""The exceptions of the ddl layer (``sterna/ddl/``): an operation the dialect cannot carry out
as asked, and the batch table rebuild's refusals.  No SQLAlchemy (importing ``sterna.ddl`` would
import it, hence a module beside the package).
"""

from __future__ import annotations

from sterna.errors_root import CommandError

__all__ = [
    "BatchCopyFromRequired",
    "BatchDependentBroken",
    "BatchError",
    "BatchForeignKeyError",
    "BatchNoSuchObject",
    "MissingExistingArgument",
    "OperationError",
    "UnsupportedOperation",
]


class OperationError(CommandError):
    """An operation that cannot be carried out as asked (names the operation and the object)."""


class UnsupportedOperation(OperationError, NotImplementedError):
    """The backend cannot perform this operation directly (for example ALTER on SQLite)."""

    def __init__(self, dialect: str, operation: str, advice: str = "") -> None:
        self.dialect = dialect
        self.operation = operation
        tail = f"; {advice}" if advice else ""
        super().__init__(f"{operation} is not supported on {dialect}{tail}")


class MissingExistingArgument(OperationError):
    """An ALTER needs the current definition of a column and it was not given (offline mode)."""

    def __init__(self, operation: str, table: str, column: str, missing: tuple[str, ...]) -> None:
        self.operation = operation
        self.table = table
        self.column = column
        self.missing = missing
        names = ", ".join(missing)
        super().__init__(
            f"{operation} of column {column!r} on table {table!r} needs {names} in offline "
            "mode (the current definition cannot be read from the database)"
        )


class BatchError(OperationError):
    """``batch_alter_table`` cannot do what was asked; names the table and what is at fault."""

    def __init__(self, table: str, problem: str) -> None:
        self.table = table
        self.problem = problem
        super().__init__(f"batch_alter_table({table!r}): {problem}")


class BatchCopyFromRequired(BatchError):
    """Offline (``--sql``) a rebuild cannot read the table: ``copy_from`` must describe it."""


class BatchNoSuchObject(BatchError):
    """A column, constraint or index named by a batch operation does not exist (or already
    does, when adding it)."""


class BatchForeignKeyError(BatchError):
    """The rebuild would break, or did break, foreign keys in or towards the table; nothing
    was changed."""


class BatchDependentBroken(BatchError):
    """A trigger or view that worked before the rebuild no longer compiles after it; nothing
    was changed."""
