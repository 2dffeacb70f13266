"""Alembic's programmatic command line (``alembic.config.main``, ``alembic.config.CommandLine``),
served by Sterna's own (:mod:`sterna.cli`).

Scripts and tools call ``alembic.config.main(argv=["upgrade", "head"])`` to run a command as the
console would: it returns on success; on an error it prints ``FAILED: ...`` and exits with status
1 (a usage error exits 2), or, with ``--raiseerr``, lets the error through.  ``CommandLine``
holds the parser (``.parser``) and runs a parsed command (``run_cmd``) the same way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sterna.errors_root import CommandError


def main(argv: Sequence[str] | None = None, prog: str | None = None, **kwargs: Any) -> None:
    """Run the command line ``argv`` (``sys.argv[1:]`` when None); exits on failure."""
    CommandLine(prog=prog).main(argv=argv)


class CommandLine:
    """The command line as an object: ``parser``, ``main(argv)``, ``run_cmd(config, options)``,
    and ``register_command(fn)`` to add a command of one's own."""

    def __init__(self, prog: str | None = None) -> None:
        from sterna.cli import build_parser

        self.prog = prog or "alembic"
        self.parser: argparse.ArgumentParser = build_parser(self.prog)

    def register_command(self, fn: Callable[..., Any]) -> None:
        """Add ``fn`` as a command named after it: ``fn(config, *positional, **keywords)``.

        Its parameters after the config become arguments: those without a default positional
        ones, those with a default ``--name`` options (``--some-name`` for ``some_name``) with
        that default.  The first line of its docstring is the command's help.
        """
        from sterna.cli import add_verb

        positional, keywords = _parameters(fn)
        doc = (fn.__doc__ or "").strip()
        sub = add_verb(_verbs(self.parser), self.prog, fn.__name__, doc.split("\n")[0])
        sub.set_defaults(cmd=(fn, list(positional), sorted(keywords)))
        for name in positional:
            sub.add_argument(name)
        for name, default in keywords.items():
            sub.add_argument("--" + name.replace("_", "-"), dest=name, default=default)

    def main(self, argv: Sequence[str] | None = None) -> None:
        """Parse ``argv`` (``sys.argv[1:]`` when None), build the Config it names and call
        :meth:`run_cmd`; exits with status 1 after ``FAILED: ...`` when the command fails."""
        from sterna.cli import config_for, parse_with

        options = parse_with(self.parser, argv)
        self.run_cmd(config_for(options), options)

    def run_cmd(self, config: Any, options: argparse.Namespace) -> None:
        """Run the command of parsed ``options`` (``options.cmd``: ``(function, positional names,
        keyword names)``, or the verb) with ``config``."""
        from sterna.cli import call, guarded

        status = guarded(options, lambda: call(config, options))
        if status:
            sys.exit(status)


def _verbs(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    # argparse offers no public way back to the sub-parsers action that build_parser added
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise CommandError("this CommandLine's parser has no verbs")  # not one of build_parser's


def _parameters(fn: Callable[..., Any]) -> tuple[list[str], dict[str, Any]]:
    """The names after the first parameter of ``fn``: without a default, and with theirs."""
    import inspect

    params = list(inspect.signature(fn).parameters.values())[1:]
    plain = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    positional = [p.name for p in params if p.kind in plain and p.default is p.empty]
    keywords = {p.name: p.default for p in params if p.default is not p.empty}
    return positional, keywords
