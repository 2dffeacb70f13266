"""Directives on tables and columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.sql.schema import SchemaItem

from sterna.operations.directives import DirectiveBase
from sterna.operations.ops.columns import AddColumnOp, AlterColumnOp, DropColumnOp
from sterna.operations.ops.comments import CreateTableCommentOp, DropTableCommentOp
from sterna.operations.ops.tables import CreateTableOp, DropTableOp, RenameTableOp


class TableDirectives(DirectiveBase):
    def create_table(
        self,
        table_name: str,
        *columns: SchemaItem,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> Table:
        """``CREATE TABLE``; returns the ``Table`` (handy for ``bulk_insert``).

        ``kw``: ``schema``, ``comment``, ``info``, ``prefixes`` and dialect options
        (``mysql_engine``...)."""
        schema = kw.pop("schema", None)
        op = CreateTableOp(table_name, columns, schema=schema, if_not_exists=if_not_exists, **kw)
        table: Table = self.invoke(op)
        return table

    def drop_table(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.invoke(DropTableOp(table_name, schema=schema, if_exists=if_exists, table_kw=kw))

    def rename_table(
        self, old_table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        self.invoke(RenameTableOp(old_table_name, new_table_name, schema=schema))

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        self.invoke(
            AddColumnOp(
                table_name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )

    def drop_column(
        self, table_name: str, column_name: str, *, schema: str | None = None, **kw: Any
    ) -> None:
        """``kw``: ``if_exists`` and dialect options."""
        if_exists = kw.pop("if_exists", None)
        self.invoke(DropColumnOp(table_name, column_name, schema=schema, if_exists=if_exists, **kw))

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | None | bool = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Change a column; ``existing_*`` describe it as it is (MySQL/MariaDB needs them to
        rewrite the whole definition: online, missing ones are read from the database).

        ``kw``: ``postgresql_using``, ``autoincrement``, ``existing_autoincrement``."""
        self.invoke(
            AlterColumnOp(
                table_name,
                column_name,
                schema=schema,
                existing_type=existing_type,
                existing_server_default=existing_server_default,
                existing_nullable=existing_nullable,
                existing_comment=existing_comment,
                modify_nullable=nullable,
                modify_comment=comment,
                modify_server_default=server_default,
                modify_name=new_column_name,
                modify_type=type_,
                **kw,
            )
        )

    def create_table_comment(
        self,
        table_name: str,
        comment: str | None,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        self.invoke(
            CreateTableCommentOp(
                table_name, comment, schema=schema, existing_comment=existing_comment
            )
        )

    def drop_table_comment(
        self,
        table_name: str,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        self.invoke(
            DropTableCommentOp(table_name, schema=schema, existing_comment=existing_comment)
        )
