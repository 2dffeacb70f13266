"""One node of the revision graph, :class:`Revision`, and helpers shared by the graph code.

A :class:`Revision` holds what a script's header declares (``revision``, ``down_revision``,
``depends_on``, ``branch_labels``) and, once a :class:`~sterna.script.revision.RevisionMap` has
been built over it, the derived links: children (``nextrev``), resolved and normalised
dependencies, and the effective branch labels.  The directory layer subclasses it as ``Script``,
so ``__init__`` is cooperative and the class has no ``__slots__``.

Attribute names follow Alembic's ``Revision`` (including its underscored ones, which Alembic's
``Script`` formatting relies on) so that code written against Alembic's objects keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sterna.errors_script import DependencyLoopDetected, RevisionIdError, SelfReferenceError

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

ILLEGAL_ID_CHARS: Final = frozenset("@-+:")


class BaseMarker:
    """The position below every base revision, as reached by walking down (``rev-1`` of a base)."""

    _instance: BaseMarker | None = None

    def __new__(cls) -> BaseMarker:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "BASE"


BASE: Final = BaseMarker()
_NO_IDS: frozenset[str] = frozenset()


def as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``None`` -> ``()``, ``"a"`` -> ``("a",)``, any other iterable -> a tuple of it."""
    if value is None:
        return ()
    if type(value) is str or isinstance(value, str):
        return (value,)
    return tuple(value)


def dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """The values in first-seen order, each once."""
    return tuple(dict.fromkeys(values))


def path_of(rev: object) -> str | None:
    """The file a revision came from, when the directory layer recorded one."""
    path = getattr(rev, "path", None)
    return str(path) if path is not None else None


class Revision:
    """A revision: its id, its parents (``down_revision``), dependencies and branch labels.

    ``down_revision`` keeps the declared value in Alembic's normal form (``None``, one id, or a
    tuple of two or more); ``down_revisions`` is always a tuple.  ``dependencies`` is
    ``depends_on`` (ids or branch labels, as written) in the same form (``None``, one, or a
    tuple), ``dependency_ids`` always a tuple.  ``branch_labels`` is the
    *effective* set: the revision's own labels plus those the map propagates along the branch;
    the own labels stay in ``_orig_branch_labels``.
    """

    # derived by RevisionMap; class-level defaults keep construction cheap
    nextrev: frozenset[str] = frozenset()
    _all_nextrev: frozenset[str] = frozenset()
    _resolved_dependencies: tuple[str, ...] = ()
    _normalized_resolved_dependencies: tuple[str, ...] = ()
    _linked = False  # set once a map has derived links on this object
    # usual values of declared fields (a graph snapshot leaves them out of its rows)
    dependency_ids: tuple[str, ...] = ()
    _orig_branch_labels: tuple[str, ...] = ()

    def __init__(
        self,
        revision: str,
        down_revision: str | Sequence[str] | None,
        dependencies: str | Sequence[str] | None = None,
        branch_labels: str | Sequence[str] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        if down_revision is None:
            downs: tuple[str, ...] = ()
        elif type(down_revision) is str:
            downs = (down_revision,)
        else:
            downs = as_tuple(down_revision)
        deps = as_tuple(dependencies) if dependencies else ()
        if (
            type(revision) is not str
            or "@" in revision
            or "-" in revision
            or ("+" in revision or ":" in revision or not revision)
        ):
            _reject_revision_id(self, revision)
        if revision in downs:
            raise SelfReferenceError(revision, "down_revision", path_of(self))
        if revision in deps:
            raise DependencyLoopDetected(revision, path_of(self))
        self.revision: str = revision
        self.down_revisions: tuple[str, ...] = downs
        self.down_revision: str | tuple[str, ...] | None = (
            downs[0] if len(downs) == 1 else (downs or None)
        )
        self.dependency_ids = deps
        labels = as_tuple(branch_labels) if branch_labels else ()
        self._orig_branch_labels = labels
        self.branch_labels: set[str] = set(labels)
        if len(downs) > 1:
            downs = dedupe(downs)
        self._all_down_revisions: tuple[str, ...] = downs
        self._normalized_down_revisions: tuple[str, ...] = downs
        # the links a map derives, set here too so that every instance has the same layout
        self.nextrev = self._all_nextrev = _NO_IDS
        self._resolved_dependencies = self._normalized_resolved_dependencies = ()
        self._linked = False

    @property
    def dependencies(self) -> str | tuple[str, ...] | None:
        """``depends_on`` as Alembic gives it: ``None``, the one id or label, or a tuple."""
        deps = self.dependency_ids
        return deps[0] if len(deps) == 1 else (deps or None)

    @dependencies.setter
    def dependencies(self, value: str | Sequence[str] | None) -> None:
        self.dependency_ids = as_tuple(value) if value else ()

    @classmethod
    def verify_rev_id(cls, revision: str) -> None:
        """Raise RevisionIdError if ``revision`` cannot be a revision id."""
        if type(revision) is not str or not revision or set(revision) & ILLEGAL_ID_CHARS:
            _reject_revision_id(None, revision)

    def _reset_links(self) -> None:
        """Forget what a previous map derived (a map rebuild starts from the declarations)."""
        self.nextrev = self._all_nextrev = _NO_IDS
        self._resolved_dependencies = self._normalized_resolved_dependencies = ()
        self._linked = False
        self.branch_labels = set(self._orig_branch_labels)
        downs = dedupe(self.down_revisions)
        self._all_down_revisions = downs
        self._normalized_down_revisions = downs

    def __repr__(self) -> str:
        args = [repr(self.revision), repr(self.down_revision)]
        if self.dependency_ids:
            args.append(f"dependencies={self.dependencies!r}")
        if self.branch_labels:
            args.append(f"branch_labels={sorted(self.branch_labels)!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    @property
    def _versioned_down_revisions(self) -> tuple[str, ...]:
        return self.down_revisions

    @property
    def is_head(self) -> bool:
        """No revision names this one as its ``down_revision``."""
        return not self.nextrev

    @property
    def _is_real_head(self) -> bool:
        """No revision names this one as ``down_revision`` nor in ``depends_on``."""
        return not self._all_nextrev

    @property
    def is_base(self) -> bool:
        """``down_revision`` is ``None``."""
        return self.down_revision is None

    @property
    def _is_real_base(self) -> bool:
        """A base that also has no dependencies."""
        return self.down_revision is None and not self.dependency_ids

    @property
    def is_branch_point(self) -> bool:
        """Two or more revisions name this one as their ``down_revision``."""
        return len(self.nextrev) > 1

    @property
    def _is_real_branch_point(self) -> bool:
        """Two or more revisions follow this one, counting ``depends_on`` links."""
        return len(self._all_nextrev) > 1

    @property
    def is_merge_point(self) -> bool:
        """``down_revision`` names two or more revisions."""
        return len(self.down_revisions) > 1


def _reject_revision_id(rev: object, revision: object) -> None:
    if not isinstance(revision, str) or not revision:
        raise RevisionIdError(repr(revision), "is not a non-empty string", path_of(rev))
    illegal = sorted(set(revision) & ILLEGAL_ID_CHARS)
    if illegal:
        chars = ", ".join(illegal)
        raise RevisionIdError(revision, f"contains the character(s) {chars!r}", path_of(rev))
