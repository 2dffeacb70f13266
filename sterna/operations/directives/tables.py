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
        """Create a table (``CREATE TABLE``) and return it as a ``Table`` (handy for
        ``bulk_insert``).

        * ``table_name``: the new table's name.
        * ``columns``: its ``Column`` objects, and the constraints and indexes to create with it
          (``PrimaryKeyConstraint``, ``UniqueConstraint``, ``ForeignKeyConstraint``,
          ``CheckConstraint``, ``Index``).
        * ``if_not_exists``: write ``CREATE TABLE IF NOT EXISTS``.
        * ``kw``: ``schema``, ``comment``, ``info``, ``prefixes`` and dialect options such as
          ``mysql_engine``, given to the ``Table``."""
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
        """Drop a table (``DROP TABLE``).

        * ``table_name``, ``schema``: the table (default schema: the connection's).
        * ``if_exists``: write ``DROP TABLE IF EXISTS``.
        * ``kw``: given to the ``Table`` the statement is built from (dialect options)."""
        self.invoke(DropTableOp(table_name, schema=schema, if_exists=if_exists, table_kw=kw))

    def rename_table(
        self, old_table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        """Rename the table ``old_table_name`` (in ``schema``) to ``new_table_name``."""
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
        """Add a column to an existing table (``ALTER TABLE ... ADD COLUMN``), with what it
        brings along: its foreign keys, UNIQUE and type CHECK constraints, index and comment.

        * ``table_name``, ``schema``: the table.
        * ``column``: the new ``sqlalchemy.Column`` (not attached to a table); its
          ``server_default`` fills the existing rows.
        * ``if_not_exists``: write ``ADD COLUMN IF NOT EXISTS`` (PostgreSQL, MariaDB).
        * ``inline_references``: write the column's foreign key inline (``REFERENCES``) rather than
          as a separate ``ADD CONSTRAINT`` (default: what the dialect prefers).
        * ``inline_primary_key``: write ``PRIMARY KEY`` inline in the column's definition."""
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
        """Drop a column (``ALTER TABLE ... DROP COLUMN``).

        * ``table_name``, ``schema``: the table; ``column_name``: the column.
        * ``kw``: ``if_exists`` (write ``DROP COLUMN IF EXISTS``) and dialect options."""
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
        """Change a column: its nullability, type, server default, comment or name.

        What to change (a parameter left out leaves that property as it is):

        * ``nullable``: True for ``NULL``, False for ``NOT NULL``.
        * ``type_``: the new type (a SQLAlchemy type).
        * ``server_default``: the new server default (a string, ``text()`` or
          ``DefaultClause``), or None to drop it.
        * ``comment``: the new column comment, or None to drop it.
        * ``new_column_name``: the column's new name.

        How the column is now: ``existing_type``, ``existing_server_default``,
        ``existing_nullable``, ``existing_comment``.  MySQL/MariaDB rewrite the whole column
        definition and need them; online, the ones not given are read from the database.

        * ``table_name``, ``column_name``, ``schema``: the column to change.
        * ``kw``: ``postgresql_using`` (the ``USING`` expression of a type change),
          ``autoincrement``, ``existing_autoincrement`` and dialect options."""
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
        """Set the comment of table ``table_name`` (in ``schema``) to
        ``comment``.  ``existing_comment``: the comment it had, recorded so that the operation can
        be reversed."""
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
        """Remove the comment of table ``table_name`` (in ``schema``).
        ``existing_comment``: the comment it had, recorded so that the operation can be
        reversed."""
        self.invoke(
            DropTableCommentOp(table_name, schema=schema, existing_comment=existing_comment)
        )
