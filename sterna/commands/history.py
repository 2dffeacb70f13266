"""``history``: listing revisions, with ranges that may refer to the database (``current``).

Without ``current`` a range behaves exactly as in Alembic.  With ``current`` Sterna differs
where Alembic's answer is wrong:

* ``-r -N:current`` lists the current revision and the ``N`` generations below it (Alembic
  counts ``-N`` from the head of the script directory, so when the database is behind it lists
  too little or fails);
* ``-r :current`` on an empty database lists nothing (Alembic lists everything);
* ``-r current:+N`` on an empty database lists the first ``N`` generations.
"""

from __future__ import annotations

import re
from collections import namedtuple

from sterna.config import Config
from sterna.errors_root import CommandError

# ``typing`` is imported for the type checker only: importing it would cost every command line
# about 3 ms.  The records are built with ``collections.namedtuple`` at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any, NamedTuple

    from sterna.script import ScriptDirectory

    class _RangeFields(NamedTuple):
        lower: str | None = None
        upper: str | None = None

    class _FormatFields(NamedTuple):
        verbose: bool = False
        indicate_current: bool = False
else:
    _RangeFields = namedtuple("HistoryRange", "lower upper", defaults=(None, None))
    _FormatFields = namedtuple("HistoryFormat", "verbose indicate_current", defaults=(False, False))

_DOWN = re.compile(r"^-(\d+)$")
_UP = re.compile(r"^\+(\d+)$")
CURRENT = "current"


class HistoryRange(_RangeFields):
    """The two sides of ``-r lower:upper``; None where a side is empty."""

    __slots__ = ()

    @classmethod
    def parse(cls, text: str | None) -> HistoryRange:
        if text is None:
            return cls()
        if text.count(":") != 1:
            raise CommandError(f"History range {text!r} must be [start]:[end], [start]: or :[end]")
        lower, upper = (side.strip() or None for side in text.strip().split(":"))
        return cls(lower, upper)

    @property
    def uses_current(self) -> bool:
        return CURRENT in (self.lower, self.upper)


class HistoryFormat(_FormatFields):
    """How ``history`` prints each revision: ``-v`` and ``-i`` (``--indicate-current``)."""

    __slots__ = ()


def show(
    config: Config,
    script: ScriptDirectory,
    lower: str | Sequence[str],
    upper: str | Sequence[str],
    fmt: HistoryFormat,
    currents: Sequence[str] = (),
    keep: Callable[[str], bool] | None = None,
) -> None:
    """Print the revisions from ``upper`` down to ``lower`` as Alembic's history does."""
    whole = (lower, upper) == ("base", "heads") and keep is None
    stored = script.revision_map.history_text if whole else None
    if stored and not (fmt.verbose or fmt.indicate_current):
        config.print_stdout(stored)  # the whole graph, as the snapshot it came from wrote it
        return
    current_set = frozenset(currents)
    # walk_revisions is typed for one identifier, like Alembic's, but takes tuples of heads too
    base: Any = lower
    head: Any = upper
    lines = []
    verbose, indicate = fmt.verbose, fmt.indicate_current
    for sc in script.walk_revisions(base=base, head=head):
        if keep is not None and not keep(sc.revision):
            continue
        if indicate:
            sc._db_current_indicator = sc.revision in current_set
        lines.append(sc.log_entry if verbose else sc.history_line())
    if lines:  # one write: thousands of separate ones cost more than formatting the lines
        config.print_stdout("\n".join(lines))


def show_with_current(
    config: Config,
    script: ScriptDirectory,
    rng: HistoryRange,
    fmt: HistoryFormat,
    currents: tuple[str, ...],
) -> None:
    """Print a history whose range may name ``current``, given the database's heads."""
    lower, upper = rng.lower, rng.upper
    if upper == CURRENT:
        if not currents:
            return
        steps = _DOWN.match(lower or "")
        if steps:
            keep = _within(script, currents, int(steps.group(1)), _parents)
            show(config, script, "base", currents, fmt, currents, keep.__contains__)
            return
        low: str | Sequence[str] = currents if lower == CURRENT else (lower or "base")
        show(config, script, low, currents, fmt, currents)
        return
    if lower == CURRENT:
        steps = _UP.match(upper or "")
        if steps:
            generations = int(steps.group(1))
            start = currents or tuple(script.get_bases())
            if not currents:
                generations -= 1
            keep = _within(script, start, generations, _children) if generations >= 0 else set()
            show(config, script, currents or "base", "heads", fmt, currents, keep.__contains__)
            return
        show(config, script, currents or "base", upper or "heads", fmt, currents)
        return
    show(config, script, lower or "base", upper or "heads", fmt, currents)


def _parents(revision: Any) -> Iterable[str]:
    return tuple(getattr(revision, "down_revisions", ()) or ())


def _children(revision: Any) -> Iterable[str]:
    return tuple(getattr(revision, "nextrev", ()) or ())


def _within(
    script: ScriptDirectory,
    start: Iterable[str],
    generations: int,
    neighbours: Callable[[Any], Iterable[str]],
) -> set[str]:
    """``start`` and every revision at most ``generations`` steps away from it."""
    seen = set(start)
    frontier = list(seen)
    for _ in range(generations):
        following: list[str] = []
        for rev_id in frontier:
            revision = script.get_revision(rev_id)
            for other in neighbours(revision) if revision is not None else ():
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        if not following:
            break
        frontier = following
    return seen


def show_branches(config: Config, script: ScriptDirectory, verbose: bool) -> None:
    """Print each branch point with the revisions it branches into (``branches``)."""
    if not any(sc.is_branch_point for sc in script.revision_map):
        return  # nothing to print: no need to put every revision in order
    for sc in script.walk_revisions():
        if not sc.is_branch_point:
            continue
        indent = " " * len(str(sc.revision))
        children = []
        for child_id in sorted(sc.nextrev):
            child = script.get_revision(child_id)
            if child is not None:
                line = child.cmd_format(False, include_branches=True, include_doc=verbose)
                children.append(f"{indent} -> {line}")
        config.print_stdout(
            "%s\n%s\n", sc.cmd_format(verbose, include_branches=True), "\n".join(children)
        )
