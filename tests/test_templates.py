"""``init`` and ``list_templates``, and the templates themselves, compared with Alembic's."""

from __future__ import annotations

import ast
import configparser
import contextlib
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mako.template import Template  # type: ignore[import-untyped]

from sterna.cli import main
from sterna.config import Config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

TEMPLATES = ("async", "generic", "multidb", "pyproject", "pyproject_async")
TEMPLATE_DIR = Path(Config().get_template_directory())
ALEMBIC = str(Path(sys.executable).parent / "alembic")


@contextlib.contextmanager
def cwd(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def sterna(path: Path, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process in ``path``; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with cwd(path), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def alembic(path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALEMBIC, *argv],
        cwd=path,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "1000"},
    )


def normalised(text: str, root: Path) -> list[str]:
    return sorted(text.replace(str(root), "<ROOT>").splitlines())


def ini_shape(path: Path) -> dict[str, set[str]]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return {section: set(parser.options(section)) for section in parser.sections()}


# ---------------------------------------------------------------------- list_templates


def test_list_templates_format(tmp_path: Path) -> None:
    status, out, _ = sterna(tmp_path, "list_templates")
    assert status == 0
    expected_lines = ["Available templates:", ""]
    for name in TEMPLATES:
        synopsis = (TEMPLATE_DIR / name / "README").read_text().splitlines()[0]
        expected_lines.append(f"{name} - {synopsis}")
    expected_lines += [
        "",
        "Templates are used via the 'init' command, e.g.:",
        "",
        "  sterna init --template generic ./scripts",
    ]
    assert out.splitlines() == expected_lines
    # the same layout as Alembic's listing (line kinds in the same places)
    theirs = alembic(tmp_path, "list_templates").stdout.splitlines()
    assert len(theirs) == len(expected_lines)
    assert theirs[:2] == expected_lines[:2]
    assert theirs[-4:-1] == expected_lines[-4:-1]
    assert sorted(line.split(" - ")[0] for line in theirs[2:7]) == list(TEMPLATES)


# ---------------------------------------------------------------------- init


def test_init_generic_matches_alembic_layout_and_messages(tmp_path: Path) -> None:
    ours_root, theirs_root = tmp_path / "ours", tmp_path / "theirs"
    ours_root.mkdir()
    theirs_root.mkdir()
    status, out, err = sterna(ours_root, "init", "migrations")
    assert (status, err) == (0, "")
    theirs = alembic(theirs_root, "init", "migrations").stdout
    assert normalised(out, ours_root) == normalised(theirs, theirs_root)

    ours_files = sorted(p.relative_to(ours_root).as_posix() for p in ours_root.rglob("*"))
    theirs_files = sorted(
        p.relative_to(theirs_root).as_posix()
        for p in theirs_root.rglob("*")
        if "__pycache__" not in p.parts
    )
    assert ours_files == theirs_files
    assert ini_shape(ours_root / "alembic.ini") == ini_shape(theirs_root / "alembic.ini")

    ours_cfg = Config(ours_root / "alembic.ini")
    theirs_cfg = Config(theirs_root / "alembic.ini")
    for key in ("prepend_sys_path", "path_separator", "sqlalchemy.url"):
        assert ours_cfg.get_main_option(key) == theirs_cfg.get_main_option(key)
    assert ours_cfg.get_main_option("script_location") == f"{ours_root.as_posix()}/migrations"
    raw = configparser.ConfigParser(interpolation=None)
    raw.read(ours_root / "alembic.ini")
    assert raw.get("alembic", "script_location") == "%(here)s/migrations"
    assert raw.get("logger_alembic", "qualname") == "alembic"


@pytest.mark.parametrize("ending", ["\n", ""])
@pytest.mark.parametrize("template", ["pyproject", "pyproject_async"])
def test_init_pyproject_matches_alembic(tmp_path: Path, template: str, ending: str) -> None:
    roots = {}
    for side in ("ours", "theirs"):
        roots[side] = tmp_path / side
        roots[side].mkdir()
        (roots[side] / "pyproject.toml").write_text('[project]\nname = "app"' + ending)
    status, out, _ = sterna(roots["ours"], "init", "-t", template, "--package", "migs")
    assert status == 0
    theirs = alembic(roots["theirs"], "init", "-t", template, "--package", "migs").stdout
    assert normalised(out, roots["ours"]) == normalised(theirs, roots["theirs"])

    ours_toml = tomllib.loads((roots["ours"] / "pyproject.toml").read_text())
    theirs_toml = tomllib.loads((roots["theirs"] / "pyproject.toml").read_text())
    assert ours_toml == theirs_toml  # same active keys and values, [project] kept
    ours_text, theirs_text = ((roots[s] / "pyproject.toml").read_text() for s in ("ours", "theirs"))
    assert ours_text.partition("[tool.alembic]")[0] == theirs_text.partition("[tool.alembic]")[0]
    assert ours_toml["tool"]["alembic"]["script_location"] == "%(here)s/migs"
    assert ini_shape(roots["ours"] / "alembic.ini") == ini_shape(roots["theirs"] / "alembic.ini")
    assert (roots["ours"] / "migs" / "__init__.py").is_file()
    assert (roots["ours"] / "migs" / "versions" / "__init__.py").is_file()

    # a second init keeps the existing config files
    status, out, _ = sterna(roots["ours"], "init", "-t", template, "migs2")
    assert status == 0
    assert "already has a [tool.alembic] section, skipping" in out
    assert f"File {roots['ours'] / 'alembic.ini'} already exists, skipping" in out
    assert tomllib.loads((roots["ours"] / "pyproject.toml").read_text()) == ours_toml


def test_init_pyproject_without_existing_toml(tmp_path: Path) -> None:
    status, out, _ = sterna(tmp_path, "init", "-t", "pyproject", "migs")
    assert status == 0
    data = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert data == {
        "tool": {"alembic": {"script_location": "%(here)s/migs", "prepend_sys_path": ["."]}}
    }
    assert f"Generating {tmp_path / 'pyproject.toml'} ...  done" in out
    assert out.splitlines()[-1] == (
        f"Please edit configuration settings in {tmp_path / 'pyproject.toml'} and "
        f"configuration/connection/logging settings in {tmp_path / 'alembic.ini'} "
        "before proceeding."
    )


def test_init_multidb_and_async_ini_shape_matches_alembic(tmp_path: Path) -> None:
    for template in ("multidb", "async"):
        ours_root, theirs_root = tmp_path / f"o_{template}", tmp_path / f"t_{template}"
        ours_root.mkdir()
        theirs_root.mkdir()
        assert sterna(ours_root, "init", "-t", template, "m")[0] == 0
        alembic(theirs_root, "init", "-t", template, "m")
        assert ini_shape(ours_root / "alembic.ini") == ini_shape(theirs_root / "alembic.ini")
        if template == "multidb":
            cfg = Config(ours_root / "alembic.ini")
            assert cfg.get_main_option("databases") == "engine1, engine2"
            assert cfg.get_section_option("engine1", "sqlalchemy.url")


def test_init_into_existing_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "migs").mkdir()
    status, out, _ = sterna(tmp_path, "init", "migs")
    assert status == 0
    assert f"Creating directory {tmp_path / 'migs'} ..." not in out
    assert f"Creating directory {tmp_path / 'migs' / 'versions'} ...  done" in out


def test_init_refuses_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "migs").mkdir()
    (tmp_path / "migs" / "keep.txt").write_text("x")
    status, out, err = sterna(tmp_path, "init", "migs")
    assert status == 1
    assert err == "FAILED: Directory migs already exists and is not empty\n"
    assert not (tmp_path / "alembic.ini").exists()


def test_init_unknown_template(tmp_path: Path) -> None:
    status, _, err = sterna(tmp_path, "init", "-t", "nope", "migs")
    assert status == 1
    assert err.startswith("FAILED: No such template 'nope'")
    assert "generic" in err
    assert not (tmp_path / "migs").exists()


def test_init_absolute_directory_and_config_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    status, _, _ = sterna(tmp_path, "-c", "conf/project.ini", "init", "migs")
    assert status == 0
    raw = configparser.ConfigParser(interpolation=None)
    raw.read(tmp_path / "conf" / "project.ini")
    assert raw.get("alembic", "script_location") == "%(here)s/../migs"

    target = tmp_path / "abs_migs"
    status, _, _ = sterna(tmp_path, "-c", "abs.ini", "init", str(target))
    assert status == 0
    raw = configparser.ConfigParser(interpolation=None)
    raw.read(tmp_path / "abs.ini")
    assert raw.get("alembic", "script_location") == target.as_posix()


def test_init_quiet_prints_nothing(tmp_path: Path) -> None:
    status, out, _ = sterna(tmp_path, "-q", "init", "migs")
    assert (status, out) == (0, "")
    assert (tmp_path / "migs" / "env.py").is_file()


# ---------------------------------------------------------------------- the template files


@pytest.mark.parametrize("template", TEMPLATES)
def test_env_py_structure(template: str) -> None:
    source = (TEMPLATE_DIR / template / "env.py").read_text()
    tree = ast.parse(source)
    functions = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert {"run_migrations_offline", "run_migrations_online"} <= functions
    imports = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert ("sterna", "context") in imports
    assert all(module is None or not module.startswith("alembic") for module, _ in imports)
    assert ("logging.config", "fileConfig") in imports
    assert "poolclass=pool.NullPool" in source
    engine_fn = "async_engine_from_config" if "async" in template else "engine_from_config"
    assert f"{engine_fn}(" in source
    assert re.search(r"^target_metadata = (None|\{\})$", source, re.M)
    assert "context.is_offline_mode()" in source


@pytest.mark.parametrize("template", TEMPLATES)
def test_script_template_renders_valid_python(template: str) -> None:
    """Render script.py.mako with the variables Alembic passes, and compare headers."""
    cfg = Config()
    cfg.set_main_option("databases", "engine1, engine2")
    text = Template(filename=str(TEMPLATE_DIR / template / "script.py.mako")).render_unicode(
        message="create suppliers table",
        up_revision="1234567890ab",
        down_revision=("aaaa", "bbbb"),
        branch_labels=None,
        depends_on=None,
        create_date="2024-01-01 00:00:00",
        comma=lambda values: ", ".join(values) if not isinstance(values, str) else values,
        imports="",
        upgrades=None,
        downgrades=None,
        config=cfg,
        engine1_upgrades="op.execute('SELECT 1')",
    )
    tree = ast.parse(text)
    assert ast.get_docstring(tree) is not None
    assert "Revises: aaaa, bbbb" in text
    assert "from sterna import op" in text
    assigned = {
        node.target.id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.value is not None
    }
    assert assigned == {
        "revision": "1234567890ab",
        "down_revision": ("aaaa", "bbbb"),
        "branch_labels": None,
        "depends_on": None,
    }
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"upgrade", "downgrade"} <= functions
    if template == "multidb":
        assert {"upgrade_engine1", "downgrade_engine1", "upgrade_engine2"} <= functions
        assert "op.execute('SELECT 1')" in text
