"""Messages and warnings for extensions (``alembic.util.messaging``), checked against Alembic's
own helpers where Sterna does not differ on purpose."""

from __future__ import annotations

import warnings

import pytest
from alembic.util import messaging as alembic_messaging

from sterna.compat import alembic_alias
from sterna.util import messaging


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
        theirs.category, theirs.filename, theirs.lineno, str(theirs.message))


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
