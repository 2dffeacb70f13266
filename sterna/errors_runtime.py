"""The exceptions of the runtime (``sterna/runtime/``): the database (connect, URL, statements,
the migration lock), failed steps, the version table, misuse of the runtime API.  How a
failure is turned into one of them is :mod:`sterna.runtime.errors`.  No SQLAlchemy.
"""

from __future__ import annotations

from sterna.errors_root import CommandError

__all__ = [
    "ContextUsageError",
    "DatabaseConnectError",
    "DatabaseError",
    "DatabaseStatementError",
    "DatabaseURLError",
    "MigrationError",
    "MigrationLockTimeout",
    "PartialMigrationError",
    "ResumeMismatchError",
    "VersionTableError",
]


class ContextUsageError(CommandError):
    """env.py or a tool used the runtime API in a way that cannot work (names the call)."""


class VersionTableError(CommandError):
    """The version table does not hold the row a step expects: it no longer tells the truth."""

    def __init__(self, table: str, action: str, revision: str, found: int) -> None:
        self.table = table
        self.action = action
        self.revision = revision
        self.found = found
        super().__init__(
            f"version table {table!r}: expected exactly one row {revision!r} to {action}, "
            f"found {found}; the table does not match the revisions applied to this database"
        )


class MigrationError(CommandError):
    """A migration step failed; the version table reflects the last completed step."""

    def __init__(self, revision: str, direction: str, statement: str | None, cause: str) -> None:
        self.revision = revision
        self.direction = direction
        self.statement = statement
        self.cause = cause
        where = f" while running {statement!r}" if statement else ""
        super().__init__(f"{direction} of revision {revision} failed{where}: {cause}")


class PartialMigrationError(MigrationError):
    """A step failed on a backend whose DDL commits implicitly; names what was already applied."""

    def __init__(
        self,
        revision: str,
        direction: str,
        statement: str | None,
        cause: str,
        applied: tuple[str, ...],
    ) -> None:
        super().__init__(revision, direction, statement, cause)
        self.applied = applied
        if applied:
            listed = "; ".join(repr(s) for s in applied)
            tail = (
                f" (statements of this step already applied and NOT rolled back, since they "
                f"were committed (DDL commits implicitly on this backend, or they ran in "
                f"autocommit_block()): {listed}; the version table still shows the revision "
                f"before this step)"
            )
        else:
            tail = " (no statement of this step had been applied)"
        if applied:
            tail += (
                f"; the history table records them: fix the script and run 'sterna upgrade "
                f"--resume' (skips them), or finish or undo the step by hand and run 'sterna "
                f"resolve {revision} --applied' or '--rolled-back'"
            )
        self.args = (self.args[0] + tail,)


class ResumeMismatchError(CommandError):
    """``upgrade --resume``: a statement of the fixed script differs from the one the failed run
    executed at the same place; nothing more was run."""

    def __init__(self, revision: str, number: int, statement: str) -> None:
        self.revision = revision
        self.number = number
        super().__init__(
            f"cannot resume {revision}: its statement {number} is not the one that took effect "
            f"in the failed run (now {statement[:200]!r}); keep the statements that ran "
            f"unchanged, or repair by hand and run 'sterna resolve {revision} --applied' or "
            f"'--rolled-back'; nothing more was run"
        )


class DatabaseError(CommandError):
    """The database cannot be reached or refused the credentials."""


class DatabaseConnectError(DatabaseError):
    """Connecting failed (unreachable server, wrong password); the URL is shown without password.

    ``option`` names the setting the URL came from (``sqlalchemy.url``) when known; ``state``
    says what the database is left in."""

    def __init__(
        self, url: str | None, cause: str, option: str | None = None, state: str | None = None
    ) -> None:
        self.url = url
        self.cause = cause
        where = f" {url}" if url else ""
        where += f" ({option})" if option else ""
        tail = f"; {state}" if state else ""
        super().__init__(f"Can't connect to database{where}: {cause}{tail}")


class DatabaseURLError(DatabaseError):
    """The database URL cannot be used (unparsable, unknown dialect or driver, a query argument
    the driver refuses); nothing reached the database.  The password is masked."""

    def __init__(self, option: str, url: str | None, problem: str, state: str) -> None:
        self.option = option
        self.url = url
        self.problem = problem
        shown = f" {url}" if url else ""
        super().__init__(f"{option}{shown} is not usable: {problem}; {state}")


class DatabaseStatementError(DatabaseError):
    """A statement failed outside any migration step (in env.py, or creating the version
    table); names the statement (on one line) and what the database is left in."""

    def __init__(self, statement: str, cause: str, state: str) -> None:
        self.statement = statement
        self.cause = cause
        super().__init__(f"Database error while running {statement!r}: {cause}; {state}")


class MigrationLockTimeout(DatabaseError):
    """Another run held the migration lock for longer than the lock timeout; names the lock and
    its holder.  Nothing was written to the database."""

    def __init__(self, lock: str, holder: str, timeout: float) -> None:
        self.lock = lock
        self.holder = holder
        self.timeout = timeout
        super().__init__(
            f"Timed out after {timeout:g} s waiting for the migration lock ({lock}), held by "
            f"{holder}; nothing was done to the database (raise --lock-timeout / "
            f"sterna_lock_timeout, or check that the holder is still running)"
        )
