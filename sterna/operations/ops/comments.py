"""Table comment operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

from sterna.operations.ops.base import AlterTableOp, MigrateOperation

if TYPE_CHECKING:
    from sterna.operations.context_protocol import MigrationContextLike


def _comment_table(
    migration_context: MigrationContextLike | None,
    name: str,
    schema: str | None,
    comment: str | None,
) -> Table:
    from sterna.operations.schemaobj import SchemaObjects

    return SchemaObjects(migration_context).table(name, schema=schema, comment=comment)


@dataclass(eq=False, init=False)
class CreateTableCommentOp(AlterTableOp):
    """Set a table's comment (``COMMENT ON TABLE`` / ``ALTER TABLE ... COMMENT``)."""

    table_phase = 9
    change_kind = "table_comment"
    top_phase = 1

    comment: str | None
    existing_comment: str | None = None

    def __init__(
        self,
        table_name: str,
        comment: str | None,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.comment = comment
        self.existing_comment = existing_comment

    def to_table(self, migration_context: MigrationContextLike | None = None) -> Table:
        return _comment_table(migration_context, self.table_name, self.schema, self.comment)

    def reverse(self) -> MigrateOperation:
        if self.existing_comment is None:
            return DropTableCommentOp(
                self.table_name, existing_comment=self.comment, schema=self.schema
            )
        return CreateTableCommentOp(
            self.table_name,
            self.existing_comment,
            existing_comment=self.comment,
            schema=self.schema,
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_table_comment", self.to_table(), self.existing_comment)


@dataclass(eq=False, init=False)
class DropTableCommentOp(AlterTableOp):
    """Remove a table's comment."""

    table_phase = 9
    change_kind = "table_comment"
    top_phase = 1

    existing_comment: str | None = None

    def __init__(
        self, table_name: str, *, schema: str | None = None, existing_comment: str | None = None
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.existing_comment = existing_comment

    def to_table(self, migration_context: MigrationContextLike | None = None) -> Table:
        return _comment_table(migration_context, self.table_name, self.schema, None)

    def reverse(self) -> CreateTableCommentOp:
        return CreateTableCommentOp(self.table_name, self.existing_comment, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_table_comment", self.to_table())
