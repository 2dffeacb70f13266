"""Column order of a rebuilt table: ``partial_reordering`` as a stable topological sort."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TypeVar

from sterna.ddl.recreate_parse import ColumnDef
from sterna.errors_ddl import BatchError, BatchNoSuchObject

_C = TypeVar("_C", bound=ColumnDef)


def reorder_columns(
    columns: Sequence[_C], orderings: Sequence[Sequence[str]], table: str
) -> list[_C]:
    """``columns`` reordered so that, within each tuple of ``orderings``, the named columns
    come in the given order; columns keep their current relative order wherever the tuples
    leave it free.  A column is named by its new name (or by its name in the old table)."""
    if not orderings:
        return list(columns)
    after: dict[int, set[int]] = {i: set() for i in range(len(columns))}
    incoming = [0] * len(columns)
    for ordering in orderings:
        indexes = [_lookup(columns, name, table) for name in ordering]
        for first, second in zip(indexes, indexes[1:], strict=False):
            if first == second:
                raise BatchError(
                    table,
                    f"partial_reordering names column "
                    f"{columns[first].name!r} twice in {tuple(ordering)!r}",
                )
            if second not in after[first]:
                after[first].add(second)
                incoming[second] += 1
    ready = [i for i in range(len(columns)) if incoming[i] == 0]
    heapq.heapify(ready)
    result: list[_C] = []
    while ready:
        current = heapq.heappop(ready)
        result.append(columns[current])
        for nxt in after[current]:
            incoming[nxt] -= 1
            if incoming[nxt] == 0:
                heapq.heappush(ready, nxt)
    if len(result) != len(columns):
        stuck = [columns[i].name for i in range(len(columns)) if incoming[i] > 0]
        raise BatchError(
            table, f"partial_reordering contradicts itself around columns {', '.join(stuck)}"
        )
    return result


def _lookup(columns: Sequence[ColumnDef], name: str, table: str) -> int:
    lowered = name.lower()
    for i, column in enumerate(columns):
        if column.name.lower() == lowered:
            return i
    for i, column in enumerate(columns):
        if column.source is not None and column.source.lower() == lowered:
            return i
    raise BatchNoSuchObject(table, f"partial_reordering names unknown column {name!r}")
