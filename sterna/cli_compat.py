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
from collections.abc import Sequence
from typing import Any

from sterna.errors import CommandError


def main(argv: Sequence[str] | None = None, prog: str | None = None, **kwargs: Any) -> None:
    """Run the command line ``argv`` (``sys.argv[1:]`` when None); exits on failure."""
    CommandLine(prog=prog).main(argv=argv)


class CommandLine:
    """The command line as an object: ``parser``, ``main(argv)``, ``run_cmd(config, options)``."""

    def __init__(self, prog: str | None = None) -> None:
        from sterna.cli import build_parser

        self.prog = prog or "alembic"
        self.parser: argparse.ArgumentParser = build_parser(self.prog)

    def main(self, argv: Sequence[str] | None = None) -> None:
        from sterna.cli import main as cli_main

        status = cli_main(argv, self.prog)
        if status:
            sys.exit(status)

    def run_cmd(self, config: Any, options: argparse.Namespace) -> None:
        """Run the command ``options.cmd`` (``(function, positional names, keyword names)``,
        as parsing leaves it) with ``config``."""
        fn, positional, keywords = options.cmd
        try:
            fn(
                config,
                *[getattr(options, name) for name in positional],
                **{name: getattr(options, name, None) for name in keywords},
            )
        except CommandError as exc:
            if getattr(options, "raiseerr", False):
                raise
            sys.stderr.write(f"FAILED: {exc}\n")
            sys.exit(1)
