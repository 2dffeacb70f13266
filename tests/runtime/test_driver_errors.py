"""A database URL whose driver is not installed: one ``FAILED:`` line that names the URL's dialect
and driver, the package to ``pip install``, and that nothing was done to the database.

Each case runs ``sterna upgrade head`` in a real subprocess, with a driver that is really missing
from the interpreter running the tests (skipped when it happens to be installed)."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest
import sqlalchemy.dialects

from sterna.runtime.errors import DRIVER_PACKAGES
from tests.conftest import run_sterna

SECRET = "s3cret-pw"


def _missing(module: str) -> None:
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed")


def _project(root: Path, url: str, template: str = "generic") -> Path:
    run_sterna("init", "-t", template, "migrations", cwd=root, check=True)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", url))
    run_sterna("revision", "-m", "first", cwd=root, check=True)
    return root


def _one_failed_line(root: Path) -> str:
    proc = run_sterna("upgrade", "head", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("FAILED: "), proc.stderr
    assert SECRET not in proc.stderr
    return lines[-1]


@pytest.mark.parametrize(
    ("url", "module", "dialect", "install"),
    [
        ("postgresql+pg8000://u:{pw}@localhost/db", "pg8000", "postgresql+pg8000", "pg8000"),
        ("mysql+mysqldb://u:{pw}@localhost/db", "MySQLdb", "mysql+mysqldb", "mysqlclient"),
        # no driver in the URL: the dialect's default one is named
        ("mariadb://u:{pw}@localhost/db", "MySQLdb", "mariadb+mysqldb", "mysqlclient"),
        ("mssql://u:{pw}@localhost/db", "pyodbc", "mssql+pyodbc", "pyodbc"),
    ],
)
def test_missing_driver_names_the_package(
    tmp_path: Path, url: str, module: str, dialect: str, install: str
) -> None:
    _missing(module)
    line = _one_failed_line(_project(tmp_path, url.format(pw=SECRET)))
    assert line.startswith(f"FAILED: sqlalchemy.url {url.format(pw='***')} is not usable: ")
    assert f"No module named '{module}'" in line
    assert f"the dialect {dialect} needs `pip install {install}`" in line
    assert line.endswith("; nothing was done to the database")


def test_missing_async_driver(tmp_path: Path) -> None:
    _missing("asyncpg")
    project = _project(tmp_path, f"postgresql+asyncpg://u:{SECRET}@localhost/db", "async")
    line = _one_failed_line(project)
    assert "the dialect postgresql+asyncpg needs `pip install asyncpg`" in line
    assert line.endswith("; nothing was done to the database")


def _shipped_drivers() -> set[str]:
    """Every driver of the dialects SQLAlchemy ships (``sqlalchemy.dialects.<name>.<module>``)."""
    drivers: set[str] = set()
    for name in sqlalchemy.dialects.__all__:
        package = importlib.import_module(f"sqlalchemy.dialects.{name}")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            dialect = getattr(module, "dialect", None)
            driver = getattr(dialect, "driver", None)
            if isinstance(driver, str) and getattr(dialect, "name", None) == name:
                drivers.add(driver)
    return drivers


def test_every_shipped_driver_has_a_package() -> None:
    """pysqlite is the standard library's sqlite3: nothing to install."""
    shipped = _shipped_drivers()
    assert {"psycopg", "asyncpg", "pymysql", "mysqldb", "aiosqlite"} <= shipped
    assert shipped - {"pysqlite"} <= set(DRIVER_PACKAGES)
