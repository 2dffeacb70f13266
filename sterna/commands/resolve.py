"""``resolve REV --applied|--rolled-back``: close a step that failed part way, after a human
finished or undid it by hand.

The open failure of ``REV`` (``HistoryRow.is_open_failure``: a ``failed`` row with statements
that took effect, or a ``running`` row whose run died) is marked:

* ``--applied``: the step's changes are complete.  The version table makes the step's change
  (as ``upgrade``/``downgrade`` would have after the step), and the row becomes ``applied`` with
  the script's current checksum, so validation compares the script with that from now on.
* ``--rolled-back``: the step's changes are undone.  The version table is left as it is, the row
  becomes ``rolled-back``, and the next ``upgrade`` runs the step from its start.

Runs inside env.py under the migration lock (the run's migration function plans nothing).
"""

from __future__ import annotations

from typing import Any

from sterna.errors_root import CommandError
from sterna.runtime.history import script_digests, script_file
from sterna.runtime.history_table import HistoryRow, HistoryTable, utcnow
from sterna.runtime.steps import step_revision_label


def find_open_failure(table: HistoryTable, conn: Any, revision: str) -> HistoryRow:
    rows = [row for row in table.read(conn) if row.is_open_failure]
    for row in reversed(rows):
        if row.revision == revision:
            return row
    others = ", ".join(sorted({row.revision for row in rows})) or "none"
    raise CommandError(
        f"resolve: {table.qualified_name} records no step of revision {revision!r} that failed "
        f"part way (open failures: {others}); nothing was done to the database"
    )


def resolve(
    context: Any,
    script: Any,
    heads: tuple[str, ...],
    table: HistoryTable,
    row: HistoryRow,
    applied: bool,
) -> str:
    """Mark ``row`` resolved (and with ``applied`` move the version table past its step);
    returns the line to print."""
    conn = context.connection
    now = utcnow()
    if not applied:
        table.update(conn, row.id, status="rolled-back", finished_at=now)
        return (
            f"revision {row.revision}: {row.direction} marked rolled back; the version "
            f"table is unchanged ({', '.join(heads) or 'empty'}), the step runs again on "
            f"the next {row.direction}"
        )
    step = _step_of(script, row, heads)
    current = set(heads)
    context._apply_changes(step.changes, current)
    rev = script.get_revision(row.revision) if row.revision in script.revision_map else None
    path = getattr(rev, "path", None)
    checksum, raw = script_digests(path)
    table.update(
        conn,
        row.id,
        status="applied",
        finished_at=now,
        checksum=checksum,
        script=script_file(script, path) or row.script,
        file_sha256=raw,
    )
    return (
        f"revision {row.revision}: {row.direction} marked applied; the version table now "
        f"shows {', '.join(sorted(current)) or 'no revision'}"
    )


def _step_of(script: Any, row: HistoryRow, heads: tuple[str, ...]) -> Any:
    """The step the failed row was running, planned again from the current heads."""
    if row.direction == "upgrade":
        steps = script.plan_upgrade(row.revision, heads)
    elif row.direction == "downgrade":
        steps = script.plan_downgrade(f"{row.revision}-1", heads)
    else:
        steps = []
    if steps and step_revision_label(steps[0]) == row.revision:
        return steps[0]
    raise CommandError(
        f"resolve: the {row.direction} of {row.revision} is not the next step from the "
        f"database's current revision(s) ({', '.join(heads) or 'none'}); nothing was done"
    )
