"""Column operations: add, drop, alter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column
from sqlalchemy.types import NullType

from sterna.operations.ops.base import AlterTableOp

if TYPE_CHECKING:
    from sterna.operations.context_protocol import MigrationContextLike


@dataclass(eq=False, init=False)
class AddColumnOp(AlterTableOp):
    """``ALTER TABLE ... ADD COLUMN``."""

    table_phase = 3
    change_kind = "add_column"
    top_phase = 1

    column: Column[Any]
    if_not_exists: bool | None = None
    inline_references: bool | None = None
    inline_primary_key: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key
        self.kw = kw

    @classmethod
    def from_column(cls, col: Column[Any]) -> AddColumnOp:
        return cls(col.table.name, col, schema=col.table.schema)

    @classmethod
    def from_column_and_tablename(
        cls, schema: str | None, tname: str, col: Column[Any]
    ) -> AddColumnOp:
        return cls(tname, col, schema=schema)

    def to_column(self) -> Column[Any]:
        return self.column

    def reverse(self) -> DropColumnOp:
        op = DropColumnOp.from_column_and_tablename(self.schema, self.table_name, self.column)
        op.if_exists = self.if_not_exists
        return op

    def to_diff_tuple(self) -> tuple[str, str | None, str, Column[Any]]:
        return ("add_column", self.schema, self.table_name, self.column)


@dataclass(eq=False, init=False)
class DropColumnOp(AlterTableOp):
    """``ALTER TABLE ... DROP COLUMN``; ``_reverse`` keeps the column so it can be re-added."""

    table_phase = 5
    top_phase = 1

    column_name: str
    if_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    _reverse: AddColumnOp | None = None

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddColumnOp | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.if_exists = if_exists
        self.kw = kw
        self._reverse = _reverse

    @classmethod
    def from_column_and_tablename(
        cls, schema: str | None, tname: str, col: Column[Any]
    ) -> DropColumnOp:
        return cls(
            tname,
            col.name,
            schema=schema,
            _reverse=AddColumnOp.from_column_and_tablename(schema, tname, col),
        )

    def to_column(self, migration_context: MigrationContextLike | None = None) -> Column[Any]:
        if self._reverse is not None:
            return self._reverse.column
        from sterna.operations.schemaobj import SchemaObjects

        return SchemaObjects(migration_context).column(self.column_name, NullType())

    def reverse(self) -> AddColumnOp:
        if self._reverse is None:
            from sterna.errors_operations import IrreversibleOperation

            raise IrreversibleOperation(
                f"drop_column({self.table_name!r}, {self.column_name!r})",
                "the dropped column's definition is not known",
            )
        return AddColumnOp.from_column_and_tablename(
            self.schema, self.table_name, self._reverse.column
        )

    def to_diff_tuple(self) -> tuple[str, str | None, str, Column[Any]]:
        return ("remove_column", self.schema, self.table_name, self.to_column())


@dataclass(eq=False, init=False)
class AlterColumnOp(AlterTableOp):
    """``ALTER TABLE ... ALTER COLUMN``: each ``modify_*`` is a change, each ``existing_*`` the
    current state (``False`` for a server default, ``None`` otherwise, meaning "not given")."""

    table_phase = 4
    change_kind = "alter_column"
    top_phase = 1

    column_name: str
    existing_type: Any = None
    existing_server_default: Any = False
    existing_nullable: bool | None = None
    existing_comment: str | None = None
    modify_nullable: bool | None = None
    modify_comment: Any = False
    modify_server_default: Any = False
    modify_name: str | None = None
    modify_type: Any = None
    kw: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        existing_type: Any | None = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        modify_nullable: bool | None = None,
        modify_comment: Any = False,
        modify_server_default: Any = False,
        modify_name: str | None = None,
        modify_type: Any | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = existing_type
        self.existing_server_default = existing_server_default
        self.existing_nullable = existing_nullable
        self.existing_comment = existing_comment
        self.modify_nullable = modify_nullable
        self.modify_comment = modify_comment
        self.modify_server_default = modify_server_default
        self.modify_name = modify_name
        self.modify_type = modify_type
        self.kw = kw

    def has_changes(self) -> bool:
        if (
            self.modify_nullable is not None
            or self.modify_server_default is not False
            or self.modify_type is not None
            or self.modify_comment is not False
            or self.modify_name is not None
        ):
            return True
        return any(key.startswith("modify_") for key in self.kw)

    def _existing(self, *leave_out: str) -> dict[str, Any]:
        state = {
            "existing_nullable": self.existing_nullable,
            "existing_type": self.existing_type,
            "existing_server_default": self.existing_server_default,
            "existing_comment": self.existing_comment,
        }
        return {k: v for k, v in state.items() if k not in leave_out}

    def to_diff_tuple(self) -> list[tuple[Any, ...]]:
        """One ``modify_*`` tuple per changed aspect (type, nullable, default, comment)."""
        where = (self.schema, self.table_name, self.column_name)
        diffs: list[tuple[Any, ...]] = []
        if self.modify_type is not None:
            diffs.append(
                (
                    "modify_type",
                    *where,
                    self._existing("existing_type"),
                    self.existing_type,
                    self.modify_type,
                )
            )
        if self.modify_nullable is not None:
            diffs.append(
                (
                    "modify_nullable",
                    *where,
                    self._existing("existing_nullable"),
                    self.existing_nullable,
                    self.modify_nullable,
                )
            )
        if self.modify_server_default is not False:
            diffs.append(
                (
                    "modify_default",
                    *where,
                    self._existing("existing_server_default"),
                    self.existing_server_default,
                    self.modify_server_default,
                )
            )
        if self.modify_comment is not False:
            diffs.append(
                (
                    "modify_comment",
                    *where,
                    self._existing("existing_comment"),
                    self.existing_comment,
                    self.modify_comment,
                )
            )
        return diffs

    def reverse(self) -> AlterColumnOp:
        """Swap each change with the known existing state; a rename is renamed back."""
        kw = {k: v for k, v in self.kw.items() if not k.startswith("postgresql_using")}
        if "autoincrement" in kw or "existing_autoincrement" in kw:
            new = kw.pop("autoincrement", None)
            old = kw.pop("existing_autoincrement", None)
            if old is not None:
                kw["autoincrement"] = old
            if new is not None:
                kw["existing_autoincrement"] = new
        return AlterColumnOp(
            self.table_name,
            self.modify_name or self.column_name,
            schema=self.schema,
            existing_type=_after(self.modify_type, self.existing_type, None),
            existing_server_default=_after(
                self.modify_server_default, self.existing_server_default, False
            ),
            existing_nullable=_after(self.modify_nullable, self.existing_nullable, None),
            existing_comment=_after(self.modify_comment, self.existing_comment, False),
            modify_type=self.existing_type if self.modify_type is not None else None,
            modify_server_default=(
                self.existing_server_default if self.modify_server_default is not False else False
            ),
            modify_nullable=self.existing_nullable if self.modify_nullable is not None else None,
            modify_comment=(self.existing_comment if self.modify_comment is not False else False),
            modify_name=self.column_name if self.modify_name else None,
            **kw,
        )


def _after(modified: Any, existing: Any, unset: Any) -> Any:
    """The state after an alter: the new value when it changed, else the existing one."""
    return existing if modified is unset else modified
