"""``alembic.config.CommandLine`` as Sterna serves it: ``main`` builds the Config and hands it
to ``run_cmd`` (a subclass may take over there), ``run_cmd`` runs options parsed by ``parser``
directly, and ``register_command`` adds a command of one's own (Alembic's cookbook recipe).
Run on a real SQLite project."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sterna import command
from sterna.cli_compat import CommandLine
from sterna.config import Config
from tests.runtime.helpers import version_rows
from tests.runtime.test_preflight import chain_a, write_project


@pytest.fixture
def project(tmp_path: Path, sqlite_url: str) -> Iterator[Path]:
    root = write_project(tmp_path, sqlite_url)
    chain_a(root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(cwd)


class Recording(CommandLine):
    """Keeps what main() hands to run_cmd, and runs nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[Config, argparse.Namespace]] = []

    def run_cmd(self, config: Any, options: argparse.Namespace) -> None:
        self.calls.append((config, options))


@pytest.mark.parametrize(
    ("argv", "verb", "ini"),
    [
        (["list_templates"], "list_templates", "alembic.ini"),
        (["-c", "other.ini", "heads"], "heads", "other.ini"),
        (["heads", "--config", "missing.ini"], "heads", "missing.ini"),
    ],
)
def test_main_hands_the_config_to_run_cmd(argv: list[str], verb: str, ini: str) -> None:
    line = Recording()
    line.main(argv=argv)
    [(config, options)] = line.calls
    assert config.config_file_name == ini
    assert options.verb == verb


def test_run_cmd_runs_options_parsed_by_its_parser(project: Path, sqlite_url: str) -> None:
    line = CommandLine()
    options = line.parser.parse_args(["upgrade", "a1"])
    line.run_cmd(Config("alembic.ini", cmd_opts=options), options)
    assert version_rows(sqlite_url) == ["a1"]
    with pytest.raises(SystemExit) as failed:  # a missing -c file fails there, as FAILED
        options = line.parser.parse_args(["-c", "nowhere.ini", "upgrade", "head"])
        line.run_cmd(Config("nowhere.ini", cmd_opts=options), options)
    assert failed.value.code == 1


def test_register_command(
    project: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    done: list[tuple[str, str, str | None]] = []

    def promote(config: Config, revision: str, note_text: str = "none") -> None:
        """Upgrade to a revision and note it.

        The rest of the docstring is not the help line.
        """
        command.upgrade(config, revision)
        done.append((revision, note_text, config.config_file_name))

    line = CommandLine()
    line.register_command(promote)
    assert "Upgrade to a revision and note it." in line.parser.format_help()
    line.main(argv=["promote", "a1"])
    line.main(argv=["promote", "a2", "--note-text", "second", "-c", "alembic.ini"])
    assert done == [("a1", "none", "alembic.ini"), ("a2", "second", "alembic.ini")]
    assert version_rows(sqlite_url) == ["a2"]
    with pytest.raises(SystemExit):
        line.main(argv=["promote"])  # the revision is required
    assert "revision" in capsys.readouterr().err


def test_registered_command_failure_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(config: Config) -> None:
        """Fail."""
        command.upgrade(config, "no-such-revision")

    line = CommandLine()
    line.register_command(boom)
    with pytest.raises(SystemExit) as failed:
        line.main(argv=["boom"])
    assert failed.value.code == 1
    assert "FAILED" in capsys.readouterr().err
