"""User mistakes end in one ``FAILED:`` line and exit status 1, never a traceback (unless
``--raiseerr``), and never show a database password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.cli.conftest import Project, failure, run_in_process
from tests.conftest import REPO, run_sterna


def failed_line(err: str) -> str:
    """The one FAILED line that ends the output (env.py's log lines may precede it)."""
    assert err.count("FAILED") == 1, err
    return failure(err)


def test_missing_config(tmp_path: Path) -> None:
    result = run_in_process(tmp_path, ["heads"])
    assert result.status == 1
    assert failed_line(result.err).startswith("No config file 'alembic.ini' found")


def test_missing_explicit_config(tmp_path: Path) -> None:
    result = run_in_process(tmp_path, ["-c", "elsewhere/project.ini", "history"])
    assert result.status == 1
    assert failed_line(result.err) == "Config file 'elsewhere/project.ini' not found"


def test_malformed_config(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = x\nthis is not ini\n")
    result = run_in_process(tmp_path, ["heads"])
    assert result.status == 1
    line = failed_line(result.err)
    assert "alembic.ini" in line
    assert "line 3" in line


def test_missing_script_location_folder(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/nowhere\n")
    result = run_in_process(tmp_path, ["heads"])
    assert result.status == 1
    assert "nowhere" in failed_line(result.err)
    assert "init" in result.err


def test_bad_target_revision(project: Project) -> None:
    project.add("a1", None)
    result = project.sterna("upgrade", "zzz")
    assert result.status == 1
    assert "'zzz'" in failed_line(result.err)


def test_script_with_syntax_error(project: Project) -> None:
    (project.versions / "bad.py").write_text(
        "revision = 'a1'\ndown_revision = None\ndef upgrade(:\n    pass\n"
    )
    result = project.sterna("upgrade", "head")
    assert result.status == 1
    line = failed_line(result.err)
    assert "bad.py" in line


def test_script_without_upgrade(project: Project) -> None:
    (project.versions / "noup.py").write_text(
        '"""no upgrade"""\nrevision = "a1"\ndown_revision = None\nbranch_labels = None\n'
        "depends_on = None\n\n\ndef downgrade():\n    pass\n"
    )
    result = project.sterna("upgrade", "head")
    assert result.status == 1
    line = failed_line(result.err)
    assert "noup.py" in line
    assert "upgrade" in line


def test_unreachable_database_hides_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://scott:s3cr3t-pw@127.0.0.1:1/nowhere"
    project = Project(tmp_path, url)
    result = project.sterna("current")
    assert result.status == 1
    line = failed_line(result.err)
    assert "s3cr3t-pw" not in result.err + result.out
    assert "scott:***@127.0.0.1:1/nowhere" in line


def test_a_short_password_leaves_the_driver_s_message_readable(tmp_path: Path) -> None:
    project = Project(tmp_path, "postgresql+psycopg://u:p@127.0.0.1:1/nowhere")
    result = project.sterna("current")
    assert result.status == 1
    line = failed_line(result.err)
    assert "u:***@127.0.0.1:1/nowhere" in line
    assert "psycopg.OperationalError" in line
    assert "port 1 failed" in line


def test_wrong_password_hides_password(tmp_path: Path, pg_url: str) -> None:
    wrong = make_url(pg_url).set(password="not-the-pw-xyz")
    project = Project(tmp_path, wrong.render_as_string(hide_password=False))
    result = project.sterna("upgrade", "head")
    assert result.status == 1
    line = failed_line(result.err)
    assert "not-the-pw-xyz" not in result.err + result.out
    assert "***" in line
    assert "password authentication failed" in line


def test_wrong_password_mariadb(tmp_path: Path, mysql_url: str) -> None:
    wrong = make_url(mysql_url).set(password="not-the-pw-xyz")
    project = Project(tmp_path, wrong.render_as_string(hide_password=False))
    result = project.sterna("current", "-v")
    assert result.status == 1
    line = failed_line(result.err)
    assert "not-the-pw-xyz" not in result.err + result.out
    assert "Access denied" in line


# ---------------------------------------------------------------------- process level


def test_exit_status_and_raiseerr(tmp_path: Path) -> None:
    plain = run_sterna("heads", cwd=tmp_path)
    assert plain.returncode == 1
    assert plain.stderr.startswith("FAILED: No config file")
    assert plain.stdout == ""
    raised = run_sterna("heads", "--raiseerr", cwd=tmp_path)
    assert raised.returncode == 1
    assert "Traceback (most recent call last)" in raised.stderr
    assert "ConfigError" in raised.stderr


def test_quiet_prints_nothing_on_stdout(project: Project) -> None:
    project.add("a1", None)
    for argv in (
        ["-q", "heads"],
        ["history", "-q"],
        ["-q", "upgrade", "head"],
        ["-q", "revision", "-m", "x"],
        ["-q", "current"],
    ):
        proc = run_sterna(*argv, cwd=project.ours)
        assert proc.returncode == 0, proc
        assert proc.stdout == "", argv
    assert len(list(project.versions.glob("*_x.py"))) == 1


PROBE = (
    "import sys\n"
    "from sterna.cli import main\n"
    "try:\n"
    "    status = main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    status = exc.code\n"
    "print('SQLALCHEMY-LOADED' if 'sqlalchemy' in sys.modules else 'NO-SQLALCHEMY',\n"
    "      file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def probe(cwd: Path, *argv: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc
    return proc.stderr.strip().splitlines()[-1]


def test_commands_without_database_do_not_import_sqlalchemy(tmp_path: Path) -> None:
    assert probe(tmp_path, "--help") == "NO-SQLALCHEMY"
    assert probe(tmp_path, "list_templates") == "NO-SQLALCHEMY"
    assert probe(tmp_path, "init", "migrations") == "NO-SQLALCHEMY"
    (tmp_path / "migrations" / "versions" / "a1_x.py").write_text(
        '"""first"""\nimport sqlalchemy\nrevision = "a1"\ndown_revision = None\n'
    )
    for argv in (
        ["heads", "-v"],
        ["history", "-v"],
        ["branches"],
        ["show", "a1"],
        ["revision", "-m", "second"],
        ["history", "-r", "a1:"],
        ["upgrade", "--help"],
    ):
        assert probe(tmp_path, *argv) == "NO-SQLALCHEMY", argv
    # and the probe can see it when a command does need the database
    (tmp_path / "alembic.ini").write_text(
        (tmp_path / "alembic.ini")
        .read_text()
        .replace("driver://user:pass@localhost/dbname", f"sqlite:///{tmp_path / 'x.db'}")
    )
    assert probe(tmp_path, "current") == "SQLALCHEMY-LOADED"


@pytest.mark.parametrize("verb", ["heads", "history"])
def test_python_dash_m(project: Project, verb: str) -> None:
    project.add("a1", None, "first")
    proc = run_sterna(verb, cwd=project.ours)
    assert proc.returncode == 0, proc
    assert "a1" in proc.stdout
