"""Post-write hooks run with real tools: ruff (module and exec), pygmentize (console_scripts),
and small executables written by the tests."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from sterna import hooks
from sterna.errors import HookError

VENV_BIN = Path(sys.executable).parent


def script_file(tmp_path: Path, text: str = "x=[1,2]\n") -> Path:
    path = tmp_path / "abc123_new_revision.py"
    path.write_text(text)
    return path


def executable(tmp_path: Path, name: str, body: str) -> Path:
    """A small Python program usable as an exec hook."""
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport os, sys\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def hook(name: str, **options: str) -> dict[str, str]:
    return {"_hook_name": name, **options}


def test_module_hook_runs_ruff_format(tmp_path: Path) -> None:
    path = script_file(tmp_path)
    hooks.run_hooks(
        path, [hook("fmt", type="module", module="ruff", options="format REVISION_SCRIPT_FILENAME")]
    )
    assert path.read_text() == "x = [1, 2]\n"


def test_exec_hook_runs_ruff_by_path(tmp_path: Path) -> None:
    path = script_file(tmp_path)
    ruff = str(VENV_BIN / "ruff")
    hooks.run_hooks(
        path, [hook("fmt", type="exec", executable=ruff, options="format REVISION_SCRIPT_FILENAME")]
    )
    assert path.read_text() == "x = [1, 2]\n"


def test_console_scripts_hook_runs_an_entry_point(tmp_path: Path) -> None:
    path = script_file(tmp_path)
    hooks.run_hooks(
        path,
        [
            hook(
                "html",
                type="console_scripts",
                entrypoint="pygmentize",
                options="-o REVISION_SCRIPT_FILENAME.html REVISION_SCRIPT_FILENAME",
            )
        ],
    )
    html = Path(f"{path}.html").read_text()
    assert '<span class="n">x</span>' in html


def test_exec_hook_gets_arguments_and_cwd(tmp_path: Path) -> None:
    record = tmp_path / "record.txt"
    prog = executable(
        tmp_path,
        "rec",
        f"open({str(record)!r}, 'w').write(repr((os.getcwd(), sys.argv[1:])))",
    )
    workdir = tmp_path / "work"
    workdir.mkdir()
    path = script_file(tmp_path)
    hooks.run_hooks(
        path,
        [
            hook(
                "rec",
                type="exec",
                executable=str(prog),
                cwd=str(workdir),
                options="--flag 'two words' REVISION_SCRIPT_FILENAME --after",
            )
        ],
    )
    cwd, argv = eval(record.read_text())
    assert os.path.samefile(cwd, workdir)
    assert argv == ["--flag", "two words", str(path), "--after"]


def test_path_goes_first_when_token_is_absent(tmp_path: Path) -> None:
    record = tmp_path / "record.txt"
    prog = executable(tmp_path, "rec", f"open({str(record)!r}, 'w').write(repr(sys.argv[1:]))")
    path = script_file(tmp_path)
    hooks.run_hooks(path, [hook("rec", type="exec", executable=str(prog), options="-a b")])
    assert eval(record.read_text()) == [str(path), "-a", "b"]


def test_hooks_run_in_order_and_print_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "record.txt"
    first = executable(tmp_path, "first", f"open({str(record)!r}, 'a').write('1')")
    second = executable(tmp_path, "second", f"open({str(record)!r}, 'a').write('2')")
    path = script_file(tmp_path)
    hooks.run_hooks(
        path,
        [
            hook("one", type="exec", executable=str(first)),
            hook("two", type="exec", executable=str(second)),
        ],
    )
    assert record.read_text() == "12"
    out = capsys.readouterr().out
    assert "Running post write hook 'one' ...\n  done\n" in out
    assert out.index("'one'") < out.index("'two'")


def test_quiet_hooks_print_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prog = executable(tmp_path, "ok", "pass")
    hooks.run_hooks(
        script_file(tmp_path), [hook("q", type="exec", executable=str(prog))], quiet=True
    )
    assert capsys.readouterr().out == ""


def test_failing_hook_names_the_hook_and_keeps_the_script(tmp_path: Path) -> None:
    prog = executable(tmp_path, "fail", "sys.exit(3)")
    path = script_file(tmp_path)
    with pytest.raises(HookError) as info:
        hooks.run_hooks(path, [hook("lint", type="exec", executable=str(prog))])
    message = str(info.value)
    assert "'lint'" in message
    assert "status 3" in message
    assert str(path) in message
    assert path.read_text() == "x=[1,2]\n"


def test_failing_console_script_is_detected(tmp_path: Path) -> None:
    path = script_file(tmp_path)
    with pytest.raises(HookError, match=r"'html'.*status"):
        hooks.run_hooks(
            path,
            [
                hook(
                    "html",
                    type="console_scripts",
                    entrypoint="pygmentize",
                    options="-l no-such-lexer REVISION_SCRIPT_FILENAME",
                )
            ],
        )


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({}, "'h.type'"),
        ({"type": "bogus"}, "unknown type 'bogus'"),
        ({"type": "exec"}, "'h.executable' is required"),
        ({"type": "module"}, "'h.module' is required"),
        ({"type": "console_scripts"}, "'h.entrypoint' is required"),
        ({"type": "module", "module": "no_such_module_xyz"}, "no_such_module_xyz"),
        ({"type": "console_scripts", "entrypoint": "no-such-entry"}, "no-such-entry"),
        ({"type": "exec", "executable": "/no/such/program"}, "cannot run '/no/such/program'"),
    ],
)
def test_configuration_errors(tmp_path: Path, config: dict[str, str], fragment: str) -> None:
    with pytest.raises(HookError) as info:
        hooks.run_hooks(script_file(tmp_path), [hook("h", **config)])
    assert fragment in str(info.value)
    assert "'h'" in str(info.value)


def test_registered_custom_hook(tmp_path: Path) -> None:
    seen: list[tuple[str, str]] = []

    @hooks.register("custom-test-hook")
    def custom(path: str, options: Mapping[str, str]) -> None:
        seen.append((path, options["greeting"]))

    path = script_file(tmp_path)
    hooks.run_hooks(path, [hook("c", type="custom-test-hook", greeting="hi")])
    assert seen == [(str(path), "hi")]


def test_command_line_options_substitutes_inside_words() -> None:
    argv = hooks.command_line_options("-o REVISION_SCRIPT_FILENAME.html", "/x/y.py")
    assert argv == ["-o", "/x/y.py.html"]
