"""The command line's words before and after argparse reads them (part of :mod:`sterna.cli`):
``-r -3:current`` kept as one option, and the usage error for words left over
(``current -c FILE``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def attach_range_values(argv: Sequence[str]) -> list[str]:
    """``-r -3:current`` as ``--rev-range=-3:current``: argparse would take ``-3:current`` for
    an option (Alembic users have to write ``-r-3:current``)."""
    result: list[str] = []
    items = list(argv)
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if (
            item in ("-r", "--rev-range")
            and following
            and following.startswith("-")
            and ":" in following
        ):
            result.append(f"--rev-range={following}")
            index += 2
            continue
        result.append(item)
        index += 1
    return result


def leftover_error(options: argparse.Namespace, args: Sequence[str], extras: Sequence[str]) -> str:
    """The usage error for the words of ``args`` no option took (``extras``)."""
    return _check_heads_with_value(options, args, extras) or _unrecognized(extras)


def _unrecognized(extras: Sequence[str]) -> str:
    return f"unrecognized arguments: {' '.join(extras)}"


def _check_heads_with_value(
    options: argparse.Namespace, args: Sequence[str], extras: Sequence[str]
) -> str | None:
    """The usage error of ``current -c FILE``: after ``current``, ``-c`` is ``--check-heads``
    (as in Alembic) and takes no value, so ``FILE`` is left over; None for other leftovers."""
    if options.verb != "current" or "current" not in args:
        return None
    after = list(args)[list(args).index("current") + 1 :]
    for flag, following in zip(after, after[1:], strict=False):
        if flag in ("-c", "--check-heads") and following in extras:
            named = (
                "-c after this verb is --check-heads (as in Alembic) and" if flag == "-c" else flag
            )
            return (
                f"current: {named} takes no value; give the config file as --config "
                f"{following} (or as -c {following} before the verb)"
            )
    return None
