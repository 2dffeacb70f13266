"""``sterna init --alembic-imports``: every template writes a project that the real Alembic 1.20.1
runs as it is (``alembic upgrade head``), and that Sterna runs too; without the option the
project imports from ``sterna`` (which Alembic cannot run)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_sterna
from tests.runtime.test_preflight import run_alembic

TEMPLATES = ("generic", "async", "pyproject", "pyproject_async", "multidb")
PLACEHOLDER = re.compile(r"driver://user:pass@localhost/(dbname\d?)")
#: the body of each upgrade function the templates render, filled in with a table per database
APPLY = re.compile(r'("""Apply this revision(?: to (engine\d))?\."""\n)    pass')


def _config_texts(root: Path) -> dict[Path, str]:
    """The config files ``init`` wrote, as written (with the placeholder URLs)."""
    paths = (root / "alembic.ini", root / "pyproject.toml")
    return {path: path.read_text() for path in paths if path.exists()}


def _point_at(configs: dict[Path, str], folder: Path, template: str) -> None:
    """Each placeholder URL of the config files becomes a SQLite file ``folder/<dbname>.db``
    (read through aiosqlite for the async templates)."""
    scheme = "sqlite+aiosqlite" if "async" in template else "sqlite"
    for path, text in configs.items():
        path.write_text(PLACEHOLDER.sub(lambda m: f"{scheme}:///{folder / m.group(1)}.db", text))


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _new_project(tmp_path: Path, template: str, *options: str) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    run_sterna("init", "-t", template, *options, "migrations", cwd=root, check=True)
    return root


@pytest.mark.parametrize("template", TEMPLATES)
def test_alembic_runs_the_project_as_written(tmp_path: Path, template: str) -> None:
    root = _new_project(tmp_path, template, "--alembic-imports")
    env = (root / "migrations" / "env.py").read_text()
    mako = (root / "migrations" / "script.py.mako").read_text()
    assert "from alembic import context" in env and "sterna" not in env
    assert "from alembic import op" in mako and "sterna" not in mako
    by_alembic, by_sterna = tmp_path / "alembic", tmp_path / "sterna"
    by_alembic.mkdir()
    by_sterna.mkdir()
    configs = _config_texts(root)

    _point_at(configs, by_alembic, template)
    run_sterna("revision", "-m", "create t", "--rev-id", "r1", cwd=root, check=True)
    script = root / "migrations" / "versions" / "r1_create_t.py"
    filled, count = APPLY.subn(
        lambda m: (
            f'{m.group(1)}    op.create_table("t_{m.group(2) or "main"}", '
            'sa.Column("id", sa.Integer, primary_key=True))'
        ),
        script.read_text(),
    )
    assert count == (2 if template == "multidb" else 1)
    script.write_text(filled)

    proc = run_alembic("upgrade", "head", cwd=root)
    assert proc.returncode == 0, proc.stderr
    made = {"dbname": "t_engine1", "dbname2": "t_engine2"} if template == "multidb" else {}
    names = list(made) or ["dbname"]
    for name in names:
        expected = {"alembic_version", made.get(name, "t_main")}
        assert _tables(by_alembic / f"{name}.db") == expected

    _point_at(configs, by_sterna, template)
    run_sterna("upgrade", "head", cwd=root, check=True)
    for name in names:
        ours = _tables(by_sterna / f"{name}.db") - {"sterna_history"}
        assert ours == _tables(by_alembic / f"{name}.db")


def test_default_imports_from_sterna(tmp_path: Path) -> None:
    """Without the option: Sterna's own imports, which Alembic does not have."""
    root = _new_project(tmp_path, "generic")
    assert "from sterna import context" in (root / "migrations" / "env.py").read_text()
    assert "from sterna import op" in (root / "migrations" / "script.py.mako").read_text()
    _point_at(_config_texts(root), tmp_path, "generic")
    run_sterna("revision", "-m", "first", cwd=root, check=True)
    proc = run_alembic("upgrade", "head", cwd=root)
    assert proc.returncode != 0, proc.stdout
