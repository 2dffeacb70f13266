"""Schema (namespace) operations (beyond Alembic): create and drop."""

from __future__ import annotations

from dataclasses import dataclass, field

from sterna.operations.ops.base import MigrateOperation


@dataclass(eq=False)
class CreateSchemaOp(MigrateOperation):
    """``CREATE SCHEMA`` (a database on MySQL/MariaDB)."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    schema_name: str
    if_not_exists: bool | None = field(default=None, kw_only=True)

    def reverse(self) -> DropSchemaOp:
        return DropSchemaOp(self.schema_name, if_exists=self.if_not_exists)

    def to_diff_tuple(self) -> tuple[str, str]:
        return ("add_schema", self.schema_name)


@dataclass(eq=False)
class DropSchemaOp(MigrateOperation):
    """``DROP SCHEMA``; ``cascade`` drops what it contains (PostgreSQL)."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    schema_name: str
    if_exists: bool | None = field(default=None, kw_only=True)
    cascade: bool = field(default=False, kw_only=True)

    def reverse(self) -> CreateSchemaOp:
        """Recreates the (empty) schema; objects dropped with it are not restored."""
        return CreateSchemaOp(self.schema_name, if_not_exists=self.if_exists)

    def to_diff_tuple(self) -> tuple[str, str]:
        return ("remove_schema", self.schema_name)
