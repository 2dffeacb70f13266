"""Revision-graph errors re-worded the way Alembic's ScriptDirectory words them for users.

The graph layer raises precise errors (``ResolutionError``, ``MultipleHeads``,
``RangeNotAncestor``); at the directory level Alembic states them in terms of the command line
("Can't locate revision identified by 'x'", "Requested range a:b does not refer to ...").  The
error keeps its class and attributes; only its message changes.  An ambiguous prefix keeps its own
message, which names the candidates, and so does an invalid upgrade/downgrade destination.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sterna.errors_script import (
    AmbiguousRevision,
    InvalidDestination,
    MultipleHeads,
    MultipleHeadsPresent,
    RangeNotAncestor,
    ResolutionError,
)


def _reword(err: Exception, message: str) -> None:
    err.args = (message,)


@contextmanager
def translate_errors(
    *,
    ancestor: str | None = None,
    multiple_heads: str | None = None,
    start: object = None,
    end: object = None,
    resolution: str | None = None,
) -> Iterator[None]:
    """Re-word graph errors raised in the block; ``%(start)s``/``%(end)s``/``%(head_arg)s``
    in the given messages are filled in."""
    try:
        yield
    except InvalidDestination:  # already worded for the command line by the planner
        raise
    except RangeNotAncestor as err:
        values = {
            "start": start if start is not None else err.lower,
            "end": end if end is not None else err.upper,
        }
        text = ancestor or (
            "Requested range %(start)s:%(end)s does not refer to ancestor/descendant "
            "revisions along the same branch"
        )
        _reword(err, text % values)
        raise
    except MultipleHeadsPresent:
        raise
    except MultipleHeads as err:
        head_arg = end if end is not None else err.argument
        text = multiple_heads or (
            "Multiple head revisions are present for given argument '%(head_arg)s'; please "
            "specify a specific target revision, '<branchname>@%(head_arg)s' to narrow to a "
            "specific head, or 'heads' for all heads"
        )
        _reword(err, text % {"head_arg": head_arg, "heads": ", ".join(err.heads)})
        raise
    except AmbiguousRevision:
        raise
    except ResolutionError as err:
        _reword(err, resolution or f"Can't locate revision identified by '{err.argument}'")
        raise
