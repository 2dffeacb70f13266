"""Turning failures into Sterna's errors: failed steps, failed connections, unusable URLs.

:func:`describe_connect_error` is for the command layer, which calls env.py (where the engine
connects) and catches SQLAlchemy's ``OperationalError``/``InterfaceError`` around it;
:func:`describe_env_error` is what the command layer calls for any exception escaping env.py.

The URL at fault is handed to them, never looked for in a traceback's frames: the command
layer keeps an :class:`EngineURLs` for the run (``sqlalchemy.url``; the engine of each failed
connect, from SQLAlchemy's ``handle_error`` event while env.py runs; the engine of the
connection env.py gives ``configure()``).  A URL that SQLAlchemy refuses before any engine
exists (its text, its dialect or driver) is ``sqlalchemy.url``'s when an engine built from
``sqlalchemy.url`` fails the same way; only the text of another URL that cannot be parsed is
read from SQLAlchemy's parser (:func:`_raw_url`), since no engine, and nothing of Sterna, has it.
"""

from __future__ import annotations

import re
import shlex
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, ExceptionContext, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    SAWarning,
    StatementError,
)

from sterna.errors_runtime import (
    DatabaseConnectError,
    DatabaseError,
    DatabaseStatementError,
    DatabaseURLError,
    MigrationError,
    PartialMigrationError,
)
from sterna.runtime.steps import StepLike, direction, step_revision_label
from sterna.runtime.transactions import one_line
from sterna.util.messaging import hide_passwords, obfuscate_url_pw


class EngineURLs:
    """The database URLs one command knows, to name the one at fault when a failure escapes
    env.py: ``sqlalchemy.url`` (``config_url``), the engine of each failed connect (reported
    by SQLAlchemy's ``handle_error`` event, listened to only inside :meth:`listening`, in the
    command's thread) and the engine of the connection given to ``configure()``.  One per
    command; nothing of it outlives the command."""

    def __init__(self, config_url: str | None) -> None:
        self.config_url = config_url
        #: the engine URL of the connection env.py passed to ``configure(connection=...)``
        self.configured: URL | None = None
        self._failed: list[tuple[BaseException, URL]] = []
        self._thread = threading.get_ident()
        self._listener = self._engine_failed  # one bound method, to remove what was added

    @contextmanager
    def listening(self) -> Iterator[EngineURLs]:
        """Record the engine of each failed connect while the block runs (env.py)."""
        event.listen(Engine, "handle_error", self._listener)
        try:
            yield self
        finally:
            event.remove(Engine, "handle_error", self._listener)

    def _engine_failed(self, context: ExceptionContext) -> None:
        """``handle_error``: a failed connect (no connection yet) of this command's thread."""
        if context.engine is None or context.connection is not None:
            return
        if threading.get_ident() != self._thread:
            return
        raised = context.sqlalchemy_exception or context.original_exception
        self._failed.append((raised, context.engine.url))

    def connection_configured(self, connection: Connection) -> None:
        self.configured = connection.engine.url

    def url_of(self, exc: BaseException) -> URL | None:
        """The URL of the engine whose connect raised ``exc`` (or the exception ``exc`` was
        raised from), as SQLAlchemy reported it; None when it reported none."""
        chain = (exc, exc.__cause__, exc.__context__)
        for raised, url in reversed(self._failed):
            if any(raised is link for link in chain):
                return url
        return None

    def connect_url(self, exc: BaseException) -> URL | None:
        """The URL to name for a failed connect: the reporting engine's; for a connect that
        SQLAlchemy did not report (not made through a ``Connection``), the engine of the
        connection env.py gave ``configure()``."""
        return self.url_of(exc) or self.configured


def is_connect_error(exc: BaseException) -> bool:
    """True for the driver errors raised when a connection cannot be opened."""
    return isinstance(exc, DBAPIError) and exc.statement is None


#: SQLAlchemy's warning for URL query arguments a driver does not take (pysqlite ignores them);
#: Sterna runs env.py with it turned into an error, since the URL does not mean what it says.
UNACCEPTED_QUERY_WARNING = r"Query string argument\(s\) .* are not accepted"
_UNEXPECTED_KEYWORD = re.compile(r"unexpected keyword argument '([^']*)'")
_BAD_INT = re.compile(r"invalid literal for int\(\) with base 10: ('.*')")
_NOTHING_DONE = "nothing was done to the database"

#: The PyPI package that provides each SQLAlchemy driver (``Dialect.driver``), for the message
#: of a URL whose driver is not installed.  README.md ("Database drivers") shows the same table.
DRIVER_PACKAGES = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "psycopg2cffi": "psycopg2cffi",
    "asyncpg": "asyncpg",
    "pg8000": "pg8000",
    "mysqldb": "mysqlclient",
    "pymysql": "PyMySQL",
    "aiomysql": "aiomysql",
    "asyncmy": "asyncmy",
    "mysqlconnector": "mysql-connector-python",
    "mariadbconnector": "mariadb",
    "cymysql": "cymysql",
    "aiosqlite": "aiosqlite",
    "pysqlcipher": "sqlcipher3-binary",
    "pyodbc": "pyodbc",
    "aioodbc": "aioodbc",
    "pymssql": "pymssql",
    "mssqlpython": "mssql-python",
    "oracledb": "oracledb",
    "cx_oracle": "cx_Oracle",
}


def describe_connect_error(
    exc: BaseException,
    url: str | URL | None = None,
    option: str | None = None,
    state: str | None = None,
) -> DatabaseConnectError:
    """A one-line error for a failed connect, naming ``url`` (the engine's, when the caller
    knows it: :meth:`EngineURLs.url_of`) without its password."""
    found = _as_url(url) if url is not None else None
    cause = _cause_text(exc)
    shown = None
    if found is not None:
        shown = obfuscate_url_pw(found)
        cause = hide_passwords(cause, None if found.password is None else str(found.password))
    return DatabaseConnectError(shown, cause, option, state)


def describe_env_error(
    exc: BaseException, urls: EngineURLs, steps_run: int
) -> DatabaseError | None:
    """A one-line :class:`DatabaseError` for a SQLAlchemy failure escaping env.py (``None`` for
    anything else).  ``urls`` are the URLs the command knows (``sqlalchemy.url``, to name the
    option when it is the URL at fault, and the engines that failed); ``steps_run`` the number
    of migration steps that had started, which decides what the message says about the state
    of the database."""
    problem = url_problem(exc)
    if problem is not None:
        label, shown = _failing_url(exc, problem, urls)
        return DatabaseURLError(label, shown, problem, run_state(steps_run, connected=False))
    if isinstance(exc, DBAPIError) and exc.statement is None:
        url = urls.connect_url(exc)
        option = "sqlalchemy.url" if _is_config_url(url, urls.config_url) else None
        return describe_connect_error(exc, url, option, run_state(steps_run, False))
    if isinstance(exc, StatementError) and isinstance(exc.statement, str):
        return DatabaseStatementError(
            one_line(exc.statement), _cause_text(exc), run_state(steps_run, connected=True)
        )
    if isinstance(exc, ArgumentError):
        return DatabaseError(
            f"Invalid database configuration: {_cause_text(exc)}; {run_state(steps_run, False)}"
        )
    return None


def run_state(steps_run: int, connected: bool) -> str:
    """What a failure outside the migration steps leaves the database in, in words."""
    if steps_run:
        return (
            f"{steps_run} migration step(s) had run before it; `current` shows the revision "
            "the database is at"
        )
    if not connected:
        return _NOTHING_DONE
    return "no migration step had run, so no revision was applied"


def url_problem(exc: BaseException) -> str | None:
    """What is wrong with the database URL, when ``exc`` comes from parsing it, loading its
    dialect or driver, or the driver refusing its query arguments; else ``None``."""
    text = _cause_text(exc)
    if isinstance(exc, SAWarning) and re.search(UNACCEPTED_QUERY_WARNING, str(exc)):
        return _without_background(str(exc)).replace(" and are being ignored", "")
    if isinstance(exc, NoSuchModuleError):
        return f"no such SQLAlchemy dialect or driver ({text})"
    modules = _traceback_places(exc.__traceback__)
    if any(module == "sqlalchemy.engine.url" for module, _ in modules):
        bad_int = _BAD_INT.search(str(exc))
        if isinstance(exc, ValueError) and bad_int is not None:
            return f"the port {bad_int.group(1)} is not a number"
        return text
    if isinstance(exc, ImportError) and any(fn == "import_dbapi" for _, fn in modules):
        return _driver_problem(exc, text)
    if isinstance(exc, TypeError) and modules[-1:] == [("sqlalchemy.engine.default", "connect")]:
        keyword = _UNEXPECTED_KEYWORD.search(str(exc))
        if keyword is not None:
            return f"the driver does not accept the query argument {keyword.group(1)!r}"
        return f"the driver refused the connect arguments ({text})"
    return None


def _driver_problem(exc: ImportError, text: str) -> str:
    """A driver that cannot be imported: the dialect that wanted it and what to install."""
    what = "is not installed" if isinstance(exc, ModuleNotFoundError) else "cannot be imported"
    dialect = _importing_dialect(exc.__traceback__)
    if dialect is None:
        return f"its driver {what} ({text})"
    name, driver = dialect
    package = DRIVER_PACKAGES.get(driver)
    advice = f"`pip install {shlex.quote(package)}`" if package else f"its DBAPI module ({driver})"
    return f"its driver {what} ({text}): the dialect {name}+{driver} needs {advice}"


def _importing_dialect(tb: TracebackType | None) -> tuple[str, str] | None:
    """``(dialect name, driver)`` of the dialect class whose ``import_dbapi`` failed."""
    found: tuple[str, str] | None = None
    while tb is not None:
        frame = tb.tb_frame
        owner = frame.f_locals.get("cls")
        if frame.f_code.co_name == "import_dbapi" and isinstance(owner, type):
            name, driver = getattr(owner, "name", None), getattr(owner, "driver", None)
            if isinstance(name, str) and isinstance(driver, str):
                found = (name, driver)
        tb = tb.tb_next
    return found


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


def _at(heads: Iterable[str]) -> str:
    found = sorted(heads)
    if not found:
        return "base (no revision applied)"
    return f"revision{'s' if len(found) > 1 else ''} {', '.join(found)}"


def rolled_back_state(
    scope: str,
    transactional: bool,
    start: Iterable[str],
    now: Iterable[str],
    steps_done: int,
    at_commit: tuple[Iterable[str], str] | None = None,
) -> str:
    """What a failed step leaves the database in, once its transaction was rolled back:
    ``scope`` is ``"run"`` (one transaction for the whole run) or ``"step"`` (one per step);
    ``start`` the heads before the run, ``now`` those after the steps that completed;
    ``at_commit``: the heads and the revision when ``autocommit_block()`` last committed the
    transaction (the rollback goes back to there, not further)."""
    if at_commit is not None and transactional:
        heads, revision = at_commit
        return (
            f"rolled back to the commit autocommit_block() made in revision {revision}: the "
            f"version table shows {_at(heads)}, and what {revision} ran up to there stayed "
            "applied (see 'sterna validate')"
        )
    if scope == "run" and transactional:
        return (
            "the whole run was rolled back: the schema and the version table are as before the "
            f"run, at {_at(start)}"
        )
    where = "the database is at" if transactional else "the version table shows"
    steps = "the step" if steps_done == 1 else f"the {steps_done} steps"
    before = f"{steps} before it stayed applied: " if steps_done else ""
    after = "" if steps_done else ", as before the run"
    rolled = ("this step was rolled back" + (", " if steps_done else ": ")) if transactional else ""
    # non-transactional DDL: what of the step took effect is told before this
    return f"{rolled}{before}{where} {_at(now)}{after}"


def unmanaged_state(as_sql: bool) -> str:
    """The state after a failed step in a transaction Sterna does not own, or offline."""
    if as_sql:
        return "offline (--sql): nothing was done to the database; the SQL written stops here"
    return (
        "the transaction belongs to the caller (it was open before configure()): the caller "
        "commits or rolls it back"
    )


def _cause_text(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        orig = exc.orig
        text = f"({type(orig).__module__}.{type(orig).__name__}) {orig}"
    elif isinstance(exc, StatementError):
        text = f"{type(exc).__name__}: {exc.orig if exc.orig is not None else exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return one_line(text)


def _without_background(text: str) -> str:
    return one_line(text.split("(Background on this", 1)[0]).rstrip(" .")


def _traceback_places(tb: TracebackType | None) -> list[tuple[str, str]]:
    """``(module, function)`` of each frame of a traceback, outermost first."""
    places: list[tuple[str, str]] = []
    while tb is not None:
        frame = tb.tb_frame
        places.append((str(frame.f_globals.get("__name__", "")), frame.f_code.co_name))
        tb = tb.tb_next
    return places


def _failing_url(exc: BaseException, problem: str, urls: EngineURLs) -> tuple[str, str | None]:
    """The option (``sqlalchemy.url``) or ``database URL`` at fault, and the URL, masked."""
    found = urls.url_of(exc)
    if found is not None:
        label = "sqlalchemy.url" if _is_config_url(found, urls.config_url) else "database URL"
        return label, obfuscate_url_pw(found)
    config_url = urls.config_url
    if config_url is not None and _config_url_fails(config_url, exc, problem):
        parsed = _as_url(config_url)
        return "sqlalchemy.url", obfuscate_url_pw(parsed) if parsed else hide_passwords(config_url)
    text = _raw_url(exc.__traceback__)
    return "database URL", None if text is None else hide_passwords(text)


def _config_url_fails(config_url: str, exc: BaseException, problem: str) -> bool:
    """Whether ``sqlalchemy.url`` is the URL at fault for ``problem``, found before any engine
    connected: an engine built from it fails the same way (its text, dialect, driver, query
    arguments the driver ignores), or, for a driver refusing a keyword when connecting, the
    keyword is one of its query arguments."""
    keyword = _UNEXPECTED_KEYWORD.search(str(exc)) if isinstance(exc, TypeError) else None
    if keyword is not None:
        parsed = _as_url(config_url)
        return parsed is not None and keyword.group(1) in parsed.query
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", UNACCEPTED_QUERY_WARNING, SAWarning)
            create_engine(config_url).dispose()
    except Exception as again:  # what building an engine from it raises, compared
        return url_problem(again) == problem
    return False


def _raw_url(tb: TracebackType | None) -> str | None:
    """The URL string being parsed when the URL module failed."""
    found: str | None = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__") == "sqlalchemy.engine.url":
            value = frame.f_locals.get("name_or_url")
            if isinstance(value, str) and found is None:
                found = value
        tb = tb.tb_next
    return found


def _is_config_url(url: URL | None, config_url: str | None) -> bool:
    if url is None or config_url is None:
        return False
    parsed = _as_url(config_url)
    return parsed is not None and parsed == url


def _as_url(url: str | URL) -> URL | None:
    try:
        return make_url(url)
    except Exception:  # an unparsable URL is simply not shown
        return None
