"""``--server URL``: a fresh database (and the schemas SQLAlchemy's test plugin expects) for each
pytest process, so that what one run left behind never decides the next one."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

DATABASE = "alembic_suite"
#: the schemas ``sqlalchemy.testing`` names ``config.test_schema`` / ``test_schema_2``
SCHEMAS = ("test_schema", "test_schema_2")


def _statements(url: URL) -> list[tuple[str, str]]:
    """(database to connect to, statement) to recreate the suite's database on ``url``'s server."""
    backend = url.get_backend_name()
    if backend == "postgresql":
        return [
            ("postgres", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"),
            ("postgres", f"CREATE DATABASE {DATABASE}"),
            *[(DATABASE, f"CREATE SCHEMA {schema}") for schema in SCHEMAS],
        ]
    if backend in ("mysql", "mariadb"):
        names = (DATABASE, *SCHEMAS)
        return [("mysql", f"DROP DATABASE IF EXISTS {name}") for name in names] + [
            ("mysql", f"CREATE DATABASE {name}") for name in names
        ]
    raise SystemExit(f"--server {url.render_as_string()}: only PostgreSQL and MySQL/MariaDB")


def fresh_database(server: str) -> str:
    """Recreate the suite's database on ``server``; the URL of it, as a string."""
    url = make_url(server)
    for database, statement in _statements(url):
        engine = create_engine(url.set(database=database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()
    return url.set(database=DATABASE).render_as_string(hide_password=False)


def backend_label(server: str) -> str:
    """``postgresql``, ``mysql`` or ``mariadb`` (asked of the server: a ``mysql://`` URL may
    point at MariaDB)."""
    url = make_url(server)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            name = conn.dialect.name
            if name == "mysql" and getattr(conn.dialect, "is_mariadb", False):
                return "mariadb"
            return str(name)
    finally:
        engine.dispose()
