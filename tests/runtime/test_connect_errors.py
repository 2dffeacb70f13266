"""describe_connect_error(): one line, the URL without its password; the URL is the failing
engine's, as SQLAlchemy's ``handle_error`` event reports it to :class:`EngineURLs`."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from sterna.errors import DatabaseError
from sterna.runtime.errors import (
    EngineURLs,
    describe_connect_error,
    describe_env_error,
    is_connect_error,
)

SECRET = "not-the-password-4711"


def _connect(url: str) -> tuple[DBAPIError, EngineURLs]:
    engine = create_engine(url)
    urls = EngineURLs(None)
    try:
        with urls.listening(), engine.connect():
            pass
    except DBAPIError as exc:
        return exc, urls
    finally:
        engine.dispose()
    raise AssertionError("connecting should have failed")


def _server_url(var: str) -> str:
    url = os.environ.get(var)
    if not url:
        pytest.skip(f"{var} is not set")
    return url


def test_wrong_password_on_postgresql_is_shown_without_it() -> None:
    url = make_url(_server_url("STERNA_TEST_PG_URL")).set(password=SECRET)
    exc, urls = _connect(url.render_as_string(hide_password=False))
    assert is_connect_error(exc)
    assert urls.url_of(exc) == url
    err = describe_connect_error(exc, urls.url_of(exc))
    message = str(err)
    assert isinstance(err, DatabaseError)
    assert SECRET not in message and "\n" not in message
    assert f"{url.username}:***@{url.host}:{url.port}/{url.database}" in message
    assert "password authentication failed" in message


def test_unreachable_mariadb_names_host_and_port() -> None:
    url = make_url(_server_url("STERNA_TEST_MYSQL_URL")).set(port=1, password=SECRET)
    exc, _ = _connect(url.render_as_string(hide_password=False))
    err = describe_connect_error(exc, url=url.render_as_string(hide_password=False))
    assert SECRET not in str(err)
    assert str(err).startswith(f"Can't connect to database mysql+pymysql://{url.username}:***@")
    assert ":1/" in str(err) and "Can't connect to" in err.cause


def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    exc, urls = _connect(url)
    err = describe_connect_error(exc, urls.url_of(exc))
    assert str(err) == f"Can't connect to database {url}: " + err.cause
    assert "unable to open database file" in err.cause


def test_statement_errors_are_not_connect_errors(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    with engine.connect() as conn, pytest.raises(DBAPIError) as info:
        conn.execute(text("SELECT * FROM nowhere"))
    engine.dispose()
    assert not is_connect_error(info.value)


def test_without_a_url_none_is_named(tmp_path: Path) -> None:
    """Nothing is looked for in the traceback: a caller that knows no URL gets none."""
    exc, _ = _connect(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    assert str(describe_connect_error(exc)) == "Can't connect to database: " + _cause(exc)


def _cause(exc: DBAPIError) -> str:
    return f"({type(exc.orig).__module__}.{type(exc.orig).__name__}) {exc.orig}"


def test_a_connect_no_engine_reported_names_the_configured_connection(tmp_path: Path) -> None:
    """A driver error without a statement that SQLAlchemy's event did not report (a connect not
    made through a ``Connection``): the URL of the connection env.py gave ``configure()``."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = create_engine(url)
    urls = EngineURLs(url)
    orig = sqlite3.OperationalError("unable to open database file")
    exc = DBAPIError.instance(None, None, orig, sqlite3.Error)
    try:
        with engine.connect() as connection:
            assert urls.connect_url(exc) is None
            urls.connection_configured(connection)
    finally:
        engine.dispose()
    assert urls.url_of(exc) is None and urls.connect_url(exc) == make_url(url)
    err = describe_env_error(exc, urls, 0)
    assert str(err) == (
        f"Can't connect to database {url} (sqlalchemy.url): (sqlite3.OperationalError) "
        "unable to open database file; nothing was done to the database"
    )


def test_only_the_commands_own_thread_and_connects_are_recorded(tmp_path: Path) -> None:
    """A connect failing in another thread (another command, in a library) is not this one's;
    nor is a statement failing on an open connection; nothing is recorded after the block."""
    failed: list[DBAPIError] = []

    def in_thread() -> None:
        try:
            create_engine(f"sqlite:///{tmp_path / 'no-dir' / 'other.db'}").connect()
        except DBAPIError as exc:
            failed.append(exc)

    urls = EngineURLs(None)
    with urls.listening():
        thread = threading.Thread(target=in_thread)
        thread.start()
        thread.join()
        engine = create_engine(f"sqlite:///{tmp_path / 'ok.db'}")
        with engine.connect() as conn, pytest.raises(DBAPIError) as statement:
            conn.execute(text("SELECT * FROM nowhere"))
        engine.dispose()
    exc, _ = _connect(f"sqlite:///{tmp_path / 'no-dir' / 'after.db'}")
    assert failed and urls.url_of(failed[0]) is None
    assert urls.url_of(statement.value) is None
    assert urls.url_of(exc) is None
