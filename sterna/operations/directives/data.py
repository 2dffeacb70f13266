"""Directives on data: bulk INSERT and arbitrary SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.sql.expression import Executable, TableClause

from sterna.operations.directives import DirectiveBase
from sterna.operations.ops.data import BulkInsertOp, ExecuteSQLOp


class DataDirectives(DirectiveBase):
    def bulk_insert(
        self,
        table: Table | TableClause,
        rows: Sequence[Mapping[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        """INSERT ``rows`` (dicts keyed by column name) into ``table`` (a ``Table`` or a
        lightweight ``sqlalchemy.table()``)."""
        self.invoke(BulkInsertOp(table, list(rows), multiinsert=multiinsert))

    def execute(
        self, sqltext: Executable | str, *, execution_options: dict[str, Any] | None = None
    ) -> None:
        """Run SQL: a string, ``text()`` or a Core statement."""
        self.invoke(ExecuteSQLOp(sqltext, execution_options=execution_options))
