"""The everyday deploy on PostgreSQL, counted in round trips (issue 15).

Every round trip is a wait for the server, so the statements a deploy adds to Alembic's are
counted from a libpq trace of the run's connection (``pgconn.trace()``): ``upgrade head`` of the
last revision, Sterna and Alembic 1.20.1 on the same project.  Sterna keeps its lock and its
history: the schema lookup and the try of the lock, one look at the history table and one read
of it (validation), the history row, the unlock; nothing else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import REPO

ENV_PY = """
import os

from sqlalchemy import create_engine, pool, text

from {tool} import context

config = context.config


def run_migrations_online():
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        trace = os.environ.get("TEST_PGTRACE")
        out = open(trace, "w") if trace else None
        if out is not None:
            connection.connection.dbapi_connection.pgconn.trace(out.fileno())
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        if out is not None:
            connection.connection.dbapi_connection.pgconn.untrace()
            out.close()
            held = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid()"
                )
            ).scalar()
            driver = connection.connection.dbapi_connection
            with open(trace + ".after", "w") as after:
                after.write(f"{{held}} {{driver.autocommit}}")


run_migrations_online()
"""

SCRIPT = '''"""step {rev}"""
from {tool} import op
import sqlalchemy as sa

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t_{rev}", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("t_{rev}")
'''


def _project(root: Path, tool: str, url: str) -> Path:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY.format(tool=tool))
    (root / "alembic.ini").write_text(
        f"[alembic]\nscript_location = migrations\nsqlalchemy.url = {url.replace('%', '%%')}\n"
    )
    down = None
    for rev in ("r1", "r2", "r3"):
        (versions / f"{rev}_step.py").write_text(SCRIPT.format(rev=rev, down=down, tool=tool))
        down = rev
    return root


def _run(tool: str, root: Path, *args: str, trace: Path | None = None) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    if trace is not None:
        env["TEST_PGTRACE"] = str(trace)
    main = "sterna" if tool == "sterna" else "alembic.config"
    subprocess.run(
        [sys.executable, "-m", main, *args], cwd=root, env=env, check=True, capture_output=True
    )


def _sent(trace: Path) -> list[str]:
    """Each round trip the client started: a simple ``Query``, or the ``Sync`` that ends an
    extended-protocol statement (named by its ``Parse``)."""
    trips: list[str] = []
    parsed = ""
    for line in trace.read_text().splitlines():
        fields = line.split("\t")
        if len(fields) < 4 or fields[1] != "F":
            continue
        if fields[3] == "Parse":
            parsed = fields[4].strip().removeprefix('"" "')  # an unnamed statement's text
        elif fields[3] == "Query":
            trips.append(fields[4].strip('" ').split("\n")[0].strip())
        elif fields[3] == "Sync":
            trips.append(parsed.split('"')[0].strip())
    return trips


def _deploy(tool: str, tmp_path: Path, server: str, db: str) -> list[str]:
    from sqlalchemy.engine import make_url

    url = make_url(server).set(database=db).render_as_string(hide_password=False)
    root = _project(tmp_path / tool, tool, url)
    _run(tool, root, "upgrade", "r2")
    trace = tmp_path / f"{tool}.trace"
    _run(tool, root, "upgrade", "head", trace=trace)
    assert (tmp_path / f"{tool}.trace.after").read_text() == "0 False"
    return _sent(trace)


def test_deploy_round_trips_against_alembic(pg_url: str, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    server = make_url(pg_url).set(database="postgres").render_as_string(hide_password=False)
    own = make_url(pg_url).database or ""
    other = f"{own}_alembic"[:63]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{other}"'))
        conn.execute(text(f'CREATE DATABASE "{other}"'))
    try:
        alembic = _deploy("alembic", tmp_path, pg_url, other)
        sterna = _deploy("sterna", tmp_path, pg_url, own)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)'))
        admin.dispose()
    # Alembic: BEGIN, the version table's lookup and read, the script, the UPDATE, COMMIT
    assert len(alembic) == 6, alembic
    extra = list(sterna)
    for statement in alembic:  # Sterna sends each of Alembic's statements, in its order
        assert statement in extra, (statement, sterna)
        extra.remove(statement)
    kinds = sorted(_kind(statement) for statement in extra)
    assert kinds == [
        "history lookup",
        "history read",
        "history row",
        "lock",
        "schema",
        "unlock",
    ], sterna
    # the unlock is sent on its own after the COMMIT, not in a transaction of its own
    assert sterna[-2:] == ["COMMIT", "SELECT pg_advisory_unlock($1)"], sterna


def _kind(statement: str) -> str:
    if statement == "SELECT current_schema()":
        return "schema"
    if statement.startswith("SELECT pg_try_advisory_lock"):
        return "lock"
    if statement.startswith("SELECT pg_advisory_unlock"):
        return "unlock"
    if statement.startswith("SELECT pg_catalog.pg_class.relname"):
        return "history lookup"
    if statement.startswith("SELECT sterna_history."):
        return "history read"
    if statement.startswith("INSERT INTO sterna_history"):
        return "history row"
    return statement
