"""The journal of a running step: which of its statements took effect, recorded as they do.

A step that cannot be rolled back as a whole (MySQL/MariaDB, whose DDL commits implicitly;
PostgreSQL once the step entered ``autocommit_block()``) has a history row that is already
committed while its statements run (:mod:`sterna.runtime.history`).  After each statement that
changes something, the journal appends the statement's hash to that row, on the driver
connection and in whatever transaction the driver has open:

* after a statement that committed (``impl.commits_implicitly()``, or any statement inside an
  autocommit block) the row is written and committed at once;
* after one that did not (DML on MySQL), the row is written in the same transaction, so the
  record commits or rolls back with the statement itself: MariaDB's DML before a DDL that
  failed to parse is rolled back, and so is its record.

So after a failure, Ctrl-C or kill -9 the row says which statements took effect.  One window is
left: between the end of a committing statement and the commit of its record (a kill -9 there
leaves the statement unrecorded); a ``running`` row says so (docs/production.md).  Ctrl-C while a
statement runs is held until the statement and its record are done.

A statement's hash: SHA-256 of its text with whitespace collapsed, and of its parameters, first
16 hex digits.  ``upgrade --resume`` gives the hashes recorded by the failed run: the step's first
statements are compared with them and skipped when equal (SQLAlchemy's ``do_execute`` events),
and the step is refused before its first unequal statement runs.
"""

from __future__ import annotations

import hashlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

from sterna.errors_runtime import ResumeMismatchError
from sterna.runtime.counting import CountedDialect, Watch
from sterna.runtime.transactions import is_not_recorded, one_line

if TYPE_CHECKING:
    from sterna.runtime.history_table import HistoryTable
    from sterna.runtime.migration import MigrationContext

_EXECUTE_EVENTS = ("do_execute", "do_executemany", "do_execute_no_params")


def statement_hash(statement: str, parameters: Any) -> str:
    text = one_line(statement) + "\x00" + ("" if parameters in (None, (), {}) else repr(parameters))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class StepJournal:
    """The statements one step has executed (texts and hashes), and how many are for good."""

    def __init__(self, ctx: MigrationContext, table: HistoryTable) -> None:
        self.ctx = ctx
        self.table = table
        self._earlier: list[str] = []  # hashes that took effect in the failed run (resume)
        self._raw: list[tuple[str, Any]] = []  # this run's statements and parameters
        self._hashes: list[str] = []  # hashes of the first statements of ``_raw`` (lazy)
        self.durable = 0  # how many statements are committed for good
        self.active = False  # a step is running
        self.row_id: int | None = None
        self.row_durable = False  # whether the row is committed (writes go through at once)
        self.in_autocommit = False
        self._resume: list[str] = []
        self._resume_label = ""
        self._skipping = False
        self._conn: Connection | None = None
        self._listeners: list[tuple[Any, str, Callable[..., Any]]] = []
        self._counted: CountedDialect | None = None
        self._holding = False  # whether the listeners that hold Ctrl-C are attached
        self._after_each = False  # whether statements are taken once done (else as sent)
        self._interrupt = _HeldInterrupt()

    # -- attaching --------------------------------------------------------------------------------

    def attach(self, conn: Connection, resume: bool) -> None:
        """Listen to ``conn``'s statements.  Where rows are committed while steps run: after
        each statement, and around each execution (Ctrl-C held); when ``resume``, also to its
        engine's executions (to skip statements).  Where a step commits as a whole, only its
        statements' count and texts are needed: they are taken once the driver executed them,
        by the dialect's execution methods (:mod:`sterna.runtime.counting`)."""
        self._conn = conn
        if self.ctx.transactional_ddl and not resume:
            self._counted = CountedDialect(conn.dialect, self._executed)
        else:
            self._listen_after()
        if resume:
            for name in _EXECUTE_EVENTS:
                self._listen(conn.engine, name, self._do_execute)
        self._interrupt.install()

    def _listen_after(self) -> None:
        """From here on (for the rest of the run) statements are taken once they are done."""
        if self._conn is not None and not self._after_each:
            self._after_each = True
            self._listen(self._conn, "after_cursor_execute", self._after)
            self._hold_interrupts()

    def _listen(self, target: Any, name: str, listener: Callable[..., Any]) -> None:
        event.listen(target, name, listener)
        self._listeners.append((target, name, listener))

    def _hold_interrupts(self) -> None:
        if self._conn is not None and not self._holding:
            self._holding = True
            self._listen(self._conn, "before_cursor_execute", self._before)
            self._listen(self._conn, "after_execute", self._after_execute)

    def detach(self) -> None:
        if self._counted is not None:
            self._counted.restore()
            self._counted = None
        listeners, self._listeners, self._conn = self._listeners, [], None
        self._holding = self._after_each = False
        for target, name, listener in listeners:
            event.remove(target, name, listener)
        self._interrupt.uninstall()

    # -- one step -------------------------------------------------------------------------------

    def start(
        self, row_id: int | None, durable: bool, resume: Sequence[str], label: str = ""
    ) -> None:
        self._earlier, self._raw, self._hashes = list(resume), [], []
        self.durable = len(resume)
        self.row_id, self.row_durable, self.active = row_id, durable, True
        self._resume, self._resume_label = list(resume), label

    def stop(self) -> None:
        self.row_id, self.row_durable, self.active, self._resume = None, False, False, []

    @property
    def count(self) -> int:
        """How many statements of the step took effect or ran so far (resumed ones too)."""
        return len(self._earlier) + len(self._raw)

    @property
    def hashes(self) -> list[str]:
        """The hash of each statement counted (computed when first asked for: a step that
        commits as a whole never needs them)."""
        done = self._hashes
        for statement, parameters in self._raw[len(done) :]:
            done.append(statement_hash(statement, parameters))
        return self._earlier + done

    def texts(self, upto: int) -> list[str]:
        """The first ``upto`` statements counted, each on one line."""
        earlier = ["(taken effect in an earlier run)"] * len(self._earlier)
        return (earlier + [one_line(statement) for statement, _ in self._raw])[:upto]

    def watch(self, watch: Watch | None) -> bool:
        """Give each statement to ``watch`` before it runs (``None``: stop); whether statements
        can be watched (they are counted through the dialect: a step that commits as a whole,
        no ``--resume``)."""
        if self._counted is None:
            return False
        self._counted.watch = watch
        return True

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Statements run meanwhile are not the step's (a write of Sterna's own)."""
        active, self.active = self.active, False
        try:
            yield
        finally:
            self.active = active

    def made_durable(self, row_id: int) -> None:
        """The step's row now holds what ran so far and commits with it (autocommit_block):
        from here on each statement is written into it."""
        self.row_id, self.row_durable, self.durable = row_id, True, self.count
        self._listen_after()

    def committed_count(self, failing: str | None, exc: BaseException) -> int:
        """How many statements took effect for good once the failed step is rolled back."""
        if self.ctx.impl.failure_committed(failing, exc):
            return self.count
        return self.durable

    def pending_resume(self) -> int:
        """How many recorded statements the step has not met yet (resume)."""
        return len(self._resume)

    # -- events ---------------------------------------------------------------------------------

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.row_durable and self.row_id is not None and not is_not_recorded(statement):
            self._interrupt.hold()

    def _executed(self, statement: str, parameters: Any, context: Any) -> None:
        """A statement the driver executed (:class:`~sterna.runtime.counting.CountedDialect`):
        counted when it is the step's, on this run's connection."""
        if (
            self.active
            and not self._after_each
            and context is not None
            and context.root_connection is self._conn
            and not is_not_recorded(statement)
        ):
            self._raw.append((statement, parameters))

    def _do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        """Skip a statement the failed run already executed (resume)."""
        if not self._resume or is_not_recorded(statement):
            return False
        if context is not None and context.root_connection is not self._conn:
            return False
        expected = self._resume[0]
        found = statement_hash(statement, parameters)
        if found != expected:
            done = self.count - len(self._resume)
            raise ResumeMismatchError(self._resume_label, done + 1, one_line(statement))
        self._resume.pop(0)
        self._skipping = True
        return True

    def _after(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if self._skipping:
            self._skipping = False
            return
        if not self.active or is_not_recorded(statement):
            return
        self._raw.append((statement, parameters))
        if not self.row_durable:
            return
        committed = self.in_autocommit or self.ctx.impl.commits_implicitly(statement)
        if committed:
            self.durable = self.count
        self._write(commit=committed and not self.in_autocommit)

    def _after_execute(self, *args: Any) -> None:
        self._interrupt.release()

    def _write(self, commit: bool) -> None:
        conn = self.ctx.connection
        if self.row_id is None or conn is None:
            return
        hashes = self.hashes
        self.table.write_progress(conn, self.row_id, len(hashes), " ".join(hashes), commit)


class _HeldInterrupt:
    """SIGINT held while a statement runs, delivered (as KeyboardInterrupt) once it is done."""

    def __init__(self) -> None:
        self._holding = False
        self._pending = False
        self._installed = False

    def install(self) -> None:
        """Take over SIGINT for the run (main thread, default handler only)."""
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return  # someone else's handler: leave it
        signal.signal(signal.SIGINT, self._on_sigint)
        self._installed = True

    def uninstall(self) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self._installed = False
        self._holding = self._pending = False

    def hold(self) -> None:
        self._holding = True

    def release(self) -> None:
        self._holding = False
        if self._pending:
            self._pending = False
            raise KeyboardInterrupt

    def _on_sigint(self, signum: int, frame: Any) -> None:
        if self._holding and not self._pending:
            self._pending = True
            sys.stderr.write(
                "Interrupted: stopping once the statement in progress is done (it cannot be "
                "rolled back; Ctrl-C again stops at once and leaves it unrecorded)\n"
            )
            return
        self._holding = self._pending = False
        raise KeyboardInterrupt
