"""Each init template produces a project that really migrates (SQLite; async through aiosqlite)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, inspect

from tests.cli.conftest import run_in_process

CREATE = "op.execute('CREATE TABLE {name} (id INTEGER PRIMARY KEY)')"


def tables(url: str) -> set[str]:
    """The tables, less Sterna's applied-history table (tests/runtime/test_history.py)."""
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"sterna_history"}
    finally:
        engine.dispose()


def set_url(ini: Path, url: str, placeholder: str = "driver://user:pass@localhost/dbname") -> None:
    text = ini.read_text()
    assert placeholder in text
    ini.write_text(text.replace(placeholder, url, 1))


def fill(script: Path, function: str, body: str) -> None:
    source = script.read_text()
    pattern = rf"(def {function}\(\) -> None:\n    \"\"\".*\"\"\"\n)    pass\n"
    new, count = re.subn(pattern, rf"\g<1>    {body}\n", source)
    assert count == 1, source
    script.write_text(new)


def make_revision(root: Path, message: str) -> Path:
    result = run_in_process(root, ["revision", "-m", message])
    assert result.status == 0, result
    match = re.search(r"Generating (\S+\.py) \.\.\.  done", result.out)
    assert match, result.out
    return Path(match.group(1))


def migrate_single(root: Path, url: str) -> None:
    script = make_revision(root, "create items")
    fill(script, "upgrade", CREATE.format(name="items"))
    fill(script, "downgrade", "op.execute('DROP TABLE items')")
    assert run_in_process(root, ["upgrade", "head"]).status == 0
    assert tables(url) == {"alembic_version", "items"}
    rev = script.name.split("_")[0]
    assert run_in_process(root, ["current"]).out == f"{rev} (head)\n"
    assert run_in_process(root, ["downgrade", "base"]).status == 0
    assert tables(url) == {"alembic_version"}
    offline = run_in_process(root, ["upgrade", "head", "--sql"])
    assert "CREATE TABLE items" in offline.out


def test_generic(tmp_path: Path) -> None:
    assert run_in_process(tmp_path, ["-q", "init", "migrations"]).status == 0
    url = f"sqlite:///{tmp_path / 'app.db'}"
    set_url(tmp_path / "alembic.ini", url)
    migrate_single(tmp_path, url)


def test_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    assert run_in_process(tmp_path, ["-q", "init", "-t", "pyproject", "migrations"]).status == 0
    url = f"sqlite:///{tmp_path / 'app.db'}"
    set_url(tmp_path / "alembic.ini", url)
    migrate_single(tmp_path, url)


def test_async(tmp_path: Path) -> None:
    assert run_in_process(tmp_path, ["-q", "init", "-t", "async", "migrations"]).status == 0
    set_url(tmp_path / "alembic.ini", f"sqlite+aiosqlite:///{tmp_path / 'app.db'}")
    migrate_single(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")


def test_pyproject_async(tmp_path: Path) -> None:
    init = run_in_process(tmp_path, ["-q", "init", "-t", "pyproject_async", "migrations"])
    assert init.status == 0
    set_url(tmp_path / "alembic.ini", f"sqlite+aiosqlite:///{tmp_path / 'app.db'}")
    migrate_single(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")


def test_multidb(tmp_path: Path) -> None:
    assert run_in_process(tmp_path, ["-q", "init", "-t", "multidb", "migrations"]).status == 0
    one, two = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    set_url(tmp_path / "alembic.ini", one)
    set_url(tmp_path / "alembic.ini", two, "driver://user:pass@localhost/dbname2")
    script = make_revision(tmp_path, "per engine tables")
    source = script.read_text()
    assert "def upgrade_engine1() -> None:" in source
    assert "def downgrade_engine2() -> None:" in source
    fill(script, "upgrade_engine1", CREATE.format(name="only_one"))
    fill(script, "upgrade_engine2", CREATE.format(name="only_two"))
    assert run_in_process(tmp_path, ["upgrade", "head"]).status == 0
    assert tables(one) == {"alembic_version", "only_one"}
    assert tables(two) == {"alembic_version", "only_two"}
    offline = run_in_process(tmp_path, ["upgrade", "head", "--sql"])
    assert offline.status == 0, offline
    assert "CREATE TABLE only_one" in (tmp_path / "engine1.sql").read_text()
    assert "CREATE TABLE only_two" in (tmp_path / "engine2.sql").read_text()
