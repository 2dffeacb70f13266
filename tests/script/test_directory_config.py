"""ScriptDirectory.from_config: the options Alembic reads, from alembic.ini and pyproject.toml,
compared with Alembic's own ScriptDirectory.from_config on the same files."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sterna.config import Config
from sterna.errors import ConfigError
from sterna.script import ScriptDirectory


def alembic_from(ini: Path | None = None, toml: Path | None = None) -> Any:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory as AlembicScriptDirectory

    cfg = AlembicConfig(str(ini) if ini else None, toml_file=str(toml) if toml else None)
    return AlembicScriptDirectory.from_config(cfg)


def sterna_from(ini: Path | None = None, toml: Path | None = None) -> ScriptDirectory:
    return ScriptDirectory.from_config(
        Config(str(ini) if ini else None, toml_file=str(toml) if toml else None)
    )


def same_options(ours: ScriptDirectory, theirs: Any) -> None:
    assert ours.dir == theirs.dir
    assert ours._version_locations == [str(p) for p in theirs._version_locations]
    assert ours.file_template == theirs.file_template
    assert ours.truncate_slug_length == theirs.truncate_slug_length
    assert ours.sourceless == theirs.sourceless
    assert ours.output_encoding == theirs.output_encoding
    assert ours.timezone == theirs.timezone
    assert ours.recursive_version_locations == theirs.recursive_version_locations


def write_ini(path: Path, body: str) -> Path:
    path.write_text(textwrap.dedent(body))
    return path


def test_full_ini_matches_alembic(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    ini = write_ini(
        tmp_path / "alembic.ini",
        """
        [alembic]
        script_location = %(here)s/migrations
        path_separator = os
        version_locations = %(here)s/v1:%(here)s/v2
        recursive_version_locations = true
        file_template = %%(year)d_%%(rev)s_%%(slug)s
        timezone = Europe/Paris
        truncate_slug_length = 12
        sourceless = true
        output_encoding = latin-1
        """,
    )
    ours, theirs = sterna_from(ini), alembic_from(ini)
    same_options(ours, theirs)
    assert ours.dir == str(tmp_path / "migrations")
    assert ours._version_locations == [str(tmp_path / "v1"), str(tmp_path / "v2")]
    assert ours.file_template == "%(year)d_%(rev)s_%(slug)s"


def test_defaults_match_alembic(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    ini = write_ini(tmp_path / "alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n")
    ours, theirs = sterna_from(ini), alembic_from(ini)
    same_options(ours, theirs)
    assert ours.truncate_slug_length == 40
    assert ours.file_template == "%(rev)s_%(slug)s"
    assert ours._version_locations == [str(tmp_path / "migrations" / "versions")]


def test_pyproject_toml_matches_alembic(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    toml = tmp_path / "pyproject.toml"
    toml.write_text(
        textwrap.dedent(
            """
            [tool.alembic]
            script_location = "%(here)s/migrations"
            version_locations = ["%(here)s/a", "%(here)s/b"]
            file_template = "%%(rev)s"
            truncate_slug_length = 20
            sourceless = false
            recursive_version_locations = true
            """
        )
    )
    ours, theirs = sterna_from(toml=toml), alembic_from(toml=toml)
    same_options(ours, theirs)
    assert ours._version_locations == [str(tmp_path / "a"), str(tmp_path / "b")]


def test_relative_script_location_is_taken_from_cwd_like_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "alembic").mkdir()
    ini = write_ini(tmp_path / "alembic.ini", "[alembic]\nscript_location = alembic\n")
    monkeypatch.chdir(tmp_path)
    ours, theirs = sterna_from(ini), alembic_from(ini)
    same_options(ours, theirs)
    assert ours.dir == "alembic"


def test_relative_script_location_falls_back_to_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "alembic").mkdir(parents=True)
    ini = write_ini(project / "alembic.ini", "[alembic]\nscript_location = alembic\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exception, match="Path doesn't exist"):
        alembic_from(ini)
    assert sterna_from(ini).dir == str(project / "alembic")


def test_missing_folder_and_missing_key_messages_match_alembic(tmp_path: Path) -> None:
    ini = write_ini(tmp_path / "alembic.ini", "[alembic]\nscript_location = %(here)s/nowhere\n")
    with pytest.raises(Exception) as theirs:
        alembic_from(ini)
    with pytest.raises(ConfigError) as ours:
        sterna_from(ini)
    assert str(ours.value) == str(theirs.value)
    ini = write_ini(tmp_path / "alembic.ini", "[alembic]\nsqlalchemy.url = sqlite://\n")
    with pytest.raises(Exception) as theirs:
        alembic_from(ini)
    with pytest.raises(ConfigError) as ours:
        sterna_from(ini)
    assert str(ours.value) == str(theirs.value)


def test_bad_truncate_slug_length_names_the_option(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    ini = write_ini(
        tmp_path / "alembic.ini",
        "[alembic]\nscript_location = %(here)s/m\ntruncate_slug_length = forty\n",
    )
    with pytest.raises(ConfigError, match="truncate_slug_length: expected a whole number"):
        sterna_from(ini)


def test_package_resource_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site" / "myapp_a2"
    (package / "migrations" / "versions").mkdir(parents=True)
    (package / "extra").mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    ini = write_ini(
        tmp_path / "alembic.ini",
        """
        [alembic]
        script_location = myapp_a2:migrations
        path_separator = space
        version_locations = myapp_a2:migrations/versions myapp_a2:extra
        """,
    )
    ours, theirs = sterna_from(ini), alembic_from(ini)
    same_options(ours, theirs)
    assert ours.dir == str(package / "migrations")
    bad = write_ini(tmp_path / "bad.ini", "[alembic]\nscript_location = no_such_pkg_a2:mig\n")
    with pytest.raises(ConfigError, match="no_such_pkg_a2"):
        sterna_from(bad)


def test_prepend_sys_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "m").mkdir()
    monkeypatch.setattr(sys, "path", list(sys.path))
    ini = write_ini(
        tmp_path / "alembic.ini",
        "[alembic]\nscript_location = %(here)s/m\npath_separator = os\n"
        f"prepend_sys_path = %(here)s/lib{os.pathsep}%(here)s/src\n",
    )
    sterna_from(ini)
    assert sys.path[:2] == [str(tmp_path / "lib"), str(tmp_path / "src")]
    sterna_from(ini)
    assert sys.path.count(str(tmp_path / "lib")) == 1


def test_quiet_comes_from_cmd_opts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "script.py.mako").write_text(
        "revision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n"
    )
    ini = write_ini(tmp_path / "alembic.ini", "[alembic]\nscript_location = %(here)s/m\n")
    config = Config(str(ini), cmd_opts=argparse.Namespace(quiet=True))
    ScriptDirectory.from_config(config).generate_revision("abc123", "quiet please")
    assert capsys.readouterr().out == ""
    assert (tmp_path / "m" / "versions" / "abc123_quiet_please.py").exists()


@pytest.mark.parametrize("written", [r"C:\Project A;D:/Project B", r"c:\versions"])
def test_windows_drive_paths_are_paths_not_packages(written: str) -> None:
    """A location with a drive letter (an ini file shared with Windows) is a folder, never the
    resource of a package named after the drive letter; Alembic takes it as a path too."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.set_main_option("path_separator", ";")
    config.set_main_option("version_locations", written)
    expected = written.split(";")
    assert ScriptDirectory.from_config(config).version_locations == expected

    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory as AlembicScriptDirectory

    theirs = AlembicConfig()
    for key in ("script_location", "path_separator", "version_locations"):
        theirs.set_main_option(key, config.get_main_option(key) or "")
    assert AlembicScriptDirectory.from_config(theirs).version_locations == expected


def test_package_resource_location_still_resolved() -> None:
    config = Config()
    config.set_main_option("script_location", "tests:script")
    assert ScriptDirectory.from_config(config).dir == str(Path(__file__).parent)
