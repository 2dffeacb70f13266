"""Console messages and warnings for extensions: ``alembic.util.messaging`` under the alias.

Extensions print progress the way commands do (``msg``, ``status``), warn (``warn``,
``warn_deprecated``) and give up (``err``).  The output is Sterna's: text goes to standard output
unwrapped (Alembic wraps it to the terminal's width), characters the stream cannot encode are
replaced, a closed pipe is ignored, and ``err`` reports on standard error as the ``sterna``
command line does.  SQLAlchemy is imported only by :func:`obfuscate_url_pw` when called.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn, TextIO

from sterna.commands import messaging as _commands
from sterna.script.template import format_as_comma  # one home: the templates' ``comma``

__all__ = [
    "err",
    "format_as_comma",
    "msg",
    "obfuscate_url_pw",
    "status",
    "warn",
    "warn_deprecated",
    "write_outstream",
]


def write_outstream(stream: TextIO, *text: str | bytes, quiet: bool = False) -> None:
    """Write each piece of ``text`` (bytes are decoded) to ``stream`` unless ``quiet``."""
    from sterna.config import write_stream

    if quiet:
        return
    encoding = getattr(stream, "encoding", None) or "utf-8"
    for piece in text:
        write_stream(stream, piece.decode(encoding, "replace") if isinstance(piece, bytes)
                     else piece)


def msg(text: str, newline: bool = True, flush: bool = False, quiet: bool = False) -> None:
    """Print ``text`` on standard output unless ``quiet`` (``flush`` is accepted; Sterna always
    flushes)."""
    _commands.msg(text, quiet=quiet, newline=newline)


@contextmanager
def status(text: str, newline: bool = False, quiet: bool = False) -> Iterator[None]:
    """Print ``text ...``, run the block, then ``  done`` (``  FAILED`` if it raised)."""
    with _commands.status(text, quiet=quiet, newline=newline):
        yield


def err(message: str, quiet: bool = False) -> NoReturn:
    """Report ``FAILED: message`` on standard error (unless ``quiet``) and exit with status 1."""
    if not quiet:
        write_outstream(sys.stderr, f"FAILED: {message}\n")
    raise SystemExit(1)


def warn(text: str, stacklevel: int = 2) -> None:
    """Issue ``text`` as a :class:`UserWarning`; the default ``stacklevel`` names the caller."""
    warnings.warn(text, UserWarning, stacklevel=stacklevel)


def warn_deprecated(text: str, stacklevel: int = 2) -> None:
    """Issue ``text`` as a :class:`DeprecationWarning`; the default ``stacklevel`` names the
    caller."""
    warnings.warn(text, DeprecationWarning, stacklevel=stacklevel)


def obfuscate_url_pw(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
