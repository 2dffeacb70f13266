"""The directives of batch mode: ``batch_op.add_column(...)`` and the rest, inside ``with
op.batch_alter_table("t") as batch_op:``.

They take Alembic's batch signatures: no table name or schema (the batch's are used); each
builds the usual operation object and invokes it, which ``BatchOperations`` queues until the
block ends (see :mod:`sterna.operations.batch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column
from sqlalchemy.sql.elements import ColumnElement, TextClause

from sterna.operations import ops
from sterna.operations.directives import DirectiveBase


class BatchDirectives(DirectiveBase):
    """The table-less directives of ``BatchOperations``."""

    if TYPE_CHECKING:

        @property
        def table_name(self) -> str: ...

        @property
        def schema(self) -> str | None: ...

    def add_column(
        self,
        column: Column[Any],
        insert_before: str | None = None,
        insert_after: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        """Queue adding ``column`` (a ``sqlalchemy.Column``) to the batch's table.

        * ``insert_before``, ``insert_after``: the name of a column to place it before or after
          in the rebuilt table (needs a rebuild).
        * ``if_not_exists``: add it only if the table has no such column.
        * ``inline_references``, ``inline_primary_key``: as ``op.add_column``'s, when the column
          is added in place (``ALTER TABLE ... ADD COLUMN``); a rebuilt table writes the
          column's keys in its ``CREATE TABLE`` anyway."""
        kw: dict[str, Any] = {
            k: v
            for k, v in (("insert_before", insert_before), ("insert_after", insert_after))
            if v is not None
        }
        self.invoke(
            ops.AddColumnOp(
                self.table_name,
                column,
                schema=self.schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
                **kw,
            )
        )

    def drop_column(self, column_name: str, **kw: Any) -> None:
        """Queue dropping the column ``column_name`` of the batch's table.  ``kw``:
        ``if_exists`` and dialect options."""
        if_exists = kw.pop("if_exists", None)
        self.invoke(
            ops.DropColumnOp(
                self.table_name, column_name, schema=self.schema, if_exists=if_exists, **kw
            )
        )

    def alter_column(
        self,
        column_name: str,
        nullable: bool | None = None,
        comment: str | None | bool = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        """Queue a change to the column ``column_name`` of the batch's table (rebuilt on
        SQLite for a new type, nullability or server default).

        * ``nullable``, ``type_``, ``server_default``, ``comment``, ``new_column_name``: what to
          change, as for ``op.alter_column`` (left out: unchanged).
        * ``existing_type``, ``existing_server_default``, ``existing_nullable``,
          ``existing_comment``: the column as it is now.
        * ``insert_before``, ``insert_after``: the name of a column to move it before or after
          in the rebuilt table (needs a rebuild).
        * ``kw``: ``postgresql_using``, ``autoincrement``, ``existing_autoincrement`` and dialect
          options."""
        for key, value in (("insert_before", insert_before), ("insert_after", insert_after)):
            if value is not None:
                kw[key] = value
        self.invoke(
            ops.AlterColumnOp(
                self.table_name,
                column_name,
                schema=self.schema,
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

    def create_primary_key(self, constraint_name: str | None, columns: Sequence[str]) -> None:
        """Queue adding a primary key on ``columns`` (column names, in order) to
        the batch's table; ``constraint_name``: its name, or None to have the naming convention
        name it."""
        self.invoke(
            ops.CreatePrimaryKeyOp(constraint_name, self.table_name, columns, schema=self.schema)
        )

    def create_foreign_key(
        self,
        constraint_name: str | None,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        referent_schema: str | None = None,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        """Queue adding a foreign key from the batch's table to
        ``referent_table``.

        * ``constraint_name``: its name, or None to have the naming convention name it.
        * ``local_cols``: the batch table's columns; ``remote_cols``: the referred columns.
        * ``referent_schema``: the schema of ``referent_table``.
        * ``onupdate``, ``ondelete``, ``deferrable``, ``initially``, ``match``: as for
          ``op.create_foreign_key``.
        * ``dialect_kw``: dialect options of the ``ForeignKeyConstraint``."""
        self.invoke(
            ops.CreateForeignKeyOp(
                constraint_name,
                self.table_name,
                referent_table,
                local_cols,
                remote_cols,
                onupdate=onupdate,
                ondelete=ondelete,
                deferrable=deferrable,
                initially=initially,
                match=match,
                source_schema=self.schema,
                referent_schema=referent_schema,
                **dialect_kw,
            )
        )

    def create_unique_constraint(
        self, constraint_name: str | None, columns: Sequence[str], **kw: Any
    ) -> None:
        """Queue adding a UNIQUE constraint on ``columns`` (column names) to
        the batch's table.  ``constraint_name``: its name, or None to have the naming convention
        name it; ``kw``: ``deferrable``, ``initially`` and dialect options."""
        self.invoke(
            ops.CreateUniqueConstraintOp(
                constraint_name, self.table_name, columns, schema=self.schema, **kw
            )
        )

    def create_check_constraint(
        self,
        constraint_name: str | None,
        condition: str | ColumnElement[bool] | TextClause,
        **kw: Any,
    ) -> None:
        """Queue adding a CHECK constraint to the batch's table.
        ``condition``: SQL text or a SQLAlchemy boolean expression; ``constraint_name``: its name,
        or None to have the naming convention name it; ``kw``: ``deferrable``, ``initially`` and
        dialect options."""
        self.invoke(
            ops.CreateCheckConstraintOp(
                constraint_name, self.table_name, condition, schema=self.schema, **kw
            )
        )

    def create_exclude_constraint(self, constraint_name: str, *elements: Any, **kw: Any) -> None:
        """Queue adding a PostgreSQL ``EXCLUDE`` constraint named
        ``constraint_name`` to the batch's table; ``elements``: ``(column or expression,
        operator)`` pairs; ``kw``: ``where``, ``using``, ``deferrable``, ``initially``."""
        where = kw.pop("where", None)
        self.invoke(
            ops.CreateExcludeConstraintOp(
                constraint_name, self.table_name, elements, where=where, schema=self.schema, **kw
            )
        )

    def drop_constraint(self, constraint_name: str, type_: str | None = None) -> None:
        """Queue dropping the constraint ``constraint_name`` of the batch's table;
        ``type_``: ``"foreignkey"``, ``"primary"``, ``"unique"`` or ``"check"`` (MySQL/MariaDB
        need it)."""
        self.invoke(
            ops.DropConstraintOp(constraint_name, self.table_name, type_, schema=self.schema)
        )

    def create_index(
        self,
        index_name: str | None,
        columns: Sequence[str | TextClause | ColumnElement[Any]],
        **kw: Any,
    ) -> None:
        """Queue creating an index on the batch's table.  ``index_name``: its name, or
        None to have the naming convention name it; ``columns``: column names or SQL expressions;
        ``kw``: ``unique``, ``if_not_exists`` and dialect options (``postgresql_where``...)."""
        unique = bool(kw.pop("unique", False))
        if_not_exists = kw.pop("if_not_exists", None)
        self.invoke(
            ops.CreateIndexOp(
                index_name,
                self.table_name,
                columns,
                schema=self.schema,
                unique=unique,
                if_not_exists=if_not_exists,
                **kw,
            )
        )

    def drop_index(self, index_name: str, **kw: Any) -> None:
        """Queue dropping the index ``index_name`` of the batch's table; ``kw``:
        ``if_exists`` and dialect options."""
        if_exists = kw.pop("if_exists", None)
        self.invoke(
            ops.DropIndexOp(
                index_name, self.table_name, schema=self.schema, if_exists=if_exists, **kw
            )
        )

    def create_table_comment(
        self, comment: str | None, existing_comment: str | None = None
    ) -> None:
        """Queue setting the comment of the batch's table to ``comment``;
        ``existing_comment``: the comment it had, recorded so that the operation can be
        reversed."""
        self.invoke(
            ops.CreateTableCommentOp(
                self.table_name, comment, schema=self.schema, existing_comment=existing_comment
            )
        )

    def drop_table_comment(self, existing_comment: str | None = None) -> None:
        """Queue removing the comment of the batch's table;
        ``existing_comment``: the comment it had, recorded so that the operation can be
        reversed."""
        self.invoke(
            ops.DropTableCommentOp(
                self.table_name, schema=self.schema, existing_comment=existing_comment
            )
        )

    def execute(self, sqltext: Any, execution_options: dict[str, Any] | None = None) -> None:
        """Run ``sqltext`` (a string, ``text()`` or a Core statement) at this point of
        the batch: after the operations queued before it are applied, before those queued after
        it.  ``execution_options``: given to the connection's ``execute``."""
        self.invoke(ops.ExecuteSQLOp(sqltext, execution_options=execution_options))
