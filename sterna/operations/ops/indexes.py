"""Index operations: create and drop, on column names or SQL expressions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Index
from sqlalchemy.sql.elements import ColumnElement, TextClause

from sterna.operations.ops.base import MigrateOperation

if TYPE_CHECKING:
    from sterna.operations.context_protocol import MigrationContextLike

IndexColumn = str | TextClause | ColumnElement[Any]


def _index_table(index: Index) -> tuple[str | None, str | None]:
    table = index.table
    if table is None:
        return None, None
    return table.name, table.schema


@dataclass(eq=False, init=False)
class CreateIndexOp(MigrateOperation):
    """``CREATE [UNIQUE] INDEX``; dialect options (``postgresql_where``...) live in ``kw``."""

    table_phase = 7
    change_kind = "create_index"
    top_phase = 1

    index_name: Any
    table_name: str
    columns: list[IndexColumn]
    schema: str | None = None
    unique: bool = False
    if_not_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        index_name: Any,
        table_name: str,
        columns: Sequence[IndexColumn],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.columns = [columns] if isinstance(columns, str) else list(columns)
        self.schema = schema
        self.unique = unique
        self.if_not_exists = if_not_exists
        self.kw = kw

    @classmethod
    def from_index(cls, index: Index) -> CreateIndexOp:
        """The operation for ``index``: its plain columns kept as the ``Column`` objects of its
        table (as Alembic keeps them: rewriters such as GeoAlchemy2's read their types), other
        expressions detached from the table."""
        from sterna.operations.schemaobj import unbind_expression

        table_name, schema = _index_table(index)
        assert table_name is not None, "the index must belong to a table"
        columns = [e if isinstance(e, Column) else unbind_expression(e) for e in index.expressions]
        return cls(
            index.name,
            table_name,
            columns,
            schema=schema,
            unique=bool(index.unique),
            **index.kwargs,
        )

    def to_index(self, migration_context: MigrationContextLike | None = None) -> Index:
        from sterna.operations.schemaobj import SchemaObjects

        return SchemaObjects(migration_context).index(
            self.index_name,
            self.table_name,
            self.columns,
            schema=self.schema,
            unique=self.unique,
            **self.kw,
        )

    def reverse(self) -> DropIndexOp:
        op = DropIndexOp.from_index(self.to_index())
        op.if_exists = self.if_not_exists
        return op

    def to_diff_tuple(self) -> tuple[str, Index]:
        return ("add_index", self.to_index())


@dataclass(eq=False, init=False)
class DropIndexOp(MigrateOperation):
    """``DROP INDEX``; ``_reverse`` keeps the definition so the drop can be undone."""

    table_phase = 1
    change_kind = "drop_index"
    top_phase = 1

    index_name: Any
    table_name: str | None = None
    schema: str | None = None
    if_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    _reverse: CreateIndexOp | None = None

    def __init__(
        self,
        index_name: Any,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: CreateIndexOp | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse
        self.kw = kw

    @classmethod
    def from_index(cls, index: Index) -> DropIndexOp:
        table_name, schema = _index_table(index)
        return cls(
            index.name,
            table_name,
            schema=schema,
            _reverse=CreateIndexOp.from_index(index),
            **index.kwargs,
        )

    def to_index(self, migration_context: MigrationContextLike | None = None) -> Index:
        """The index to drop; without its definition, an index on a placeholder column."""
        from sterna.operations.schemaobj import SchemaObjects

        columns: list[IndexColumn] = self._reverse.columns if self._reverse else ["x"]
        kw = {k: v for k, v in self.kw.items() if k != "unique"}
        return SchemaObjects(migration_context).index(
            self.index_name,
            self.table_name,
            columns,
            schema=self.schema,
            unique=self._reverse.unique if self._reverse else False,
            **kw,
        )

    def reverse(self) -> CreateIndexOp:
        if self._reverse is None:
            from sterna.errors_operations import IrreversibleOperation

            raise IrreversibleOperation(
                f"drop_index({self.index_name!r})", "the dropped index's definition is not known"
            )
        op = CreateIndexOp.from_index(self.to_index())
        op.if_not_exists = self.if_exists
        return op

    def to_diff_tuple(self) -> tuple[str, Index]:
        return ("remove_index", self.to_index())
