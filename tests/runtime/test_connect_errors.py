"""describe_connect_error(): one line, the URL without its password."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from sterna.errors import DatabaseError
from sterna.runtime.errors import describe_connect_error, is_connect_error

SECRET = "not-the-password-4711"


def _connect(url: str) -> DBAPIError:
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        return exc
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
    exc = _connect(url.render_as_string(hide_password=False))
    assert is_connect_error(exc)
    err = describe_connect_error(exc)  # the URL is found in the traceback
    message = str(err)
    assert isinstance(err, DatabaseError)
    assert SECRET not in message and "\n" not in message
    assert f"{url.username}:***@{url.host}:{url.port}/{url.database}" in message
    assert "password authentication failed" in message


def test_unreachable_mariadb_names_host_and_port() -> None:
    url = make_url(_server_url("STERNA_TEST_MYSQL_URL")).set(port=1, password=SECRET)
    exc = _connect(url.render_as_string(hide_password=False))
    err = describe_connect_error(exc, url=url.render_as_string(hide_password=False))
    assert SECRET not in str(err)
    assert str(err).startswith(f"Can't connect to database mysql+pymysql://{url.username}:***@")
    assert ":1/" in str(err) and "Can't connect to" in err.cause


def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    err = describe_connect_error(_connect(url))
    assert str(err) == f"Can't connect to database {url}: " + err.cause
    assert "unable to open database file" in err.cause


def test_statement_errors_are_not_connect_errors(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    with engine.connect() as conn, pytest.raises(DBAPIError) as info:
        conn.execute(text("SELECT * FROM nowhere"))
    engine.dispose()
    assert not is_connect_error(info.value)
