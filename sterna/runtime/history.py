"""Writing the applied-history table while steps run (:class:`StepHistory`).

One row per executed step (online only; offline output stays Alembic's, see
``docs/production.md``).  When the rows are written:

* transactional DDL (PostgreSQL, SQLite made transactional): the ``running`` row is inserted at
  the start of the step inside the step's transaction (the run's, or the step's own) and updated
  to ``applied`` before the version-table change, so it commits with the step.  A failure rolls
  both back; the ``failed`` row is then written after the rollback, in a transaction of its own.
* MySQL/MariaDB (DDL commits implicitly): the ``running`` row is inserted and committed before
  the step's first statement, updated to ``applied`` in the step's transaction (which commits
  with the version row), or to ``failed`` after the rollback.  While the step runs, its
  journal (:mod:`sterna.runtime.journal`) writes each statement that took effect into the row.
  PostgreSQL's ``autocommit_block()`` makes a step's row committed in the same way from the
  block on.
* ``upgrade --resume``: the step of the open failure (a ``failed`` row with statements that
  took effect, or a ``running`` row whose run died) runs again in that same row, skipping the
  statements the row records when they are unchanged.

The table is created, with a ``baseline`` row for every current head that has no row yet (a
database Alembic migrated, or one brought up by offline SQL), when the first step of a run is
about to run.  When the caller owns the transaction (the connection given to ``configure()`` was
already in one), a failure cannot be recorded: the caller's transaction is rolled back by the
caller, after Sterna returns.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy.engine import Connection
from sqlalchemy.exc import StatementError

from sterna.errors_root import CommandError
from sterna.errors_runtime import MigrationError, PartialMigrationError
from sterna.runtime.errors import _cause_text
from sterna.runtime.history_table import HistoryRow, HistoryTable, utc_from, utcnow
from sterna.runtime.journal import StepJournal
from sterna.runtime.steps import StepLike, direction, step_revision_label
from sterna.runtime.transactions import one_line
from sterna.script.cache import cached_checksum, cached_values, save_checksums
from sterna.script.checksum import file_checksum, file_sha256

if TYPE_CHECKING:
    from sterna.runtime.migration import MigrationContext

log = logging.getLogger("alembic.runtime.migration")


class _StepInfo(NamedTuple):
    """What a step's row says of it, from the step and its script."""

    revision: str
    direction: str
    script: str | None
    checksum: str | None
    file_sha256: str | None


def _step_info(script_dir: Any, step: StepLike) -> _StepInfo:
    script = step.script
    path = None if step.is_stamp or script is None else getattr(script, "path", None)
    checksum, raw = listed_digests(script_dir, path)
    return _StepInfo(
        step_revision_label(step), direction(step), script_file(script_dir, path), checksum, raw
    )


#: a step done in a transaction still open: the step, its start and end (``time.time()``), its
#: duration in milliseconds and its statements' count
_Done = tuple[StepLike, float, float, int, int]


def _applied_row(
    script_dir: Any, step: StepLike, started: float, ended: float, ms: int, count: int
) -> dict[str, Any]:
    """The ``applied`` row of a step done in a transaction (built when it is inserted)."""
    return _row_values(
        _step_info(script_dir, step),
        started,
        "applied",
        finished_at=utc_from(ended),
        duration_ms=ms,
        statements_executed=count,
        statements_total=count,
        statement_hashes=None,
    )


def _row_values(info: _StepInfo, started: float, status: str, **more: Any) -> dict[str, Any]:
    """A step's row: what :class:`_StepInfo` says, its start, its status and ``more``."""
    return dict(
        revision=info.revision,
        direction=info.direction,
        script=info.script,
        checksum=info.checksum,
        file_sha256=info.file_sha256,
        started_at=utc_from(started),
        status=status,
        **more,
    )


def _ms_since(clock: float) -> int:
    return int((time.perf_counter() - clock) * 1000)


@dataclass(frozen=True)
class _Failure:
    revision: str
    direction: str
    script: str | None
    checksum: str | None
    started_at: Any
    started: float
    executed: int
    statement: str | None
    error: str
    row_id: int | None  # the committed ``running`` row to update (MySQL), else None


def script_file(script_dir: Any, path: str | None) -> str | None:
    """``path`` relative to the script directory, with ``/`` separators."""
    if not path:
        return None
    base = getattr(script_dir, "dir", None)
    if base and path.startswith(base) and path[len(base) : len(base) + 1] == os.sep:
        shown = path[len(base) + 1 :]  # the usual case, without relpath's normalising (per step)
    else:
        shown = os.path.relpath(path, base) if base else path
    return shown.replace(os.sep, "/")


def resume_requested(ctx: Any) -> bool:
    """Whether this run is ``upgrade --resume`` (``config.attributes['sterna.resume']``)."""
    attributes = getattr(ctx.config, "attributes", None) or {}
    return bool(attributes.get("sterna.resume"))


def nothing_to_resume(table: str) -> CommandError:
    return CommandError(
        f"--resume: {table} records no step that failed part way; nothing to resume (run "
        "without --resume); nothing was done to the database"
    )


def current_checksum(
    path: str,
    recorded: str | None,
    recorded_file: str | None,
    st: os.stat_result | None = None,
) -> str | None:
    """The checksum of the script at ``path`` now (``st``: its stat when listed, if known),
    for validation against ``recorded``: when
    the file's bytes are those recorded (``recorded_file``, its SHA-256), the recorded checksum
    without parsing the script (a deploy without the header cache validates every applied
    script: a read and a hash each, not a parse)."""

    def compute(found: str) -> str | None:
        raw = file_sha256(found)
        if raw is None:
            return None
        if recorded and recorded_file and raw == recorded_file:
            return f"{recorded} {raw}"
        return _digests(found, raw)

    return _split(path, cached_checksum(path, compute, _with_hash, st))[0]


def current_checksums(
    paths: list[str], recorded: list[tuple[str | None, str | None]], stats: list[Any]
) -> list[str | None]:
    """:func:`current_checksum` of each script (``recorded``: its recorded checksum and file
    hash; ``stats``: its stat when listed, or None), the cached ones looked up in one pass."""
    found = cached_values(paths, stats, _with_hash)
    return [
        value.partition(" ")[0] if value is not None else current_checksum(path, checksum, raw, st)
        for path, (checksum, raw), st, value in zip(paths, recorded, stats, found, strict=True)
    ]


def script_digests(
    path: str | None, st: os.stat_result | None = None
) -> tuple[str | None, str | None]:
    """``(checksum, file_sha256)`` of the script at ``path``, both kept in its folder's header
    cache (one slot: ``"<checksum> <sha256>"``); ``(None, None)`` without a readable file.
    ``st``: the stat taken when the script was listed, if known."""
    if not path:
        return None, None
    return _split(path, cached_checksum(path, _digests, _with_hash, st))


def listed_digests(script_dir: Any, path: str | None) -> tuple[str | None, str | None]:
    """:func:`script_digests` keyed by the stat ``script_dir`` listed the script with."""
    listed = getattr(script_dir, "listed_stat", None) if path else None
    return script_digests(path, listed(path) if listed is not None else None)


def checksum_of(path: str | None) -> str | None:
    """The checksum of the script at ``path`` (from its folder's cache when the file is
    unchanged since it was cached); ``None`` without a path or a parseable file."""
    return script_digests(path)[0]


def _digests(path: str, raw: str | None = None) -> str | None:
    raw = raw or file_sha256(path)
    try:
        checksum = file_checksum(path)
    except (OSError, SyntaxError, ValueError):
        return None
    return f"{checksum} {raw}" if raw else checksum


def _with_hash(cached: str) -> bool:
    """Whether a cached value holds the file's hash (an earlier Sterna cached the checksum
    alone: computed again, and cached in the current form)."""
    return " " in cached


def _split(path: str, cached: str | None) -> tuple[str | None, str | None]:
    if cached is None:
        return None, None
    checksum, _, raw = cached.partition(" ")
    return checksum, raw or file_sha256(path)  # a file no cache can hold (too recent)


def _named_heads(conn: Connection, table: HistoryTable, heads: tuple[str, ...]) -> set[str]:
    """Which of ``heads`` a row of the history names."""
    if not heads:
        return set()
    c = table.table.c
    query = table.table.select().with_only_columns(c.revision).where(c.revision.in_(list(heads)))
    return {row[0] for row in conn.execute(query)}


class StepHistory:
    """The history rows of one migration context's run."""

    def __init__(self, ctx: MigrationContext, table: HistoryTable) -> None:
        self.ctx = ctx
        self.table = table
        self.journal = StepJournal(ctx, table)
        self._resume: HistoryRow | None = None
        self._row_id: int | None = None
        #: the running step (its row's values are worked out only when needed: see _Done)
        self._step: StepLike | None = None
        self._started: tuple[float, float] = (0.0, 0.0)  # time.time(), time.perf_counter()
        self._info: _StepInfo | None = None
        self._pending: _Failure | None = None
        self._conn: Connection | None = None
        #: completed steps whose rows are not inserted yet: one INSERT before their transaction
        #: commits (the rows are built then, see :meth:`flush`)
        self._rows: list[_Done] = []

    # -- the run --------------------------------------------------------------------------------

    def prepare(self, heads: tuple[str, ...]) -> None:
        """Create the table and baseline rows, then count the statements the steps run."""
        conn = self._connection()
        with self._write_block(conn):
            self.ensure(conn, heads)
            if resume_requested(self.ctx):
                self._resume = self._open_failure(conn)
        self.journal.attach(conn, resume=self._resume is not None)
        self._conn = conn

    def _open_failure(self, conn: Connection) -> HistoryRow:
        found = [row for row in self.table.read(conn) if row.is_open_failure]
        if not found:
            raise nothing_to_resume(self.table.qualified_name)
        return found[-1]

    def finish(self) -> None:
        save_checksums()
        if self._conn is not None:
            self.journal.detach()
            self._conn = None

    def ensure(self, conn: Connection, heads: tuple[str, ...]) -> None:
        """The table, and a ``baseline`` row for each head no row mentions."""
        table = self.table
        seen = table.take_seen(conn)  # validation's read of every row, if it just made one
        exists = seen[0] if seen is not None else table.exists(conn)
        if not exists:
            table.create(conn)
            known: Collection[str] = ()
        elif seen is not None:
            known = seen[1]
        else:
            known = _named_heads(conn, table, heads)
        now = utcnow()
        script_dir = self.ctx.script
        for head in heads:
            if head in known:
                continue
            rev = script_dir.get_revision(head) if script_dir is not None else None
            path = getattr(rev, "path", None)
            checksum, raw = listed_digests(script_dir, path)
            table.insert(
                conn,
                revision=head,
                direction="baseline",
                script=script_file(script_dir, path),
                checksum=checksum,
                file_sha256=raw,
                started_at=now,
                finished_at=now,
                duration_ms=0,
                status="applied",
            )

    # -- one step -------------------------------------------------------------------------------

    def before_step(self, step: StepLike) -> None:
        """Outside the step's transaction: MySQL's ``running`` row, committed."""
        if self.ctx.transactional_ddl:
            return
        conn = self._connection()
        with self._write_block(conn):
            self._start(conn, step, durable=True)

    def step_started(self, step: StepLike) -> None:
        """Inside the step's transaction: the ``running`` row of a transactional backend (kept
        here: it is inserted, ``applied``, when the step is done, see :meth:`flush`)."""
        if not self.ctx.transactional_ddl:
            return
        if self._resume is not None:
            self._start(self._connection(), step, durable=False)
            return
        # the usual step, once per step of a long run: only what cannot be known later is
        # taken now (its row's values are worked out by flush, or by a failure)
        self._pending = self._info = None
        self._step = step
        self._started = (time.time(), time.perf_counter())
        self._row_id = None
        self.journal.start(None, False, (), "")

    def _start(self, conn: Connection, step: StepLike, durable: bool) -> None:
        self._pending = self._info = None
        self._step = step
        self._started = (time.time(), time.perf_counter())
        values = self._running_values()
        info = self._step_info()
        resume = self._resumed_row(info)
        if resume is not None:
            self._row_id = resume.id
            self.table.update(conn, resume.id, **values)
            durable = True  # the row is committed already: it is updated where it stands
        elif durable:
            self._row_id = self.table.insert(conn, statements_executed=0, **values)
        else:  # inserted when the step is done, with its transaction (see flush)
            self._row_id = None
        hashes = resume.hashes if resume is not None else ()
        self.journal.start(self._row_id, durable, hashes, info.revision)

    def _step_info(self) -> _StepInfo:
        """What the running step's row says of it (worked out once)."""
        info = self._info
        if info is None:
            info = self._info = _step_info(self.ctx.script, self._running_step())
        return info

    def _running_step(self) -> StepLike:
        step = self._step
        if step is None:  # pragma: no cover - every caller runs after a step started
            raise RuntimeError("no step of the history has started")
        return step

    def _running_values(self) -> dict[str, Any]:
        """The running step's row as it stands while the step runs."""
        return _row_values(self._step_info(), self._started[0], "running")

    def _resumed_row(self, info: _StepInfo) -> HistoryRow | None:
        """The open failure this step resumes (``--resume``: the run's first step must be it)."""
        row, self._resume = self._resume, None
        if row is None:
            return None
        if (row.revision, row.direction) != (info.revision, info.direction):
            raise CommandError(
                f"--resume: the step that failed part way is the {row.direction} of "
                f"{row.revision}, but this run starts with the {info.direction} of "
                f"{info.revision}; run "
                f"'sterna {row.direction} {row.revision} --resume'; nothing was done to the "
                "database"
            )
        return row

    def before_autocommit(self) -> None:
        """The step's transaction commits now (``autocommit_block()``): its row is inserted
        first, with what the step ran so far, so that it commits with it."""
        journal = self.journal
        conn = self._connection()
        if journal.active and not journal.row_durable:
            hashes = journal.hashes
            journal.active = False  # the row's INSERT is not one of the step's statements
            try:
                self._row_id = self.table.insert(
                    conn,
                    statements_executed=len(hashes),
                    statement_hashes=" ".join(hashes) or None,
                    **self._running_values(),
                )
            finally:
                journal.active = True
            journal.made_durable(self._row_id)
        self.flush()

    def flush(self) -> None:
        """Insert the rows of the steps done so far (before their transaction commits)."""
        if self._rows:
            done, self._rows = self._rows, []
            script_dir = self.ctx.script
            rows = [_applied_row(script_dir, *step) for step in done]
            self.table.insert_many(self._connection(), rows)

    def discard(self) -> None:
        """The transaction of the steps done so far was rolled back: so are their rows."""
        self._rows = []

    def step_done(self) -> None:
        """Inside the step's transaction, after its statements: ``applied``."""
        journal = self.journal
        if not journal.active:
            return
        if journal.pending_resume():
            raise CommandError(
                f"--resume: the fixed script of {self._step_info().revision} ran fewer "
                "statements than "
                f"took effect in the failed run ({journal.pending_resume()} recorded ones were "
                "not met); resolve it by hand with 'sterna resolve'"
            )
        count = journal.count
        if self._row_id is None:  # the row is inserted with the others by flush
            journal.stop()
            started, clock = self._started
            self._rows.append((self._running_step(), started, time.time(), _ms_since(clock), count))
            return
        # the hashes serve resuming: kept where the step's row was committed while it ran
        hashes = (" ".join(journal.hashes) or None) if journal.row_durable else None
        journal.stop()  # before writing: the row's own UPDATE is not one of the step's
        self.table.update(
            self._connection(),
            self._row_id,
            status="applied",
            finished_at=utcnow(),
            duration_ms=_ms_since(self._started[1]),
            statements_executed=count,
            statements_total=count,
            statement_hashes=hashes,
        )

    def step_failed(self, exc: BaseException) -> None:
        """Remember the failure; it is written after the rollback (:meth:`after_rollback`)."""
        info = self._step_info()
        if isinstance(exc, PartialMigrationError):
            statement, error = exc.statement, one_line(str(exc))
        elif isinstance(exc, MigrationError):
            statement, error = exc.statement, exc.cause
        elif isinstance(exc, KeyboardInterrupt):
            statement, error = None, "interrupted (Ctrl-C)"
        else:
            raw = exc.statement if isinstance(exc, StatementError) else None
            statement, error = (one_line(raw) if raw else None), _cause_text(exc)
        journal = self.journal
        cause = exc.__cause__ if isinstance(exc, MigrationError) and exc.__cause__ else exc
        self._pending = _Failure(
            info.revision,
            info.direction,
            info.script,
            info.checksum,
            utc_from(self._started[0]),
            self._started[1],
            journal.committed_count(statement, cause),
            statement,
            error,
            self._row_id if journal.row_durable else None,
        )
        journal.stop()
        self._row_id = None

    @property
    def pending_failure(self) -> _Failure | None:
        """The failure to be written after the rollback (while it is pending)."""
        return self._pending

    def after_rollback(self) -> None:
        """Write the remembered failure in a transaction of its own (the step's was rolled
        back).  A failure to write it is logged, never raised over the step's error."""
        failure, self._pending = self._pending, None
        if failure is None or self.ctx.connection is None:
            return
        conn = self.ctx.connection
        try:
            if conn.in_transaction():
                conn.rollback()
            with conn.begin():
                self._write_failure(conn, failure)
        except Exception as exc:  # the step's error is the one to report
            log.warning("Could not record the failed step in %s: %s", self.table.name, exc)

    def _write_failure(self, conn: Connection, failure: _Failure) -> None:
        ended = utcnow()
        values = dict(
            status="failed",
            finished_at=ended,
            duration_ms=int((time.perf_counter() - failure.started) * 1000),
            statements_executed=failure.executed,
            failed_statement=failure.statement,
            error=failure.error,
        )
        if failure.row_id is not None:  # the row as committed says what took effect
            values["statements_executed"], hashes = self.table.read_progress(conn, failure.row_id)
            values["statement_hashes"] = hashes or None
            self.table.update(conn, failure.row_id, **values)
            return
        self.ensure(conn, self.ctx._version.read_heads(conn))
        self.table.insert(
            conn,
            revision=failure.revision,
            direction=failure.direction,
            script=failure.script,
            checksum=failure.checksum,
            started_at=failure.started_at or ended,
            **values,
        )

    def after_failed_run(self) -> None:
        """The run failed: write the failure now when no transaction of the context will be
        rolled back later (none held: e.g. env.py without ``begin_transaction()``)."""
        ctx = self.ctx
        if self._pending is not None and ctx._transaction is None:
            if ctx._external_transaction:  # the caller rolls back its own transaction
                self._pending = None
                return
            self.after_rollback()

    # -- helpers --------------------------------------------------------------------------------

    def _connection(self) -> Connection:
        return self.ctx._require_connection("the history table")

    @contextmanager
    def _write_block(self, conn: Connection) -> Iterator[None]:
        """Join the transaction the context holds; else commit what is written at once."""
        ctx = self.ctx
        if ctx._transaction is not None or ctx._external_transaction:
            yield
            return
        if conn.in_transaction():
            yield
            conn.commit()
            return
        with conn.begin():
            if ctx._driver_transactions:
                ctx.impl.ensure_driver_transaction(conn)
            yield
