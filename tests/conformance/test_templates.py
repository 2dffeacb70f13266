"""Alembic's own templates (generic, async, multidb, pyproject, pyproject_async, taken from the
installed Alembic at run time) run unchanged under Sterna: ``alembic init`` writes the project;
``sterna revision`` renders Alembic's script.py.mako exactly as ``alembic revision`` does; the
command line (``python -m sterna`` vs ``python -m alembic``, env.py's fileConfig logging
included) prints the same; the databases end up the same."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conformance import tally
from tests.conformance.compare import check, same_database, same_outcome, statements
from tests.conformance.harness import ALEMBIC, STERNA, Outcome, Settings, Tool, run
from tests.conformance.projects import alembic_init, set_ini_option

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = "driver://user:pass@localhost/dbname"

CASES = [
    ("generic", "sqlite"),
    ("generic", "postgresql"),
    ("generic", "mariadb"),
    ("pyproject", "sqlite"),
    ("pyproject", "mariadb"),
    ("async", "sqlite"),
    ("async", "postgresql"),
    ("async", "mariadb"),
    ("pyproject_async", "sqlite"),
    ("pyproject_async", "postgresql"),
    ("pyproject_async", "mariadb"),
    ("multidb", "sqlite"),
    ("multidb", "postgresql"),
]
URL_FIXTURES = {"sqlite": "sqlite_url", "postgresql": "pg_url", "mariadb": "mysql_url"}

FIRST = (
    "1a1a1a1a1a1a",
    "create things",
    "op.create_table('things', sa.Column('id', sa.Integer, primary_key=True), "
    "sa.Column('name', sa.String(30)))",
    "op.drop_table('things')",
)
SECOND = (
    "2b2b2b2b2b2b",
    "add size",
    "op.add_column('things', sa.Column('size', sa.Integer, server_default='1'))",
    "op.drop_column('things', 'size')",
)


#: synchronous driver -> the asyncio driver of the same database (psycopg 3 is both)
ASYNC_DRIVERS = {"sqlite://": "sqlite+aiosqlite://", "mysql+pymysql://": "mysql+aiomysql://"}


def async_url(url: str) -> str:
    for sync, async_ in ASYNC_DRIVERS.items():
        if url.startswith(sync):
            return async_ + url[len(sync) :]
    return url


def new_url(request: pytest.FixtureRequest, db: str, tmp_path: Path, name: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{tmp_path / (name + '.db')}"
    # each call of the fixture function gives a fresh database only once per test: use the
    # shared helper directly for the extra ones
    from tests.conftest import _fresh_database

    generator = _fresh_database(db)
    url = next(generator)
    request.addfinalizer(lambda: next(generator, None))
    return url


def set_urls(root: Path, template: str, urls: list[str]) -> None:
    ini = root / "alembic.ini"
    if template == "multidb":
        set_ini_option(ini, "sqlalchemy.url", urls[0], section="engine1")
        set_ini_option(ini, "sqlalchemy.url", urls[1], section="engine2")
    else:
        set_ini_option(ini, "sqlalchemy.url", urls[0])


def fill(script: Path, template: str, upgrade: str, downgrade: str) -> None:
    """Put ``upgrade``/``downgrade`` bodies where the template wrote ``pass``."""
    text = script.read_text()
    if template == "multidb":
        names = ("upgrade_engine1", "downgrade_engine1")
    else:
        names = ("upgrade", "downgrade")
    for name, body in zip(names, (upgrade, downgrade), strict=True):
        pattern = rf'(def {name}\(\) -> None:\n    """[^\n]*"""\n)    pass\n'

        def with_body(m: re.Match[str], b: str = body) -> str:
            return f"{m.group(1)}    {b}\n"

        text, count = re.subn(pattern, with_body, text)
        assert count == 1, (name, text)
    script.write_text(text)


def cli(tool: Tool, root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", tool.name, *argv],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def normalise(text: str, root: Path, urls: list[str]) -> list[str]:
    """Paths, URLs (also as printed, password hidden) and creation dates made neutral."""
    text = text.replace(str(root), "<ROOT>")
    for index, url in enumerate(urls):
        shown = make_url(url).render_as_string(hide_password=True)
        text = text.replace(url, f"<URL{index}>").replace(shown, f"<URL{index}>")
    text = re.sub(r"Create Date: .*", "Create Date: <DATE>", text)
    return text.splitlines()


def sync_url(url: str) -> str:
    for sync, async_ in ASYNC_DRIVERS.items():
        if url.startswith(async_):
            return sync + url[len(async_) :]
    return url


@pytest.mark.parametrize(("template", "db"), CASES)
def test_template(template: str, db: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    tally.count("projects")
    sides = {"alembic": tmp_path / "alembic_side", "sterna": tmp_path / "sterna_side"}
    engines = 2 if template == "multidb" else 1
    urls = {
        name: [new_url(request, db, tmp_path, f"{name}{i}") for i in range(engines)]
        for name in sides
    }
    if "async" in template:
        urls = {name: [async_url(u) for u in found] for name, found in urls.items()}
    for name, root in sides.items():
        alembic_init(root, template)
        set_urls(root, template, urls[name])
    # new revisions: Alembic's script.py.mako rendered by each tool
    for rev_id, message, upgrade, downgrade in (FIRST, SECOND):
        written = {}
        for tool in (ALEMBIC, STERNA):
            root = sides[tool.name]
            outcome = run(
                tool, root / "alembic.ini", Settings(), "revision", message=message, rev_id=rev_id
            )
            assert outcome.ok, outcome
            path = next((root / "migrations" / "versions").glob(f"{rev_id}_*.py"))
            written[tool.name] = [
                line
                for line in path.read_text().splitlines()
                if not line.startswith("Create Date: ")
            ]
            fill(path, template, upgrade, downgrade)
        tally.count("commands")
        check(
            "output", f"revision -m {message!r} ({template})", written["alembic"], written["sterna"]
        )
    # the command line, with env.py's logging set-up
    outputs = {}
    for tool in (ALEMBIC, STERNA):
        done = cli(tool, sides[tool.name], "upgrade", "head")
        assert done.returncode == 0, done.stderr
        outputs[tool.name] = Outcome(
            tool.name,
            tuple(normalise(done.stdout, sides[tool.name], urls[tool.name])),
            "",
            tuple(normalise(done.stderr, sides[tool.name], urls[tool.name])),
        )
    same_outcome(outputs["alembic"], outputs["sterna"], f"CLI upgrade head ({template})", db)
    for index in range(engines):
        same_database(
            sync_url(urls["alembic"][index]),
            sync_url(urls["sterna"][index]),
            f"{template}: upgrade head",
            db,
        )
    # the rest in-process
    for verb, args, kw in (
        ("current", (), {"verbose": True}),
        ("history", (), {"verbose": True}),
        ("downgrade", ("-1",), {}),
        ("upgrade", ("head",), {"sql": True}),
        ("downgrade", ("base",), {}),
    ):
        theirs = run(ALEMBIC, sides["alembic"] / "alembic.ini", Settings(), verb, *args, **kw)
        ours = run(STERNA, sides["sterna"] / "alembic.ini", Settings(), verb, *args, **kw)
        fix = {"alembic": theirs, "sterna": ours}
        for name, outcome in fix.items():
            fix[name] = Outcome(
                name,
                tuple(normalise("\n".join(outcome.lines), sides[name], urls[name])),
                outcome.sql,
                outcome.log,
                outcome.error,
                outcome.error_kind,
            )
        same_outcome(fix["alembic"], fix["sterna"], f"{verb} {args} ({template})", db)
        if template == "multidb" and kw.get("sql"):  # offline output goes to <engine>.sql
            for engine in ("engine1", "engine2"):
                theirs_sql = statements((sides["alembic"] / f"{engine}.sql").read_text())
                tally.count("statements", len(theirs_sql))
                check(
                    "sql",
                    f"upgrade --sql {engine}.sql",
                    theirs_sql,
                    statements((sides["sterna"] / f"{engine}.sql").read_text()),
                    db,
                )
    for index in range(engines):
        same_database(
            sync_url(urls["alembic"][index]),
            sync_url(urls["sterna"][index]),
            f"{template}: base",
            db,
        )
    # crossed over: Sterna runs the scripts `alembic revision` wrote, and the reverse
    for tool, side in ((STERNA, "alembic"), (ALEMBIC, "sterna")):
        outcome = run(tool, sides[side] / "alembic.ini", Settings(), "upgrade", "head")
        assert outcome.ok, outcome
    tally.count("commands")
    for index in range(engines):
        same_database(
            sync_url(urls["alembic"][index]),
            sync_url(urls["sterna"][index]),
            f"{template}: each tool upgrading the other's scripts",
            db,
        )
