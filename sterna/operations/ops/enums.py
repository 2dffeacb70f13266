"""PostgreSQL enum type operations (beyond Alembic): create, drop, add and rename values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sterna.operations.ops.base import MigrateOperation


@dataclass(eq=False, init=False)
class CreateEnumOp(MigrateOperation):
    """``CREATE TYPE name AS ENUM (...)``."""

    table_phase = 10
    top_phase = 0
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    enum_name: str
    values: list[str]
    schema: str | None = None
    if_not_exists: bool | None = None

    def __init__(
        self,
        enum_name: str,
        values: Sequence[str],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
    ) -> None:
        self.enum_name = enum_name
        self.values = list(values)
        self.schema = schema
        self.if_not_exists = if_not_exists

    def reverse(self) -> DropEnumOp:
        return DropEnumOp(
            self.enum_name, schema=self.schema, if_exists=self.if_not_exists, values=self.values
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_enum", self.schema, self.enum_name, tuple(self.values))


@dataclass(eq=False, init=False)
class DropEnumOp(MigrateOperation):
    """``DROP TYPE name``; ``values`` (when known) make the drop reversible."""

    table_phase = 10
    top_phase = 2
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    enum_name: str
    schema: str | None = None
    if_exists: bool | None = None
    values: list[str] | None = None

    def __init__(
        self,
        enum_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        values: Sequence[str] | None = None,
    ) -> None:
        self.enum_name = enum_name
        self.schema = schema
        self.if_exists = if_exists
        self.values = list(values) if values is not None else None

    def reverse(self) -> CreateEnumOp:
        if self.values is None:
            from sterna.errors_operations import IrreversibleOperation

            raise IrreversibleOperation(
                f"drop_enum({self.enum_name!r})", "the enum's values are not known (pass values=)"
            )
        return CreateEnumOp(
            self.enum_name, self.values, schema=self.schema, if_not_exists=self.if_exists
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        values = tuple(self.values) if self.values is not None else None
        return ("remove_enum", self.schema, self.enum_name, values)


@dataclass(eq=False)
class AddEnumValueOp(MigrateOperation):
    """``ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'v' [BEFORE|AFTER 'w']``."""

    table_phase = 10
    top_phase = 0
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    enum_name: str
    value: str
    schema: str | None = field(default=None, kw_only=True)
    before: str | None = field(default=None, kw_only=True)
    after: str | None = field(default=None, kw_only=True)
    if_not_exists: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.before is not None and self.after is not None:
            raise ValueError("add_enum_value() takes before= or after=, not both")

    def reverse(self) -> DropEnumValueOp:
        return DropEnumValueOp(self.enum_name, self.value, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_enum_value", self.schema, self.enum_name, self.value)


@dataclass(eq=False)
class DropEnumValueOp(MigrateOperation):
    """Remove a value from an enum type.  PostgreSQL has no ``DROP VALUE``: the type is rebuilt
    without the value and every column using it is converted (rows holding the value make the
    conversion fail, leaving the transaction to roll back).  Online only."""

    table_phase = 10
    top_phase = 2
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    enum_name: str
    value: str
    schema: str | None = field(default=None, kw_only=True)

    def reverse(self) -> AddEnumValueOp:
        return AddEnumValueOp(self.enum_name, self.value, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_enum_value", self.schema, self.enum_name, self.value)


@dataclass(eq=False)
class RenameEnumValueOp(MigrateOperation):
    """``ALTER TYPE name RENAME VALUE 'old' TO 'new'``."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    enum_name: str
    old_value: str
    new_value: str
    schema: str | None = field(default=None, kw_only=True)

    def reverse(self) -> RenameEnumValueOp:
        return RenameEnumValueOp(self.enum_name, self.new_value, self.old_value, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("rename_enum_value", self.schema, self.enum_name, self.old_value, self.new_value)
