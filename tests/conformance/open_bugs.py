"""Differences the conformance suite found that are bugs to fix, not intended differences.

A test that meets one is marked ``xfail(strict=True)`` through :func:`expect_bug`, so it fails
again (and this entry must go) as soon as the owner fixes it.  Each entry names the layer.
"""

from __future__ import annotations

import pytest

OPEN_BUGS: dict[str, str] = {
    "pg-rename-column": (
        "sterna/ddl/elements.py (operations/DDL, helper C1): alter_column(new_column_name=...) "
        "on PostgreSQL writes 'ALTER TABLE t RENAME COLUMN a TO b' where Alembic writes "
        "'ALTER TABLE t RENAME a TO b' (offline SQL differs)"
    ),
}


def expect_bug(request: pytest.FixtureRequest, key: str, applies: bool = True) -> None:
    """Mark the running test as failing because of the open bug ``key`` (when ``applies``)."""
    if applies:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{key}: {OPEN_BUGS[key]}"))
