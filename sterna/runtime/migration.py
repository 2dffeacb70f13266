"""``MigrationContext``: the connection (or offline output), the DDL implementation, the version
table, transactions and the step loop.

Transactions, per backend (online):

* transactional DDL (PostgreSQL): ``begin_transaction()`` in env.py opens one transaction for the
  run, or one per step with ``transaction_per_migration``; a failure rolls back to the start of
  the run (or of the failing step).
* SQLite: made transactional (the implementation's ``driver_transactions``: see
  :mod:`sterna.ddl.sqlite`) and then treated like PostgreSQL; when env.py holds no
  transaction, each step gets its own.
* non-transactional DDL (MySQL/MariaDB): each step runs in its own transaction and is committed
  with its version-table change, so the table never lies about completed steps; a failing step
  reports which of its statements had already taken effect.
* a connection that was already in a transaction when ``configure()`` was called belongs to the
  caller: ``begin_transaction()`` does nothing and the caller commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import IO, TYPE_CHECKING, Any, cast

from sqlalchemy.engine import URL, Connection, Dialect, Engine, Transaction, make_url
from sqlalchemy.engine.mock import MockConnection
from sqlalchemy.exc import StatementError

from sterna.ddl.impl import DefaultImpl
from sterna.errors_runtime import ContextUsageError, MigrationError
from sterna.runtime.errors import rolled_back_state, step_failure, unmanaged_state
from sterna.runtime.history import StepHistory
from sterna.runtime.history_table import HistoryTable
from sterna.runtime.lock import RunLock, run_lock, transaction_ended
from sterna.runtime.options import MigrationOptions, output_stream
from sterna.runtime.proxy import OPERATIONS
from sterna.runtime.steps import (
    MigrationInfo,
    StepLike,
    direction,
    long_log,
    plan_and_preflight,
    short_log,
    step_progress,
    step_revision_label,
)
from sterna.runtime.transactions import TransactionProxy
from sterna.runtime.version_writes import VersionWrites
from sterna.runtime.versions import VersionChangeLike, VersionTable

if TYPE_CHECKING:
    from sterna.runtime.environment import EnvironmentContext

log = logging.getLogger("alembic.runtime.migration")


class MigrationContext:
    """The state of one migration run (Alembic's ``MigrationContext``)."""

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        opts: MigrationOptions | Mapping[str, Any] | None = None,
        environment_context: EnvironmentContext | None = None,
    ) -> None:
        if isinstance(opts, MigrationOptions):
            options = opts
        else:
            options = MigrationOptions.from_mapping(opts or {})
        self.options = options
        self.environment_context = environment_context
        self.dialect = dialect
        self.script: Any = options.script
        self.as_sql = options.as_sql
        #: all options of the run as a dictionary (Alembic's ``opts``): items set on it reach what
        #: reads it later (``AutogenContext`` takes its options from here); the runtime's own
        #: settings stay those of ``options``.  Typed ``Mapping`` as ``MigrationContextLike``
        #: declares it; the value is a plain ``dict``
        self.opts: Mapping[str, Any] = dict(options.as_mapping())
        self._transaction: Transaction | None = None
        #: for the state a failed step leaves: the scope of Sterna's transaction ("run" or
        #: "step"); the heads before the run, the heads now (live) and the steps completed
        self._scope = "run"
        self._progress: tuple[tuple[str, ...], set[str], list[int]] = ((), set(), [0])
        #: the heads and the step when autocommit_block() committed Sterna's transaction
        self._committed: tuple[frozenset[str], StepLike] | None = None
        self._running: StepLike | None = None
        self._external_transaction = False
        self.output_buffer: IO[str] = output_stream(options)
        if self.as_sql:
            self.connection: Connection | None = cast(
                Connection, MockConnection(dialect, self._dump)
            )
        else:
            self.connection = connection
            self._external_transaction = _in_transaction(connection)
        impl_cls = DefaultImpl.get_by_dialect(dialect)
        self.impl: DefaultImpl = impl_cls(
            dialect,
            self.connection,
            self.as_sql,
            options.transactional_ddl,
            self.output_buffer,
            self.opts,
        )
        #: the runtime opens the driver's transactions itself (SQLite, made transactional)
        self._driver_transactions = self.impl.driver_transactions(options.transactional_ddl)
        #: whether a failure can be rolled back (online: SQLite counts, made transactional)
        self.transactional_ddl = self.impl.transactional_ddl or self._driver_transactions
        self._version = VersionTable(
            dialect,
            options.version_table,
            options.version_table_schema,
            options.version_table_pk,
            impl=self.impl,
        )
        #: True while another run holds the migration lock and this one has not waited for it
        #: yet: the pre-flight then plans without reading what that run may be creating (the
        #: history table); the plan is made again once the lock is held (sterna.runtime.lock)
        self.lock_pending = False
        #: the applied-history rows (online runs only; see sterna.runtime.history)
        self._history: StepHistory | None = (
            None
            if self.as_sql
            else StepHistory(
                self,
                HistoryTable(
                    dialect, options.sterna_history_table, options.version_table_schema, self.impl
                ),
            )
        )
        self._writes = VersionWrites(self)  # online version changes: sterna.runtime.version_writes
        log.info("Context impl %s.", type(self.impl).__name__)
        if self.as_sql:
            log.info("Generating static SQL")
        log.info(
            "Will assume %s DDL.",
            "transactional" if self.transactional_ddl else "non-transactional",
        )

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def configure(
        cls,
        connection: Connection | None = None,
        url: str | URL | None = None,
        dialect_name: str | None = None,
        dialect_opts: Mapping[str, Any] | None = None,
        environment_context: EnvironmentContext | None = None,
        opts: MigrationOptions | Mapping[str, Any] | None = None,
        dialect: Dialect | None = None,
    ) -> MigrationContext:
        """A context for ``connection``, or, without one, for ``dialect`` or the dialect of
        ``url`` or ``dialect_name`` (offline use, rendering)."""
        dialect_kw = dict(dialect_opts or {})
        if dialect is not None and connection is None:
            return cls(dialect, None, opts, environment_context)
        if connection is not None:
            if isinstance(connection, Engine):
                raise ContextUsageError(
                    "configure(): 'connection' must be a sqlalchemy.engine.Connection, "
                    "got an Engine; use 'with engine.connect() as connection:'"
                )
            dialect = connection.dialect
        elif url is not None:
            dialect = make_url(url).get_dialect()(**dialect_kw)
        elif dialect_name is not None:
            dialect = make_url(f"{dialect_name}://").get_dialect()(**dialect_kw)
        else:
            raise ContextUsageError(
                "configure(): one of connection, url, dialect_name or dialect is required"
            )
        return cls(dialect, connection, opts, environment_context)

    def _dump(self, construct: Any, *multiparams: Any, **params: Any) -> None:
        self.impl._exec(construct)

    # -- public attributes ----------------------------------------------------------------------

    @property
    def bind(self) -> Connection | None:
        """The connection (offline: a mock connection that writes what it is given)."""
        return self.connection

    @property
    def config(self) -> Any:
        """The :class:`~sterna.config.Config` of the command running (``None`` outside one)."""
        return getattr(self.environment_context, "config", None)

    @property
    def version_table(self) -> str:
        """The name of the version table (``alembic_version`` unless configured)."""
        return self._version.name

    @property
    def version_table_schema(self) -> str | None:
        """The schema of the version table (``None``: the connection's default schema)."""
        return self._version.schema

    def _require_connection(self, what: str) -> Connection:
        if self.connection is None:
            raise ContextUsageError(
                f"{what} needs a database connection; pass connection= to configure()"
            )
        return self.connection

    # -- reading the version table --------------------------------------------------------------

    def get_current_revision(self) -> str | None:
        """The one revision in the version table, ``None`` when it is empty; raises when there
        are several heads (use :meth:`get_current_heads`)."""
        heads = self.get_current_heads()
        if len(heads) > 1:
            raise ContextUsageError(
                f"Version table '{self._version.name}' has more than one head present; "
                "please use get_current_heads()"
            )
        return heads[0] if heads else None

    def get_current_heads(self) -> tuple[str, ...]:
        """The revisions in the version table; offline, those given as ``starting_rev``."""
        if self.as_sql:
            return self._offline_heads()
        if self.options.starting_rev is not None:
            raise ContextUsageError(
                "a starting revision (start:end) can only be given in offline (--sql) mode"
            )
        self._writes.flush()
        return self._version.read_heads(self._require_connection("get_current_heads()"))

    def _offline_heads(self) -> tuple[str, ...]:
        start = self.options.starting_rev
        items = (start,) if isinstance(start, str) else tuple(start or ())
        heads: list[str] = []
        for item in items:
            if item in (None, "base"):
                continue
            rev = self.script.get_revision(item) if self.script is not None else None
            heads.append(rev.revision if rev is not None else item)
        return tuple(heads)

    # -- the step loop --------------------------------------------------------------------------

    def run_migrations(self, **kw: Any) -> None:
        """Run the steps the command's ``fn`` yields; ``kw`` goes to upgrade()/downgrade()."""
        with run_lock(self) as lock:  # the migration lock: see sterna/runtime/lock.py
            self._run_migrations(lock, kw)

    def _run_migrations(self, lock: RunLock, kw: Mapping[str, Any]) -> None:
        fn = self.options.fn
        if fn is None:
            raise ContextUsageError(
                "run_migrations() has nothing to run: this context was configured without the "
                "migration function a command provides (use sterna.command, or stamp())"
            )
        self.impl.start_migrations()
        lock.try_first()
        heads = self._heads_for_run()
        # pre-flight: the whole plan, and every script's function resolved (imported), before
        # the first statement; a broken script then leaves the database (or output) untouched
        planned = plan_and_preflight(fn, heads, self)
        heads, planned = lock.acquire(heads, planned, lambda now: plan_and_preflight(fn, now, self))
        self._prepare_version_table(heads)
        if not planned:  # current, history, show...: no operations layer needed
            return
        history = self._history
        if history is not None:
            history.prepare(heads)
        progress = step_progress(self, planned)  # i/N, times, summary: sterna.util.progress
        try:
            with OPERATIONS.installed(self._operations()), progress.reporter.live():
                current = set(heads)
                self._progress = (heads, current, [0])
                for number, (step, step_fn) in enumerate(planned, 1):
                    with progress.step(step):
                        self._run_step(step, step_fn, current, kw, number == len(planned))
                    self._progress[2][0] += 1
                progress.finish()
            self._writes.flush()
            if history is not None:
                history.flush()
        except BaseException:
            if history is not None:
                history.discard()
                history.after_failed_run()
            raise
        finally:
            if history is not None:
                history.finish()

    def _heads_for_run(self) -> tuple[str, ...]:
        """The heads the run starts from (read only: the version table is prepared later)."""
        if not self.as_sql and self._driver_transactions:
            self._join_driver_transaction()
        if self.options.purge:
            if self.as_sql:
                raise ContextUsageError("Can't use --purge with --sql mode")
            return ()
        return self.get_current_heads()

    def _prepare_version_table(self, heads: tuple[str, ...]) -> None:
        """Create the version table (emptied with ``--purge``) where the run needs it."""
        if self.options.purge:
            self._ensure_version_table("stamp --purge", purge=True)
        elif not self.as_sql and not heads and not self.options.dont_mutate:
            self._ensure_version_table("run_migrations()")

    def _ensure_version_table(self, what: str, purge: bool = False) -> None:
        """Create (and with ``purge`` empty) the version table: inside the transaction in
        progress, or else in one of its own that commits at once."""
        conn = self._require_connection(what)
        if conn.in_transaction():
            self._version.ensure(conn, purge=purge)
            return
        with conn.begin():
            if self._driver_transactions:
                self.impl.ensure_driver_transaction(conn)
            self._version.ensure(conn, purge=purge)

    def _operations(self) -> Any:
        from sterna.operations import Operations

        return Operations(self)

    def _run_step(
        self,
        step: StepLike,
        fn: Callable[..., Any] | None,
        heads: set[str],
        kw: Mapping[str, Any],
        last: bool = True,
    ) -> None:
        if self.environment_context is not None:
            self.environment_context.steps_started += 1
        self._running = step
        history = self._history
        if history is not None:
            history.before_step(step)
        with self.begin_transaction(_per_migration=True):
            if self.as_sql and not heads:
                self.impl._exec(self._version.create_statement())
            short = short_log(step)
            if log.isEnabledFor(logging.INFO):  # the message reads the script's docstring
                log.info("Running %s", long_log(step, short))
            if self.as_sql:
                self.impl.static_output(f"-- Running {short}")
            if history is not None:
                history.step_started(step)
            try:
                if fn is not None:
                    fn(**kw)
                if history is not None:
                    history.step_done()
                self._apply_changes(step.changes, heads, not last and self._writes.may_defer())
            except MigrationError as exc:
                if history is not None:
                    history.step_failed(exc)
                self._writes.after_failure()  # see sterna.runtime.version_writes
                raise
            except KeyboardInterrupt as exc:
                if history is not None:
                    history.step_failed(exc)
                raise KeyboardInterrupt(self._interrupted(step)) from exc
            except Exception as exc:
                failure = self._failure(step, exc)
                if history is not None:
                    history.step_failed(failure)
                self._writes.after_failure()
                raise failure from exc
            self._notify(step, heads, kw)

    def _interrupted(self, step: StepLike) -> str:
        """What a Ctrl-C during ``step`` leaves behind, for the one-line report."""
        what = f"{direction(step)} of revision {step_revision_label(step)}"
        history = self._history
        pending = history.pending_failure if history is not None else None
        if pending is None or not pending.row_id:
            return f"{what} stopped; {self._rolled_back_state()}"
        return (
            f"{what} stopped after {pending.executed} of its statements took effect (not "
            f"rolled back; recorded in the history table); run 'sterna {direction(step)} "
            f"--resume' to finish it, or see 'sterna validate'"
        )

    def _rolled_back_state(self) -> str:
        start, now, done = self._progress
        committed = self._committed
        at_commit = None if committed is None else (committed[0], step_revision_label(committed[1]))
        args = (self._scope, self.transactional_ddl, start, now, done[0])
        return rolled_back_state(*args, at_commit)

    def _failure(self, step: StepLike, exc: Exception) -> MigrationError:
        failure = self._step_failure(step, exc)
        if self.as_sql or self._external_transaction:
            failure.add_state(unmanaged_state(self.as_sql))
        return failure

    def _step_failure(self, step: StepLike, exc: Exception) -> MigrationError:
        history = self._history
        if history is None or not history.journal.row_durable:
            return step_failure(step, exc, None)
        journal = history.journal
        failing = getattr(exc, "statement", None) if isinstance(exc, StatementError) else None
        count = journal.committed_count(failing if isinstance(failing, str) else None, exc)
        return step_failure(step, exc, journal.texts(count))

    def _apply_changes(
        self, changes: Sequence[VersionChangeLike], heads: set[str], defer: bool = False
    ) -> None:
        for change in changes:
            if self.as_sql:
                text = self._version.render(change)
                self.impl.static_output(text + self.impl.command_terminator)
            else:
                self._writes.apply(change, defer)
            if change.old is not None and change.kind != "insert":
                heads.discard(change.old)
            if change.new is not None and change.kind != "delete":
                heads.add(change.new)

    def _notify(self, step: StepLike, heads: set[str], kw: Mapping[str, Any]) -> None:
        callbacks = self.options.on_version_apply
        if not callbacks:
            return
        info = MigrationInfo.from_step(step, getattr(self.script, "revision_map", None))
        for callback in callbacks:
            callback(ctx=self, step=info, heads=set(heads), run_args=dict(kw))

    def stamp(self, script_directory: Any, revision: str | Sequence[str]) -> None:
        """Set the version table to ``revision`` without running migrations (the scripts are
        imported first, as Alembic does), under the migration lock as a command's stamp."""
        with run_lock(self) as lock:
            self._stamp(lock, script_directory, revision)

    def _stamp(self, lock: RunLock, script_directory: Any, revision: str | Sequence[str]) -> None:
        lock.try_first()
        heads = self.get_current_heads()
        targets = (revision,) if isinstance(revision, str) else tuple(revision)
        import_scripts = getattr(script_directory, "import_scripts", None)
        if import_scripts is not None:
            import_scripts()

        def plan(now: tuple[str, ...]) -> list[Any]:
            return list(script_directory.plan_stamp(targets, now, purge=False))

        heads, steps = lock.acquire(heads, plan(heads), plan)
        if not self.as_sql and not heads:
            self._ensure_version_table("stamp()")
        current = set(heads)
        for step in steps:
            self._apply_changes(step.changes, current)

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        """Execute ``sql`` on the connection, or write it out in offline mode."""
        self.impl._exec(sql, execution_options)

    # -- transactions ---------------------------------------------------------------------------

    def begin_transaction(self, _per_migration: bool = False) -> AbstractContextManager[Any]:
        """The transaction env.py wraps ``run_migrations()`` in (see the module docstring)."""
        if self._external_transaction:
            return nullcontext()
        if self.as_sql:
            return self._offline_transaction(_per_migration)
        if self._transaction is not None:
            return nullcontext()
        if self.transactional_ddl:
            now = _per_migration == self.options.transaction_per_migration
            # SQLite without a run transaction: a transaction per step, as for MySQL
            now = now or (_per_migration and self._driver_transactions)
        else:
            now = _per_migration
        if not now:
            return nullcontext()
        self._scope = "step" if _per_migration else "run"
        self._begin_own()
        return TransactionProxy(self)

    def _offline_transaction(self, per_migration: bool) -> AbstractContextManager[Any]:
        if not self.impl.transactional_ddl:
            return nullcontext()
        if per_migration != self.options.transaction_per_migration:
            return nullcontext()
        return self._begin_commit()

    @contextmanager
    def _begin_commit(self) -> Iterator[None]:
        """``BEGIN``/``COMMIT`` around the block's output; the ``BEGIN`` is written with the
        block's first output, so a run that fails before writing anything writes nothing."""
        self.impl.hold_begin()
        try:
            yield
        except BaseException:
            self.impl.release_begin(write=False)
            raise
        self.impl.release_begin(write=True)
        self.impl.emit_commit()

    def _begin_own(self) -> None:
        conn = self._require_connection("begin_transaction()")
        if conn.in_transaction():
            found = conn.get_transaction()
            assert found is not None
            self._transaction = found
        else:
            self._transaction = conn.begin()
        if self._driver_transactions:
            self.impl.ensure_driver_transaction(conn)

    def _join_driver_transaction(self) -> None:
        conn = self.connection
        if (
            conn is not None
            and conn.in_transaction()
            and (self._transaction is not None or self._external_transaction)
        ):
            self.impl.ensure_driver_transaction(conn)

    def _end_transaction(self, commit: bool, failure: BaseException | None = None) -> None:
        if isinstance(failure, MigrationError) and not commit:
            failure.add_state(self._rolled_back_state())
        transaction, self._transaction = self._transaction, None
        if transaction is None or not transaction.is_active:
            transaction_ended(self)
            return
        if commit:
            self._writes.flush()
            if self._history is not None:
                self._history.flush()  # the rows of the steps that commit now
            transaction.commit()
            self._committed = None
        else:
            self._writes.discard()
            transaction.rollback()
            if self._history is not None:
                self._history.discard()
                self._history.after_rollback()
        transaction_ended(self)

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Run the block outside any transaction: commit, AUTOCOMMIT, then begin again.

        Offline with transactional DDL this writes ``COMMIT;`` before and ``BEGIN;`` after.
        """
        if self.as_sql:
            with self._offline_autocommit():
                yield
            return
        conn = self._require_connection("autocommit_block()")
        if self._external_transaction:
            raise ContextUsageError(
                "autocommit_block() cannot commit the transaction the caller began on the "
                "connection given to configure(); begin no transaction before configure()"
            )
        had_transaction = self._transaction is not None
        journal = self._history.journal if self._history is not None else None
        if self._history is not None:
            self._history.before_autocommit()  # the step's row commits with what ran so far
        if had_transaction:
            self._end_transaction(commit=True)
        elif conn.in_transaction():
            conn.commit()
        if self._running is not None:  # a rollback from here on goes back to this commit only
            self._committed = (frozenset(self._progress[1]), self._running)
        level = conn.get_isolation_level()
        conn.execution_options(isolation_level="AUTOCOMMIT")
        block = conn.begin()
        if journal is not None:
            journal.in_autocommit = True
        try:
            yield
        finally:
            if journal is not None:
                journal.in_autocommit = False
            if block.is_active:
                block.commit()
            conn.execution_options(isolation_level=level)
            if had_transaction:
                self._begin_own()

    @contextmanager
    def _offline_autocommit(self) -> Iterator[None]:
        transactional = self.impl.transactional_ddl
        if transactional:
            self.impl.emit_commit()
        yield
        if transactional:
            self.impl.emit_begin()


def _in_transaction(connection: Connection | None) -> bool:
    """Whether the caller's connection has a transaction open (SQLAlchemy's mock engine, which
    only records the statements it is given, has none)."""
    check = getattr(connection, "in_transaction", None)
    return bool(check()) if check is not None else False
