"""Failures escaping env.py: an unusable ``sqlalchemy.url`` (non-numeric port, a query argument the
driver refuses, an unknown dialect or driver) and a statement failing before any migration step.
Each is one ``FAILED:`` line, exit status 1, naming the option or the statement (on one line), the
password masked, and saying what the database is left in -- which is checked to be true."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from sterna import command
from sterna.cli import main
from sterna.config import Config
from sterna.errors import DatabaseConnectError
from tests.conftest import run_sterna

SECRET = "s3cret-pw"
NOTHING_DONE = "nothing was done to the database"

SCRIPT = '''"""create t"""
from sterna import op
import sqlalchemy as sa

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("t")
'''


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    """``contextlib.chdir`` (Python 3.11+) for 3.10."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _project(root: Path, url: str) -> Path:
    with _cwd(root), contextlib.redirect_stdout(io.StringIO()):
        command.init(Config("alembic.ini"), "migrations")
    ini = root / "alembic.ini"
    text = ini.read_text().replace("driver://user:pass@localhost/dbname", url.replace("%", "%%"))
    ini.write_text(text)
    (root / "migrations" / "versions" / "r1_create_t.py").write_text(SCRIPT)
    return root


def _sterna(cwd: Path, *argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with _cwd(cwd), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, err.getvalue()


def _failure(status: int, err: str) -> str:
    assert status == 1, err
    assert "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("FAILED: "), err
    assert SECRET not in err
    return last[len("FAILED: ") :]


def _tables(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        return sorted(set(sa.inspect(engine).get_table_names()) - {"sterna_history"})
    finally:
        engine.dispose()


def _with_password(url: str, **changes: Any) -> str:
    return make_url(url).set(password=SECRET, **changes).render_as_string(hide_password=False)


# --------------------------------------------------------------------------- sqlalchemy.url


def test_non_numeric_port(tmp_path: Path) -> None:
    url = f"postgresql://u:{SECRET}@localhost:abc/db"
    message = _failure(*_sterna(_project(tmp_path, url), "upgrade", "head"))
    assert message == (
        "sqlalchemy.url postgresql://u:***@localhost:abc/db is not usable: "
        f"the port 'abc' is not a number; {NOTHING_DONE}"
    )


def test_sqlite_query_argument_the_driver_ignores(tmp_path: Path) -> None:
    """pysqlite would ignore ``?foo=bar`` with a warning: the URL does not mean what it says."""
    url = f"sqlite:///{tmp_path / 'app.db'}?foo=bar"
    proc = run_sterna("upgrade", "head", cwd=_project(tmp_path, url))
    message = _failure(proc.returncode, proc.stderr)
    assert message.startswith(f"sqlalchemy.url {url} is not usable: ")
    assert "'foo'" in message and message.endswith(NOTHING_DONE)
    assert not (tmp_path / "app.db").exists()


def test_sqlite_uri_arguments_still_work(tmp_path: Path) -> None:
    url = f"sqlite:///file:{tmp_path / 'app.db'}?mode=rwc&uri=true"
    status, err = _sterna(_project(tmp_path, url), "upgrade", "head")
    assert status == 0, err
    assert _tables(f"sqlite:///{tmp_path / 'app.db'}") == ["alembic_version", "t"]


def test_unknown_query_argument_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    # the right password, so that only the query argument is wrong
    url = make_url(pg_url).update_query_dict({"bogus": "1"}).render_as_string(hide_password=False)
    message = _failure(*_sterna(_project(tmp_path, url), "upgrade", "head"))
    shown = make_url(url).render_as_string(hide_password=True)
    assert message.startswith(f"Can't connect to database {shown} (sqlalchemy.url): ")
    assert "bogus" in message and message.endswith(NOTHING_DONE)
    assert _tables(pg_url) == []


def test_unknown_query_argument_on_mariadb(tmp_path: Path, mysql_url: str) -> None:
    url = make_url(mysql_url).update_query_dict({"bogus": "1"})
    message = _failure(
        *_sterna(_project(tmp_path, url.render_as_string(hide_password=False)), "upgrade", "head")
    )
    assert message == (
        f"sqlalchemy.url {url.render_as_string(hide_password=True)} is not usable: the driver "
        f"does not accept the query argument 'bogus'; {NOTHING_DONE}"
    )
    assert _tables(mysql_url) == []


def test_password_is_masked_on_mariadb(tmp_path: Path, mysql_url: str) -> None:
    url = _with_password(mysql_url, query={"bogus": "1"})
    proc = run_sterna("current", cwd=_project(tmp_path, url))
    message = _failure(proc.returncode, proc.stderr)
    assert ":***@" in message and "bogus" in message and message.endswith(NOTHING_DONE)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("nosuchdialect://x/y", "no such SQLAlchemy dialect or driver"),
        ("sqlite+nosuchdriver:///x.db", "no such SQLAlchemy dialect or driver"),
        ("postgresql+psycopg2://u:{pw}@localhost/db", "its driver is not installed"),
        ("not a url", "Could not parse SQLAlchemy URL"),
    ],
)
def test_unusable_dialect_driver_or_text(tmp_path: Path, url: str, problem: str) -> None:
    if "psycopg2" in url:
        pytest.importorskip("sqlalchemy")
        try:
            import psycopg2  # type: ignore[import-untyped]  # noqa: F401
        except ImportError:
            pass
        else:
            pytest.skip("psycopg2 is installed")
    message = _failure(*_sterna(_project(tmp_path, url.format(pw=SECRET)), "upgrade", "head"))
    assert message.startswith("sqlalchemy.url ")
    assert problem in message and message.endswith(NOTHING_DONE)
    assert list(tmp_path.glob("*.db")) == []


def test_url_given_by_env_py_is_not_called_sqlalchemy_url(tmp_path: Path) -> None:
    project = _project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    env = project / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "config.get_section(config.config_ini_section, {})",
            f"{{'sqlalchemy.url': 'postgresql://u:{SECRET}@h:port/db'}}",
        )
    )
    message = _failure(*_sterna(project, "upgrade", "head"))
    assert message.startswith("database URL postgresql://u:***@h:port/db is not usable: ")


# ----------------------------------------------------------------- an engine env.py builds itself


def _env_py_connects_to(project: Path, url: str) -> Path:
    """env.py builds its engine from ``url`` instead of ``sqlalchemy.url``."""
    env = project / "migrations" / "env.py"
    section = "config.get_section(config.config_ini_section, {})"
    assert section in env.read_text()
    env.write_text(env.read_text().replace(section, f"{{'sqlalchemy.url': {url!r}}}"))
    return project


def _handle_error_listeners() -> list[object]:
    return list(sa.create_engine("sqlite://").dialect.dispatch.handle_error)


def test_failed_connect_of_env_py_own_engine_names_its_url(tmp_path: Path, pg_url: str) -> None:
    """The URL is the failing engine's, as SQLAlchemy reports it, password hidden; not
    ``sqlalchemy.url`` (a SQLite file here), which is not named."""
    own = make_url(pg_url).set(password=SECRET)
    project = _project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    _env_py_connects_to(project, own.render_as_string(hide_password=False))
    message = _failure(*_sterna(project, "upgrade", "head"))
    shown = f"{own.drivername}://{own.username}:***@{own.host}:{own.port}/{own.database}"
    assert message.startswith(f"Can't connect to database {shown}: "), message
    assert "password authentication failed" in message and message.endswith(NOTHING_DONE)
    assert "sqlalchemy.url" not in message and "app.db" not in message
    assert _tables(pg_url) == []


def test_unknown_dialect_of_env_py_own_url_is_not_blamed_on_sqlalchemy_url(tmp_path: Path) -> None:
    """No engine exists to report the URL: ``sqlalchemy.url`` (which builds an engine fine) is
    not named; the problem names the dialect."""
    project = _project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    _env_py_connects_to(project, f"nosuchdialect://u:{SECRET}@h/db")
    message = _failure(*_sterna(project, "upgrade", "head"))
    assert message.startswith("database URL is not usable: no such SQLAlchemy dialect or driver")
    assert "nosuchdialect" in message and message.endswith(NOTHING_DONE)
    assert not (tmp_path / "app.db").exists()


def test_each_command_names_its_own_engine_and_leaves_no_listener(tmp_path: Path) -> None:
    """Library use: two commands in one process, each env.py with an engine of its own that
    cannot connect; each message names its own URL, and after each command SQLAlchemy has no
    ``handle_error`` listener of Sterna's left."""
    before = _handle_error_listeners()
    for name, other in (("one", "two"), ("two", "one")):
        (tmp_path / name).mkdir()
        project = _project(tmp_path / name, f"sqlite:///{tmp_path / name / 'app.db'}")
        _env_py_connects_to(project, f"sqlite:///{tmp_path / name / 'no-dir' / 'x.db'}")
        with _cwd(project), pytest.raises(DatabaseConnectError) as info:
            command.upgrade(Config("alembic.ini"), "head")
        message = str(info.value)
        assert message.startswith(f"Can't connect to database sqlite:///{tmp_path / name}/"), (
            message
        )
        assert f"/{name}/no-dir/x.db: " in message and f"/{other}/" not in message
        assert "unable to open database file" in message and message.endswith(NOTHING_DONE)
        assert _handle_error_listeners() == before


# --------------------------------------------------------------------------- before any step

FAILING_ENV_STATEMENT = '''
        connection.exec_driver_sql("""SELECT *
              FROM   no_such_table
            WHERE  1 = 1""")
        with context.begin_transaction():'''


def test_statement_in_env_py_before_the_first_step(
    tmp_path: Path, db_url: str, backend: str
) -> None:
    project = _project(tmp_path, db_url)
    env = project / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "\n        with context.begin_transaction():", FAILING_ENV_STATEMENT, 1
        )
    )
    message = _failure(*_sterna(project, "upgrade", "head"))
    assert message.startswith(
        "Database error while running 'SELECT * FROM no_such_table WHERE 1 = 1': "
    )
    assert "\\n" not in message
    assert message.endswith("; no migration step had run, so no revision was applied")
    assert _tables(db_url) == []


def test_version_table_that_cannot_be_created(tmp_path: Path, db_url: str, backend: str) -> None:
    project = _project(tmp_path, db_url)
    env = project / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "context.configure(connection=connection,",
            "context.configure(connection=connection, version_table_schema='no_such_schema',",
            1,
        )
    )
    message = _failure(*_sterna(project, "upgrade", "head"))
    assert message.startswith(
        "Database error while running 'CREATE TABLE no_such_schema.alembic_version "
        "( version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY "
        "(version_num) )': "
    )
    assert message.endswith("; no migration step had run, so no revision was applied")
    assert _tables(db_url) == []


def test_statement_in_env_py_after_steps_names_how_many(tmp_path: Path, sqlite_url: str) -> None:
    project = _project(tmp_path, sqlite_url)
    env = project / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "            context.run_migrations()",
            "            context.run_migrations()\n"
            "        connection.exec_driver_sql('SELECT * FROM no_such_table')",
            1,
        )
    )
    message = _failure(*_sterna(project, "upgrade", "head"))
    assert message.startswith("Database error while running 'SELECT * FROM no_such_table': ")
    assert message.endswith(
        "; 1 migration step(s) had run before it; `current` shows the revision the database is at"
    )
