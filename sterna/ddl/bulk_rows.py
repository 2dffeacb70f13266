"""The rows of ``bulk_insert``: checked, grouped by their keys, made literal for offline SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, literal
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.expression import TableClause
from sqlalchemy.types import NullType


def same_keys_runs(
    rows: Sequence[Mapping[str, Any]],
) -> list[list[Mapping[str, Any]]]:
    """Consecutive runs of rows with the same keys (one executemany each, order kept)."""
    runs: list[list[Mapping[str, Any]]] = []
    for row in rows:
        if runs and runs[-1][0].keys() == row.keys():
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def check_rows(table: Table | TableClause, rows: object) -> None:
    """``bulk_insert``'s rows must be a list of mappings: one mapping alone, or rows as
    tuples, are refused before anything is written."""
    if isinstance(rows, (Mapping, str)) or not isinstance(rows, Sequence):
        raise TypeError(
            f"bulk_insert({table.name!r}): rows must be a list of dictionaries, "
            f"got {type(rows).__name__}"
        )
    for row in rows:
        if not isinstance(row, Mapping):
            raise TypeError(
                f"bulk_insert({table.name!r}): each row must be a dictionary of column values, "
                f"got {type(row).__name__}"
            )


def literal_row(table: Table | TableClause, row: Mapping[str, Any]) -> dict[str, Any]:
    """Row values as literal binds typed by the table's columns (for offline INSERTs)."""
    values: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, ClauseElement):
            values[key] = value
            continue
        type_ = table.c[key].type if key in table.c else None
        if isinstance(type_, NullType):
            type_ = None  # an untyped sa.column(): the type follows the Python value
        values[key] = literal(value, type_)
    return values
