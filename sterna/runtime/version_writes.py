"""Writing a run's version-table changes online, the intermediate ones of a chain deferred.

In a run whose steps all commit in one transaction that Sterna holds (env.py's
``begin_transaction()`` on PostgreSQL, or SQLite made transactional), the version row a step
writes can be seen by no other connection before the commit, and inside the transaction only by
what reads the table.  So a step's change is kept in memory instead of being sent at once, and
the next step's UPDATE continues it: ``a -> b``, ``b -> c``, ``c -> d`` become one
``UPDATE ... SET 'd' WHERE 'a'`` (an INSERT from base followed by UPDATEs: one INSERT; UPDATEs
followed by a DELETE back to base: one DELETE).  A step
of 20-40 lines sends 2-3 statements; one fewer is a third of its round trips (issue 15).

The change kept is written first (flushed) wherever the table could be seen, so that whatever
looks finds what Alembic's step-by-step writes would have left there:

* the last step of the run writes its change with the chain (inside that step, so that a table
  that does not match fails that step, as a step's own UPDATE does);
* ``get_current_heads()`` / ``get_current_revision()`` (a script or env.py asking);
* a statement that names the version table, from a script or anything else on the run's
  connection (seen by the dialect's execution methods, :mod:`sterna.runtime.counting`, before
  the driver runs it);
* ``on_version_apply`` callbacks (none: nothing is deferred when the run has any);
* the commit of the transaction (``autocommit_block()``, a commit through the transaction
  proxy) and the end of ``run_migrations()``;
* a step that fails: the change of the steps done is written if the transaction can still take
  it (a failed statement on PostgreSQL aborts it: then nothing of it can commit), so that an
  env.py that catches the failure and commits leaves the version of the last completed step;
  the rollback that usually follows drops it with everything else.

Nothing is deferred with ``transaction_per_migration`` (each step commits), on MySQL/MariaDB
(DDL commits itself), in a transaction the caller began (the caller commits when it likes), with
``--resume`` (statements are taken by SQLAlchemy's events there, not watched) or offline (the
SQL written is Alembic's, statement for statement).
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy.exc import DBAPIError

from sterna.runtime.versions import VersionChangeLike

if TYPE_CHECKING:
    from sterna.runtime.migration import MigrationContext


class _Change(NamedTuple):
    """A version change (as :class:`VersionChangeLike`), possibly several steps folded."""

    kind: str
    old: str | None
    new: str | None


class VersionWrites:
    """The online version-table writes of one migration context's run."""

    def __init__(self, ctx: MigrationContext) -> None:
        self.ctx = ctx
        self._pending: _Change | None = None
        self._name = ctx._version.name.lower()

    def may_defer(self) -> bool:
        """Whether a step's change may wait for the next step's: the steps commit together in
        the transaction Sterna holds for the run, and no callback sees each step."""
        ctx = self.ctx
        return (
            ctx._transaction is not None
            and ctx._scope == "run"
            and ctx.transactional_ddl
            and not ctx.options.on_version_apply
        )

    def apply(self, change: VersionChangeLike, defer: bool) -> None:
        """Write ``change``; with ``defer``, keep it (folded into the change kept) if it can
        be kept."""
        pending = self._pending
        if pending is not None and change.kind != "insert" and change.old == pending.new:
            self._pending = None
            self._watch(False)
            if change.kind == "delete":  # the row goes: it was never written, or as it was
                if pending.kind == "update":
                    self._write(_Change("delete", pending.old, None))
                return
            self.apply(_Change(pending.kind, pending.old, change.new), defer)
            return
        self.flush()
        if defer and change.kind in ("insert", "update") and self._watch(True):
            self._pending = _Change(change.kind, change.old, change.new)
            return
        self._write(change)

    def flush(self) -> None:
        """Write the change kept, if any."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._watch(False)
            self._write(pending)

    def discard(self) -> None:
        """The transaction was rolled back: the change kept was in it."""
        if self._pending is not None:
            self._pending = None
            self._watch(False)

    def after_failure(self) -> None:
        """A step failed: write the change of the steps done while the transaction can take
        it; when it cannot (PostgreSQL after a failed statement), nothing of it can commit."""
        with suppress(DBAPIError):
            self.flush()

    def _watch(self, on: bool) -> bool:
        history = self.ctx._history
        if history is None:
            return False
        return history.journal.watch(self._seen if on else None)

    def _seen(self, statement: str) -> None:
        """A statement about to run: the change kept goes first if it names the table."""
        if self._name in statement.lower():
            self.flush()

    def _write(self, change: VersionChangeLike) -> None:
        ctx = self.ctx
        conn = ctx._require_connection("a version change")
        history = ctx._history
        if history is None:
            ctx._version.apply(conn, change)
            return
        with history.journal.paused():  # not one of the running step's statements
            ctx._version.apply(conn, change)
