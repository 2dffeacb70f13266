"""Record the SQL an online Alembic run sends to SQLite, for straight.py to replay.

    python bench/capture.py PROJECT_DIR OUT.sql upgrade head | downgrade base

Where ``--sql`` cannot write the statements: a ``batch_alter_table`` that rebuilds a SQLite table
must read the live table first, so offline mode refuses it (both tools, without ``copy_from``).
This runs Alembic in process on the project's own database and writes each statement it executes
that changes the database (reads, ``SELECT`` and ``PRAGMA``, are left out: straight.py is a floor),
bound parameters inlined, in the layout of offline output, so straight.py replays them in one
transaction.  The caller resets the database first (and upgrades it before a ``downgrade``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

READS = ("SELECT", "PRAGMA")


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise SystemExit(f"bench/capture.py: cannot inline a parameter of type {type(value).__name__}")


def inline(statement: str, parameters: Any) -> str:
    """``statement`` with SQLite's ``?`` placeholders replaced by ``parameters`` as literals."""
    parts = statement.split("?")
    values = list(parameters or ())
    if len(parts) != len(values) + 1:
        raise SystemExit(f"bench/capture.py: {len(values)} parameters for: {statement}")
    out = parts[0]
    for value, rest in zip(values, parts[1:], strict=True):
        out += literal(value) + rest
    return out


def main() -> None:
    root, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    verb, target = sys.argv[3], sys.argv[4]
    recorded: list[str] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in READS:
            return
        if executemany:
            raise SystemExit(f"bench/capture.py: executemany not supported: {statement}")
        recorded.append(inline(statement.strip(), parameters))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    from alembic import command  # after the listener, as a user's run would
    from alembic.config import Config

    getattr(command, verb)(Config(str(root / "alembic.ini")), target)
    out.write_text("".join(f"{stmt};\n\n" for stmt in recorded), encoding="utf-8")


if __name__ == "__main__":
    main()
