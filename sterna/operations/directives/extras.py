"""Directives beyond Alembic: sequences, schemas, PostgreSQL enum types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sterna.operations.directives import DirectiveBase
from sterna.operations.ops.enums import (
    AddEnumValueOp,
    CreateEnumOp,
    DropEnumOp,
    DropEnumValueOp,
    RenameEnumValueOp,
)
from sterna.operations.ops.schemas import CreateSchemaOp, DropSchemaOp
from sterna.operations.ops.sequences import CreateSequenceOp, DropSequenceOp


class ExtraDirectives(DirectiveBase):
    def create_sequence(
        self,
        sequence_name: str,
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """``kw``: the ``sqlalchemy.Sequence`` options (start, increment, minvalue, maxvalue,
        cycle, cache...)."""
        self.invoke(
            CreateSequenceOp(sequence_name, schema=schema, if_not_exists=if_not_exists, **kw)
        )

    def drop_sequence(
        self, sequence_name: str, *, schema: str | None = None, if_exists: bool | None = None
    ) -> None:
        self.invoke(DropSequenceOp(sequence_name, schema=schema, if_exists=if_exists))

    def create_schema(self, schema_name: str, *, if_not_exists: bool | None = None) -> None:
        self.invoke(CreateSchemaOp(schema_name, if_not_exists=if_not_exists))

    def drop_schema(
        self, schema_name: str, *, if_exists: bool | None = None, cascade: bool = False
    ) -> None:
        self.invoke(DropSchemaOp(schema_name, if_exists=if_exists, cascade=cascade))

    def create_enum(
        self,
        enum_name: str,
        values: Sequence[str],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
    ) -> None:
        """PostgreSQL ``CREATE TYPE ... AS ENUM``; nothing on backends without named enums."""
        self.invoke(CreateEnumOp(enum_name, values, schema=schema, if_not_exists=if_not_exists))

    def drop_enum(
        self,
        enum_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        values: Sequence[str] | None = None,
    ) -> None:
        """``values`` (optional) records the type's values so the drop can be reversed."""
        self.invoke(DropEnumOp(enum_name, schema=schema, if_exists=if_exists, values=values))

    def add_enum_value(
        self,
        enum_name: str,
        value: str,
        *,
        schema: str | None = None,
        before: str | None = None,
        after: str | None = None,
        if_not_exists: bool = False,
    ) -> None:
        """``ALTER TYPE ... ADD VALUE``; run outside the transaction on PostgreSQL < 12."""
        self.invoke(
            AddEnumValueOp(
                enum_name,
                value,
                schema=schema,
                before=before,
                after=after,
                if_not_exists=if_not_exists,
            )
        )

    def rename_enum_value(
        self, enum_name: str, old_value: str, new_value: str, *, schema: str | None = None
    ) -> None:
        self.invoke(RenameEnumValueOp(enum_name, old_value, new_value, schema=schema))

    def drop_enum_value(self, enum_name: str, value: str, *, schema: str | None = None) -> None:
        """Remove a value by rebuilding the type (PostgreSQL, online only)."""
        self.invoke(DropEnumValueOp(enum_name, value, schema=schema))
