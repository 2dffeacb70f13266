"""Helpers for the names a database gives unnamed constraints (plain strings only)."""

from __future__ import annotations

import hashlib
import re


def free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name1``, ``name2``... when taken (PostgreSQL's rule)."""
    candidate, number = name, 0
    while candidate in taken:
        number += 1
        candidate = f"{name}{number}"
    return candidate


def shortened(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` characters, made unique again by a hash of the whole."""
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}_{digest}"


def first_free(pattern: str, taken: set[str]) -> str:
    """``pattern`` formatted with the lowest number from 1 whose name is free (any case)."""
    lowered = {n.lower() for n in taken}
    number = 1
    while pattern.format(number).lower() in lowered:
        number += 1
    return pattern.format(number)


def after_highest(prefix: str, taken: set[str]) -> str:
    """``prefix`` followed by one more than the highest number taken after it (any case)."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)$", re.IGNORECASE)
    numbers = [int(m.group(1)) for n in taken if (m := pattern.match(n))]
    return f"{prefix}{max(numbers, default=0) + 1}"
