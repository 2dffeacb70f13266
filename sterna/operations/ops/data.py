"""Data operations: bulk INSERT and arbitrary SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table
from sqlalchemy.sql.expression import Executable, TableClause

from sterna.operations.ops.base import MigrateOperation


@dataclass(eq=False)
class BulkInsertOp(MigrateOperation):
    """``INSERT`` of a list of rows: executemany online, one literal INSERT per row offline."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"reverse", "summary", "batch_change"})

    table: Table | TableClause
    rows: Sequence[Mapping[str, Any]]
    multiinsert: bool = field(default=True, kw_only=True)


@dataclass(eq=False)
class ExecuteSQLOp(MigrateOperation):
    """Arbitrary SQL: a string, ``text()`` or a Core statement."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"reverse", "summary", "batch_change"})

    sqltext: Executable | str
    execution_options: dict[str, Any] | None = field(default=None, kw_only=True)

    def to_diff_tuple(self) -> tuple[str, Executable | str]:
        return ("execute", self.sqltext)
