"""Table operations: create, drop, rename."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, PrimaryKeyConstraint, Table
from sqlalchemy.sql.schema import Constraint, SchemaItem

from sterna.operations.ops.base import AlterTableOp, MigrateOperation

if TYPE_CHECKING:
    from sterna.operations.context_protocol import MigrationContextLike


@dataclass(eq=False, init=False)
class CreateTableOp(MigrateOperation):
    """``CREATE TABLE``: a name, its columns and constraints, and table options."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    table_name: str
    columns: list[SchemaItem]
    schema: str | None = None
    if_not_exists: bool | None = None
    info: dict[Any, Any] = field(default_factory=dict)
    comment: str | None = None
    prefixes: list[str] = field(default_factory=list)
    kw: dict[str, Any] = field(default_factory=dict)
    _namespace_metadata: MetaData | None = None
    _constraints_included: bool = False

    def __init__(
        self,
        table_name: str,
        columns: Sequence[SchemaItem],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        _namespace_metadata: MetaData | None = None,
        _constraints_included: bool = False,
        **kw: Any,
    ) -> None:
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.if_not_exists = if_not_exists
        self.info = kw.pop("info", {})
        self.comment = kw.pop("comment", None)
        self.prefixes = list(kw.pop("prefixes", None) or [])
        self.kw = kw
        self._namespace_metadata = _namespace_metadata
        self._constraints_included = _constraints_included

    @classmethod
    def from_table(
        cls, table: Table, *, _namespace_metadata: MetaData | None = None
    ) -> CreateTableOp:
        """The operation that creates ``table`` as defined (columns, constraints, options)."""
        from sterna.operations.schemaobj import detach

        items: list[SchemaItem] = [detach(c) for c in table.columns]
        items.extend(detach(c) for c in explicit_constraints(table))
        return cls(
            table.name,
            items,
            schema=table.schema,
            _namespace_metadata=_namespace_metadata or table.metadata,
            _constraints_included=True,
            comment=table.comment,
            info=dict(table.info),
            prefixes=list(table._prefixes),
            **table.kwargs,
        )

    def to_table(self, migration_context: MigrationContextLike | None = None) -> Table:
        """A ``Table`` object for this definition (fresh copies of the given items)."""
        from sterna.operations.schemaobj import SchemaObjects, detach, is_attached

        kw = dict(self.kw)
        if self.comment is not None:
            kw["comment"] = self.comment
        if self.info:
            kw["info"] = dict(self.info)
        if self.prefixes:
            kw["prefixes"] = list(self.prefixes)
        items = [detach(item) if is_attached(item) else item for item in self.columns]
        return SchemaObjects(migration_context).table(
            self.table_name, *items, schema=self.schema, **kw
        )

    def reverse(self) -> DropTableOp:
        return DropTableOp.from_table(self.to_table(), _namespace_metadata=self._namespace_metadata)

    def to_diff_tuple(self) -> tuple[str, Table]:
        return ("add_table", self.to_table())


@dataclass(eq=False, init=False)
class DropTableOp(MigrateOperation):
    """``DROP TABLE``; ``_reverse`` keeps the definition so the drop can be undone."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    table_name: str
    schema: str | None = None
    if_exists: bool | None = None
    table_kw: dict[Any, Any] = field(default_factory=dict)
    comment: str | None = None
    prefixes: list[str] = field(default_factory=list)
    _reverse: CreateTableOp | None = None

    def __init__(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        table_kw: MutableMapping[Any, Any] | None = None,
        _reverse: CreateTableOp | None = None,
    ) -> None:
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self.table_kw = dict(table_kw or {})
        self.comment = self.table_kw.pop("comment", None)
        self.info = self.table_kw.pop("info", None) or {}
        self.prefixes = list(self.table_kw.pop("prefixes", None) or [])
        self._reverse = _reverse

    @classmethod
    def from_table(
        cls, table: Table, *, _namespace_metadata: MetaData | None = None
    ) -> DropTableOp:
        create = CreateTableOp.from_table(table, _namespace_metadata=_namespace_metadata)
        table_kw = dict(table.kwargs)
        table_kw.update(
            comment=table.comment, info=dict(table.info), prefixes=list(table._prefixes)
        )
        return cls(table.name, schema=table.schema, table_kw=table_kw, _reverse=create)

    def to_table(self, migration_context: MigrationContextLike | None = None) -> Table:
        """The dropped table: the columns and constraints the reverse keeps (if any), with this
        operation's options (``table_kw``, ``comment``, ``info``, ``prefixes``), so that
        options changed on this operation show in the table and in ``reverse()``."""
        kw = dict(self.table_kw)
        kw.update(comment=self.comment, info=dict(self.info), prefixes=list(self.prefixes))
        items = self._reverse.columns if self._reverse is not None else []
        return CreateTableOp(self.table_name, items, schema=self.schema, **kw).to_table(
            migration_context
        )

    def reverse(self) -> CreateTableOp:
        if self._reverse is None:
            from sterna.errors_operations import IrreversibleOperation

            raise IrreversibleOperation(
                f"drop_table({self.table_name!r})", "the dropped table's definition is not known"
            )
        return CreateTableOp.from_table(
            self.to_table(), _namespace_metadata=self._reverse._namespace_metadata
        )

    def to_diff_tuple(self) -> tuple[str, Table]:
        return ("remove_table", self.to_table())


@dataclass(eq=False, init=False)
class RenameTableOp(AlterTableOp):
    """``ALTER TABLE ... RENAME TO ...`` (the table stays in its schema)."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    new_table_name: str

    def __init__(
        self, old_table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name

    @property
    def old_table_name(self) -> str:
        return self.table_name

    def reverse(self) -> RenameTableOp:
        return RenameTableOp(self.new_table_name, self.table_name, schema=self.schema)

    def to_diff_tuple(self) -> tuple[str, str | None, str, str]:
        return ("rename_table", self.schema, self.table_name, self.new_table_name)


def explicit_constraints(table: Table) -> list[Constraint]:
    """Table-level constraints to carry over; those a column or type generates are rebuilt by
    copying that column, so they are left out here."""
    result: list[Constraint] = []
    for constraint in sorted(table.constraints, key=lambda c: c._creation_order):
        if getattr(constraint, "_type_bound", False) or getattr(constraint, "_column_flag", False):
            continue
        if isinstance(constraint, PrimaryKeyConstraint) and not constraint.columns:
            continue
        result.append(constraint)
    return result
