"""Pre-flight: every script a run needs is imported and checked before the first statement.

Alembic imports every script of the directory to build its revision map before the first step,
so a broken script fails its runs before the database is touched, and a script may rely on the
import side effects of another one.  Sterna imports scripts the same way in the commands that
run migrations (``upgrade``, ``downgrade``, ``stamp``, ``check``, ``revision --autogenerate``)
and checks that each step's function exists before it creates the version table or writes a
line of SQL.  The projects are written at run time; the same project serves both tools (its
scripts and env.py import ``alembic``, which Sterna answers while env.py runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import run_sterna
from tests.runtime.helpers import table_names, version_rows

ENV_PY = """\
from alembic import context
from sqlalchemy import MetaData, engine_from_config, pool

config = context.config
PER_MIGRATION = config.get_main_option("per_migration") == "true"
target_metadata = MetaData()


def offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      transaction_per_migration=PER_MIGRATION)
    with context.begin_transaction():
        context.run_migrations()


def online():
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          transaction_per_migration=PER_MIGRATION)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    offline()
else:
    online()
"""

INI = """\
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = {url}
per_migration = {per_migration}
{extra}
"""

MAKO = '''\
"""${message}"""
from alembic import op

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

SCRIPT = '''\
"""step {rev}"""
{imports}
from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = None
{module_code}

{functions}
'''

FUNCTIONS = """\
def upgrade():
    op.execute("CREATE TABLE t_{rev} (id INTEGER)")


def downgrade():
    op.execute("DROP TABLE t_{rev}")
"""


def write_project(root: Path, url: str, *, per_migration: bool = True, extra_ini: str = "") -> Path:
    (root / "migrations" / "versions").mkdir(parents=True, exist_ok=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "migrations" / "script.py.mako").write_text(MAKO)
    (root / "alembic.ini").write_text(
        INI.format(
            url=url.replace("%", "%%"), per_migration=str(per_migration).lower(), extra=extra_ini
        )
    )
    return root


def write_script(
    path: Path,
    rev: str,
    down: str | tuple[str, ...] | None,
    *,
    labels: tuple[str, ...] | None = None,
    imports: str = "",
    module_code: str = "",
    functions: str | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = FUNCTIONS.format(rev=rev) if functions is None else textwrap.dedent(functions)
    path.write_text(
        SCRIPT.format(
            rev=rev,
            down=down,
            labels=labels,
            imports=imports,
            module_code=textwrap.dedent(module_code),
            functions=body,
        )
    )
    return path


def versions(root: Path) -> Path:
    return root / "migrations" / "versions"


def run_alembic(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real Alembic 1.20.1 on the same project (the reference)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("PYTHONPATH", None)  # no Sterna on the path: `alembic` is the real one
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def syntax_error_line(path: Path) -> int:
    """The line Python itself reports for the syntax error in ``path``."""
    with pytest.raises(SyntaxError) as info:
        compile(path.read_text(), str(path), "exec")
    assert info.value.lineno is not None
    return info.value.lineno


def error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.strip()]


def chain_a(root: Path) -> tuple[Path, Path]:
    """a1 -> a2, each creating its table."""
    write_script(versions(root) / "a1_first.py", "a1", None)
    a2 = write_script(versions(root) / "a2_second.py", "a2", "a1")
    return versions(root) / "a1_first.py", a2


BROKEN_BODY = """\
def upgrade():
    op.execute("CREATE TABLE t_a3 (id INTEGER)"

def downgrade():
    pass
"""

NO_UPGRADE = "def downgrade():\n    pass\n"


# ------------------------------------------------------------------ a broken a3, three backends


@pytest.mark.parametrize("already_at_a1", [False, True], ids=["empty", "at-a1"])
def test_syntax_error_in_a_later_script_fails_before_the_database_is_touched(
    tmp_path: Path, db_url: str, backend: str, already_at_a1: bool
) -> None:
    root = write_project(tmp_path, db_url, per_migration=True)
    chain_a(root)
    if already_at_a1:
        run_sterna("upgrade", "a1", cwd=root, check=True)
    a3 = write_script(versions(root) / "a3_third.py", "a3", "a2", functions=BROKEN_BODY)

    proc = run_sterna("upgrade", "head", cwd=root)

    assert proc.returncode != 0
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert f"{a3}: syntax error at line {syntax_error_line(a3)}" in lines[0], lines
    if already_at_a1:
        assert version_rows(db_url) == ["a1"]
        assert table_names(db_url) == {"alembic_version", "t_a1"}
    else:
        assert table_names(db_url) == set(), "the database must be untouched"


def test_missing_upgrade_function_fails_before_the_database_is_touched(
    tmp_path: Path, db_url: str
) -> None:
    root = write_project(tmp_path, db_url, per_migration=True)
    chain_a(root)
    a3 = write_script(versions(root) / "a3_third.py", "a3", "a2", functions=NO_UPGRADE)

    proc = run_sterna("upgrade", "head", cwd=root)

    assert proc.returncode != 0
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert f"{a3}: revision a3 has no upgrade() function to run" in lines[0], lines
    assert table_names(db_url) == set()


def test_missing_downgrade_function_fails_before_any_step(tmp_path: Path, sqlite_url: str) -> None:
    root = write_project(tmp_path, sqlite_url, per_migration=True)
    write_script(versions(root) / "a1_first.py", "a1", None)
    a2 = write_script(
        versions(root) / "a2_second.py",
        "a2",
        "a1",
        functions="""\
        def upgrade():
            op.execute("CREATE TABLE t_a2 (id INTEGER)")
        """,
    )
    write_script(versions(root) / "a3_third.py", "a3", "a2")
    run_sterna("upgrade", "head", cwd=root, check=True)

    proc = run_sterna("downgrade", "base", cwd=root)

    assert proc.returncode != 0
    assert f"{a2}: revision a2 has no downgrade() function to run" in proc.stderr
    assert version_rows(sqlite_url) == ["a3"], "a3's downgrade must not have run"
    assert table_names(sqlite_url) == {"alembic_version", "t_a1", "t_a2", "t_a3"}


def test_stamp_imports_every_script_as_alembic_does(tmp_path: Path) -> None:
    """Alembic's stamp imports all scripts (its revision map), so a script that does not
    compile fails it; one without upgrade() does not, since stamp calls nothing."""
    outcomes = {}
    for tool, run in (("alembic", run_alembic), ("sterna", run_sterna)):
        for case, body in (("broken", BROKEN_BODY), ("no-upgrade", NO_UPGRADE)):
            root = tmp_path / tool / case
            url = f"sqlite:///{root / 'test.db'}"
            write_project(root, url)
            chain_a(root)
            write_script(versions(root) / "a3_third.py", "a3", "a2", functions=body)
            proc = run("stamp", "head", cwd=root)
            outcomes[tool, case] = (proc.returncode == 0, version_rows(url))
    # Alembic has created its (empty) version table when it fails; Sterna touches nothing
    assert outcomes["alembic", "broken"] == (False, []), outcomes
    assert outcomes["sterna", "broken"] == (False, None), outcomes
    assert outcomes["alembic", "no-upgrade"] == (True, ["a3"]), outcomes
    assert outcomes["sterna", "no-upgrade"] == outcomes["alembic", "no-upgrade"]


@pytest.mark.parametrize("per_migration", [False, True], ids=["one-transaction", "per-step"])
@pytest.mark.parametrize(
    "url",
    ["sqlite:///offline.db", "postgresql://u@localhost/offline", "mysql://u@localhost/o"],
    ids=["sqlite", "postgresql", "mysql"],
)
def test_offline_run_writes_nothing_when_a_script_is_broken(
    tmp_path: Path, url: str, per_migration: bool
) -> None:
    root = write_project(tmp_path, url, per_migration=per_migration)
    chain_a(root)
    good = run_sterna("upgrade", "head", "--sql", cwd=root, check=True)
    assert "CREATE TABLE t_a2" in good.stdout
    if url.startswith("postgresql"):  # the held BEGIN is still written, once per transaction
        assert good.stdout.count("BEGIN;") == (2 if per_migration else 1)
        assert good.stdout.index("BEGIN;") < good.stdout.index("CREATE TABLE")
    a3 = write_script(versions(root) / "a3_third.py", "a3", "a2", functions=BROKEN_BODY)

    proc = run_sterna("upgrade", "head", "--sql", cwd=root)

    assert proc.returncode != 0
    assert proc.stdout == ""
    assert f"{a3}: syntax error at line {syntax_error_line(a3)}" in proc.stderr
    assert not (tmp_path / "offline.db").exists()


def test_offline_output_unchanged_for_an_empty_run(tmp_path: Path) -> None:
    """A run with nothing to do still writes its BEGIN/COMMIT pair (PostgreSQL), as before."""
    root = write_project(tmp_path, "postgresql://u@localhost/offline", per_migration=False)
    chain_a(root)
    proc = run_sterna("upgrade", "a2:a2", "--sql", cwd=root, check=True)
    assert proc.stdout.split() == ["BEGIN;", "COMMIT;"]


# ------------------------------------------------------------------ import side effects


@pytest.mark.parametrize(
    ("target", "tables"),
    [("head", {"alembic_version", "t_42", "t_b2"}), ("b1", {"alembic_version", "t_42"})],
)
def test_a_script_may_rely_on_a_later_scripts_import(
    tmp_path: Path, target: str, tables: set[str]
) -> None:
    """b1 uses ``pkg.sub`` after ``import pkg``; only b2 (later) imports ``pkg.sub``.  Alembic
    imports b2 even when the run stops at b1."""
    results = {}
    for tool, run in (("alembic", run_alembic), ("sterna", run_sterna)):
        root = tmp_path / tool
        url = f"sqlite:///{root / 'test.db'}"
        write_project(root, url)
        (root / "pkg").mkdir()
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "sub.py").write_text("VALUE = 42\n")
        write_script(
            versions(root) / "b1_uses.py",
            "b1",
            None,
            imports="import pkg",
            functions="""\
            def upgrade():
                op.execute(f"CREATE TABLE t_{pkg.sub.VALUE} (id INTEGER)")


            def downgrade():
                op.execute(f"DROP TABLE t_{pkg.sub.VALUE}")
            """,
        )
        write_script(versions(root) / "b2_imports.py", "b2", "b1", imports="import pkg.sub")
        proc = run("upgrade", target, cwd=root)
        assert proc.returncode == 0, (tool, proc.stderr)
        results[tool] = table_names(url)
    assert results["sterna"] == results["alembic"] == tables


# ------------------------------------------------------------------ Alembic's import order

LOG_CODE = """\
with open(os.environ["STERNA_TEST_IMPORT_LOG"], "a") as _log:
    _log.write(revision + "\\n")
"""

PASS_FUNCTIONS = "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"

# (file relative to the project, revision, down_revision, branch_labels): two version locations,
# sub-folders, names whose order is not the graph's, two merges and a second base
ORDER_GRAPH: list[tuple[str, str, str | tuple[str, ...] | None, tuple[str, ...] | None]] = [
    ("migrations/versions/m_merge.py", "m1", ("b2", "c1"), None),
    ("migrations/versions/a_base.py", "a0", None, None),
    ("migrations/versions/sub/z_b1.py", "b1", "a0", None),
    ("migrations/versions/sub/deeper/c1.py", "c1", "a0", None),
    ("migrations/versions/aa/b2.py", "b2", "b1", None),
    ("other/k_after.py", "k1", "m1", None),
    ("other/d_side.py", "x0", None, ("side",)),
    ("other/e_merge.py", "x1", ("x0", "k1"), None),
]

ORDER_COMMANDS = [
    ["upgrade", "heads", "--sql"],
    ["upgrade", "heads"],
    ["check"],
    ["revision", "--autogenerate", "-m", "next"],
    ["downgrade", "base"],
    ["stamp", "heads"],
    ["downgrade", "x0"],
]


def order_project(root: Path) -> Path:
    url = f"sqlite:///{root / 'test.db'}"
    extra = (
        "version_locations = %(here)s/migrations/versions:%(here)s/other\n"
        "recursive_version_locations = true\n"
    )
    write_project(root, url, extra_ini=extra)
    an_hour_ago = time.time() - 3600  # old enough for Sterna's caches and graph snapshot
    for rel, rev, down, labels in ORDER_GRAPH:
        path = write_script(
            root / rel,
            rev,
            down,
            labels=labels,
            imports="import os",
            module_code=LOG_CODE,
            functions=PASS_FUNCTIONS,
        )
        os.utime(path, (an_hour_ago, an_hour_ago))
    return root


def imported(run: object, argv: list[str], root: Path, log: Path) -> list[str]:
    log.write_text("")
    proc = run(*argv, cwd=root, env={"STERNA_TEST_IMPORT_LOG": str(log)})  # type: ignore[operator]
    assert proc.returncode == 0, (argv, proc.stderr)
    return log.read_text().split()


def test_scripts_are_imported_in_alembics_order(tmp_path: Path) -> None:
    roots = {tool: order_project(tmp_path / tool) for tool in ("alembic", "sterna")}
    log = tmp_path / "imports.log"
    expected_listing = ["a0", "m1", "b2", "b1", "c1", "x0", "x1", "k1"]
    for argv in ORDER_COMMANDS:
        by_alembic = imported(run_alembic, argv, roots["alembic"], log)
        by_sterna = imported(run_sterna, argv, roots["sterna"], log)
        assert by_sterna == by_alembic, argv
        assert by_sterna == expected_listing, argv  # each once, in the listing order
    # a second run reads Sterna's graph snapshot: the same order
    assert imported(run_sterna, ["upgrade", "heads", "--sql"], roots["sterna"], log) == (
        expected_listing
    )


@pytest.mark.parametrize(
    "argv", [["heads"], ["history"], ["branches"], ["show", "m1"], ["current"]], ids=" ".join
)
def test_read_commands_import_no_script(tmp_path: Path, argv: list[str]) -> None:
    root = order_project(tmp_path / "sterna")
    log = tmp_path / "imports.log"
    assert imported(run_sterna, argv, root, log) == []
