"""How the known differences of ``known_differences.py`` recognise their cases: the compared
pair, and the normalisers and acceptors the entries there refer to.  Pure functions."""

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


def sort_set_lists(lines: tuple[str, ...]) -> tuple[str, ...]:
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


def both(fn: Callable[[Any], Any]) -> Callable[[Compared], Compared]:
    def apply(item: Compared) -> Compared:
        return replace(item, alembic=fn(item.alembic), sterna=fn(item.sterna))

    return apply


_RETURNING = re.compile(r"^(INSERT INTO .*alembic_version.*) RETURNING \S+;$")


def drop_returning(statements: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_RETURNING.sub(r"\1;", stmt) for stmt in statements)


def alembic_only(fn: Callable[[Any], Any]) -> Callable[[Compared], Compared]:
    def apply(item: Compared) -> Compared:
        return replace(item, alembic=fn(item.alembic))

    return apply


def _transactional(lines: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        line.replace("Will assume non-transactional DDL.", "Will assume transactional DDL.")
        for line in lines
    )


def batch_reflection_log(item: Compared) -> Compared:
    lines = tuple(line for line in item.alembic if not line.startswith("Detected sequence named '"))
    return replace(item, alembic=lines)


def sqlite_transactional_log(item: Compared) -> Compared:
    if item.backend != "sqlite" or "--sql" in item.what:
        return item
    if item.area == "cli":  # (status, stdout, stderr)
        status, out, err = item.alembic
        return replace(item, alembic=(status, out, _transactional(err)))
    return replace(item, alembic=_transactional(item.alembic))


def cli_failure(item: Compared) -> Compared:
    """Alembic's failure report (``FAILED:`` on stdout, an ``ERROR`` log line on stderr) in
    Sterna's form (``FAILED:`` as the last line of stderr)."""
    status, out, err = item.alembic
    failed = [line for line in out if line.startswith("FAILED: ")]
    if status != "failed" or len(failed) != 1:
        return item
    message = failed[0][len("FAILED: ") :]
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


def sort_current(item: Compared) -> Compared:
    if item.what.startswith("current"):
        sort = _sort_current_lines
    elif item.what == "show current":
        sort = _sort_entries
    else:
        return item
    return replace(item, alembic=sort(item.alembic), sterna=sort(item.sterna))


_VERSION_DELETE = re.compile(r"^DELETE FROM (\S*alembic_version) WHERE \S+ = '([^']*)';$")
_VERSION_INSERT = re.compile(
    r"^INSERT INTO (\S*alembic_version) \(version_num\) VALUES "
    r"\('([^']*)'\);$"
)
_VERSION_UPDATE = re.compile(
    r"^UPDATE (\S*alembic_version) SET version_num='([^']*)' "
    r"WHERE \S+ = '([^']*)';$"
)


def canonical_merges(statements: tuple[str, ...]) -> tuple[str, ...]:
    """Runs of DELETEs (INSERTs) followed by an UPDATE of the version table -- a merge
    (unmerge) -- rewritten with the merged (unmerged) revisions in sorted order."""
    out = list(statements)
    index = 0
    while index < len(out):
        pattern = (
            _VERSION_DELETE
            if _VERSION_DELETE.match(out[index])
            else (_VERSION_INSERT if _VERSION_INSERT.match(out[index]) else None)
        )
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
            new = [f"DELETE FROM {table} WHERE {table}.version_num = '{rev}';" for rev in revs[:-1]]
            new.append(
                f"UPDATE {table} SET version_num='{update.group(2)}' "
                f"WHERE {table}.version_num = '{revs[-1]}';"
            )
        else:  # unmerge: the UPDATE's new row is one of the parents
            revs = sorted([*found, update.group(2)])
            new = [f"INSERT INTO {table} (version_num) VALUES ('{rev}');" for rev in revs[:-1]]
            new.append(
                f"UPDATE {table} SET version_num='{revs[-1]}' "
                f"WHERE {table}.version_num = '{update.group(3)}';"
            )
        out[index : end + 1] = new
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


def batch_column_order(item: Compared) -> Compared:
    if item.backend != "sqlite" or "[batch]" not in item.what:
        return item
    return replace(
        item, alembic=_columns_by_name(item.alembic), sterna=_columns_by_name(item.sterna)
    )


def mariadb_drop_constraint_if_exists(item: Compared) -> Compared:
    if item.backend != "mariadb":
        return item
    ours = tuple(
        stmt.replace(" DROP CONSTRAINT IF EXISTS ", " DROP CONSTRAINT ") for stmt in item.sterna
    )
    return replace(item, sterna=ours)


def _renamed_temp(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("_alembic_tmp_", "_sterna_tmp_")
    if isinstance(value, dict):
        return {_renamed_temp(k): _renamed_temp(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_renamed_temp(v) for v in value)
    return value


#: Sterna's applied-history table, and the sequence PostgreSQL makes for its id column.
HISTORY_TABLE = "sterna_history"
_HISTORY_SEQUENCE = "sterna_history_id_seq"


def without_history(snap: Any) -> Any:
    """A database snapshot (``snapshot.py``) without Sterna's history table and its sequence."""
    if not isinstance(snap, dict) or "tables" not in snap:
        return snap
    tables = snap["tables"]
    if isinstance(tables, dict):
        tables = {k: v for k, v in tables.items() if k != HISTORY_TABLE}
    else:
        tables = [name for name in tables if name != HISTORY_TABLE]
    out = {**snap, "tables": tables}
    if "sequences" in out:
        out["sequences"] = [name for name in out["sequences"] if name != _HISTORY_SEQUENCE]
    for kind in ("index_sql", "trigger_sql"):
        if kind in out:
            out[kind] = [row for row in out[kind] if HISTORY_TABLE not in str(row[0])]
    return out


def history_table(item: Compared) -> Compared:
    """Both sides: in the hand-over tests Sterna has also run on "Alembic's" database."""
    return replace(item, alembic=without_history(item.alembic), sterna=without_history(item.sterna))


def batch_temp_name(item: Compared) -> Compared:
    return replace(item, alembic=_renamed_temp(item.alembic))


def _constraints_sorted(body: str) -> str:
    """``op.create_table(...)`` calls with their arguments after the columns sorted as text."""
    import ast

    tree = ast.parse(body)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "create_table"
        ):
            columns = [
                arg
                for arg in node.args
                if isinstance(arg, ast.Call)
                and isinstance(arg.func, (ast.Attribute, ast.Name))
                and ast.unparse(arg.func).split(".")[-1] == "Column"
            ]
            rest = sorted((arg for arg in node.args[1:] if arg not in columns), key=ast.unparse)
            node.args = [node.args[0], *columns, *rest]
    return ast.unparse(tree)


def create_table_constraint_order(item: Compared) -> Compared:
    """Script bodies (``{"upgrade": source, "downgrade": source}``) with each create_table's
    constraints sorted, as Alembic writes them."""

    def sort(bodies: Any) -> Any:
        return {name: _constraints_sorted(body) for name, body in bodies.items()}

    return replace(item, alembic=sort(item.alembic), sterna=sort(item.sterna))


def user_type_module_imported(item: Compared) -> Compared:
    """Script imports less Sterna's ``import <module>`` lines for the modules of types it
    renders as ``<module>.<Type>(...)`` (any plain import of a module outside SQLAlchemy and
    Alembic that Alembic's script does not have)."""

    def own(line: str) -> bool:
        module = line[len("import ") :]
        return (
            line.startswith("import ")
            and " " not in module
            and line not in item.alembic
            and module.split(".")[0] not in ("sqlalchemy", "alembic")
        )

    return replace(item, sterna=tuple(line for line in item.sterna if not own(line)))


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
        k: v for k, v in ours.items() if k != "tables"
    }:
        return False
    for name, table in theirs["tables"].items():
        other = ours["tables"][name]
        if {k: v for k, v in table.items() if k != "columns"} != {
            k: v for k, v in other.items() if k != "columns"
        }:
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
            table = {
                **table,
                "checks": [
                    c for c in table["checks"] if c["name"] is not None or c in other["checks"]
                ],
            }
        tables[name] = table
    result["tables"] = tables
    return result


def rebuild_kept_more(item: Compared) -> bool:
    if item.backend != "sqlite" or "[batch]" not in item.what:
        return False
    return bool(_without_extras(item.sterna, item.alembic) == item.alembic)


def mysql_alter_kept(item: Compared) -> bool:
    return item.backend == "mariadb" and _only_kept_attributes(item.alembic, item.sterna)


_RELATIVE_TO_CURRENT = re.compile(r"^history\b.*\s-\d+:current\b")


def alembic_internal_error(item: Compared) -> bool:
    """Alembic failed with an exception that is not its CommandError (a traceback at its CLI)."""
    value = item.alembic
    return isinstance(value, tuple) and len(value) == 2 and value[0] not in (None, "CommandError")


def error_extended(item: Compared) -> bool:
    """Both failed with a CommandError; Sterna's message is Alembic's with more detail after."""
    theirs, ours = item.alembic, item.sterna
    if not (isinstance(theirs, tuple) and isinstance(ours, tuple)):
        return False
    if theirs[0] != "CommandError" or ours[0] != "CommandError":
        return False
    return bool(ours[1].startswith(theirs[1].rstrip(".")) and len(ours[1]) > len(theirs[1]))


def ambiguous_prefix_named(item: Compared) -> bool:
    theirs, ours = item.alembic, item.sterna
    if not (isinstance(theirs, tuple) and isinstance(ours, tuple)):
        return False
    found = re.fullmatch(r"Can't locate revision identified by '([^']+)'", theirs[1])
    return bool(
        found
        and ours[0] == "CommandError"
        and ours[1].startswith(f"Multiple revisions start with '{found.group(1)}': ")
    )


_STEP_FAILED = re.compile(r"^(upgrade|downgrade) of revision \S+ failed: \S")


def step_error_named(item: Compared) -> bool:
    theirs, ours = item.alembic, item.sterna
    return (
        isinstance(theirs, tuple)
        and isinstance(ours, tuple)
        and ours[0] == "CommandError"
        and bool(_STEP_FAILED.match(ours[1]))
    )


def same_effect(item: Compared) -> bool:
    return "[batch]" in item.what and item.evidence is not None and item.evidence()


_CHECK_FAILED = "New upgrade operations detected: "


def check_listed_readably(item: Compared) -> bool:
    theirs, ours = item.alembic, item.sterna
    return (
        isinstance(theirs, tuple)
        and isinstance(ours, tuple)
        and theirs[0] == ours[0] == "CommandError"
        and theirs[1].startswith(_CHECK_FAILED + "[(")
        and ours[1].startswith(_CHECK_FAILED)
        and not ours[1].startswith(_CHECK_FAILED + "[(")
    )


def cli_traceback(item: Compared) -> bool:
    """Alembic's CLI failed with a traceback; Sterna's with one FAILED line after the same
    output."""
    if item.area != "cli":
        return False
    (status, out, err), (our_status, our_out, our_err) = item.alembic, item.sterna
    if status != "failed" or our_status != "failed" or out != our_out:
        return False
    if "Traceback (most recent call last):" not in err or not our_err:
        return False
    before = err[: err.index("Traceback (most recent call last):")]
    return bool(before == our_err[:-1] and our_err[-1].startswith("FAILED: "))


_INVALID_CHOICE = re.compile(r"error: argument .*invalid choice: '([^']+)'")


def cli_usage_text(item: Compared) -> bool:
    if item.area != "cli":
        return False
    (status, out, err), (our_status, our_out, our_err) = item.alembic, item.sterna
    if status != "failed" or our_status != "failed" or out != our_out or not err or not our_err:
        return False
    theirs, ours = _INVALID_CHOICE.search(" ".join(err)), _INVALID_CHOICE.search(" ".join(our_err))
    return (
        err[0].startswith("usage: alembic ")
        and our_err[0].startswith("usage: sterna ")
        and theirs is not None
        and ours is not None
        and theirs.group(1) == ours.group(1)
    )


_UP_TO_CURRENT = re.compile(r"^history\b.*\s(\S*):current\b.*\[db at base\]")


def history_up_to_current_at_base(item: Compared) -> bool:
    return bool(_UP_TO_CURRENT.search(item.what)) and item.sterna == ()


_AMBIGUOUS_WALKS = {
    ("CommandError", "Ambiguous walk"),
    ("CommandError", "Ambiguous upgrade from multiple current revisions"),
}


def history_current_plus_n(item: Compared) -> bool:
    """Alembic gave up at a branch point or at several current revisions; Sterna answered."""
    return (
        bool(re.search(r"^history\b.*\scurrent:\+\d+\b", item.what))
        and item.alembic in _AMBIGUOUS_WALKS
        and item.sterna is None
    )


def history_relative_to_current(item: Compared) -> bool:
    return bool(_RELATIVE_TO_CURRENT.search(item.what))
