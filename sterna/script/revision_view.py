"""A read-only mapping over a built revision graph: Alembic's ``RevisionMap._revision_map``.

Code written against Alembic (its own tests, some extensions) reads revisions through that
attribute: ``map_._revision_map["c"]``, ``.values()``.  :class:`RevisionLookup` answers the same
lookups from the graph Sterna already keeps, without copying it: a revision id or a branch label
gives its :class:`~sterna.script.revision_base.Revision`; iteration gives the ids, then the
labels, in map order.  It cannot be written to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sterna.script.revision_base import Revision
from sterna.script.revision_build import Graph


class RevisionLookup(Mapping[str, Revision]):
    """Revision id or branch label -> Revision, over one graph (a view, not a copy)."""

    __slots__ = ("_graph",)

    def __init__(self, graph: Graph) -> None:
        self._graph = graph

    def __getitem__(self, key: str) -> Revision:
        graph = self._graph
        found = graph.revs.get(key)
        if found is None:
            found = graph.labels.get(key)
            if found is None:
                raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        yield from self._graph.revs
        yield from self._graph.labels

    def __len__(self) -> int:
        return len(self._graph.revs) + len(self._graph.labels)

    def __contains__(self, key: object) -> bool:
        graph = self._graph
        return key in graph.revs or key in graph.labels

    def __repr__(self) -> str:
        return f"RevisionLookup({dict(self)!r})"
