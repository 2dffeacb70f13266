"""The exceptions of the script layer (``sterna/script/``, ``sterna/hooks.py``): scripts that
cannot be read or written, post-write hooks, and the revision graph (identifier grammar, graph
checks, run planning).  ``sterna.script.revision`` imports the ones Alembic's
``alembic.script.revision`` offers.  No SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable

from sterna.errors_root import CommandError

__all__ = [
    "AmbiguousRevision",
    "AmbiguousUpgrade",
    "AmbiguousWalk",
    "CycleDetected",
    "DanglingReference",
    "DependencyCycleDetected",
    "DependencyLoopDetected",
    "DuplicateBranchLabel",
    "DuplicateRevision",
    "GraphError",
    "HookError",
    "InvalidDestination",
    "InvalidDowngradeTarget",
    "MultipleHeads",
    "MultipleHeadsPresent",
    "NewRevisionError",
    "NotAString",
    "NotInBranch",
    "OverlappingRevisions",
    "RangeNotAncestor",
    "RelativeRevisionError",
    "ResolutionError",
    "RevisionError",
    "RevisionIdError",
    "ScriptError",
    "ScriptTemplateError",
    "SelfReferenceError",
    "UnknownBranch",
    "UnknownRevision",
    "UnorderableRevisions",
    "VersionTableConflict",
]


def _file_note(path: str | None) -> str:
    return f" (in {path})" if path else ""


class ScriptError(CommandError):
    """A migration script cannot be parsed, imported or run."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class ScriptTemplateError(ScriptError):
    """``script.py.mako`` cannot be rendered, or the new script cannot be written."""


class HookError(CommandError):
    """A post-write hook is misconfigured or failed; the new script is kept."""

    def __init__(self, hook: str, problem: str) -> None:
        self.hook = hook
        self.problem = problem
        super().__init__(f"Post-write hook {hook!r}: {problem}")


class RevisionError(CommandError):
    """Base of revision-graph and identifier errors."""


class NewRevisionError(RevisionError):
    """A new revision cannot be created as asked (head, --rev-id, --version-path, branch labels)."""


class ResolutionError(RevisionError):
    """An identifier that does not resolve to a revision."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


class AmbiguousRevision(ResolutionError):
    def __init__(self, argument: str, candidates: Iterable[str]) -> None:
        names = ", ".join(sorted(candidates))
        super().__init__(f"Multiple revisions start with '{argument}': {names}", argument)
        self.candidates = tuple(sorted(candidates))


class MultipleHeads(RevisionError):
    def __init__(self, heads: Iterable[str], argument: str) -> None:
        self.heads = tuple(heads)
        self.argument = argument
        super().__init__(
            f"Multiple head revisions are present for given argument '{argument}'; "
            "please specify a specific target revision, '<branchname>@head' to narrow to a "
            "specific head, or 'heads' for all heads"
        )


class MultipleHeadsPresent(MultipleHeads):
    """Several heads where the caller needs one; the message (built by the caller's layer) says
    what to do instead, in the words Alembic uses for that situation."""

    def __init__(self, heads: Iterable[str], argument: str, message: str) -> None:
        RevisionError.__init__(self, message)
        self.heads = tuple(heads)
        self.argument = argument


class RangeNotAncestor(RevisionError):
    def __init__(self, lower: str | None, upper: str | None) -> None:
        self.lower = lower
        self.upper = upper
        super().__init__(
            f"Revision {lower or 'base'} is not an ancestor of revision {upper or 'base'}"
        )


class GraphError(RevisionError):
    """The script directory does not form a valid revision graph."""


class RevisionIdError(RevisionError):
    """A revision id that is not a string or holds a character reserved by the grammar."""

    def __init__(self, revision: str, problem: str, path: str | None = None) -> None:
        self.revision = revision
        self.path = path
        super().__init__(f"Revision identifier {revision} {problem}{_file_note(path)}")


class CycleDetected(GraphError):
    """The ``down_revision`` (or ``depends_on``) links form a cycle; names the revisions on it."""

    def __init__(
        self, revisions: Iterable[str], paths: Iterable[str | None], dependency: bool
    ) -> None:
        self.revisions = tuple(revisions)
        self.paths = tuple(paths)
        self.dependency = dependency
        kind = "Dependency cycle" if dependency else "Cycle"
        steps = " -> ".join(
            f"{rev}{_file_note(path)}" for rev, path in zip(self.revisions, self.paths, strict=True)
        )
        super().__init__(f"{kind} detected in revisions: {steps} -> {self.revisions[0]}")


class DependencyCycleDetected(CycleDetected):
    """A cycle that goes through a ``depends_on`` link (Alembic's class of the same name)."""


class SelfReferenceError(CycleDetected):
    """A revision that names itself in ``down_revision`` or ``depends_on`` (a cycle of one:
    Alembic's ``LoopDetected``)."""

    def __init__(self, revision: str, field: str, path: str | None = None) -> None:
        self.revision = revision
        self.field = field
        self.path = path
        self.revisions, self.paths = (revision,), (path,)
        self.dependency = field == "depends_on"
        GraphError.__init__(self, f"Revision {revision} names itself in {field}{_file_note(path)}")


class DependencyLoopDetected(DependencyCycleDetected, SelfReferenceError):
    """A revision that names itself in ``depends_on`` (Alembic's class of the same name)."""

    def __init__(self, revision: str, path: str | None = None) -> None:
        SelfReferenceError.__init__(self, revision, "depends_on", path)


class DuplicateRevision(GraphError):
    """Two scripts declare the same revision id."""

    def __init__(self, revision: str, first: str | None, second: str | None) -> None:
        self.revision = revision
        self.paths = (first, second)
        super().__init__(
            f"Revision {revision} is declared twice: in {first or '<unknown file>'} "
            f"and in {second or '<unknown file>'}"
        )


class DanglingReference(GraphError):
    """A ``down_revision`` or ``depends_on`` naming a revision that is not in the directory."""

    def __init__(
        self, revision: str, path: str | None, field: str, missing: str, hint: str = ""
    ) -> None:
        self.revision = revision
        self.path = path
        self.field = field
        self.missing = missing
        extra = f"; {hint}" if hint else ""
        super().__init__(
            f"Revision {revision}{_file_note(path)} has {field} {missing!r}, "
            f"which is not present in the script directory{extra}"
        )


class DuplicateBranchLabel(GraphError):
    """A branch label declared by two revisions (or equal to a revision id)."""

    def __init__(
        self,
        label: str,
        revision: str,
        path: str | None,
        other: str,
        other_path: str | None,
        other_is_revision: bool,
    ) -> None:
        self.label = label
        self.revision = revision
        self.other = other
        self.paths = (path, other_path)
        if other_is_revision:
            what = f"is the id of revision {other}{_file_note(other_path)}"
        elif other == revision:
            what = "is declared twice by it"
        else:
            what = f"is already used by revision {other}{_file_note(other_path)}"
        super().__init__(f"Branch name {label!r} of revision {revision}{_file_note(path)} {what}")


class UnknownRevision(ResolutionError):
    """No revision id, unique id prefix or branch label matches (Alembic's wording)."""

    def __init__(self, argument: str) -> None:
        super().__init__(f"Can't locate revision identified by '{argument}'", argument)


class UnknownBranch(ResolutionError):
    """A ``label@...`` whose label is neither a branch label nor a revision."""

    def __init__(self, label: str) -> None:
        super().__init__(f"Can't locate revision identified by '{label}' (no such branch)", label)


class NotInBranch(ResolutionError):
    """``label@rev`` where ``rev`` is not on the branch ``label``."""

    def __init__(self, revision: str, label: str, argument: str) -> None:
        self.revision = revision
        self.label = label
        super().__init__(
            f"Can't locate revision identified by '{argument}' "
            f"(revision {revision} is not a member of branch '{label}')",
            argument,
        )


class NotAString(RevisionError):
    """A revision identifier of the wrong type, typically from a misconfigured database driver."""

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(
            f"revision identifier {value!r} is not a string; ensure database driver "
            "settings are correct"
        )


class RelativeRevisionError(RevisionError):
    """A relative identifier (``+N``, ``-N``, ``rev+N``) that cannot take that many steps."""

    def __init__(self, relative: str, steps: int, start: str | None = None) -> None:
        self.relative = relative
        self.steps = steps
        self.start = start
        origin = f" from {start}" if start else ""
        super().__init__(f"Relative revision {relative} didn't produce {steps} migrations{origin}")


class AmbiguousWalk(RevisionError):
    """A relative walk that reaches a branch point or merge point."""

    def __init__(self, start: str, candidates: Iterable[str]) -> None:
        self.start = start
        self.candidates = tuple(candidates)
        super().__init__(
            f"Ambiguous walk: from {start} the next revision could be any of "
            f"{', '.join(self.candidates)}; name one, or use <branchname>@{{+|-}}N"
        )


class AmbiguousUpgrade(RevisionError):
    """``+N`` from several current heads."""

    def __init__(self, current: Iterable[str]) -> None:
        self.current = tuple(current)
        super().__init__(
            "Ambiguous upgrade from multiple current revisions "
            f"({', '.join(self.current)}); use <branchname>@+N or a revision id"
        )


class OverlappingRevisions(RevisionError):
    """Several requested revisions where one is an ancestor of another."""

    def __init__(self, revision: str, overlaps: Iterable[str]) -> None:
        self.revision = revision
        self.overlaps = tuple(overlaps)
        super().__init__(
            f"Requested revision {revision} overlaps with other requested revisions "
            f"{', '.join(self.overlaps)}"
        )


class InvalidDowngradeTarget(RevisionError):
    """``label@target`` where no branch below the target leads to ``label``."""

    def __init__(self, target: str) -> None:
        self.target = target
        super().__init__(f"Not a valid downgrade target from current heads: {target}")


class InvalidDestination(RangeNotAncestor):
    """An upgrade/downgrade destination that is not reachable from the current heads."""

    def __init__(self, destination: str, direction: str, current: Iterable[str]) -> None:
        self.destination = destination
        self.direction = direction
        self.current = tuple(current)
        RevisionError.__init__(
            self,
            f"Destination {destination} is not a valid {direction} target from current "
            f"head(s) ({', '.join(self.current) or 'base'})",
        )
        self.lower = ", ".join(self.current) or None
        self.upper = destination


class UnorderableRevisions(RevisionError):
    """Revisions selected for a run that cannot all be reached from the run's heads."""

    def __init__(self, revisions: Iterable[str]) -> None:
        self.revisions = tuple(revisions)
        super().__init__(
            "Cannot order the revisions of this range: "
            f"{', '.join(self.revisions)} are not reachable from its upper revisions"
        )


class VersionTableConflict(RevisionError):
    """A planned step does not fit the version rows (e.g. a head that is an ancestor of another)."""

    def __init__(self, step: str, heads: Iterable[str], problem: str) -> None:
        self.step = step
        self.heads = tuple(heads)
        self.problem = problem
        super().__init__(
            f"Cannot plan {step} from version rows ({', '.join(self.heads) or 'none'}): {problem}"
        )
