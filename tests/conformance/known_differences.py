"""The one list of known, intended differences between Sterna and Alembic.

The conformance suite fails on every difference between the two tools unless an entry here
explains it.  Each entry names the kind of comparison it concerns (``area``), says *why* Sterna
differs, and either

* ``normalise``s both sides before they are compared (the rest must still be equal), or
* ``accept``s a mismatch that remains (a predicate on the compared pair).

The session summary lists how often each entry was used; an entry that is never used is stale
and shows up there as such.  Areas: ``output`` (lines a command prints), ``log`` (INFO lines of the
``alembic.*`` loggers), ``sql`` (offline statements), ``error`` (``(kind, message)`` of a failure,
or None), ``resolution`` (what an identifier resolves to), ``schema`` (reflected database).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Compared:
    """One comparison: the same thing as seen from each tool."""

    area: str
    what: str  # the command (or identifier), e.g. "history -r -2:current"
    alembic: Any
    sterna: Any
    backend: str | None = None
    #: For offline SQL: runs both scripts on copies of the same database and tells whether they
    #: leave the same schema, data and version rows (None where the test cannot do that).
    evidence: Callable[[], bool] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class KnownDifference:
    key: str
    area: str  # one area, or several separated by spaces
    reason: str
    normalise: Callable[[Compared], Compared] | None = None
    accept: Callable[[Compared], bool] | None = None


# ------------------------------------------------------------------------------ normalisers

_SET_LIST = re.compile(r"^(Branches into|Merges|Branch names|Also depends on): (.*)$")
_CHILD = re.compile(r"^ +-> ")
_LABEL_GROUP = re.compile(r"\(([\w@-]+(?:, [\w@-]+)+)\)")


def _sort_label_group(match: re.Match[str]) -> str:
    return "(" + ", ".join(sorted(match.group(1).split(", "))) + ")"


def _sort_set_lists(lines: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    children: list[str] = []
    for line in lines:
        if _CHILD.match(line):
            children.append(_LABEL_GROUP.sub(_sort_label_group, line))
            continue
        out.extend(sorted(children))
        children = []
        match = _SET_LIST.match(line)
        if match:
            line = f"{match.group(1)}: {', '.join(sorted(match.group(2).split(', ')))}"
        out.append(_LABEL_GROUP.sub(_sort_label_group, line))
    out.extend(sorted(children))
    return tuple(out)


def _both(fn: Callable[[Any], Any]) -> Callable[[Compared], Compared]:
    def apply(item: Compared) -> Compared:
        return replace(item, alembic=fn(item.alembic), sterna=fn(item.sterna))

    return apply


_RETURNING = re.compile(r"^(INSERT INTO .*alembic_version.*) RETURNING \S+;$")


def _drop_returning(statements: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_RETURNING.sub(r"\1;", stmt) for stmt in statements)


def _alembic_only(fn: Callable[[Any], Any]) -> Callable[[Compared], Compared]:
    def apply(item: Compared) -> Compared:
        return replace(item, alembic=fn(item.alembic))

    return apply


def _transactional(lines: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        line.replace("Will assume non-transactional DDL.", "Will assume transactional DDL.")
        for line in lines
    )


def _batch_reflection_log(item: Compared) -> Compared:
    lines = tuple(line for line in item.alembic
                  if not line.startswith("Detected sequence named '"))
    return replace(item, alembic=lines)


def _sqlite_transactional_log(item: Compared) -> Compared:
    if item.backend != "sqlite" or "--sql" in item.what:
        return item
    if item.area == "cli":  # (status, stdout, stderr)
        status, out, err = item.alembic
        return replace(item, alembic=(status, out, _transactional(err)))
    return replace(item, alembic=_transactional(item.alembic))


def _cli_failure(item: Compared) -> Compared:
    """Alembic's failure report (``FAILED:`` on stdout, an ``ERROR`` log line on stderr) in
    Sterna's form (``FAILED:`` as the last line of stderr)."""
    status, out, err = item.alembic
    failed = [line for line in out if line.startswith("FAILED: ")]
    if status != "failed" or len(failed) != 1:
        return item
    message = failed[0][len("FAILED: "):]
    err = tuple(line for line in err if line != f"ERROR [alembic.util.messaging] {message}")
    out = tuple(line for line in out if line != failed[0])
    return replace(item, alembic=(status, out, (*err, failed[0])))


def _sort_current_lines(lines: tuple[str, ...]) -> tuple[str, ...]:
    head = tuple(line for line in lines if line.startswith("Current revision(s) for "))
    return head + tuple(sorted(line for line in lines if line not in head))


def _sort_entries(lines: tuple[str, ...]) -> tuple[str, ...]:
    """``show`` output as entries starting at each ``Rev:`` line, sorted."""
    entries: list[tuple[str, ...]] = []
    for line in lines:
        if line.startswith("Rev: ") or not entries:
            entries.append((line,))
        else:
            entries[-1] += (line,)
    return tuple(line for entry in sorted(entries) for line in entry)


def _sort_current(item: Compared) -> Compared:
    if item.what.startswith("current"):
        sort = _sort_current_lines
    elif item.what == "show current":
        sort = _sort_entries
    else:
        return item
    return replace(item, alembic=sort(item.alembic), sterna=sort(item.sterna))


_VERSION_DELETE = re.compile(r"^DELETE FROM (\S*alembic_version) WHERE \S+ = '([^']*)';$")
_VERSION_INSERT = re.compile(r"^INSERT INTO (\S*alembic_version) \(version_num\) VALUES "
                             r"\('([^']*)'\);$")
_VERSION_UPDATE = re.compile(r"^UPDATE (\S*alembic_version) SET version_num='([^']*)' "
                             r"WHERE \S+ = '([^']*)';$")


def _canonical_merges(statements: tuple[str, ...]) -> tuple[str, ...]:
    """Runs of DELETEs (INSERTs) followed by an UPDATE of the version table -- a merge
    (unmerge) -- rewritten with the merged (unmerged) revisions in sorted order."""
    out = list(statements)
    index = 0
    while index < len(out):
        pattern = _VERSION_DELETE if _VERSION_DELETE.match(out[index]) else (
            _VERSION_INSERT if _VERSION_INSERT.match(out[index]) else None)
        if pattern is None:
            index += 1
            continue
        end = index
        while end < len(out) and pattern.match(out[end]):
            end += 1
        update = _VERSION_UPDATE.match(out[end]) if end < len(out) else None
        if update is None:
            index = end
            continue
        table = update.group(1)
        found = [m.group(2) for m in map(pattern.match, out[index:end]) if m]
        if pattern is _VERSION_DELETE:  # merge: the UPDATE's old row is one of the parents
            revs = sorted([*found, update.group(3)])
            new = [f"DELETE FROM {table} WHERE {table}.version_num = '{rev}';"
                   for rev in revs[:-1]]
            new.append(f"UPDATE {table} SET version_num='{update.group(2)}' "
                       f"WHERE {table}.version_num = '{revs[-1]}';")
        else:  # unmerge: the UPDATE's new row is one of the parents
            revs = sorted([*found, update.group(2)])
            new = [f"INSERT INTO {table} (version_num) VALUES ('{rev}');" for rev in revs[:-1]]
            new.append(f"UPDATE {table} SET version_num='{revs[-1]}' "
                       f"WHERE {table}.version_num = '{update.group(3)}';")
        out[index:end + 1] = new
        index += len(new)
    return tuple(out)


def _columns_by_name(snapshot: Any) -> Any:
    if not isinstance(snapshot, dict) or not isinstance(snapshot.get("tables"), dict):
        return snapshot
    tables = {
        name: {**table, "columns": sorted(table["columns"], key=lambda col: col["name"])}
        for name, table in snapshot["tables"].items()
    }
    return {**snapshot, "tables": tables}


def _batch_column_order(item: Compared) -> Compared:
    if item.backend != "sqlite" or "[batch]" not in item.what:
        return item
    return replace(item, alembic=_columns_by_name(item.alembic),
                   sterna=_columns_by_name(item.sterna))


def _mariadb_drop_constraint_if_exists(item: Compared) -> Compared:
    if item.backend != "mariadb":
        return item
    ours = tuple(stmt.replace(" DROP CONSTRAINT IF EXISTS ", " DROP CONSTRAINT ")
                 for stmt in item.sterna)
    return replace(item, sterna=ours)


def _renamed_temp(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("_alembic_tmp_", "_sterna_tmp_")
    if isinstance(value, dict):
        return {_renamed_temp(k): _renamed_temp(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_renamed_temp(v) for v in value)
    return value


def _batch_temp_name(item: Compared) -> Compared:
    return replace(item, alembic=_renamed_temp(item.alembic))


# ------------------------------------------------------------------------------- acceptors

#: Column attributes Alembic's MySQL ALTER drops when existing_* is not given: Alembic's value
#: after the drop, per attribute.
_DROPPED = {"nullable": True, "default": None, "comment": None}


def _only_kept_attributes(theirs: Any, ours: Any) -> bool:
    if not (isinstance(theirs, dict) and isinstance(ours, dict)):
        return False
    if theirs.keys() != ours.keys() or set(theirs["tables"]) != set(ours["tables"]):
        return False
    if {k: v for k, v in theirs.items() if k != "tables"} != {
            k: v for k, v in ours.items() if k != "tables"}:
        return False
    for name, table in theirs["tables"].items():
        other = ours["tables"][name]
        if {k: v for k, v in table.items() if k != "columns"} != {
                k: v for k, v in other.items() if k != "columns"}:
            return False
        if [c["name"] for c in table["columns"]] != [c["name"] for c in other["columns"]]:
            return False
        for col, our_col in zip(table["columns"], other["columns"], strict=True):
            for key, value in col.items():
                if our_col[key] == value:
                    continue
                if key not in _DROPPED or value != _DROPPED[key]:
                    return False
    return True


def _without_extras(ours: Any, theirs: Any) -> Any:
    """``ours`` without the triggers and unnamed CHECKs that ``theirs`` lacks."""
    if not (isinstance(ours, dict) and isinstance(theirs, dict)) or "tables" not in ours:
        return ours
    result = dict(ours)
    if "trigger_sql" in ours and "trigger_sql" in theirs:
        result["trigger_sql"] = [t for t in ours["trigger_sql"] if t in theirs["trigger_sql"]]
    tables = {}
    for name, table in ours["tables"].items():
        other = theirs["tables"].get(name) if isinstance(theirs["tables"], dict) else None
        if isinstance(table, dict) and other is not None:
            table = {**table, "checks": [c for c in table["checks"]
                                         if c["name"] is not None or c in other["checks"]]}
        tables[name] = table
    result["tables"] = tables
    return result


def _rebuild_kept_more(item: Compared) -> bool:
    if item.backend != "sqlite" or "[batch]" not in item.what:
        return False
    return bool(_without_extras(item.sterna, item.alembic) == item.alembic)


def _mysql_alter_kept(item: Compared) -> bool:
    return item.backend == "mariadb" and _only_kept_attributes(item.alembic, item.sterna)


_RELATIVE_TO_CURRENT = re.compile(r"^history\b.*\s-\d+:current\b")


def _alembic_internal_error(item: Compared) -> bool:
    """Alembic failed with an exception that is not its CommandError (a traceback at its CLI)."""
    value = item.alembic
    return isinstance(value, tuple) and len(value) == 2 and value[0] not in (None, "CommandError")


def _error_extended(item: Compared) -> bool:
    """Both failed with a CommandError; Sterna's message is Alembic's with more detail after."""
    theirs, ours = item.alembic, item.sterna
    if not (isinstance(theirs, tuple) and isinstance(ours, tuple)):
        return False
    if theirs[0] != "CommandError" or ours[0] != "CommandError":
        return False
    return bool(ours[1].startswith(theirs[1].rstrip(".")) and len(ours[1]) > len(theirs[1]))


def _ambiguous_prefix_named(item: Compared) -> bool:
    theirs, ours = item.alembic, item.sterna
    if not (isinstance(theirs, tuple) and isinstance(ours, tuple)):
        return False
    found = re.fullmatch(r"Can't locate revision identified by '([^']+)'", theirs[1])
    return bool(found and ours[0] == "CommandError"
                and ours[1].startswith(f"Multiple revisions start with '{found.group(1)}': "))


_STEP_FAILED = re.compile(r"^(upgrade|downgrade) of revision \S+ failed: \S")


def _step_error_named(item: Compared) -> bool:
    theirs, ours = item.alembic, item.sterna
    return (isinstance(theirs, tuple) and isinstance(ours, tuple) and ours[0] == "CommandError"
            and bool(_STEP_FAILED.match(ours[1])))


def _same_effect(item: Compared) -> bool:
    return "[batch]" in item.what and item.evidence is not None and item.evidence()


_CHECK_FAILED = "New upgrade operations detected: "


def _check_listed_readably(item: Compared) -> bool:
    theirs, ours = item.alembic, item.sterna
    return (isinstance(theirs, tuple) and isinstance(ours, tuple)
            and theirs[0] == ours[0] == "CommandError"
            and theirs[1].startswith(_CHECK_FAILED + "[(") and ours[1].startswith(_CHECK_FAILED)
            and not ours[1].startswith(_CHECK_FAILED + "[("))


def _cli_traceback(item: Compared) -> bool:
    """Alembic's CLI failed with a traceback; Sterna's with one FAILED line after the same
    output."""
    if item.area != "cli":
        return False
    (status, out, err), (our_status, our_out, our_err) = item.alembic, item.sterna
    if status != "failed" or our_status != "failed" or out != our_out:
        return False
    if "Traceback (most recent call last):" not in err or not our_err:
        return False
    before = err[:err.index("Traceback (most recent call last):")]
    return before == our_err[:-1] and our_err[-1].startswith("FAILED: ")


_INVALID_CHOICE = re.compile(r"error: argument .*invalid choice: '([^']+)'")


def _cli_usage_text(item: Compared) -> bool:
    if item.area != "cli":
        return False
    (status, out, err), (our_status, our_out, our_err) = item.alembic, item.sterna
    if status != "failed" or our_status != "failed" or out != our_out or not err or not our_err:
        return False
    theirs, ours = _INVALID_CHOICE.search(" ".join(err)), _INVALID_CHOICE.search(" ".join(our_err))
    return (err[0].startswith("usage: alembic ") and our_err[0].startswith("usage: sterna ")
            and theirs is not None and ours is not None and theirs.group(1) == ours.group(1))


_UP_TO_CURRENT = re.compile(r"^history\b.*\s(\S*):current\b.*\[db at base\]")


def _history_up_to_current_at_base(item: Compared) -> bool:
    return bool(_UP_TO_CURRENT.search(item.what)) and item.sterna == ()


_AMBIGUOUS_WALKS = {("CommandError", "Ambiguous walk"),
                    ("CommandError", "Ambiguous upgrade from multiple current revisions")}


def _history_current_plus_n(item: Compared) -> bool:
    """Alembic gave up at a branch point or at several current revisions; Sterna answered."""
    return (bool(re.search(r"^history\b.*\scurrent:\+\d+\b", item.what))
            and item.alembic in _AMBIGUOUS_WALKS and item.sterna is None)


def _history_relative_to_current(item: Compared) -> bool:
    return bool(_RELATIVE_TO_CURRENT.search(item.what))


KNOWN: tuple[KnownDifference, ...] = (
    KnownDifference(
        "set-ordered-lists",
        "output",
        "Alembic prints the children of a branch point ('Branches into: ...', the '-> ' lines "
        "of `branches`) and a revision's several branch labels ('(lab2, lab1)') in Python set "
        "order, which changes from one run to the next with hash randomisation; Sterna sorts "
        "them. Both sides are compared sorted.",
        normalise=_both(_sort_set_lists),
    ),
    KnownDifference(
        "current-set-order",
        "output",
        "With several revisions in the version table, Alembic's `current` prints them in the "
        "order of a Python set of Script objects (memory addresses: arbitrary), and `show "
        "current` in the order the database returns the rows (no ORDER BY; it depends on which "
        "rows were updated rather than inserted, see merge-rows-set-order); Sterna prints them "
        "in a stable order. Both sides are compared sorted.",
        normalise=_sort_current,
    ),
    KnownDifference(
        "offline-insert-returning",
        "sql",
        "Alembic 1.20 on SQLAlchemy 2.1 appends 'RETURNING alembic_version.version_num' to the "
        "offline INSERT into the version table (SQLite, PostgreSQL): meaningless in a script a "
        "DBA runs. Sterna never writes it. Removed from Alembic's output before comparing.",
        normalise=_alembic_only(_drop_returning),
    ),
    KnownDifference(
        "merge-rows-set-order",
        "sql",
        "At a merge (unmerge) point with other heads present, or at any unmerge, Alembic 1.20 "
        "picks which parent row to UPDATE and which to DELETE (INSERT) from a Python set "
        "(MigrationStep._unmerge_to_revisions, merge_branch_idents), so the choice changes "
        "between runs; Sterna's choice is stable. The rows left are the same (checked online); "
        "offline, such runs of version statements are compared in a canonical order.",
        normalise=_both(_canonical_merges),
    ),
    KnownDifference(
        "mariadb-drop-constraint-if-exists",
        "sql",
        "op.drop_constraint(..., type_='check', if_exists=True) on MariaDB: Alembic's MySQL "
        "dialect drops the IF EXISTS (it writes its own DROP CONSTRAINT and ignores the flag), "
        "so its script fails when the constraint is absent; Sterna writes 'DROP CONSTRAINT IF "
        "EXISTS'. Sterna's IF EXISTS is removed before comparing on MariaDB.",
        normalise=_mariadb_drop_constraint_if_exists,
    ),
    KnownDifference(
        "sqlite-transactional-ddl",
        "log cli",
        "On SQLite Sterna runs migrations inside a real transaction (BEGIN on the driver "
        "connection), so a failed step rolls back with its version row; it logs 'Will assume "
        "transactional DDL.' where Alembic logs 'non-transactional'.",
        normalise=_sqlite_transactional_log,
    ),
    KnownDifference(
        "batch-reflection-log",
        "log",
        "Batch mode on PostgreSQL: Alembic reflects the table with its autogenerate helpers and "
        "logs \"Detected sequence named 'x_id_seq' as owned by integer column ..., assuming "
        "SERIAL and omitting\" at INFO; Sterna's reflection logs nothing. Those lines are "
        "left out of Alembic's log.",
        normalise=_batch_reflection_log,
    ),
    KnownDifference(
        "cli-failure-reporting",
        "cli",
        "A failing command: Alembic prints 'FAILED: <message>' on standard output, logs the "
        "message again as 'ERROR [alembic.util.messaging] ...' on standard error and exits "
        "with status 255; Sterna prints the FAILED line once, on standard error, and exits "
        "with 1 (statuses are compared as ok/failed).",
        normalise=_cli_failure,
    ),
    KnownDifference(
        "cli-traceback",
        "cli",
        "A statement of a migration fails in the database: Alembic's command line ends with "
        "the Python traceback; Sterna's with one line 'FAILED: upgrade of revision x failed "
        "while running <statement>: <driver error>' (the traceback only with --raiseerr). "
        "Accepted when everything printed before is the same.",
        accept=_cli_traceback,
    ),
    KnownDifference(
        "cli-usage-text",
        "cli",
        "Command-line usage errors: both tools reject the same arguments through argparse, but "
        "the usage text is each program's own (its name, 'VERB' and 'KEY=VALUE' metavars, and "
        "Sterna accepts global options after the verb). Accepted when both name the same "
        "invalid choice.",
        accept=_cli_usage_text,
    ),
    KnownDifference(
        "alembic-internal-error",
        "error",
        "Alembic fails with an internal exception (AttributeError, KeyError, ...: a traceback at "
        "its command line) where Sterna gives an answer or a one-line CommandError. Where Sterna "
        "answers, the tests check the answer separately when it can be derived from Alembic.",
        accept=_alembic_internal_error,
    ),
    KnownDifference(
        "error-message-extended",
        "error",
        "Both tools fail with a CommandError, and Sterna's message is Alembic's followed by more "
        "detail (which revisions, what to do instead), e.g. 'Ambiguous walk: from m6 the next "
        "revision could be any of e5a, e5b; ...' for Alembic's bare 'Ambiguous walk'.",
        accept=_error_extended,
    ),
    KnownDifference(
        "ambiguous-prefix-named",
        "error",
        "For a partial revision id that matches several revisions, Alembic's ScriptDirectory "
        "says \"Can't locate revision identified by 'b2f'\" (it rewrites the ambiguity error); "
        "Sterna says \"Multiple revisions start with 'b2f': b2fab908, b2ffac06\".",
        accept=_ambiguous_prefix_named,
    ),
    KnownDifference(
        "failed-step-named",
        "error",
        "When a migration step fails, Sterna reports one CommandError naming the step "
        "('upgrade of revision x failed: <cause>') and, for errors of its own operations, words "
        "the cause its own way; Alembic lets the bare exception through. Accepted when both "
        "fail and Sterna's message names the step.",
        accept=_step_error_named,
    ),
    KnownDifference(
        "batch-column-order",
        "schema",
        "Batch mode on SQLite: Sterna appends a column added by batch_op.add_column() (without "
        "insert_before/insert_after) at the end, as ALTER TABLE ADD COLUMN does on every "
        "backend; Alembic's rebuild may place it elsewhere (its column ordering is a topological "
        "sort that moves the new column when the same batch drops the last column). Columns "
        "are compared by name for batch steps on SQLite; rows are compared per column anyway.",
        normalise=_batch_column_order,
    ),
    KnownDifference(
        "batch-temp-table-name",
        "schema",
        "A batch rebuild goes through a temporary table: Alembic's is _alembic_tmp_<t>, "
        "Sterna's _sterna_tmp_<t>. On PostgreSQL a SERIAL column's sequence is created with "
        "the temporary table and keeps its name ('_alembic_tmp_pets_id_seq1' in both tools, "
        "with each tool's prefix). The prefix is made the same before comparing.",
        normalise=_batch_temp_name,
    ),
    KnownDifference(
        "batch-rebuild-keeps-more",
        "schema",
        "A batch rebuild on SQLite drops the table, and with it its triggers; Alembic does not "
        "re-create them and does not carry unnamed CHECK constraints into the new table. Sterna "
        "keeps both (issue 3). Accepted only when Sterna's database is Alembic's plus such "
        "triggers and unnamed CHECKs.",
        accept=_rebuild_kept_more,
    ),
    KnownDifference(
        "batch-recreate-named-fk",
        "schema",
        "batch_alter_table(recreate='always') on MariaDB/MySQL of a table with a named foreign "
        "key: Alembic creates the temporary table with the same constraint name, which MariaDB "
        "refuses (errno 121), so the step fails; Sterna's rebuild succeeds. Checked explicitly "
        "by test_batch.py::test_mariadb_recreate_with_named_foreign_key.",
    ),
    KnownDifference(
        "batch-view-dependent",
        "schema",
        "A batch rebuild on SQLite of a table that a view reads: Alembic's final 'ALTER TABLE "
        "_alembic_tmp_t RENAME TO t' fails (SQLite re-checks the view) and leaves the temporary "
        "table behind; Sterna renames with legacy_alter_table and keeps the view working. "
        "Checked explicitly by test_batch.py::test_sqlite_rebuild_of_a_table_a_view_reads.",
    ),
    KnownDifference(
        "sqlite-failed-step-rolled-back",
        "schema",
        "A step that fails part way on SQLite: Alembic leaves the DDL and data changes made "
        "before the failure in place (pysqlite runs DDL outside any transaction), with the "
        "version row of the previous step -- schema and version table disagree. Sterna runs "
        "the step in a transaction and rolls all of it back. Checked explicitly by "
        "test_failures.py.",
    ),
    KnownDifference(
        "duplicate-rev-id-refused",
        "error",
        "`revision --rev-id X` where X exists: Alembic writes a second script with the same id "
        "(a warning only), after which the revision graph is broken; Sterna refuses and names "
        "the existing file. Checked explicitly by "
        "test_revision_command.py::test_duplicate_rev_id.",
    ),
    KnownDifference(
        "mysql-alter-keeps-definition",
        "schema",
        "MySQL/MariaDB ALTER COLUMN rewrites the whole column definition (MODIFY/CHANGE). When a "
        "script omits existing_nullable / existing_server_default / existing_comment, Alembic "
        "silently drops NOT NULL, the default or the comment; Sterna reads the current "
        "definition from the database and keeps them (issue 3). Accepted only when every "
        "difference is such an attribute that Sterna kept and Alembic lost.",
        accept=_mysql_alter_kept,
    ),
    KnownDifference(
        "batch-rebuild-statements",
        "sql",
        "Batch mode on SQLite: Sterna decides differently when a table must be rebuilt (renames, "
        "comments and plain add_column run in place with ALTER TABLE where Alembic rebuilds) and "
        "rebuilds differently (temporary table _sterna_tmp_<t>; the definition kept as SQL text; "
        "no CAST; execute() at its place) -- see docs/batch.md. Accepted only when both offline "
        "scripts, run on copies of the same database, leave the same schema, data and version "
        "rows.",
        accept=_same_effect,
    ),
    KnownDifference(
        "check-lists-changes-readably",
        "error",
        "`check` fails in both tools with 'New upgrade operations detected: ...'; Alembic "
        "follows it with the repr() of its internal diff tuples, Sterna with one readable "
        "phrase per change (\"added column 'owners.code'; NOT NULL on column 'owners.code'\").",
        accept=_check_listed_readably,
    ),
    KnownDifference(
        "history-up-to-current-at-base",
        "output",
        "`history -r :current` (or base:current) when the database is at base (no revision): "
        "Alembic takes the missing current revision as 'no upper bound' and lists the whole "
        "history; Sterna lists nothing, the range being base:base (see "
        "sterna/commands/history.py).",
        accept=_history_up_to_current_at_base,
    ),
    KnownDifference(
        "history-current-plus-n",
        "error",
        "`history -r current:+N`: Alembic walks N steps along one path and fails ('Ambiguous "
        "walk', 'Ambiguous upgrade from multiple current revisions') at a branch point, with "
        "several bases or with several current revisions; Sterna lists every revision within N "
        "generations above the current ones (from the bases at an empty database), see "
        "sterna/commands/history.py.",
        accept=_history_current_plus_n,
    ),
    KnownDifference(
        "history-relative-to-current",
        "output error",
        "Alembic's `history -r-N:current` takes -N relative to the heads instead of to the "
        "database's current revision: it prints the wrong range, or fails with 'does not refer "
        "to ancestor/descendant revisions', when the database is not at head. Sterna counts "
        "from current; the tests compare its output with Alembic's for the explicit range.",
        accept=_history_relative_to_current,
    ),
)

BY_KEY = {known.key: known for known in KNOWN}


#: Names of Alembic's modules and classes that Sterna does not provide under its alias, because
#: they are Alembic's internals (implementation classes, helpers of its own machinery), not API
#: an env.py, a script or a project extension uses.  ``"module:name"`` or ``"module.Class:name"``.
API_INTERNALS = frozenset({
    # the command line of Alembic: `sterna` is the command; programs call sterna.cli.main
    "alembic.config:CommandLine", "alembic.config:main", "alembic.config:CommandFunction",
    "alembic.config:MessagingOptions",
    # implementation classes of Alembic's runtime, batch mode and DDL compilation
    "alembic.runtime.migration:HeadMaintainer", "alembic.runtime.migration:MigrationStep",
    "alembic.runtime.migration:RevisionStep", "alembic.runtime.migration:StampStep",
    "alembic.operations.batch:ApplyBatchImpl", "alembic.operations.batch:BatchOperationsImpl",
    "alembic.ddl.impl:ImplMeta", "alembic.ddl.impl:Params",
    "alembic.ddl.mysql:MySQLAlterDefault", "alembic.ddl.mysql:MySQLChangeColumn",
    "alembic.ddl.mysql:MySQLModifyColumn", "alembic.ddl.postgresql:PostgresqlColumnType",
    "alembic.ddl.postgresql:visit_column_comment", "alembic.ddl.postgresql:visit_column_type",
    "alembic.ddl.postgresql:visit_identity_column", "alembic.ddl.postgresql:visit_rename_table",
    "alembic.ddl.sqlite:visit_column_name", "alembic.ddl.sqlite:visit_rename_table",
    "alembic.operations.toimpl:create_constraint",
    "alembic.script.revision:is_revision", "alembic.script.revision:tuple_rev_as_scalar",
    "alembic.autogenerate.api:RevisionContext",
    # Alembic's proxy machinery (Sterna's proxies are plain module __getattr__)
    "alembic.runtime.environment.EnvironmentContext:create_module_class_proxy",
    "alembic.operations.Operations:create_module_class_proxy",
    "alembic.operations.BatchOperations:create_module_class_proxy",
    "alembic.context:create_module_class_proxy", "alembic.op:create_module_class_proxy",
    # nested batch_alter_table inside a batch block: Alembic inherits it but it cannot work
    "alembic.operations.BatchOperations:batch_alter_table",
    # building the revision map incrementally: Sterna builds it once from the headers
    "alembic.script.Script:add_nextrev", "alembic.script.revision.RevisionMap:add_revision",
})
