"""Directives on constraints and indexes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.sql.elements import ColumnElement, TextClause

from sterna.operations.directives import DirectiveBase
from sterna.operations.ops.constraints import (
    CreateCheckConstraintOp,
    CreateExcludeConstraintOp,
    CreateForeignKeyOp,
    CreatePrimaryKeyOp,
    CreateUniqueConstraintOp,
    DropConstraintOp,
)
from sterna.operations.ops.indexes import CreateIndexOp, DropIndexOp


class ConstraintDirectives(DirectiveBase):
    def create_primary_key(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
    ) -> None:
        self.invoke(CreatePrimaryKeyOp(constraint_name, table_name, columns, schema=schema))

    def create_unique_constraint(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """``kw``: ``deferrable``, ``initially`` and dialect options."""
        self.invoke(
            CreateUniqueConstraintOp(constraint_name, table_name, columns, schema=schema, **kw)
        )

    def create_foreign_key(
        self,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        *,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        self.invoke(
            CreateForeignKeyOp(
                constraint_name,
                source_table,
                referent_table,
                local_cols,
                remote_cols,
                onupdate=onupdate,
                ondelete=ondelete,
                deferrable=deferrable,
                initially=initially,
                match=match,
                source_schema=source_schema,
                referent_schema=referent_schema,
                **dialect_kw,
            )
        )

    def create_check_constraint(
        self,
        constraint_name: str | None,
        table_name: str,
        condition: str | ColumnElement[bool] | TextClause,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.invoke(
            CreateCheckConstraintOp(constraint_name, table_name, condition, schema=schema, **kw)
        )

    def create_exclude_constraint(
        self, constraint_name: str, table_name: str, *elements: Any, **kw: Any
    ) -> None:
        """PostgreSQL ``EXCLUDE`` constraint: ``elements`` are ``(column, operator)`` pairs;
        ``kw``: ``where``, ``using``, ``schema``, ``deferrable``, ``initially``."""
        where = kw.pop("where", None)
        schema = kw.pop("schema", None)
        self.invoke(
            CreateExcludeConstraintOp(
                constraint_name, table_name, elements, where=where, schema=schema, **kw
            )
        )

    def drop_constraint(
        self,
        constraint_name: str,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
    ) -> None:
        """``type_``: ``foreignkey``, ``primary``, ``unique`` or ``check`` (MySQL needs it)."""
        self.invoke(
            DropConstraintOp(constraint_name, table_name, type_, schema=schema, if_exists=if_exists)
        )

    def create_index(
        self,
        index_name: str | None,
        table_name: str,
        columns: Sequence[str | TextClause | ColumnElement[Any]],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Columns are names or SQL expressions (``text("lower(name)")``); ``kw`` holds dialect
        options such as ``postgresql_where``, ``postgresql_include``,
        ``postgresql_concurrently``, ``mysql_length``."""
        self.invoke(
            CreateIndexOp(
                index_name,
                table_name,
                columns,
                schema=schema,
                unique=unique,
                if_not_exists=if_not_exists,
                **kw,
            )
        )

    def drop_index(
        self,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.invoke(DropIndexOp(index_name, table_name, schema=schema, if_exists=if_exists, **kw))
