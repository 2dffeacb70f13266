"""The revision graph and its identifier grammar: :class:`Revision` and :class:`RevisionMap`.

Pure code: no files, no database, no SQLAlchemy.  The map is built once, from the revisions
the directory layer passes, at once (see :mod:`sterna.script.revision_build` for validation and
derived links), or on first use when given a callable, as Alembic's API takes it; all walks are
linear in what they visit (:mod:`sterna.script.revision_walk`).  ``_revision_map`` is Alembic's
lookup by id or branch label, a read-only view of the built graph
(:mod:`sterna.script.revision_view`).

Identifiers, as Alembic reads them (``get_revision``/``get_revisions``):

* a full revision id, a branch label (meaning the labelled revision), or a unique prefix of
  either (keys of four or more characters are matched by prefix);
* ``head`` (the single head; several -> :class:`~sterna.errors.MultipleHeads`), ``heads`` (every
  head that nothing depends on), ``base`` (no revision);
* ``label@head``, ``label@heads``, ``label@base``, ``label@rev`` (``rev`` must be on the branch);
  ``label`` may also be a revision id, meaning the branch through that revision;
* ``-N`` and ``label@-N`` in :meth:`RevisionMap.get_revisions`: N steps down from each head;
* ``+N``, ``-N``, ``rev+N``, ``rev-N``, ``label@+N``, ``label@-N`` as upgrade/downgrade targets
  and range ends, handled by :mod:`sterna.script.revision_range`.

Unlike Alembic, a relative identifier must match the relative grammar in full: ``ae10+2x`` is
not read as ``ae10+2``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType

from sterna.errors_script import (
    AmbiguousRevision,
    AmbiguousWalk,
    CycleDetected,
    DependencyCycleDetected,
    DependencyLoopDetected,
    MultipleHeads,
    NotAString,
    NotInBranch,
    RangeNotAncestor,
    ResolutionError,
    RevisionError,
    SelfReferenceError,
    UnknownBranch,
    UnknownRevision,
)
from sterna.script import revision_walk as walk
from sterna.script.revision_base import BASE, BaseMarker, Revision
from sterna.script.revision_build import Graph, build_graph
from sterna.script.revision_view import RevisionLookup

__all__ = [
    "BASE",
    "BaseMarker",
    "CycleDetected",
    "DependencyCycleDetected",
    "DependencyLoopDetected",
    "LoopDetected",
    "MultipleHeads",
    "Node",
    "RangeNotAncestorError",
    "ResolutionError",
    "Revision",
    "RevisionError",
    "RevisionMap",
]

# Alembic's names for the graph errors (``alembic.script.revision``): the same classes, the same
# hierarchy (a loop is a cycle of one; a dependency loop is both kinds).
RangeNotAncestorError = RangeNotAncestor
LoopDetected = SelfReferenceError

Node = Revision | BaseMarker | None
"""What a walk or a relative identifier reaches: a revision, ``BASE`` (below a base), or None."""

IdArg = str | Iterable[str] | None

# ``typing`` is imported for the type checker only (about 3 ms of every command line)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T", bound="Revision | str")


class RevisionMap:
    """All revisions of a script directory, their links, and the identifier grammar."""

    def __init__(
        self, revisions: Iterable[Revision] | Callable[[], Iterable[Revision]] = ()
    ) -> None:
        """``revisions`` is read at once; a callable (as Alembic's API takes it) is called on
        first use, so an invalid graph raises there, as it does under Alembic."""
        self._pending: Callable[[], Iterable[Revision]] | None = None
        self._built: Graph | None = None
        self._full_walk: tuple[str, ...] | None = None
        self.history_text: str | None = None
        if callable(revisions):
            self._pending = revisions
        else:
            self._install(build_graph(revisions))

    def _install(self, graph: Graph) -> None:
        self._pending = None
        self._built = graph
        #: ids of the whole graph in walk order (``heads`` down to ``base``), once computed;
        #: the graph snapshot stores it, since ``history`` walks exactly that
        self._full_walk = None
        #: what a plain ``history`` prints for the whole graph, when a graph snapshot stored it
        #: (written with the same formatting, when the snapshot was: sterna.script.snapshot)
        self.history_text = None

    @property
    def _graph(self) -> Graph:
        graph = self._built
        if graph is None:
            source = self._pending
            graph = build_graph(source() if source is not None else ())
            self._install(graph)
        return graph

    @property
    def heads(self) -> tuple[str, ...]:
        """The revisions no other revision names as ``down_revision``, in map order."""
        return self._graph.heads

    @property
    def bases(self) -> tuple[str, ...]:
        """The revisions whose ``down_revision`` is None, in map order."""
        return self._graph.bases

    @property
    def _real_heads(self) -> tuple[str, ...]:
        return self._graph.real_heads

    @property
    def _real_bases(self) -> tuple[str, ...]:
        return self._graph.real_bases

    @property
    def _revision_map(self) -> RevisionLookup:
        """Alembic's ``RevisionMap._revision_map``: revision id or branch label -> Revision,
        as a read-only view of the graph (built on first use)."""
        return RevisionLookup(self._graph)

    # -- the collection -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._graph.revs)

    def __contains__(self, revision: object) -> bool:
        return revision in self._graph.revs

    def __iter__(self) -> Iterator[Revision]:
        return iter(self._graph.revs.values())

    @property
    def by_id(self) -> Mapping[str, Revision]:
        """Revision id -> revision, by exact id only (no prefix, symbol or label), read-only:
        for callers looking up thousands of ids they read from a database."""
        return MappingProxyType(self._graph.revs)

    @property
    def branch_label_map(self) -> dict[str, Revision]:
        """Branch label -> the revision declaring it (a copy)."""
        return dict(self._graph.labels)

    def add_revision(self, revision: Revision, _replace: bool = False) -> None:
        """Add one revision (a newly written script); the map is rebuilt and re-validated."""
        revs = dict(self._graph.revs)
        if _replace:
            if revision.revision not in revs:
                raise UnknownRevision(revision.revision)
            revs[revision.revision] = revision
            items: list[Revision] = list(revs.values())
        else:
            items = [*revs.values(), revision]
        try:
            graph = build_graph(items)
        except RevisionError:
            build_graph(revs.values())  # restore the links of the existing revisions
            raise
        self._install(graph)

    # -- heads ----------------------------------------------------------------------------------

    def get_current_head(self, branch_label: str | None = None) -> str | None:
        """The single head (of ``branch_label``'s lineage); MultipleHeads if there are several."""
        heads: Sequence[str] = self.heads
        if branch_label:
            heads = self.filter_for_lineage(heads, branch_label)
        if len(heads) > 1:
            raise MultipleHeads(heads, f"{branch_label}@head" if branch_label else "head")
        return heads[0] if heads else None

    def _get_base_revisions(self, identifier: str) -> tuple[str, ...]:
        return self.filter_for_lineage(self.bases, identifier)

    def current_revisions(self, db_heads: Iterable[str]) -> tuple[Revision, ...]:
        """What ``current`` shows for these version rows: each row's revision and the branch
        heads of everything they imply (dependencies on other branches included), in map order.

        An id not in the script directory raises ``Can't locate revision identified by 'x'``.
        """
        found = self._get_all_current(tuple(db_heads))
        return tuple(sorted(found, key=lambda r: self._graph.order[r.revision]))

    def _get_all_current(self, id_: tuple[str, ...]) -> set[Revision]:
        tops = [r for r in self._get_revisions_raw(id_) if isinstance(r, Revision)]
        implied = walk.closure(self._graph, (r.revision for r in tops), walk.ANCESTORS)
        revs = self._graph.revs
        return {revs[rid] for rid in walk.branch_heads(self._graph, implied)}

    def _filter_into_branch_heads(self, targets: Iterable[Revision]) -> set[Revision]:
        ids = [t.revision for t in targets]
        revs = self._graph.revs
        return {revs[rid] for rid in walk.branch_heads(self._graph, ids)}

    # -- identifiers ----------------------------------------------------------------------------

    def _resolve_revision_number(self, id_: IdArg) -> tuple[tuple[str, ...], str | None]:
        """``(ids, branch_label)`` for an identifier: symbolic names resolved, others as given."""
        label: str | None = None
        if isinstance(id_, str) and "@" in id_:
            label, id_ = id_.split("@", 1)
        elif id_ is not None and not _is_identifier(id_):
            raise NotAString(id_)
        if id_ == "heads":
            if label:
                return self.filter_for_lineage(self.heads, label), label
            return self._real_heads, label
        if id_ == "head":
            head = self.get_current_head(label)
            return ((head,) if head else ()), label
        if id_ == "base" or id_ is None:
            return (), label
        if isinstance(id_, str):
            return (id_,), label
        return tuple(id_), label

    def get_revision(self, id_: str | None) -> Revision | None:
        """The one revision an identifier names (None for ``base``)."""
        ids, label = self._resolve_revision_number(id_)
        if len(ids) > 1:
            raise MultipleHeads(ids, str(id_))
        return self._revision_for_ident(ids[0] if ids else None, label)

    def get_revisions(self, id_: IdArg) -> tuple[Revision | None, ...]:
        """The revisions an identifier, or each of several identifiers, names.

        ``base`` gives ``()``; ``-N`` gives, for each head, the revision N steps down (None when
        the walk goes below base).
        """
        return tuple(r if isinstance(r, Revision) else None for r in self._get_revisions_raw(id_))

    def _get_revisions_raw(self, id_: IdArg) -> tuple[Node, ...]:
        if isinstance(id_, (list, tuple, set, frozenset)):
            found: list[Node] = []
            for element in id_:
                found.extend(self._get_revisions_raw(element))
            return tuple(found)
        ids, label = self._resolve_revision_number(id_)
        if len(ids) == 1:
            steps = _as_int(ids[0])
            if steps is not None and steps < 0:
                heads = [r for r in self._get_revisions_raw("heads") if isinstance(r, Revision)]
                if label is not None:
                    heads = [h for h in heads if label in h.branch_labels]
                return tuple(self._walk(head, steps) for head in heads)
        return tuple(self._revision_for_ident(rid, label) for rid in ids)

    def _lookup(self, key: str) -> Revision | None:
        graph = self._graph
        found = graph.revs.get(key)
        return graph.labels.get(key) if found is None else found

    def _resolve_branch(self, branch_label: str) -> Revision:
        """The revision a ``label@`` prefix stands for: the labelled one, or a revision."""
        rev = self._lookup(branch_label)
        if rev is not None:
            return rev
        try:
            found = self._revision_for_ident(branch_label)
        except ResolutionError as err:
            raise UnknownBranch(branch_label) from err
        assert found is not None
        return found

    def _revision_for_ident(
        self, resolved_id: str | None, check_branch: str | None = None
    ) -> Revision | None:
        branch_rev = self._resolve_branch(check_branch) if check_branch else None
        if not resolved_id:
            return None
        revision = self._lookup(resolved_id)
        if revision is None:
            revision = self._by_prefix(resolved_id, check_branch if branch_rev else None)
        if branch_rev is not None and not self._shares_lineage(revision, [branch_rev]):
            assert check_branch is not None
            raise NotInBranch(revision.revision, check_branch, resolved_id)
        return revision

    def _by_prefix(self, prefix: str, branch: str | None) -> Revision:
        graph = self._graph
        keys: list[str] = [k for k in graph.revs if len(k) > 3 and k.startswith(prefix)]
        keys += [k for k in graph.labels if len(k) > 3 and k.startswith(prefix)]
        if branch and keys:
            keys = list(self.filter_for_lineage(keys, branch))
        if not keys:
            raise UnknownRevision(prefix)
        if len(keys) > 1:
            raise AmbiguousRevision(prefix, keys)
        found = self._lookup(keys[0])
        assert found is not None
        return found

    # -- lineage --------------------------------------------------------------------------------

    def filter_for_lineage(
        self,
        targets: Iterable[_T],
        check_against: str | None,
        include_dependencies: bool = False,
    ) -> tuple[_T, ...]:
        """The targets that are ancestors or descendants of (or equal to) what
        ``check_against`` names (its branch label and its revisions)."""
        ids, label = self._resolve_revision_number(check_against)
        shares: list[str] = ([label] if label else []) + list(ids)
        items = tuple(targets)
        if not shares or not items:
            return items
        first = self._as_revision(items[0])
        near = self._lineage_of(shares, include_dependencies)
        kept = [items[0]] if first.revision in near else []
        kept += [t for t in items[1:] if self._as_revision(t).revision in near]
        return tuple(kept)

    def _lineage_filter(
        self, check_against: str | None, include_dependencies: bool
    ) -> set[str] | None:
        """The ids ``filter_for_lineage`` keeps for ``check_against`` (None: keep everything)."""
        ids, label = self._resolve_revision_number(check_against)
        shares: list[str] = ([label] if label else []) + list(ids)
        if not shares:
            return None
        return self._lineage_of(shares, include_dependencies)

    def _shares_lineage(
        self,
        target: Revision | str,
        test_against_revs: Sequence[Revision | str],
        include_dependencies: bool = False,
    ) -> bool:
        if not test_against_revs:
            return True
        rev = self._as_revision(target)
        return rev.revision in self._lineage_of(test_against_revs, include_dependencies)

    def _lineage_of(self, items: Iterable[Revision | str], include_dependencies: bool) -> set[str]:
        ids = [self._as_revision(item).revision for item in items]
        return walk.lineage(self._graph, ids, include_dependencies)

    def _as_revision(self, item: Revision | str) -> Revision:
        if isinstance(item, Revision):
            return item
        found = self._revision_for_ident(item)
        if found is None:
            raise UnknownRevision(str(item))
        return found

    # -- walks ----------------------------------------------------------------------------------

    def _get_ancestor_nodes(
        self, targets: Iterable[Node], include_dependencies: bool = True
    ) -> list[Revision]:
        links = walk.ANCESTORS if include_dependencies else walk.VERSIONED_ANCESTORS
        return self._nodes(walk.closure(self._graph, _ids(targets), links))

    def _get_descendant_nodes(
        self, targets: Iterable[Node], include_dependencies: bool = True
    ) -> list[Revision]:
        links = walk.DESCENDANTS if include_dependencies else walk.VERSIONED_DESCENDANTS
        return self._nodes(walk.closure(self._graph, _ids(targets), links))

    def _nodes(self, ids: Collection[str]) -> list[Revision]:
        revs = self._graph.revs
        return [revs[rid] for rid in ids]

    def _walk(
        self,
        start: str | Node,
        steps: int,
        branch_label: str | None = None,
        no_overwalk: bool = True,
    ) -> Node:
        """``steps`` revisions up (>0, choosing within ``branch_label``) or down (<0).

        Going below a base reaches ``BASE``; beyond the ends gives None when ``no_overwalk``,
        else stops at the end.  A branch or merge point on the way raises AmbiguousWalk.
        """
        node: Node = self.get_revision(start) if isinstance(start, str) else start
        branch = _BranchFilter(self, branch_label)
        for _ in range(abs(steps)):
            nexts: list[Node] = (
                list(branch.keep(self._walk_up(node))) if steps > 0 else self._walk_down(node)
            )
            if not nexts:
                return None if no_overwalk else node
            if len(nexts) > 1:
                where = node.revision if isinstance(node, Revision) else "base"
                raise AmbiguousWalk(where, sorted(_ids(nexts)))
            node = nexts[0]
        return node

    def _walk_up(self, node: Node) -> list[Revision]:
        ids = node.nextrev if isinstance(node, Revision) else self.bases
        revs = self._graph.revs
        return [revs[rid] for rid in sorted(ids, key=self._graph.order.__getitem__)]

    def _walk_down(self, node: Node) -> list[Node]:
        if isinstance(node, BaseMarker):
            return []
        ids = self.heads if node is None else node.down_revisions
        revs = self._graph.revs
        found: list[Node] = [revs[rid] for rid in ids]
        return found or [BASE]

    # -- ranges ---------------------------------------------------------------------------------

    def iterate_revisions(
        self,
        upper: str | Sequence[str] | None,
        lower: str | Sequence[str] | None,
        implicit_base: bool = False,
        inclusive: bool = False,
        assert_relative_length: bool = True,
        select_for_downgrade: bool = False,
    ) -> Iterator[Revision]:
        """The revisions between ``lower`` and ``upper``, upper revisions first.

        Upgrade selection (default): what ``upper`` needs that ``lower`` does not have, within
        ``lower``'s descendants unless ``implicit_base``; ``inclusive`` adds ``lower`` itself.
        Downgrade selection: what must be undone from the heads ``upper`` to reach ``lower``.
        """
        revs = self._graph.revs
        if (upper, lower) == ("heads", "base") and not (implicit_base or select_for_downgrade):
            yield from (revs[rid] for rid in self.full_walk())
            return
        for rid in self._walk_ids(
            upper, lower, implicit_base, inclusive, assert_relative_length, select_for_downgrade
        ):
            yield revs[rid]

    def full_walk(self) -> tuple[str, ...]:
        """Every revision id from the heads down to the bases, in ``iterate_revisions("heads",
        "base")`` order (computed once per map)."""
        if self._full_walk is None:
            self._full_walk = tuple(self._walk_ids("heads", "base", False, True, True, False))
        return self._full_walk

    def _walk_ids(
        self,
        upper: str | Sequence[str] | None,
        lower: str | Sequence[str] | None,
        implicit_base: bool,
        inclusive: bool,
        assert_relative_length: bool,
        select_for_downgrade: bool,
    ) -> list[str]:
        from sterna.script import revision_range as ranges

        collect = ranges.collect_downgrade if select_for_downgrade else ranges.collect_upgrade
        todo, heads = collect(self, upper, lower, inclusive, implicit_base, assert_relative_length)
        return walk.topological_sort(self._graph, todo, heads)

    def _topological_sort(self, revisions: Iterable[Revision], heads: Iterable[Node]) -> list[str]:
        return walk.topological_sort(self._graph, set(_ids(revisions)), _ids(heads))

    def _is_antichain(self, heads: Collection[str]) -> bool:
        return walk.is_antichain(self._graph, heads)

    @property
    def _graph_data(self) -> Graph:
        return self._graph


class _BranchFilter:
    """Keeps the revisions in ``label``'s lineage; the lineage is computed on first use."""

    def __init__(self, rmap: RevisionMap, label: str | None) -> None:
        self.rmap = rmap
        self.label = label
        self.near: set[str] | None = None
        self.ready = False

    def keep(self, revs: list[Revision]) -> list[Revision]:
        if not self.label or not revs:
            return revs
        if not self.ready:
            self.near = self.rmap._lineage_filter(self.label, False)
            self.ready = True
        near = self.near
        return revs if near is None else [r for r in revs if r.revision in near]


def _ids(nodes: Iterable[Node]) -> list[str]:
    return [n.revision for n in nodes if isinstance(n, Revision)]


def _is_identifier(value: object) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, tuple):
        return not value or isinstance(value[0], str)
    return False


def _as_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
