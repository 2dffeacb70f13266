"""Running offline scripts, to tell whether two different scripts have the same effect.

Used only as evidence for known differences in statements (batch rebuilds): each script runs on
its own copy of a SQLite database that Alembic brought online to the script's starting
revision; the two results must have the same schema, data and version rows.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable

from tests.conformance.harness import ALEMBIC, Settings, run
from tests.conformance.projects import Project
from tests.conformance.snapshot import snapshot


def sqlite_equivalence(project: Project, start: str | None) -> Callable[[str, str], bool]:
    """``(alembic_sql, sterna_sql) -> same effect?`` for scripts that start at ``start``."""

    def equivalent(alembic_sql: str, sterna_sql: str) -> bool:
        folder = project.root / f"equivalence-{uuid.uuid4().hex[:8]}"
        folder.mkdir()
        base = folder / "base.db"
        sqlite3.connect(base).close()
        if start is not None:
            outcome = run(ALEMBIC, project.ini, Settings(url=f"sqlite:///{base}"), "upgrade", start)
            assert outcome.ok, outcome
        results = []
        for name, script in (("alembic", alembic_sql), ("sterna", sterna_sql)):
            target = folder / f"{name}.db"
            shutil.copy(base, target)
            with sqlite3.connect(target) as conn:
                conn.executescript(script)
            results.append(snapshot(f"sqlite:///{target}"))
        return results[0] == results[1]

    return equivalent
