"""pytest plugin of both runs (``-p alembic_suite.plugin``), loaded before the sdist's conftest.

Environment: ``ALEMBIC_SUITE_TOOL`` (``sterna``: install :mod:`.hook`; ``alembic``: nothing, the
sdist's own ``alembic`` is imported), ``ALEMBIC_SUITE_SDIST`` (the unpacked sdist),
``ALEMBIC_SUITE_MISSING`` (a JSON file for the names that were only placeholders; optional),
``ALEMBIC_SUITE_STRICT=1`` (no placeholders: a file importing a name Sterna lacks fails to load,
as a user's project would).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from alembic_suite import hook

SDIST = Path(os.environ["ALEMBIC_SUITE_SDIST"])

if os.environ.get("ALEMBIC_SUITE_TOOL", "sterna") == "sterna":
    hook.install(SDIST, lenient=os.environ.get("ALEMBIC_SUITE_STRICT") != "1")


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    target = os.environ.get("ALEMBIC_SUITE_MISSING")
    if target:
        Path(target).write_text(json.dumps(sorted(hook.STATE.missing), indent=1) + "\n")
