"""Comparing what the two tools did; every difference fails unless a known difference explains
it (see ``known_differences.py``).  Each comparison is counted for the session summary."""

from __future__ import annotations

import difflib
import os
import pprint
from collections.abc import Callable
from typing import Any

from tests.conformance import tally
from tests.conformance.harness import Outcome
from tests.conformance.known_differences import KNOWN, Compared, KnownDifference
from tests.conformance.snapshot import snapshot


class ConformanceError(AssertionError):
    """Sterna and Alembic differ, and no known difference explains it."""


def _diff(alembic: Any, sterna: Any) -> str:
    left = pprint.pformat(alembic, width=100).splitlines()
    right = pprint.pformat(sterna, width=100).splitlines()
    return "\n".join(difflib.unified_diff(left, right, "alembic", "sterna", lineterm="", n=2))


def _normalised(item: Compared, normalisers: list[KnownDifference]) -> Compared:
    for known in normalisers:
        assert known.normalise is not None
        item = known.normalise(item)
    return item


def check(
    area: str,
    what: str,
    alembic: Any,
    sterna: Any,
    backend: str | None = None,
    evidence: Callable[[], bool] | None = None,
) -> None:
    """Fail unless ``alembic`` and ``sterna`` are equal, or a known difference explains it.

    A known difference counts as met when it was needed: a normaliser without which the two
    would still differ, or the acceptor that accepted what remained."""
    item = Compared(area, what, alembic, sterna, backend, evidence)
    if item.alembic == item.sterna:
        return
    applicable = [known for known in KNOWN if area in known.area.split()]
    normalisers = [known for known in applicable if known.normalise is not None]
    final = _normalised(item, normalisers)
    used: list[str] = []
    if final.alembic == final.sterna:
        for known in normalisers:
            without = _normalised(item, [k for k in normalisers if k is not known])
            if without.alembic != without.sterna:
                used.append(known.key)
    else:
        accepted = next((k for k in applicable if k.accept is not None and k.accept(final)), None)
        if accepted is None:
            raise ConformanceError(
                f"[{backend or '-'}] {what}: {area} differs\n{_diff(final.alembic, final.sterna)}"
            )
        assert accepted.accept is not None
        for known in normalisers:
            without = _normalised(item, [k for k in normalisers if k is not known])
            if without.alembic != without.sterna and not accepted.accept(without):
                used.append(known.key)
        used.append(accepted.key)
    for key in used:
        tally.hit(key)
    if os.environ.get("STERNA_CONFORMANCE_SHOW"):  # to review what known differences excuse
        print(f"\n[{backend or '-'}] {what}: {area} known {used}\n{_diff(alembic, sterna)}")


def error_of(outcome: Outcome) -> tuple[str, str] | None:
    if outcome.error is None:
        return None
    return (outcome.error_kind or "?", outcome.error)


def statements(sql: str) -> tuple[str, ...]:
    """Offline SQL as statements (and ``--`` comment lines), whitespace collapsed, in order."""
    result: list[str] = []
    current: list[str] = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("--") and not current:
            result.append(" ".join(stripped.split()))
            continue
        current.append(stripped)
        if stripped.endswith(";") or stripped == "GO":
            result.append(" ".join(" ".join(current).split()))
            current = []
    if current:
        result.append(" ".join(" ".join(current).split()))
    return tuple(result)


def same_outcome(
    alembic: Outcome,
    sterna: Outcome,
    what: str,
    backend: str | None = None,
    *,
    log: bool = True,
    equivalent: Callable[[str, str], bool] | None = None,
) -> None:
    """Same error (or none), same printed lines, same log lines, same offline statements.

    ``equivalent(alembic_sql, sterna_sql)``, when given, runs both offline scripts and tells
    whether they have the same effect (the evidence some known differences require)."""
    tally.count("commands")
    check("error", what, error_of(alembic), error_of(sterna), backend)
    if alembic.error is not None or sterna.error is not None:
        return
    tally.count("output_lines", len(alembic.lines))
    check("output", what, alembic.lines, sterna.lines, backend)
    if log:
        check("log", what, alembic.log, sterna.log, backend)
    if alembic.sql or sterna.sql:
        ours, theirs = statements(sterna.sql), statements(alembic.sql)
        tally.count("statements", len(theirs))
        evidence = None
        if equivalent is not None:

            def evidence() -> bool:
                return equivalent(alembic.sql, sterna.sql)

        check("sql", what, theirs, ours, backend, evidence)


def same_resolution(alembic: Outcome, sterna: Outcome, identifier: str) -> None:
    """Same revisions for ``identifier`` (as sorted ids), or the same error."""
    tally.count("identifiers")
    what = f"get_revisions({identifier!r})"
    check("error", what, error_of(alembic), error_of(sterna))
    if alembic.error is None and sterna.error is None:
        check("resolution", what, alembic.lines, sterna.lines)


def same_database(
    alembic_url: str, sterna_url: str, what: str, backend: str, full: bool = True
) -> dict[str, Any]:
    """Same schema, data and version rows in the two databases (``full``; else the same table
    names and version rows); returns Alembic's snapshot."""
    theirs, ours = snapshot(alembic_url, full), snapshot(sterna_url, full)
    tally.count("schemas")
    tally.count("version_rows")
    check("schema", what, theirs, ours, backend)
    return theirs
