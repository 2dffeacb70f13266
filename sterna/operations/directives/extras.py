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
        """Create a sequence (``CREATE SEQUENCE``); an error on databases without
        sequences.

        * ``sequence_name``, ``schema``: the sequence.
        * ``if_not_exists``: write ``CREATE SEQUENCE IF NOT EXISTS``.
        * ``kw``: the ``sqlalchemy.Sequence`` options (``start``, ``increment``, ``minvalue``,
          ``maxvalue``, ``cycle``, ``cache``...)."""
        self.invoke(
            CreateSequenceOp(sequence_name, schema=schema, if_not_exists=if_not_exists, **kw)
        )

    def drop_sequence(
        self, sequence_name: str, *, schema: str | None = None, if_exists: bool | None = None
    ) -> None:
        """Drop the sequence ``sequence_name`` (in ``schema``); ``if_exists``: write
        ``DROP SEQUENCE IF EXISTS``.  An error on databases without sequences."""
        self.invoke(DropSequenceOp(sequence_name, schema=schema, if_exists=if_exists))

    def create_schema(self, schema_name: str, *, if_not_exists: bool | None = None) -> None:
        """Create the schema ``schema_name`` (``CREATE SCHEMA``; a database on
        MySQL/MariaDB); ``if_not_exists``: write ``CREATE SCHEMA IF NOT EXISTS``."""
        self.invoke(CreateSchemaOp(schema_name, if_not_exists=if_not_exists))

    def drop_schema(
        self, schema_name: str, *, if_exists: bool | None = None, cascade: bool = False
    ) -> None:
        """Drop the schema ``schema_name`` (``DROP SCHEMA``).  ``if_exists``: write
        ``DROP SCHEMA IF EXISTS``; ``cascade``: drop what it holds too (``CASCADE``)."""
        self.invoke(DropSchemaOp(schema_name, if_exists=if_exists, cascade=cascade))

    def create_enum(
        self,
        enum_name: str,
        values: Sequence[str],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
    ) -> None:
        """Create a named enum type (PostgreSQL ``CREATE TYPE ... AS ENUM``); on
        databases without named enum types it does nothing (the enum lives in its column's type).

        * ``enum_name``, ``schema``: the type; ``values``: its values, in order.
        * ``if_not_exists``: create it only when it does not exist."""
        self.invoke(CreateEnumOp(enum_name, values, schema=schema, if_not_exists=if_not_exists))

    def drop_enum(
        self,
        enum_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        values: Sequence[str] | None = None,
    ) -> None:
        """Drop a named enum type (PostgreSQL ``DROP TYPE``); nothing on databases
        without named enum types.

        * ``enum_name``, ``schema``: the type.
        * ``if_exists``: write ``DROP TYPE IF EXISTS``.
        * ``values``: the type's values, recorded so that the drop can be reversed."""
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
        """Add a value to a named enum type (PostgreSQL ``ALTER TYPE ... ADD
        VALUE``), run outside the transaction on PostgreSQL < 12.  Elsewhere an error: change the
        column's ``Enum`` type with ``alter_column``.

        * ``enum_name``, ``schema``: the type; ``value``: the new value.
        * ``before``, ``after``: an existing value to place it before or after (default: last).
        * ``if_not_exists``: do nothing when the value exists already."""
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
        """Rename the value ``old_value`` of the named enum type ``enum_name`` (in
        ``schema``) to ``new_value`` (PostgreSQL ``ALTER TYPE ... RENAME VALUE``); elsewhere an
        error."""
        self.invoke(RenameEnumValueOp(enum_name, old_value, new_value, schema=schema))

    def drop_enum_value(self, enum_name: str, value: str, *, schema: str | None = None) -> None:
        """Remove ``value`` from the named enum type ``enum_name`` (in ``schema``), by
        rebuilding the type and converting the columns that use it (PostgreSQL, online only);
        elsewhere an error."""
        self.invoke(DropEnumValueOp(enum_name, value, schema=schema))
