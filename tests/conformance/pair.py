"""Both tools on one project, each with its own database on the same backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.engine import make_url

from tests.conformance.compare import same_database, same_outcome
from tests.conformance.harness import ALEMBIC, STERNA, Outcome, Settings, run
from tests.conformance.projects import Project

#: Commands that read the database without changing it.
READ_ONLY = {"current", "history", "heads", "branches", "show"}


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _mask(outcome: Outcome, url: str) -> Outcome:
    """The outcome with the tool's own database URL written as ``<URL>``."""
    shown = _shown(url)

    def fix(text: str) -> str:
        return text.replace(shown, "<URL>").replace(url, "<URL>")

    return replace(
        outcome,
        lines=tuple(fix(line) for line in outcome.lines),
        log=tuple(fix(line) for line in outcome.log),
        error=None if outcome.error is None else fix(outcome.error),
    )


def describe(verb: str, args: tuple[Any, ...], kw: dict[str, Any]) -> str:
    flags = []
    for key, value in kw.items():
        if value is True:
            flags.append(f"--{key}")
        elif value not in (None, False):
            flags.append(f"--{key}={value}")
    return " ".join([verb, *flags, *map(str, args)])


@dataclass
class Pair:
    """``project`` run by Alembic on ``alembic_url`` and by Sterna on ``sterna_url``."""

    project: Project
    backend: str
    alembic_url: str
    sterna_url: str
    settings: dict[str, Any] = field(default_factory=dict)
    full_snapshots: bool = True
    #: Every command is meant to succeed: Alembic's (the reference's) failing is a test error.
    strict: bool = False

    def run(self, tool: str, verb: str, *args: Any, on: str | None = None, **kw: Any) -> Outcome:
        """``tool`` runs the command on its own database, or on the database ``on`` names
        (``"alembic"`` or ``"sterna"``)."""
        url = self.alembic_url if (on or tool) == "alembic" else self.sterna_url
        settings = Settings(url=url, **self.settings)
        outcome = run(
            ALEMBIC if tool == "alembic" else STERNA, self.project.ini, settings, verb, *args, **kw
        )
        return _mask(outcome, url)

    def both(
        self,
        verb: str,
        *args: Any,
        check_db: bool | None = None,
        tag: str = "",
        equivalent: Callable[[str, str], bool] | None = None,
        **kw: Any,
    ) -> tuple[Outcome, Outcome]:
        """Run the command with both tools; compare the outcomes and, for a command that may
        change the database, the two databases afterwards.  ``tag`` (e.g. ``"[batch]"``) is
        added to the description known differences match on; ``equivalent`` is passed to
        :func:`same_outcome`."""
        what = describe(verb, args, kw) + (f" {tag}" if tag else "")
        theirs = self.run("alembic", verb, *args, **kw)
        ours = self.run("sterna", verb, *args, **kw)
        assert not (self.strict and theirs.error), f"{what}: {theirs.error}"
        if theirs.error is not None and ours.error is not None:
            what += " [failed]"
        same_outcome(theirs, ours, what, self.backend, equivalent=equivalent)
        if check_db is None:
            check_db = verb not in READ_ONLY and not kw.get("sql")
        if check_db:
            same_database(
                self.alembic_url, self.sterna_url, what, self.backend, self.full_snapshots
            )
        return theirs, ours

    def observe(self, full: bool = True) -> None:
        """The read-only views of the database state: ``current``; with ``full`` also
        ``current -v``, ``history -i``, ``history -r`` ``:current`` / ``current:`` /
        ``current:+1`` / ``-1:current`` and ``show current``."""
        theirs, _ = self.both("current")
        if full:
            at_base = "[db at base]" if theirs.ok and not theirs.lines else ""
            self.both("current", verbose=True)
            self.both("history", indicate_current=True)
            self.both("history", ":current", tag=at_base)
            self.both("history", "current:", indicate_current=True, tag=at_base)
            self.both("history", "current:+1")
            self.both("history", "-1:current")
            self.both("show", "current")
