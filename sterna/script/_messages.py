"""``Doing something ...  done`` progress lines, as Alembic prints them; silent under ``-q``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


def _write(text: str) -> None:
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        stream.write(text.encode(encoding, "replace").decode(encoding))
        stream.flush()
    except OSError:  # a closed pipe must not turn a finished job into a failure
        pass


@contextmanager
def status(text: str, quiet: bool = False) -> Iterator[None]:
    """Print ``text ...``, run the block, then ``  done`` (``  FAILED`` if it raised)."""
    if not quiet:
        _write(text + " ...")
    try:
        yield
    except BaseException:
        if not quiet:
            _write("  FAILED\n")
        raise
    if not quiet:
        _write("  done\n")
