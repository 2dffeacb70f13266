"""Differences the conformance suite found that are bugs to fix, not intended differences.

A test that meets one is marked ``xfail(strict=True)`` through :func:`expect_bug`, so it fails
again (and this entry must go) as soon as the owner fixes it.  Each entry names the layer.
"""

from __future__ import annotations

import pytest

OPEN_BUGS: dict[str, str] = {
    "api-gaps": (
        "public names of Alembic's modules missing under the alias (see API_GAPS for who owns each)"
    ),
    "ecosystem-gaps": (
        "names that released extensions and tools import from Alembic, missing under the alias "
        "(see ECOSYSTEM_GAPS for who owns each)"
    ),
}

#: ``"module:name"`` from ecosystem_names.json still to be provided -> the layer that owns it.
ECOSYSTEM_GAPS: dict[str, str] = {}

#: Modules and classes whose public names are not all provided yet, and who provides them.
API_GAPS: dict[str, str] = {}


def expect_bug(request: pytest.FixtureRequest, key: str, applies: bool = True) -> None:
    """Mark the running test as failing because of the open bug ``key`` (when ``applies``)."""
    if applies:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{key}: {OPEN_BUGS[key]}"))
