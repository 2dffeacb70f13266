"""What the conformance suite compared, counted per worker and summed at the end of the session.

Tests call :func:`count` for every comparison they make; ``conftest.py`` prints the totals (and
which known differences were met) in pytest's terminal summary, adding up the counts of the
xdist workers.
"""

from __future__ import annotations

from collections import Counter

#: What is counted: kind -> number compared.
COUNTS: Counter[str] = Counter()

#: Known differences met: key -> number of times one excused a mismatch.
KNOWN_HITS: Counter[str] = Counter()

KINDS = {
    "projects": "projects generated and run by both tools",
    "commands": "commands run by both tools and compared",
    "identifiers": "revision identifiers resolved by both tools",
    "statements": "offline SQL statements compared",
    "schemas": "database schemas (and data) compared after a command",
    "version_rows": "alembic_version states compared",
    "output_lines": "output lines compared",
    "api_names": "public Alembic names looked up under the alias",
}


def count(kind: str, n: int = 1) -> None:
    """Record ``n`` comparisons of ``kind`` (one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise KeyError(f"unknown tally kind {kind!r}")
    COUNTS[kind] += n


def hit(key: str) -> None:
    """Record that the known difference ``key`` excused a mismatch."""
    KNOWN_HITS[key] += 1
