"""Config: ini and [tool.alembic] reading, compared with Alembic's own Config where they agree."""

from __future__ import annotations

import io
import os
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config as AlembicConfig

from sterna.config import Config
from sterna.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def both(ini: Path | None = None, toml: Path | None = None, **kw: Any) -> tuple[Any, Any]:
    """A Sterna Config and an Alembic Config on the same files."""
    return (
        Config(file_=ini, toml_file=toml, **kw),
        AlembicConfig(file_=ini, toml_file=toml, **kw),
    )


# ---------------------------------------------------------------------- ini basics


def test_main_options_and_here(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        """
        [alembic]
        script_location = %(here)s/migrations
        sqlalchemy.url = sqlite:///%(here)s/app.db
        file_template = %%(rev)s_%%(slug)s
        """,
    )
    ours, theirs = both(ini)
    expected_here = tmp_path.absolute().as_posix()
    assert ours.get_main_option("script_location") == f"{expected_here}/migrations"
    assert ours.get_main_option("sqlalchemy.url") == f"sqlite:///{expected_here}/app.db"
    assert ours.get_main_option("file_template") == "%(rev)s_%(slug)s"
    for key in ("script_location", "sqlalchemy.url", "file_template"):
        assert ours.get_main_option(key) == theirs.get_main_option(key)
    assert ours.get_main_option("missing") is None
    assert ours.get_main_option("missing", "dflt") == "dflt"


def test_named_section(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "multi.ini",
        """
        [alembic]
        script_location = one
        [second]
        script_location = two
        """,
    )
    assert Config(ini, ini_section="second").get_main_option("script_location") == "two"
    assert Config(ini).get_main_option("script_location") == "one"
    assert Config(ini, ini_section="second").config_ini_section == "second"


def test_get_section_matches_alembic(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        """
        [alembic]
        sqlalchemy.url = sqlite://
        sqlalchemy.echo = true
        [engine1]
        sqlalchemy.url = postgresql://u@h/%(here)s
        """,
    )
    ours, theirs = both(ini)
    assert ours.get_section("engine1") == theirs.get_section("engine1")
    assert ours.get_section("alembic") == theirs.get_section("alembic")
    assert ours.get_section("nope") is None
    assert ours.get_section("nope", {"a": "b"}) == {"a": "b"}
    assert ours.get_section_option("engine1", "sqlalchemy.url") == (
        f"postgresql://u@h/{tmp_path.absolute().as_posix()}"
    )


def test_programmatic_config_without_file() -> None:
    cfg = Config()
    assert cfg.config_file_name is None
    cfg.set_main_option("script_location", "myapp:migrations")
    cfg.set_section_option("engine2", "sqlalchemy.url", "sqlite:///%(here)s/x.db")
    assert cfg.get_main_option("script_location") == "myapp:migrations"
    here = Path().as_posix()
    assert cfg.get_section_option("engine2", "sqlalchemy.url") == f"sqlite:///{here}/x.db"
    cfg.remove_main_option("script_location")
    assert cfg.get_main_option("script_location") is None
    cfg.require()  # the in-memory main section exists


def test_config_args_and_attributes(tmp_path: Path) -> None:
    ini = write(tmp_path / "a.ini", "[alembic]\nurl = %(driver)s://x\n")
    cfg = Config(ini, config_args={"driver": "mysql"}, attributes={"connection": 42})
    assert cfg.get_main_option("url") == "mysql://x"
    assert cfg.attributes == {"connection": 42}
    cfg.attributes["other"] = 1
    assert Config(ini).attributes == {}


def test_print_stdout_formats_and_respects_quiet() -> None:
    buf = io.StringIO()
    cfg = Config(stdout=buf)
    cfg.print_stdout("plain %s")
    cfg.print_stdout("value %s and %d", "x", 3)
    assert buf.getvalue() == "plain %s\nvalue x and 3\n"

    class Opts:
        quiet = True

    quiet_buf = io.StringIO()
    Config(stdout=quiet_buf, cmd_opts=Opts()).print_stdout("hidden")  # type: ignore[arg-type]
    assert quiet_buf.getvalue() == ""


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("junk before section\n[alembic]\n", 1, "section"),
        ("[alembic]\nx = 1\n[alembic]\ny = 2\n", 3, "[alembic] appears twice"),
        ("[alembic]\nx = 1\nx = 2\n", 3, "'x' appears twice"),
        ("[alembic]\nx = 1\n= nokey\n", 3, "cannot parse"),
    ],
)
def test_malformed_ini_names_file_and_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    ini = tmp_path / "broken.ini"
    ini.write_text(text)
    with pytest.raises(ConfigError) as info:
        Config(ini).get_main_option("x")
    message = str(info.value)
    assert str(ini) in message
    assert f"line {line}" in message
    assert fragment in message
    assert "\n" not in message


def test_missing_ini_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ini"
    cfg = Config(missing)
    with pytest.raises(ConfigError, match=r"No config file .*nope\.ini.* found"):
        cfg.get_main_option("script_location")
    with pytest.raises(ConfigError, match=r"nope\.ini"):
        cfg.require()


def test_ini_without_main_section(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[other]\nx = 1\n")
    with pytest.raises(ConfigError, match=r"has no \[alembic\] section"):
        Config(ini).require()


def test_missing_ini_is_fine_with_toml(tmp_path: Path) -> None:
    toml = write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "m"\n')
    cfg = Config(tmp_path / "alembic.ini", toml_file=toml)
    cfg.require()
    assert cfg.get_alembic_option("script_location") == "m"


def test_bad_interpolation_names_option(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nurl = %(nothere)s/x\nbad = 100%\n")
    cfg = Config(ini)
    with pytest.raises(ConfigError, match=r"alembic\.ini.*'url'.*\[alembic\]"):
        cfg.get_main_option("url")
    with pytest.raises(ConfigError, match=r"'bad'"):
        cfg.get_main_option("bad")


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    toml = write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "m\n')
    with pytest.raises(ConfigError) as info:
        Config(toml_file=toml).get_alembic_option("script_location")
    assert str(toml) in str(info.value)
    assert "line 2" in str(info.value)


def test_toml_alembic_not_a_table(tmp_path: Path) -> None:
    toml = write(tmp_path / "pyproject.toml", '[tool]\nalembic = "x"\n')
    with pytest.raises(ConfigError, match="must be a table"):
        Config(toml_file=toml).get_alembic_option("script_location")


def test_bad_toml_interpolation(tmp_path: Path) -> None:
    toml = write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "%(nope)s/m"\n')
    with pytest.raises(ConfigError, match="script_location"):
        Config(toml_file=toml).get_alembic_option("script_location")


# ---------------------------------------------------------------------- toml and precedence

TOML_ALL_KEYS = """
[tool.alembic]
script_location = "%(here)s/migrations"
prepend_sys_path = ["%(here)s/src", "."]
version_locations = ["%(here)s/v1", "%(here)s/v2"]
recursive_version_locations = true
file_template = "%%(year)d_%%(rev)s_%%(slug)s"
timezone = "UTC"
truncate_slug_length = 20
revision_environment = true
sourceless = false
output_encoding = "latin-1"

[[tool.alembic.post_write_hooks]]
name = "fmt"
type = "exec"
executable = "%(here)s/bin/fmt"
options = "-q REVISION_SCRIPT_FILENAME"
"""

INI_ALL_KEYS = """
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = %(here)s/src:.
version_locations = %(here)s/v1:%(here)s/v2
path_separator = :
recursive_version_locations = true
file_template = %%(year)d_%%(rev)s_%%(slug)s
timezone = UTC
truncate_slug_length = 20
revision_environment = true
sourceless = false
output_encoding = latin-1
sqlalchemy.url = sqlite:///%(here)s/app.db

[post_write_hooks]
hooks = fmt
fmt.type = exec
fmt.executable = %(here)s/bin/fmt
fmt.options = -q REVISION_SCRIPT_FILENAME
"""

ALL_KEYS = (
    "script_location",
    "prepend_sys_path",
    "version_locations",
    "path_separator",
    "recursive_version_locations",
    "file_template",
    "timezone",
    "truncate_slug_length",
    "revision_environment",
    "sourceless",
    "output_encoding",
    "sqlalchemy.url",
)


@pytest.mark.parametrize("kind", ["ini", "toml"])
def test_every_issue_key_reads_as_alembic_reads_it(tmp_path: Path, kind: str) -> None:
    if kind == "ini":
        ours, theirs = both(write(tmp_path / "alembic.ini", INI_ALL_KEYS))
    else:
        ours, theirs = both(
            tmp_path / "alembic.ini", write(tmp_path / "pyproject.toml", TOML_ALL_KEYS)
        )
    for key in ALL_KEYS:
        assert ours.get_alembic_option(key) == theirs.get_alembic_option(key), key
    for key in ("recursive_version_locations", "sourceless"):
        assert ours.get_alembic_boolean_option(key) == theirs.get_alembic_boolean_option(key)
    assert ours.get_version_locations_list() == theirs.get_version_locations_list()
    assert ours.get_prepend_sys_paths_list() == theirs.get_prepend_sys_paths_list()
    assert ours.get_hooks_list() == theirs.get_hooks_list()
    here = tmp_path.absolute().as_posix()
    assert ours.get_version_locations_list() == [f"{here}/v1", f"{here}/v2"]
    assert ours.get_prepend_sys_paths_list() == [f"{here}/src", "."]
    assert ours.get_hooks_list() == [
        {
            "_hook_name": "fmt",
            "type": "exec",
            "executable": f"{here}/bin/fmt",
            "options": "-q REVISION_SCRIPT_FILENAME",
        }
    ]
    assert ours.get_alembic_boolean_option("recursive_version_locations") is True
    assert ours.get_alembic_option("file_template") == "%(year)d_%(rev)s_%(slug)s"


def test_here_in_toml_is_the_toml_folder(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    ini = write(tmp_path / "conf" / "alembic.ini", "[alembic]\nsqlalchemy.url = %(here)s\n")
    toml = write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "%(here)s/m"\n')
    cfg = Config(ini, toml_file=toml)
    assert cfg.get_alembic_option("script_location") == f"{tmp_path.absolute().as_posix()}/m"
    assert cfg.get_main_option("sqlalchemy.url") == (tmp_path / "conf").absolute().as_posix()


def test_ini_wins_over_toml_as_in_alembic(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nscript_location = from_ini\n")
    toml = write(
        tmp_path / "pyproject.toml",
        '[tool.alembic]\nscript_location = "from_toml"\ntimezone = "UTC"\n',
    )
    ours, theirs = both(ini, toml)
    assert ours.get_alembic_option("script_location") == "from_ini"
    assert ours.get_alembic_option("timezone") == "UTC"
    for key in ("script_location", "timezone", "absent"):
        assert ours.get_alembic_option(key) == theirs.get_alembic_option(key)


def test_toml_types_are_checked(tmp_path: Path) -> None:
    toml = write(
        tmp_path / "pyproject.toml",
        '[tool.alembic]\nsourceless = "yes"\nversion_locations = "a b"\n'
        "[[tool.alembic.post_write_hooks]]\ntype = 'exec'\n",
    )
    cfg = Config(toml_file=toml)
    with pytest.raises(ConfigError, match="sourceless"):
        cfg.get_alembic_boolean_option("sourceless")
    with pytest.raises(ConfigError, match="version_locations"):
        cfg.get_version_locations_list()
    with pytest.raises(ConfigError, match="name"):
        cfg.get_hooks_list()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("false", False),
        ("True", True),
        ("YES", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_boolean_options(tmp_path: Path, value: str, expected: bool) -> None:
    ini = write(tmp_path / "alembic.ini", f"[alembic]\nsourceless = {value}\n")
    assert Config(ini).get_alembic_boolean_option("sourceless") is expected


def test_boolean_option_garbage_is_an_error(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nsourceless = maybe\n")
    with pytest.raises(ConfigError, match=r"alembic\.ini.*'sourceless'.*maybe"):
        Config(ini).get_alembic_boolean_option("sourceless")


def test_boolean_option_default_false(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\n")
    assert Config(ini).get_alembic_boolean_option("sourceless") is False


# ---------------------------------------------------------------------- path separators


@pytest.mark.parametrize(
    ("separator", "written", "expected"),
    [
        ("os", os.pathsep.join(["a", "b c", "d"]), ["a", "b c", "d"]),
        (":", "a:b c:d", ["a", "b c", "d"]),
        (";", "a;b c;d", ["a", "b c", "d"]),
        ("space", "a bc  d", ["a", "bc", "d"]),
        ("newline", "\n    a\n    b c\n    d", ["a", "b c", "d"]),
    ],
)
def test_path_separator(tmp_path: Path, separator: str, written: str, expected: list[str]) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        f"[alembic]\npath_separator = {separator}\n"
        f"version_locations = {written}\nprepend_sys_path = {written}\n",
    )
    ours, theirs = both(ini)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecation warning with path_separator
        got = ours.get_version_locations_list()
        assert ours.get_prepend_sys_paths_list() == got
    assert got == expected
    assert got == theirs.get_version_locations_list()
    assert got == theirs.get_prepend_sys_paths_list()


def test_legacy_version_path_separator(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nversion_path_separator = ;\nversion_locations = a;b\n"
        "prepend_sys_path = x y,z:w\n",
    )
    ours, theirs = both(ini)
    with pytest.warns(DeprecationWarning, match="version_path_separator"):
        assert ours.get_version_locations_list() == ["a", "b"]
    with pytest.warns(DeprecationWarning, match="path_separator"):
        # version_path_separator does not apply to prepend_sys_path: legacy split
        assert ours.get_prepend_sys_paths_list() == ["x", "y", "z", "w"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert theirs.get_version_locations_list() == ["a", "b"]
        assert theirs.get_prepend_sys_paths_list() == ["x", "y", "z", "w"]


def test_legacy_split_without_any_separator(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nversion_locations = a, b c\n")
    with pytest.warns(DeprecationWarning, match="path_separator"):
        assert Config(ini).get_version_locations_list() == ["a", "b", "c"]


def test_path_separator_takes_precedence(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\npath_separator = ;\nversion_path_separator = :\nversion_locations = a:b;c\n",
    )
    assert Config(ini).get_version_locations_list() == ["a:b", "c"]


def test_bad_path_separator(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini", "[alembic]\npath_separator = comma\nversion_locations = a\n"
    )
    with pytest.raises(ConfigError, match=r"alembic\.ini.*'comma'.*path_separator"):
        Config(ini).get_version_locations_list()


def test_no_locations(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\n")
    assert Config(ini).get_version_locations_list() is None
    assert Config(ini).get_prepend_sys_paths_list() is None
    assert Config(ini).get_hooks_list() == []


# ---------------------------------------------------------------------- hooks


def test_ini_hooks_list_matches_alembic(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        """
        [alembic]
        [post_write_hooks]
        hooks = black, ruff  other
        black.type = console_scripts
        black.entrypoint = black
        black.options = -l 79 REVISION_SCRIPT_FILENAME
        ruff.type = module
        ruff.module = ruff
        ruff.cwd = %(here)s
        other.type = exec
        unrelated.type = exec
        """,
    )
    ours, theirs = both(ini)
    assert ours.get_hooks_list() == theirs.get_hooks_list()
    assert [h["_hook_name"] for h in ours.get_hooks_list()] == ["black", "ruff", "other"]
    assert ours.get_hooks_list()[1]["cwd"] == tmp_path.absolute().as_posix()


def test_template_directory_lists_the_templates() -> None:
    folder = Path(Config().get_template_directory())
    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert names == ["async", "generic", "multidb", "pyproject", "pyproject_async"]
