"""Test support for the revision graph: the same graph built for Sterna and for Alembic.

Alembic (installed in the test environment) is the reference: its ``RevisionMap`` answers the
identifier questions, its ``ScriptDirectory._upgrade_revs`` / ``_downgrade_revs`` /
``_stamp_revs`` plan runs, and its real ``HeadMaintainer`` (with a recording stand-in for the
migration context) turns the planned steps into version-table statements.
"""

from __future__ import annotations

import re
import types
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import HeadMaintainer
from alembic.script import ScriptDirectory
from alembic.script import revision as alembic_revision
from alembic.util import CommandError as AlembicCommandError
from hypothesis import strategies as st

from sterna.errors import CommandError
from sterna.script.revision import Revision, RevisionMap


@dataclass(frozen=True)
class Spec:
    """One revision as a script header declares it."""

    rev: str
    down: str | tuple[str, ...] | None = None
    deps: str | tuple[str, ...] | None = None
    labels: str | tuple[str, ...] | None = None


def chain(*ids: str) -> list[Spec]:
    """A linear history ``ids[0] <- ids[1] <- ...``."""
    return [Spec(r, ids[i - 1] if i else None) for i, r in enumerate(ids)]


class PathRevision(Revision):
    def __init__(self, spec: Spec) -> None:
        self.path = f"/versions/{spec.rev}_script.py"
        super().__init__(spec.rev, spec.down, spec.deps, spec.labels)


def sterna_map(specs: Iterable[Spec]) -> RevisionMap:
    return RevisionMap([PathRevision(s) for s in specs])


class _AlembicScript(alembic_revision.Revision):
    """What Alembic's RevisionStep needs from a Script: a module with the two functions."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec.rev, spec.down, spec.deps, spec.labels)
        self.module = types.SimpleNamespace(upgrade=_noop_upgrade, downgrade=_noop_downgrade)
        self.doc = f"doc of {spec.rev}"


def _noop_upgrade() -> None:
    """upgrade"""


def _noop_downgrade() -> None:
    """downgrade"""


_noop_upgrade.__name__ = "upgrade"
_noop_downgrade.__name__ = "downgrade"


def alembic_map(specs: Sequence[Spec]) -> alembic_revision.RevisionMap:
    scripts = [_AlembicScript(s) for s in specs]
    rmap = alembic_revision.RevisionMap(lambda: scripts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rmap.heads  # noqa: B018 - builds the map
    return rmap


def alembic_directory(rmap: alembic_revision.RevisionMap) -> ScriptDirectory:
    directory: ScriptDirectory = object.__new__(ScriptDirectory)
    directory.revision_map = rmap
    return directory


# -- version-table statements from Alembic's HeadMaintainer -------------------------------------

_VERSION = sa.Table("alembic_version", sa.MetaData(), sa.Column("version_num", sa.String(32)))
_QUOTED = re.compile(r"'([^']*)'")


class _RecordingImpl:
    def __init__(self) -> None:
        self.statements: list[tuple[str, str | None, str | None]] = []

    def _exec(self, construct: Any) -> None:
        text = str(construct.compile())
        values = _QUOTED.findall(text)
        if text.startswith("INSERT"):
            self.statements.append(("insert", None, values[0]))
        elif text.startswith("DELETE"):
            self.statements.append(("delete", values[0], None))
        else:
            self.statements.append(("update", values[1], values[0]))


@dataclass
class AlembicRun:
    """Alembic's plan applied to the rows: per step (name, revision, statements, rows after)."""

    steps: list[tuple[str, str | None, list[tuple[str, str | None, str | None]], frozenset[str]]]
    error: str | None = None


@dataclass
class _Context:
    impl: _RecordingImpl = field(default_factory=_RecordingImpl)
    _version: sa.Table = _VERSION
    as_sql: bool = True


def alembic_apply(plan: Callable[[], list[Any]], heads: Sequence[str]) -> AlembicRun:
    """Run an Alembic planning call and feed its steps to a real HeadMaintainer."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            steps = plan()
    except (AlembicCommandError, alembic_revision.RevisionError) as err:
        return AlembicRun([], str(err))
    except (AssertionError, KeyError, IndexError, TypeError, AttributeError) as err:
        return AlembicRun([], f"crash: {type(err).__name__}: {err}")
    context = _Context()
    maintainer = HeadMaintainer(context, heads)  # type: ignore[arg-type]
    out: AlembicRun = AlembicRun([])
    for step in steps:
        before = len(context.impl.statements)
        try:
            maintainer.update_to_step(step)
        except (AssertionError, KeyError, IndexError) as err:
            out.error = f"crash: {type(err).__name__}: {err}"
            return out
        rev = getattr(getattr(step, "revision", None), "revision", None)
        out.steps.append(
            (step.name, rev, context.impl.statements[before:], frozenset(maintainer.heads))
        )
    return out


@dataclass
class SternaRun:
    steps: list[tuple[str, str | None, list[tuple[str, str | None, str | None]], frozenset[str]]]
    error: CommandError | None = None


def sterna_apply(plan: Callable[[], list[Any]], heads: Sequence[str]) -> SternaRun:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            steps = plan()
    except CommandError as err:
        return SternaRun([], err)
    rows = set(heads)
    out = SternaRun([])
    for step in steps:
        changes = [(c.kind, c.old, c.new) for c in step.changes]
        for kind, old, new in changes:
            if kind in ("delete", "update"):
                rows.remove(old)
            if kind in ("insert", "update"):
                rows.add(new)
        rev = step.script.revision if step.script is not None else None
        out.steps.append((step.name, rev, changes, frozenset(rows)))
    return out


def shape(statements: list[tuple[str, str | None, str | None]]) -> tuple[object, ...]:
    """What of a step's statements Alembic fixes regardless of set iteration order: the kinds in
    order, the rows removed and the rows written."""
    kinds = tuple(k for k, _, _ in statements)
    removed = frozenset(o for k, o, _ in statements if k != "insert")
    written = frozenset(n for k, _, n in statements if k != "delete")
    return kinds, removed, written


# -- random graphs --------------------------------------------------------------------------------

PREFIXES = ("ae10", "ae1f", "b0b0", "c4fe")


def graph_from_draws(
    prefixes: Sequence[int],
    tails: Sequence[str],
    parents: Sequence[Sequence[int]],
    deps: Sequence[int | None],
    labelled: Sequence[bool],
    dep_by_label: Sequence[bool],
    order: Sequence[int],
) -> list[Spec]:
    """A valid revision graph from plain random choices (node i only points to nodes < i)."""
    ids: list[str] = []
    for i, (p, tail) in enumerate(zip(prefixes, tails, strict=True)):
        rid = f"{PREFIXES[p % len(PREFIXES)]}{tail}"
        while rid in ids or len(rid) < 4:
            rid += f"{i:x}"
        ids.append(rid)
    labels = [f"lb{i}" if on else None for i, on in enumerate(labelled)]
    specs: list[Spec] = []
    for i, rid in enumerate(ids):
        ups = tuple(dict.fromkeys(ids[j % i] for j in parents[i])) if i else ()
        down: str | tuple[str, ...] | None = ups[0] if len(ups) == 1 else (ups or None)
        dep: str | None = None
        target = deps[i]
        if i and target is not None and ids[target % i] not in ups:
            j = target % i
            dep = labels[j] if (dep_by_label[i] and labels[j]) else ids[j]
        specs.append(Spec(rid, down, dep, labels[i]))
    return [specs[k] for k in order]


def identifier_pool(specs: Sequence[Spec]) -> list[str]:
    """Identifiers worth resolving in a graph: ids, prefixes, symbols, labels, relatives."""
    pool = ["head", "heads", "base", "-1", "-2", "+1", "ae", "ae1", "ae10", "ae1f", "zzzz"]
    pool += ["head-1", "base+1", "heads@head", "base@base", "@head", "-0", " -1"]
    for s in specs:
        pool += [s.rev, s.rev[:5], s.rev[:4], f"{s.rev}@head", f"{s.rev}@base", f"{s.rev}@-1"]
        if s.labels:
            label = s.labels if isinstance(s.labels, str) else s.labels[0]
            pool += [label, f"{label}@head", f"{label}@heads", f"{label}@base", f"{label}@-1"]
            pool += [f"{label}@{o.rev}" for o in specs[:4]]
    return pool


def target_pool(specs: Sequence[Spec]) -> list[str]:
    """Upgrade/downgrade/stamp targets: absolute identifiers and every relative form."""
    pool = ["head", "heads", "base", "+1", "+2", "-1", "-2", "+0", "-0", "head-1", "heads-1"]
    pool += ["head+1", "base+1", "base+2", "base-1", "heads+1"]
    for s in specs:
        pool += [s.rev, s.rev[:4], f"{s.rev}+1", f"{s.rev}-1", f"{s.rev}+2", f"{s.rev}@head"]
        if s.labels:
            label = s.labels if isinstance(s.labels, str) else s.labels[0]
            pool += [f"{label}@head", f"{label}@base", f"{label}@+1", f"{label}@-1", label]
            pool += [f"{label}@{s.rev}", f"{label}@{s.rev}-1", f"{label}@{s.rev}+1"]
    return pool


@st.composite
def graphs(draw: st.DrawFn, max_size: int = 9, dense: bool = False) -> list[Spec]:
    """Random valid graphs: lines, branches, merges, several bases, labels, dependencies.

    ``dense`` favours several bases, merges and dependencies between lines.
    """
    n = draw(st.integers(1, max_size))
    hexdigits = "0123456789abcdef"
    prefixes = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    tails = draw(st.lists(st.text(hexdigits, max_size=3), min_size=n, max_size=n))
    kinds = [1, 2, 2, 0] if dense else [1, 1, 1, 1, 2, 0]
    shapes = draw(st.lists(st.sampled_from(kinds), min_size=n, max_size=n))
    parents = [draw(st.lists(st.integers(0, 10**6), min_size=k, max_size=k)) for k in shapes]
    no_dep = [st.none()] * (1 if dense else 3)
    deps = draw(st.lists(st.one_of(*no_dep, st.integers(0, 10**6)), min_size=n, max_size=n))
    labelled = draw(st.lists(st.sampled_from([False, False, False, True]), min_size=n, max_size=n))
    by_label = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))
    return graph_from_draws(prefixes, tails, parents, deps, labelled, by_label, order)


# -- comparing outcomes ---------------------------------------------------------------------------


def error_kind(err: BaseException) -> str:
    """A category shared by Alembic's and Sterna's errors."""
    from sterna import errors as ours

    if isinstance(err, (ours.MultipleHeads, alembic_revision.MultipleHeads)):
        return "multiple-heads"
    if isinstance(err, (ours.RangeNotAncestor, alembic_revision.RangeNotAncestorError)):
        return "not-ancestor"
    if isinstance(err, (ours.ResolutionError, alembic_revision.ResolutionError)):
        return "resolution"
    if isinstance(err, (ours.RevisionError, alembic_revision.RevisionError)):
        return "revision"
    return f"crash:{type(err).__name__}"


def alembic_message_kind(message: str) -> str:
    """The category of an Alembic ScriptDirectory error message (a CommandError)."""
    if message.startswith("crash:"):
        return "crash"
    if "is not a valid" in message and "target from current head" in message:
        return "not-ancestor"
    if "does not refer to ancestor/descendant" in message:
        return "not-ancestor"
    if message.startswith("Multiple head") or message.startswith("Multiple heads are present"):
        return "multiple-heads"
    if message.startswith("Can't locate revision"):
        return "resolution"
    return "revision"


def sterna_error_kind(err: CommandError) -> str:
    kind = error_kind(err)
    return {"revision": "revision"}.get(kind, kind)


def as_ids(nodes: Iterable[object]) -> tuple[object, ...]:
    """Revisions as ids; None stays None; Alembic's "base" string and Sterna's BASE -> "base"."""
    out: list[object] = []
    for node in nodes:
        if node is None:
            out.append(None)
        elif isinstance(node, str):
            out.append(node)
        elif hasattr(node, "revision"):
            out.append(node.revision)
        else:
            out.append("base")
    return tuple(out)
