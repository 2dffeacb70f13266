"""``validate`` and ``repair``: the applied scripts against the checksums the history recorded.

An applied revision is one in the database's lineage (its heads and their ancestors); its
recorded checksum is that of its latest ``applied`` row whose direction is upgrade, baseline or
repair, provided no later ``applied`` downgrade row undid it.  A revision that has a recorded
checksum and whose script is gone from the script directory is refused too.  So is an open
failure (``HistoryRow.is_open_failure``): a step that took effect part way (MySQL/MariaDB,
PostgreSQL's ``autocommit_block()``), until ``upgrade --resume``, ``resolve`` or ``repair``.
``repair`` adds a ``repair`` row with the script's current checksum for each
edited or removed script, and marks ``failed`` rows ``repaired``.

Runs inside env.py (the commands' migration function); SQLAlchemy is imported by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sterna.errors_commands import HistoryValidationError
from sterna.runtime.history import (
    current_checksums,
    nothing_to_resume,
    resume_requested,
    script_file,
)
from sterna.runtime.history_table import (
    CHECKED_DIRECTIONS,
    CHECKSUM,
    DIRECTION,
    EXECUTED,
    FILE_SHA256,
    REVISION,
    STATUS,
    BriefRow,
    HistoryRow,
    HistoryTable,
    brief_row,
    open_failure,
    utcnow,
)
from sterna.script.cache import save_checksums
from sterna.script.checksum import file_sha256
from sterna.util.console import collector_paused

_ADVICE = (
    "review the change, then run 'sterna repair' (or pass --skip-validation for this run); "
    "nothing was done to the database"
)


@dataclass(frozen=True)
class Problem:
    row: HistoryRow
    what: str  # "edited", "gone", "failed"
    current: str | None  # the script's checksum now (edited)

    def describe(self) -> str:
        row = self.row
        when = row.finished_at.strftime("%Y-%m-%d %H:%M UTC") if row.finished_at else "?"
        where = row.script or "file unknown"
        if self.what == "failed":
            return _open_failure_text(row, where)
        if self.what == "gone":
            problem = "but its script is gone from the script directory"
        else:
            problem = "was edited after it ran (checksum differs)"
        return f"revision {row.revision} ({where}), applied {when}, {problem}; {_ADVICE}"


def _open_failure_text(row: HistoryRow, where: str) -> str:
    started = row.started_at.strftime("%Y-%m-%d %H:%M:%S UTC") if row.started_at else "?"
    done = row.statements_executed or 0
    if row.status == "running":
        what = (
            f"its {row.direction} started {started} by {row.installed_by}@{row.host} did "
            f"not finish (the run died or lost its connection) after {done} statement(s) "
            f"took effect; the statement after them may have taken effect too"
        )
    else:
        what = (
            f"its {row.direction} failed {started} after {done} statement(s) took effect "
            f"(failed statement: {(row.failed_statement or '?')[:200]!r}: "
            f"{(row.error or '?')[:200]})"
        )
    return (
        f"revision {row.revision} ({where}): {what}; the version table still shows the "
        f"revision before it.  Fix the script and run 'sterna {row.direction} --resume' "
        f"(skips the statements that took effect), or finish or undo the step by hand and "
        f"run 'sterna resolve {row.revision} --applied' or '--rolled-back'"
    )


def history_table(context: Any) -> HistoryTable:
    """The run's own history table object (what validation reads spares the run a second look
    before its first step: ``HistoryTable.take_seen``), else one for ``context``'s options."""
    own = getattr(getattr(context, "_history", None), "table", None)
    if isinstance(own, HistoryTable):
        return own
    opts = context.opts
    return HistoryTable(
        context.dialect,
        str(opts.get("sterna_history_table") or "sterna_history"),
        opts.get("version_table_schema"),
        getattr(context, "impl", None),
    )


def _applied_ids(revs: Mapping[str, Any], heads: Iterable[str]) -> set[str]:
    """The heads and every ancestor (dependencies included) that the script directory knows
    (``revs``: its revisions by exact id)."""
    seen: set[str] = set()
    todo = [h for h in heads if h in revs]
    while todo:
        rev_id = todo.pop()
        if rev_id in seen:
            continue
        seen.add(rev_id)
        rev = revs[rev_id]
        todo.extend(rev.down_revisions)
        todo.extend(rev.dependency_ids)
    return seen


def recorded(rows: list[BriefRow]) -> dict[str, BriefRow]:
    """Per revision, the row whose checksum counts (None once downgraded)."""
    latest: dict[str, BriefRow] = {}
    for row in rows:
        if row[STATUS] != "applied":
            continue
        direction = row[DIRECTION]
        if direction in CHECKED_DIRECTIONS:
            latest[row[REVISION]] = row
        elif direction == "downgrade":
            latest.pop(row[REVISION], None)
    return latest


def find_problems(context: Any, script: Any, heads: Iterable[str]) -> list[Problem]:
    """What validation refuses, in the order of the history (reads only)."""
    table = history_table(context)
    rows = table.read_brief(context.connection)
    if not rows:
        return []
    problems = _brief_problems(script, heads, rows)
    if not problems:
        return []
    full = {row.id: row for row in table.read(context.connection)}  # for the messages
    return [Problem(full.get(p.row.id, p.row), p.what, p.current) for p in problems]


def _brief_problems(script: Any, heads: Iterable[str], rows: list[BriefRow]) -> list[Problem]:
    """:func:`find_problems` on the rows as read briefly (a :class:`HistoryRow` is made only
    for a row at fault)."""
    revs = script.revision_map.by_id
    applied = _applied_ids(revs, heads)
    # the rows to look at, in the history's order, with their script (None: it is gone)
    looked: list[tuple[BriefRow, Any]] = []
    for rev_id, row in recorded(rows).items():
        rev = revs.get(rev_id)
        if rev is None:
            if row[CHECKSUM] is not None:
                looked.append((row, None))
        elif row[CHECKSUM] is not None and rev_id in applied:
            looked.append((row, rev))
    listed = getattr(script, "listed_stat", None)
    checked = [(row, rev) for row, rev in looked if rev is not None]
    paths = [rev.path for _, rev in checked]
    stats = [listed(path) if listed is not None and path else None for path in paths]
    recorded_sums = [(row[CHECKSUM], row[FILE_SHA256]) for row, _ in checked]
    now = iter(current_checksums(paths, recorded_sums, stats))
    problems: list[Problem] = []
    for row, rev in looked:
        checksum = next(now) if rev is not None else None
        if rev is None:
            problems.append(Problem(brief_row(row), "gone", None))
        elif checksum != row[CHECKSUM]:
            problems.append(Problem(brief_row(row), "edited", checksum))
    save_checksums()
    failed = (row for row in rows if open_failure(row[STATUS], row[EXECUTED]))
    problems.extend(Problem(brief_row(row), "failed", None) for row in failed)
    return problems


def _known(rmap: Any, rev_id: str) -> bool:
    """Whether ``rev_id`` is exactly a revision of the map (stamp rows name several)."""
    return rev_id in rmap


def check_before_run(context: Any, script: Any, heads: Iterable[str]) -> None:
    """Refuse the run (before its first statement) when validation finds a problem."""
    if context.as_sql or context.connection is None:
        return
    if getattr(context, "lock_pending", False):  # checked once the lock is held (runtime/lock)
        return
    # thousands of rows and cache entries, none of them in a cycle: collecting would only walk
    # the thousands of imported scripts again
    with collector_paused(getattr(script, "console", None)):
        problems = find_problems(context, script, heads)
    if resume_requested(context):  # the open failure is what this run resumes
        if not any(problem.what == "failed" for problem in problems):
            raise nothing_to_resume(history_table(context).qualified_name)
        problems = [problem for problem in problems if problem.what != "failed"]
    if problems:
        raise HistoryValidationError(summary(problems))


def summary(problems: list[Problem]) -> str:
    first = problems[0].describe()
    more = len(problems) - 1
    return first if not more else f"{first} (and {more} more: run 'sterna validate')"


def repair(context: Any, script: Any, heads: Iterable[str]) -> list[str]:
    """Realign the recorded checksums and clear failed rows; returns one line per change."""
    problems = find_problems(context, script, heads)
    table = history_table(context)
    conn = context.connection
    lines: list[str] = []
    now = utcnow()
    for problem in problems:
        row = problem.row
        if problem.what == "failed":
            table.update(conn, row.id, status="repaired")
            lines.append(f"revision {row.revision}: failed {row.direction} marked repaired")
            continue
        rmap = script.revision_map
        rev = rmap.get_revision(row.revision) if _known(rmap, row.revision) else None
        path = getattr(rev, "path", None)
        table.insert(
            conn,
            revision=row.revision,
            direction="repair",
            script=script_file(script, path) or row.script,
            checksum=problem.current,
            file_sha256=path and file_sha256(path),
            started_at=now,
            finished_at=now,
            duration_ms=0,
            status="applied",
        )
        state = (
            "script gone, checksum cleared"
            if problem.what == "gone"
            else (f"checksum {row.checksum} -> {problem.current}")
        )
        lines.append(f"revision {row.revision} ({row.script}): {state}")
    return lines
