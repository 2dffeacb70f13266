"""The order in which new tables are created (and dropped tables dropped), and the foreign keys
that cannot be part of a ``create_table`` because of a cycle.

The split is SQLAlchemy's (``sort_tables_and_constraints``, what ``MetaData.create_all`` uses),
written for Sterna:

* a foreign key with ``use_alter=True`` is always created after the tables;
* every table on a cycle of the remaining foreign keys is created without its foreign keys, which
  are added once all tables exist -- except a self-referential one, which ``CREATE TABLE``
  accepts and which therefore stays in the table;
* the tables are then ordered by the foreign keys that stay inline, referenced tables first,
  ties by (schema, name).

Dropping reverses the order: the split foreign keys are dropped first, then the tables,
referencing tables first.  Everything is sorted, so the same models give the same script.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ForeignKeyConstraint, Table

from sterna.autogenerate.compare.schemas import TableKey
from sterna.operations.schemaobj import referred_target


@dataclass(frozen=True, eq=False)
class Link:
    """One foreign key of a table in the set, and the table it refers to."""

    source: TableKey
    target: TableKey
    constraint: ForeignKeyConstraint

    @property
    def self_referential(self) -> bool:
        return self.source == self.target

    def describe(self) -> str:
        """``table(cols) -> referred`` for messages."""
        columns = ", ".join(str(c) for c in self.constraint.column_keys)
        return f"{_dotted(self.source)}({columns}) -> {_dotted(self.target)}"


@dataclass
class TablePlan:
    """The tables in creation order, the foreign keys to add after them (in that order), and
    the tables found on a cycle that no ``use_alter`` breaks."""

    order: list[TableKey]
    split: list[Link] = field(default_factory=list)
    cycle: list[TableKey] = field(default_factory=list)

    def split_of(self, key: TableKey) -> list[ForeignKeyConstraint]:
        return [link.constraint for link in self.split if link.source == key]


def key_order(key: TableKey) -> tuple[str, str]:
    return (key[0] or "", key[1])


def _dotted(key: TableKey) -> str:
    return f"{key[0]}.{key[1]}" if key[0] else key[1]


def fk_order(fk: ForeignKeyConstraint) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """A stable order of a table's foreign keys (``foreign_key_constraints`` is a set); a
    model key and its copy in a ``create_table`` (which names the schema its target resolves
    to) give the same."""
    columns = tuple(str(c) for c in fk.column_keys)
    targets = tuple(referred_target(e) for e in fk.elements)
    return (columns, targets, str(fk.name or ""))


def plan_tables(
    tables: Mapping[TableKey, Table],
    target: Callable[[TableKey, ForeignKeyConstraint], TableKey],
) -> TablePlan:
    """Order ``tables`` and choose the foreign keys that go after them (see the module)."""
    links = [
        Link(key, target(key, fk), fk)
        for key in sorted(tables, key=key_order)
        for fk in sorted(tables[key].foreign_key_constraints, key=fk_order)
    ]
    split = {id(link) for link in links if link.constraint.use_alter}
    edges = _edges(tables, (link for link in links if id(link) not in split))
    cycle = on_a_cycle(edges)
    split |= {id(link) for link in links if link.source in cycle and not link.self_referential}
    order = dependency_order(_edges(tables, (link for link in links if id(link) not in split)))
    position = {key: n for n, key in enumerate(order)}
    chosen = sorted(
        (link for link in links if id(link) in split),
        key=lambda link: (position[link.source], fk_order(link.constraint)),
    )
    return TablePlan(order, chosen, sorted(cycle, key=key_order))


def _edges(
    tables: Mapping[TableKey, Table], links: Iterable[Link]
) -> dict[TableKey, set[TableKey]]:
    """For each table, the other tables of the set it refers to."""
    edges: dict[TableKey, set[TableKey]] = {key: set() for key in tables}
    for link in links:
        if link.target in edges and not link.self_referential:
            edges[link.source].add(link.target)
    return edges


def dependency_order(edges: Mapping[TableKey, set[TableKey]]) -> list[TableKey]:
    """Every key after the keys it refers to, ties by name; what a cycle leaves is appended
    by name (``plan_tables`` never passes one)."""
    pending = set(edges)
    ordered: list[TableKey] = []
    while pending:
        ready = sorted((k for k in pending if not edges[k] & pending), key=key_order)
        if not ready:
            ready = sorted(pending, key=key_order)
        ordered.extend(ready)
        pending.difference_update(ready)
    return ordered


def on_a_cycle(edges: Mapping[TableKey, set[TableKey]]) -> set[TableKey]:
    """The keys that lie on a cycle: members of a strongly connected component of two or more
    keys (Tarjan's algorithm, iterative)."""
    index: dict[TableKey, int] = {}
    low: dict[TableKey, int] = {}
    stack: list[TableKey] = []
    on_stack: set[TableKey] = set()
    found: set[TableKey] = set()
    for root in sorted(edges, key=key_order):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root], key=key_order)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            child = next((s for s in successors if s in edges), None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    found |= _pop_component(node, stack, on_stack)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child], key=key_order))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def _pop_component(node: TableKey, stack: list[TableKey], on_stack: set[TableKey]) -> set[TableKey]:
    """Pop the component rooted at ``node``; its members when it has two or more."""
    component: list[TableKey] = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        component.append(member)
        if member == node:
            break
    return set(component) if len(component) > 1 else set()
