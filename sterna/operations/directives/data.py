"""Directives on data: bulk INSERT and arbitrary SQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.sql.expression import Executable, TableClause

from sterna.operations.directives import DirectiveBase
from sterna.operations.ops.data import BulkInsertOp, ExecuteSQLOp


class DataDirectives(DirectiveBase):
    def bulk_insert(
        self,
        table: Table | TableClause,
        rows: Iterable[Mapping[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        """INSERT rows into a table, online and offline (offline, the values are written
        into the SQL as literals).

        * ``table``: a ``Table``, or a lightweight ``sqlalchemy.table("name", sa.column("id"),
          ...)`` naming the columns (their types are used to render the values offline).
        * ``rows``: dictionaries keyed by column name (a list, or any iterable of them).
        * ``multiinsert``: online, send rows with the same keys in one ``executemany`` (the
          default) rather than one INSERT each; rows holding SQL expressions always go one by
          one."""
        # one row alone (a mapping, or a string) is refused by the DDL layer, as it is given
        given: Any = rows if isinstance(rows, (Mapping, str)) else list(rows)
        self.invoke(BulkInsertOp(table, given, multiinsert=multiinsert))

    def execute(
        self, sqltext: Executable | str, *, execution_options: dict[str, Any] | None = None
    ) -> None:
        """Run SQL in the migration: online on the connection, offline written to the
        output.

        * ``sqltext``: a string (run as ``text()``), a ``text()`` construct or a SQLAlchemy Core
          statement (``sa.update(...)``, ``sa.insert(...)``...).
        * ``execution_options``: given to the connection's ``execute``."""
        self.invoke(ExecuteSQLOp(sqltext, execution_options=execution_options))
