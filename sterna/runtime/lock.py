"""The migration lock: one run at a time per version table, on by default.

``MigrationContext.run_migrations()`` takes it after the pre-flight (so a broken script fails at
once, without waiting) and before the version table is created, then reads the current heads again
and plans again: a run that waited while another one migrated finds the work done ("Already at
head: nothing to do") and succeeds.  The validation of the applied scripts, which reads the
history table another run may be creating, waits for that second plan
(``MigrationContext.lock_pending``).  The dialect decides what the lock is
(``DefaultImpl.migration_lock()``, see ``sterna/ddl/locks.py``); this module decides when, and
how to wait:

* **First try before reading.** ``try_first()`` runs before the heads are read: when the lock is
  free, everything the run reads is read under it, and nothing needs committing.  When another
  run holds it, the pre-flight runs first (a broken script fails without waiting), then
  ``acquire()`` waits.
* **Polling, never blocking in the database.** ``try_acquire()`` is retried with a growing delay
  (50 ms doubling up to 0.5 s, with jitter).  Before waiting, the run's transaction is committed
  (it has only read the version table), so that the waiter holds no snapshot or lock that the
  holder could wait for (``CREATE INDEX CONCURRENTLY`` waits for every older transaction); it is
  begun again once the lock is held, so the heads are read again in a fresh snapshot.  A
  transaction the caller began before ``configure()`` is not ours to end: then the waiter polls
  inside it.
* **Release.** When the run's transaction ends (env.py's ``begin_transaction()`` block), after
  its COMMIT or ROLLBACK, so that the next run reads committed heads; when steps committed on
  their own (MySQL, ``transaction_per_migration``), when ``run_migrations()`` returns.  Failures
  release it as well.  A connection that closes releases everything anyway.
* **Nesting.** A second run of the same process on the same database (multidb env.py, a test
  harness) finds that this process holds the lock (:data:`_HELD`) and runs without it.
* **Settings.** ``sterna_lock`` (on/off) and ``sterna_lock_timeout`` (seconds), from, first to
  last: ``config.attributes`` (``--no-lock`` and ``--lock-timeout`` land there), env.py's
  ``context.configure(sterna_lock=..., sterna_lock_timeout=...)``, the ini main section /
  ``[tool.alembic]``; default on, 600 s.
"""

from __future__ import annotations

import logging
import random
import sys
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sterna.config import parse_bool
from sterna.errors_config import ConfigError
from sterna.errors_runtime import MigrationLockTimeout

if TYPE_CHECKING:
    from sterna.ddl.locks import MigrationLock
    from sterna.runtime.migration import MigrationContext

log = logging.getLogger("alembic.runtime.migration")

#: seconds a run waits for the lock by default: a rolling deploy's first pod may migrate for
#: minutes while the others wait (docs/production.md)
DEFAULT_TIMEOUT = 600.0
#: seconds between two "waiting" lines
REPORT_EVERY = 5.0
_FIRST_DELAY, _MAX_DELAY = 0.05, 0.5

#: session tokens of the locks this process holds, with how many runs hold each
_HELD: dict[Hashable, int] = {}
#: locks to release when their context's transaction ends
_PENDING: WeakKeyDictionary[MigrationContext, list[RunLock]] = WeakKeyDictionary()

Replan = Callable[[tuple[str, ...]], list[Any]]


def lock_settings(ctx: MigrationContext) -> tuple[bool, float]:
    """``(enabled, timeout)`` for this run, from the sources in the module docstring."""
    config = ctx.config
    attributes = getattr(config, "attributes", None) or {}
    extra = ctx.options.extra
    enabled = _setting(
        attributes.get("sterna.lock"), extra.get("sterna_lock"), _ini(config, "sterna_lock")
    )
    timeout = _setting(
        attributes.get("sterna.lock_timeout"),
        extra.get("sterna_lock_timeout"),
        _ini(config, "sterna_lock_timeout"),
    )
    return (
        True if enabled is None else _as_bool(enabled),
        DEFAULT_TIMEOUT if timeout is None else _as_seconds(timeout),
    )


def _setting(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def _ini(config: Any, name: str) -> Any:
    getter = getattr(config, "get_alembic_option", None)
    return getter(name) if getter is not None else None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return parse_bool(str(value), "option 'sterna_lock'")


def _as_seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds >= 0 or isinstance(value, bool):
        raise ConfigError(
            f"option 'sterna_lock_timeout': expected a number of seconds >= 0, got {value!r}"
        )
    return seconds


@contextmanager
def run_lock(ctx: MigrationContext) -> Iterator[RunLock]:
    """The lock of one ``run_migrations()``: released on leaving, or when the run's
    transaction ends if it is still open then."""
    lock = RunLock(ctx)
    try:
        yield lock
    finally:
        if lock.held:
            transaction = ctx._transaction
            if transaction is not None and transaction.is_active:
                _PENDING.setdefault(ctx, []).append(lock)
            else:
                lock.release()


def transaction_ended(ctx: MigrationContext) -> None:
    """Release the locks waiting for the end of ``ctx``'s transaction (after its COMMIT or
    ROLLBACK)."""
    for lock in reversed(_PENDING.pop(ctx, [])):
        lock.release()


class RunLock:
    """Taking, waiting for and giving back the migration lock of one run."""

    def __init__(self, ctx: MigrationContext) -> None:
        self.ctx = ctx
        self.held = False
        self._backend: MigrationLock | None = None
        self._token: Hashable = None
        self._timeout = DEFAULT_TIMEOUT
        self._start = 0.0

    def _needed(self) -> bool:
        ctx = self.ctx
        return not (ctx.as_sql or ctx.options.dont_mutate or ctx.connection is None)

    def try_first(self) -> None:
        """Take the lock if it is free, before the run reads anything; else remember to wait
        for it in :meth:`acquire` (after the pre-flight)."""
        if not self._needed():
            return
        ctx = self.ctx
        enabled, self._timeout = lock_settings(ctx)
        if not enabled:
            return
        backend = ctx.impl.migration_lock(
            ctx.version_table_schema, ctx.version_table, ctx._external_transaction
        )
        if backend is None:
            return
        self._start = time.monotonic()
        if backend.try_acquire():
            self._hold(backend)
            return
        holder = backend.holder_token()
        if holder is not None and holder in _HELD:
            log.debug("This process holds the %s: running without it", backend.description)
            return
        self._backend = backend
        ctx.lock_pending = True

    def _hold(self, backend: MigrationLock) -> None:
        self._backend = backend
        self._token = backend.session_token()
        _HELD[self._token] = _HELD.get(self._token, 0) + 1
        self.held = True

    def acquire(
        self, heads: tuple[str, ...], planned: list[Any], replan: Replan
    ) -> tuple[tuple[str, ...], list[Any]]:
        """Wait for the lock if another run holds it, then return the heads read again and
        the plan for them (unchanged when the lock was free from the start)."""
        backend = self._backend
        if self.held or backend is None:
            return heads, planned
        ctx = self.ctx
        resume = _pause_transaction(ctx)
        try:
            _poll(ctx, backend, self._start, self._timeout)
        finally:
            ctx.lock_pending = False
            if resume:
                ctx._begin_own()
        self._hold(backend)
        _say(f"Acquired the migration lock after {time.monotonic() - self._start:.1f} s")
        now = ctx._heads_for_run()
        planned = replan(now)  # always: the checks that read the database run under the lock
        if not planned:
            _say(f"Already at {_destination(ctx)}: nothing to do")
        return now, planned

    def release(self) -> None:
        backend, self._backend = self._backend, None
        if not self.held or backend is None:
            return
        self.held = False
        count = _HELD.get(self._token, 0) - 1
        if count > 0:
            _HELD[self._token] = count
        else:
            _HELD.pop(self._token, None)
        conn = self.ctx.connection
        had_transaction = conn is not None and conn.in_transaction()
        try:
            backend.release()
            if conn is not None and not had_transaction and conn.in_transaction():
                conn.commit()
        except Exception as exc:  # the session's end releases it anyway
            log.warning("Could not release the %s: %s", backend.description, exc)


def _poll(ctx: MigrationContext, backend: MigrationLock, start: float, timeout: float) -> None:
    """Try again with a growing delay until the lock is held or ``timeout`` has passed."""
    next_report, attempt = start, 0
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= timeout:
            holder = _holder(ctx, backend)
            raise MigrationLockTimeout(backend.description, holder, timeout)
        if time.monotonic() >= next_report:
            _say(
                f"Waiting for the migration lock ({backend.description}), held by "
                f"{_holder(ctx, backend)}; waited {elapsed:.0f} s of {timeout:g} s"
            )
            next_report = time.monotonic() + REPORT_EVERY
        delay = min(_FIRST_DELAY * 2**attempt, _MAX_DELAY) * random.uniform(0.8, 1.2)
        time.sleep(max(0.0, min(delay, start + timeout - time.monotonic())))
        attempt += 1
        acquired = backend.try_acquire()
        _end_short_transaction(ctx)
        if acquired:
            return


def _holder(ctx: MigrationContext, backend: MigrationLock) -> str:
    try:
        return backend.describe_holder()
    except Exception as exc:  # a catalog the user may not read: say so, keep waiting
        with suppress(Exception):
            _end_short_transaction(ctx, commit=False)
        return f"another session (not visible: {' '.join(str(exc).split())[:120]})"
    finally:
        with suppress(Exception):
            _end_short_transaction(ctx)


def _pause_transaction(ctx: MigrationContext) -> bool:
    """Commit the run's transaction (reads only so far) before waiting; True when it is to be
    begun again.  A transaction the caller began is left alone."""
    conn = ctx.connection
    if conn is None or ctx._external_transaction:
        return False
    transaction, ctx._transaction = ctx._transaction, None
    if transaction is not None:
        if transaction.is_active:
            transaction.commit()
        return True
    if conn.in_transaction():
        conn.commit()
    return False


def _end_short_transaction(ctx: MigrationContext, commit: bool = True) -> None:
    conn = ctx.connection
    if conn is None or ctx._external_transaction or not conn.in_transaction():
        return
    if commit:
        conn.commit()
    else:
        conn.rollback()


def _destination(ctx: MigrationContext) -> str:
    destination = ctx.options.destination_rev
    if isinstance(destination, (tuple, list)):
        return ", ".join(str(item) for item in destination)
    return str(destination) if destination is not None else "the requested revision"


def _say(message: str) -> None:
    """One line on the ``alembic.runtime.migration`` logger at INFO, or on standard error when
    logging is not set up to show it."""
    if log.isEnabledFor(logging.INFO) and log.hasHandlers():
        log.info("%s", message)
    else:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
