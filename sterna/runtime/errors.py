"""Turning failures into Sterna's errors: failed steps and failed connections.

:func:`describe_connect_error` is for the command layer, which calls env.py (where the engine
connects) and catches SQLAlchemy's ``OperationalError``/``InterfaceError`` around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, StatementError

from sterna.errors import DatabaseConnectError, MigrationError, PartialMigrationError
from sterna.runtime.steps import StepLike, direction, step_revision_label
from sterna.runtime.transactions import one_line


def is_connect_error(exc: BaseException) -> bool:
    """True for the driver errors raised when a connection cannot be opened."""
    return isinstance(exc, DBAPIError) and exc.statement is None


def describe_connect_error(
    exc: BaseException, url: str | URL | None = None
) -> DatabaseConnectError:
    """A one-line error for a failed connect, naming the URL without its password.

    ``url`` is found in the traceback (the ``Engine`` that tried to connect) when not given.
    """
    found = _as_url(url) if url is not None else _engine_url(exc.__traceback__)
    cause = _cause_text(exc)
    shown = None
    if found is not None:
        shown = found.render_as_string(hide_password=True)
        if found.password:
            cause = cause.replace(str(found.password), "***")
    return DatabaseConnectError(shown, cause)


def step_failure(
    step: StepLike, exc: BaseException, applied: Sequence[str] | None
) -> MigrationError:
    """The MigrationError for a failed step: revision, statement and cause.

    ``applied`` is given on backends whose DDL commits implicitly (MySQL/MariaDB): the statements
    of the step that completed before the failure and are therefore not rolled back.
    """
    statement = getattr(exc, "statement", None) if isinstance(exc, StatementError) else None
    shown = one_line(statement) if isinstance(statement, str) else None
    revision = step_revision_label(step)
    cause = _cause_text(exc)
    if applied is None:
        return MigrationError(revision, direction(step), shown, cause)
    return PartialMigrationError(revision, direction(step), shown, cause, tuple(applied))


def _cause_text(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        orig = exc.orig
        text = f"({type(orig).__module__}.{type(orig).__name__}) {orig}"
    elif isinstance(exc, StatementError):
        text = f"{type(exc).__name__}: {exc.orig if exc.orig is not None else exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return one_line(text)


def _as_url(url: str | URL) -> URL | None:
    try:
        return make_url(url)
    except Exception:  # noqa: BLE001 - an unparsable URL is simply not shown
        return None


def _engine_url(tb: TracebackType | None) -> URL | None:
    found: URL | None = None
    while tb is not None:
        for value in _candidates(tb.tb_frame.f_locals):
            if isinstance(value, Engine):
                found = value.url
            elif isinstance(value, URL):
                found = value
        tb = tb.tb_next
    return found


def _candidates(local_vars: dict[str, Any]) -> list[Any]:
    return [local_vars[name] for name in ("self", "engine", "url") if name in local_vars]
