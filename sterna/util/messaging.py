"""Console messages, warnings, password masking and revision ids: the one home of each.

Every layer prints progress (``msg``, ``status``), warns (``warn``, ``warn_deprecated``), hides
passwords in what it shows (``hide_passwords`` for any text, ``obfuscate_url_pw`` for one URL) and
makes revision ids (``rev_id``) through this module; under the import alias it is also
``alembic.util.messaging``.  The output is Sterna's: text goes to standard output unwrapped
(Alembic wraps it to the terminal's width), characters the stream cannot encode are replaced, a
closed pipe (``sterna history | head``) is ignored, and ``err`` reports on standard error as the
``sterna`` command line does.

This module sits below every other one: it imports nothing from Sterna, never ``typing`` (the read
commands start without it), and SQLAlchemy only inside :func:`obfuscate_url_pw`.
"""

from __future__ import annotations

import contextlib
import re
import sys
import warnings

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import NoReturn, TextIO

    from sqlalchemy.engine import URL

__all__ = [
    "err",
    "format_as_comma",
    "hide_passwords",
    "msg",
    "obfuscate_url_pw",
    "rev_id",
    "status",
    "warn",
    "warn_deprecated",
    "write_outstream",
    "write_stream",
]

#: ``scheme://user:password@``: the password is what lies between the user's ``:`` and the ``@``
#: (the user may be empty; a password ends at the first ``@`` or blank, as SQLAlchemy reads it).
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][\w+.-]*://[^:/@\s]*:)[^@\s]*(@)")
MASK = "***"


# --------------------------------------------------------------------------- writing


def write_stream(stream: TextIO, text: str) -> None:
    """Write ``text`` to ``stream``, replacing characters its encoding cannot represent; a closed
    pipe (the reader went away: ``sterna history | head``) is ignored."""
    if not text.isascii():  # every encoding a terminal uses can write ASCII as it is
        encoding = getattr(stream, "encoding", None) or "utf-8"
        text = text.encode(encoding, "replace").decode(encoding)
    with contextlib.suppress(BrokenPipeError):
        stream.write(text)


def _flush(stream: TextIO) -> None:
    with contextlib.suppress(BrokenPipeError):
        stream.flush()


def write_outstream(stream: TextIO, *text: str | bytes, quiet: bool = False) -> None:
    """Write each piece of ``text`` (bytes are decoded) to ``stream`` unless ``quiet``."""
    if quiet:
        return
    encoding = getattr(stream, "encoding", None) or "utf-8"
    for piece in text:
        write_stream(
            stream, piece.decode(encoding, "replace") if isinstance(piece, bytes) else piece
        )


def msg(text: str, newline: bool = True, flush: bool = False, quiet: bool = False) -> None:
    """Print ``text`` on standard output unless ``quiet`` (``flush`` is accepted; Sterna always
    flushes, so that progress shows before a slow step)."""
    if quiet:
        return
    write_stream(sys.stdout, text + "\n" if newline else text)
    _flush(sys.stdout)


@contextlib.contextmanager
def status(text: str, newline: bool = False, quiet: bool = False) -> Iterator[None]:
    """Print ``text ...``, run the block, then ``  done`` (``  FAILED`` if it raised).

    ``newline`` ends the first line before the block runs, for blocks that print output of their
    own (post-write hooks).  Nothing is printed under ``quiet``; a closed pipe neither fails the
    block nor hides the block's own exception.
    """
    msg(text + " ...", newline=newline, quiet=quiet)
    try:
        yield
    except BaseException:
        msg("  FAILED", quiet=quiet)
        raise
    msg("  done", quiet=quiet)


def err(message: str, quiet: bool = False) -> NoReturn:
    """Report ``FAILED: message`` on standard error (unless ``quiet``) and exit with status 1."""
    if not quiet:
        write_outstream(sys.stderr, f"FAILED: {message}\n")
        _flush(sys.stderr)
    raise SystemExit(1)


def format_as_comma(value: str | Iterable[str] | None) -> str:
    """``a, b`` for several ids, the id for one, ``""`` for none (the templates' ``comma``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ", ".join(value)


# --------------------------------------------------------------------------- warnings


def warn(text: str, stacklevel: int = 2) -> None:
    """Issue ``text`` as a :class:`UserWarning`; the default ``stacklevel`` names the caller."""
    warnings.warn(text, UserWarning, stacklevel=stacklevel)


def warn_deprecated(text: str, stacklevel: int = 2) -> None:
    """Issue ``text`` as a :class:`DeprecationWarning`; the default ``stacklevel`` names the
    caller."""
    warnings.warn(text, DeprecationWarning, stacklevel=stacklevel)


# --------------------------------------------------------------------------- passwords


def hide_passwords(text: str, *secrets: str | None) -> str:
    """``text`` with the password of every ``scheme://user:password@`` URL in it, and every
    non-empty string of ``secrets`` (a password a driver's message repeats), shown as ``***``.

    A secret is masked where it stands alone, not inside a longer word: a password ``p`` or
    ``test`` must not turn ``psycopg`` or ``test_db`` in the message into ``***sycopg`` or
    ``***_db`` (an end of the secret that is not a letter, digit or ``_`` needs no boundary)."""
    text = _URL_PASSWORD.sub(rf"\1{MASK}\2", text)
    for secret in secrets:
        if secret:
            text = _standalone(secret).sub(MASK, text)
    return text


def _standalone(secret: str) -> re.Pattern[str]:
    """``secret`` where it is not part of a longer word."""
    before = r"(?<!\w)" if re.match(r"\w", secret[0]) else ""
    after = r"(?!\w)" if re.match(r"\w", secret[-1]) else ""
    return re.compile(before + re.escape(secret) + after)


def obfuscate_url_pw(url: str | URL) -> str:
    """``url`` (text or a SQLAlchemy ``URL``) as SQLAlchemy writes it, its password ``***``."""
    if isinstance(url, str):
        from sqlalchemy.engine import make_url

        url = make_url(url)
    return url.render_as_string(hide_password=True)


# --------------------------------------------------------------------------- revision ids


def rev_id() -> str:
    """A new random revision id: 12 lowercase hexadecimal digits."""
    import uuid  # about 1 ms, paid only by the commands that make a revision

    return uuid.uuid4().hex[-12:]
