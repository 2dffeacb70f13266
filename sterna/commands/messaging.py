"""Progress messages printed by commands (``Creating directory ... done``), silent under -q."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sterna.config import write_stream


def msg(text: str, *, quiet: bool = False, newline: bool = True) -> None:
    """Print one message on standard output unless ``quiet``."""
    if quiet:
        return
    write_stream(sys.stdout, text + ("\n" if newline else ""))
    sys.stdout.flush()


@contextmanager
def status(text: str, *, quiet: bool = False, newline: bool = False) -> Iterator[None]:
    """Print ``text ...``, run the block, then ``  done`` (or ``  FAILED`` if it raised).

    ``newline`` ends the first line before the block runs, for blocks that print output
    of their own (post-write hooks).
    """
    msg(text + " ...", quiet=quiet, newline=newline)
    try:
        yield
    except BaseException:
        msg("  FAILED", quiet=quiet)
        raise
    msg("  done", quiet=quiet)
