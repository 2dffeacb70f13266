"""Argument parsing: verbs and options as Alembic's, global options before or after the verb."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from sterna import __version__, cli
from sterna.errors import ConfigError
from sterna.util.messaging import hide_passwords  # what cli's messages use
from tests.conftest import run_sterna


def parse(*argv: str) -> argparse.Namespace:
    return cli.parse_args(list(argv))


def test_globals_before_and_after_the_verb() -> None:
    before = parse("-c", "a.ini", "-n", "sec", "-x", "k=1", "--raiseerr", "-q", "upgrade", "head")
    after = parse("upgrade", "head", "-c", "a.ini", "-n", "sec", "-x", "k=1", "--raiseerr", "-q")
    for options in (before, after):
        assert options.verb == "upgrade"
        assert options.revision == "head"
        assert options.config == ["a.ini"]
        assert options.name == "sec"
        assert options.x == ["k=1"]
        assert options.raiseerr is True
        assert options.quiet is True


def test_repeatable_globals_accumulate_across_the_verb() -> None:
    options = parse(
        "-x", "a=1", "-c", "alembic.ini", "history", "-x", "b=2", "--config", "pyproject.toml"
    )
    assert options.x == ["a=1", "b=2"]
    assert options.config == ["alembic.ini", "pyproject.toml"]


def test_defaults() -> None:
    options = parse("heads")
    assert options.config is None
    assert options.x is None
    assert options.name == "alembic"
    assert options.raiseerr is False
    assert options.quiet is False
    assert not any(key.endswith("_after_verb") for key in vars(options))


def test_current_keeps_c_for_check_heads() -> None:
    options = parse("current", "-c", "-v", "--config", "x.ini")
    assert options.check_heads is True
    assert options.verbose is True
    assert options.config == ["x.ini"]
    assert parse("-c", "y.ini", "current").config == ["y.ini"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["init", "-t", "multidb", "--package", "migs"],
            {"template": "multidb", "package": True, "directory": "migs"},
        ),
        (["init", "migs"], {"template": "generic", "package": False}),
        (
            [
                "revision",
                "-m",
                "msg",
                "--head",
                "x@head",
                "--splice",
                "--branch-label",
                "lbl",
                "--version-path",
                "vp",
                "--rev-id",
                "abc",
                "--depends-on",
                "d1",
                "--depends-on",
                "d2",
                "--sql",
            ],
            {
                "message": "msg",
                "head": "x@head",
                "splice": True,
                "branch_label": "lbl",
                "version_path": "vp",
                "rev_id": "abc",
                "depends_on": ["d1", "d2"],
                "sql": True,
            },
        ),
        (["revision"], {"message": None, "head": "head", "splice": False, "depends_on": None}),
        (
            ["merge", "-m", "m", "--branch-label", "b", "--rev-id", "r", "a", "b"],
            {"message": "m", "branch_label": "b", "rev_id": "r", "revisions": ["a", "b"]},
        ),
        (["upgrade", "--sql", "--tag", "t", "a:b"], {"sql": True, "tag": "t", "revision": "a:b"}),
        (["downgrade", "-1"], {"revision": "-1", "sql": False, "tag": None}),
        (
            ["history", "-r", "-3:current", "-v", "-i"],
            {"rev_range": "-3:current", "verbose": True, "indicate_current": True},
        ),
        (["history", "-r-3:"], {"rev_range": "-3:"}),
        (["history", "--rev-range", "-1:current"], {"rev_range": "-1:current"}),
        (["history", "-r", "base:head"], {"rev_range": "base:head"}),
        (
            ["heads", "-v", "--resolve-dependencies"],
            {"verbose": True, "resolve_dependencies": True},
        ),
        (["branches", "-v"], {"verbose": True}),
        (["show", "head"], {"rev": "head"}),
        (
            ["stamp", "--purge", "--sql", "--tag", "t", "a", "b"],
            {"purge": True, "sql": True, "tag": "t", "revisions": ["a", "b"]},
        ),
        (["edit", "current"], {"rev": "current"}),
        (["ensure_version", "--sql"], {"sql": True}),
        (["list_templates"], {}),
    ],
)
def test_verb_options(argv: list[str], expected: dict[str, object]) -> None:
    options = parse(*argv)
    for key, value in expected.items():
        assert getattr(options, key) == value, key


def test_command_arguments_match_command_signatures() -> None:
    import inspect

    from sterna import command

    for name, verb in cli.VERBS.items():
        options = parse(name, *(["x"] * len(verb.positional)))
        function, positional, keywords = cli.verb_call(options)
        assert function is getattr(command, name)
        signature = inspect.signature(function)
        signature.bind(  # raises if they do not fit
            object(),
            *[getattr(options, dest) for dest in positional],
            **{dest: getattr(options, dest) for dest in keywords},
        )


def test_same_verbs_and_options_as_alembic() -> None:
    """Every verb and option of Alembic's CLI exists here, `check` and `--autogenerate` included."""
    from alembic.config import CommandLine

    theirs = CommandLine(prog="alembic").subparsers.choices
    # Sterna's own verbs: the applied-history checks (docs/production.md)
    assert set(theirs) == set(cli.VERBS) - {"validate", "repair", "resolve"}
    for name, verb in cli.VERBS.items():
        if name not in theirs:
            continue
        their_flags = {flag for action in theirs[name]._actions for flag in action.option_strings}
        their_positional = [
            action.dest for action in theirs[name]._actions if not action.option_strings
        ]
        ours = {flag for arg in verb.args for flag in arg.flags if flag.startswith("-")}
        missing = their_flags - ours - {"-h", "--help"}
        assert not missing, (name, missing)
        assert len(their_positional) == len(verb.positional), name


@pytest.mark.parametrize(
    ("names", "env", "expected"),
    [
        (None, None, ("pyproject.toml", "alembic.ini")),
        (["x.ini"], None, ("pyproject.toml", "x.ini")),
        (["sub/pyproject.toml"], None, ("sub/pyproject.toml", "alembic.ini")),
        (["a.ini", "b/pyproject.toml"], None, ("b/pyproject.toml", "a.ini")),
        (["other.toml"], None, ("other.toml", "alembic.ini")),
        (None, "env.ini", ("pyproject.toml", "env.ini")),
        (None, "conf/pyproject.toml", ("conf/pyproject.toml", "alembic.ini")),
        (["x.ini"], "env.ini", ("pyproject.toml", "x.ini")),
    ],
)
def test_config_files(
    monkeypatch: pytest.MonkeyPatch,
    names: list[str] | None,
    env: str | None,
    expected: tuple[str, str],
) -> None:
    if env is None:
        monkeypatch.delenv("ALEMBIC_CONFIG", raising=False)
    else:
        monkeypatch.setenv("ALEMBIC_CONFIG", env)
    assert cli.config_files(names) == expected


@pytest.mark.parametrize("names", [["a.ini", "b.ini"], ["a/pyproject.toml", "pyproject.toml"]])
def test_config_files_twice_the_same_kind(names: list[str]) -> None:
    with pytest.raises(ConfigError, match="Only one"):
        cli.config_files(names)


def test_hide_passwords() -> None:
    text = "cannot reach postgresql+psycopg://scott:tiger@db:5432/app and mysql://u:p%40w@h/d"
    assert hide_passwords(text) == (
        "cannot reach postgresql+psycopg://scott:***@db:5432/app and mysql://u:***@h/d"
    )
    assert hide_passwords("sqlite:///x.db") == "sqlite:///x.db"


# ---------------------------------------------------------------------- process level


def test_version_and_help_exit_zero(tmp_path: Path) -> None:
    """``--version`` names Sterna's version and the Alembic release whose behaviour it follows
    (tools that parse ``alembic --version`` find an Alembic version number in it)."""
    expected = f"sterna {__version__} (Alembic 1.20.1 compatible)"
    proc = run_sterna("--version", cwd=tmp_path)
    assert (proc.returncode, proc.stdout.strip()) == (0, expected)
    after = run_sterna("heads", "--version", cwd=tmp_path)
    assert after.stdout.strip() == expected
    helped = run_sterna("--help", cwd=tmp_path)
    assert helped.returncode == 0
    for verb in cli.VERBS:
        assert verb in helped.stdout


def test_no_verb_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_sterna(cwd=tmp_path)
    assert proc.returncode == 2
    assert "a verb is required" in proc.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_sterna("revision", "--no-such-option", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--no-such-option" in proc.stderr


@pytest.mark.parametrize("flag", ["-c", "--check-heads"])
def test_current_check_heads_given_a_file_points_at_config(tmp_path: Path, flag: str) -> None:
    """``sterna current -c alembic.ini``: after ``current``, ``-c`` is ``--check-heads`` and
    ``alembic.ini`` is left over; the usage error says to give the file with ``--config``."""
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    proc = run_sterna("current", flag, "alembic.ini", cwd=tmp_path)
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("sterna: error: current: ")
    assert "--check-heads" in last and "takes no value" in last
    assert "--config alembic.ini" in last
    assert "unrecognized arguments" not in proc.stderr


def test_other_leftovers_stay_unrecognized(tmp_path: Path) -> None:
    for argv in (["current", "-v", "extra"], ["upgrade", "head", "-c", "a.ini", "extra"]):
        proc = run_sterna(*argv, cwd=tmp_path)
        assert proc.returncode == 2
        assert (
            proc.stderr.strip().splitlines()[-1] == "sterna: error: unrecognized arguments: extra"
        )
