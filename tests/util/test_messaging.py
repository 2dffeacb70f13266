"""The one messaging module (``sterna.util.messaging``, ``alembic.util.messaging`` under the alias):
messages and warnings checked against Alembic's own helpers where Sterna does not differ on
purpose, a closed pipe, every URL form a password is masked in, revision ids, and every public
name resolving to this one implementation."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import alembic.util as alembic_util
import pytest
from alembic.util import messaging as alembic_messaging

from sterna.compat import alembic_alias
from sterna.util import messaging
from tests.conftest import REPO


def test_msg_and_status_print_what_alembic_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alembic_messaging, "TERMWIDTH", None)  # Sterna never wraps
    for module in (alembic_messaging, messaging):
        module.msg("Generating x")
        module.msg("no newline", newline=False)
        module.msg("hidden", quiet=True)
        with module.status("Working"):
            pass
        with pytest.raises(KeyError), module.status("Failing"):
            raise KeyError("x")
        module.write_outstream(__import__("sys").stdout, "a", b"b", "\n")
    out = capsys.readouterr().out
    half = len(out) // 2
    assert out[:half] == out[half:]
    assert "Working ...  done\n" in out and "Failing ...  FAILED\n" in out


def _warn_from_here(module: object, name: str) -> warnings.WarningMessage:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(module, name)("careful")  # the line both warnings must point at
    return caught[0]


@pytest.mark.parametrize("name", ["warn", "warn_deprecated"])
def test_warnings_point_at_the_caller_as_alembic_s(name: str) -> None:
    ours, theirs = _warn_from_here(messaging, name), _warn_from_here(alembic_messaging, name)
    assert (ours.category, ours.filename, ours.lineno, str(ours.message)) == (
        theirs.category,
        theirs.filename,
        theirs.lineno,
        str(theirs.message),
    )


def test_err_reports_on_stderr_and_exits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        messaging.err("cannot go on")
    assert caught.value.code == 1
    assert capsys.readouterr().err == "FAILED: cannot go on\n"


def test_reachable_as_alembic_util_messaging() -> None:
    with alembic_alias():
        import alembic.util
        from alembic.util import messaging as aliased
        from alembic.util.messaging import msg

    assert aliased is messaging and msg is messaging.msg
    assert alembic.util.messaging is messaging


# --------------------------------------------------------------------------- a closed pipe


@contextlib.contextmanager
def stdout_to_closed_pipe() -> Iterator[io.TextIOWrapper]:
    """Standard output is a real pipe whose reader has gone away (``sterna ... | head``).

    Entered in the test's body: pytest sets its own ``sys.stdout`` again when the body starts.
    """
    read_end, write_end = os.pipe()
    os.close(read_end)
    stream = io.TextIOWrapper(io.FileIO(write_end, "w"), encoding="utf-8")
    saved, sys.stdout = sys.stdout, stream
    try:
        yield stream
    finally:
        sys.stdout = saved
        with contextlib.suppress(BrokenPipeError):
            stream.close()


def test_the_pipe_really_is_closed() -> None:
    with stdout_to_closed_pipe() as stream, pytest.raises(BrokenPipeError):
        print("x", flush=True)
    assert stream.closed


def test_status_and_msg_ignore_a_closed_pipe() -> None:
    ran = []
    with stdout_to_closed_pipe():
        with messaging.status("Generating x"):
            ran.append("block")
        with messaging.status("Running hook", newline=True):
            ran.append("hook")
        messaging.msg("Please edit alembic.ini")
        messaging.write_outstream(sys.stdout, "a", b"b", "\n")
    assert ran == ["block", "hook"]


def test_status_on_a_closed_pipe_keeps_the_block_s_exception() -> None:
    with (
        stdout_to_closed_pipe(),
        pytest.raises(KeyError, match="the block's own"),
        messaging.status("Failing"),
    ):
        raise KeyError("the block's own")


def test_status_prints_nothing_when_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    with messaging.status("Working", quiet=True):
        pass
    with pytest.raises(ValueError), messaging.status("Failing", quiet=True):
        raise ValueError
    assert capsys.readouterr().out == ""


def test_status_ends_the_line_first_with_newline(capsys: pytest.CaptureFixture[str]) -> None:
    with messaging.status("Running post write hook 'black'", newline=True):
        print("reformatted x.py")
    assert capsys.readouterr().out == (
        "Running post write hook 'black' ...\nreformatted x.py\n  done\n"
    )


# --------------------------------------------------------------------------- passwords

#: (URL, the same URL as Alembic and SQLAlchemy show it): every form a masker handled before
URL_FORMS = [
    ("postgresql+psycopg://scott:tiger@db:5432/app", "postgresql+psycopg://scott:***@db:5432/app"),
    ("mysql+pymysql://u:ti%40ger@h/d?charset=utf8mb4", "mysql+pymysql://u:***@h/d?charset=utf8mb4"),
    ("postgresql://:tiger@h/d", "postgresql://:***@h/d"),
    ("postgresql://u:@h/d", "postgresql://u:***@h/d"),
    ("postgresql://u:tiger@[::1]:5432/d", "postgresql://u:***@[::1]:5432/d"),
    ("postgresql://u:ti:ger@h/d", "postgresql://u:***@h/d"),
    ("postgresql://u:ti/ger@h/d", "postgresql://u:***@h/d"),
    ("postgresql://u@h/d", "postgresql://u@h/d"),
    ("sqlite:////tmp/app.db", "sqlite:////tmp/app.db"),
]


@pytest.mark.parametrize(("url", "shown"), URL_FORMS)
def test_obfuscate_url_pw_masks_each_url_form_as_alembic(url: str, shown: str) -> None:
    from sqlalchemy.engine import make_url

    assert messaging.obfuscate_url_pw(url) == shown
    assert messaging.obfuscate_url_pw(make_url(url)) == shown  # a URL object, as engine.url
    assert alembic_messaging.obfuscate_url_pw(url) == shown


@pytest.mark.parametrize(("url", "shown"), URL_FORMS)
def test_hide_passwords_masks_each_url_form_inside_text(url: str, shown: str) -> None:
    text = f"could not connect to {url}: timeout"
    hidden = messaging.hide_passwords(text)
    assert hidden == f"could not connect to {shown}: timeout"
    assert "tiger" not in hidden and "ger" not in hidden


def test_hide_passwords_masks_every_url_and_the_secrets_named() -> None:
    text = (
        "sqlalchemy.url=postgresql://a:one@h/d, other=mysql://b:two@h/d; "
        'FATAL: password "two-words pw" rejected'
    )
    assert messaging.hide_passwords(text, "two-words pw", None, "") == (
        "sqlalchemy.url=postgresql://a:***@h/d, other=mysql://b:***@h/d; "
        'FATAL: password "***" rejected'
    )


@pytest.mark.parametrize(
    ("secret", "text", "shown"),
    [
        # a short or common password inside the driver's own words stays as it is
        (
            "p",
            '(psycopg.OperationalError) port 1 failed: password "p" rejected',
            '(psycopg.OperationalError) port 1 failed: password "***" rejected',
        ),
        ("test", "database test_db: FATAL for test", "database test_db: FATAL for ***"),
        (
            "postgres",
            'role "postgres" and database "postgresql_x"',
            'role "***" and database "postgresql_x"',
        ),
        # ends that are not word characters need no boundary: masked wherever they stand
        ("$ecret!", "password=$ecret!, again:x$ecret!y", "password=***, again:x***y"),
        ("pw-1", "dsn password=pw-1 host=h", "dsn password=*** host=h"),
        ("a.b", "a.bc a.b axb", "a.bc *** axb"),
    ],
)
def test_hide_passwords_masks_a_secret_only_where_it_stands_alone(
    secret: str, text: str, shown: str
) -> None:
    assert messaging.hide_passwords(text, secret) == shown


def test_hide_passwords_leaves_text_without_a_password_alone() -> None:
    text = "no such table: t (sqlite:///x.db, http://example.com/a:b, user@host)"
    assert messaging.hide_passwords(text) == text


# --------------------------------------------------------------------------- revision ids


def test_rev_id_is_twelve_hex_digits_like_alembic_s() -> None:
    pattern = re.compile(r"[0-9a-f]{12}")
    assert pattern.fullmatch(alembic_util.rev_id())
    assert all(pattern.fullmatch(messaging.rev_id()) for _ in range(200))


def test_rev_ids_do_not_repeat() -> None:
    made = [messaging.rev_id() for _ in range(20_000)]
    assert len(set(made)) == len(made)


# --------------------------------------------------------------------------- one implementation


def test_every_public_name_is_the_one_implementation() -> None:
    from sterna import cli, command, compat_util, config, hooks
    from sterna.commands import init
    from sterna.runtime import errors
    from sterna.script import directory, template

    def found(module: object, name: str) -> object:  # the name as the module holds it
        return getattr(module, name)

    assert compat_util.rev_id is found(command, "new_rev_id") is messaging.rev_id
    assert compat_util.obfuscate_url_pw is found(errors, "obfuscate_url_pw")
    assert found(errors, "obfuscate_url_pw") is messaging.obfuscate_url_pw
    assert found(cli, "hide_passwords") is found(errors, "hide_passwords")
    assert found(errors, "hide_passwords") is messaging.hide_passwords
    assert compat_util.status is found(hooks, "status") is found(init, "status")
    assert found(init, "status") is found(directory, "status") is messaging.status
    assert found(init, "msg") is messaging.msg
    assert found(config, "write_stream") is messaging.write_stream
    assert found(template, "format_as_comma") is compat_util.format_as_comma
    assert compat_util.format_as_comma is messaging.format_as_comma
    with alembic_alias():
        import alembic.util

        assert alembic.util.rev_id is messaging.rev_id
        assert alembic.util.obfuscate_url_pw is alembic.util.messaging.obfuscate_url_pw
        assert alembic.util.status is alembic.util.messaging.status is messaging.status


def test_messaging_sits_below_every_other_module() -> None:
    """It imports no Sterna module (so any layer may import it without a cycle), and importing
    it loads neither ``typing`` (the read commands start without it) nor SQLAlchemy nor uuid."""
    tree = ast.parse(Path(messaging.__file__).read_text("utf-8"))
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] == "sterna"}
    probe = (
        "import sys; import sterna.util.messaging; "
        "print(sorted(m for m in ('typing', 'sqlalchemy', 'uuid') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]"
