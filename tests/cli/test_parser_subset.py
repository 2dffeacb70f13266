"""The parser is built for the verbs named on the command line only; results must not change."""

from __future__ import annotations

import pytest

from sterna import cli


def test_verb_word_used_as_an_option_value() -> None:
    options = cli.parse_args(["-n", "heads", "upgrade", "head"])
    assert (options.verb, options.name, options.revision) == ("upgrade", "heads", "head")
    options = cli.parse_args(["-x", "a=1", "show", "heads"])
    assert (options.verb, options.rev, options.x) == ("show", "heads", ["a=1"])


@pytest.mark.parametrize("argv", [["--help"], ["-h", "heads"], ["--he", "heads"]])
def test_overall_help_lists_every_verb(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.parse_args(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    for verb in cli.VERBS:
        assert verb in out


def test_verb_help_and_unknown_verb(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.parse_args(["heads", "--help"])
    assert "--resolve-dependencies" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        cli.parse_args(["upgrde", "head"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'upgrde'" in err and "upgrade" in err


@pytest.mark.parametrize("columns", [None, "57", "0", "-3", "wide"])
def test_help_width_is_the_one_argparse_would_take(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert cli._terminal_columns() == shutil.get_terminal_size().columns
    assert cli._HelpFormatter("x")._width == shutil.get_terminal_size().columns - 2
