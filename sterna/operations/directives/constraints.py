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
        """Add a primary key to an existing table (``ALTER TABLE ... ADD
        CONSTRAINT ... PRIMARY KEY``).

        * ``constraint_name``: its name, or None to have the naming convention of
          ``target_metadata`` name it.
        * ``table_name``, ``schema``: the table.
        * ``columns``: the names of the key's columns, in order."""
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
        """Add a UNIQUE constraint to an existing table.

        * ``constraint_name``: its name, or None to have the naming convention of
          ``target_metadata`` name it.
        * ``table_name``, ``schema``: the table; ``columns``: the names of its columns.
        * ``kw``: ``deferrable``, ``initially`` and dialect options."""
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
        """Add a foreign key from ``source_table`` to ``referent_table``.

        * ``constraint_name``: its name, or None to have the naming convention of
          ``target_metadata`` name it.
        * ``source_table``, ``source_schema``: the table holding the key; ``local_cols``: its
          columns.
        * ``referent_table``, ``referent_schema``: the table referred to; ``remote_cols``: its
          columns, in the same order.
        * ``onupdate``, ``ondelete``: the ``ON UPDATE`` / ``ON DELETE`` action (``CASCADE``,
          ``SET NULL``...).
        * ``deferrable``, ``initially``: ``DEFERRABLE`` and ``INITIALLY DEFERRED|IMMEDIATE``.
        * ``match``: the ``MATCH`` clause (``FULL``...).
        * ``dialect_kw``: dialect options of the ``ForeignKeyConstraint``."""
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
        """Add a CHECK constraint to an existing table.

        * ``constraint_name``: its name, or None to have the naming convention of
          ``target_metadata`` name it.
        * ``table_name``, ``schema``: the table.
        * ``condition``: SQL text or a SQLAlchemy boolean expression
          (``sa.column("price") > 0``).
        * ``kw``: ``deferrable``, ``initially`` and dialect options."""
        self.invoke(
            CreateCheckConstraintOp(constraint_name, table_name, condition, schema=schema, **kw)
        )

    def create_exclude_constraint(
        self, constraint_name: str, table_name: str, *elements: Any, **kw: Any
    ) -> None:
        """Add a PostgreSQL ``EXCLUDE`` constraint to an existing table.

        * ``constraint_name``: its name; ``table_name``: the table.
        * ``elements``: ``(column or expression, operator)`` pairs, such as
          ``("room", "="), ("during", "&&")``.
        * ``kw``: ``where`` (the predicate of a partial constraint), ``using`` (the index method,
          default ``gist``), ``schema``, ``deferrable``, ``initially``."""
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
        """Drop a constraint (``ALTER TABLE ... DROP CONSTRAINT``).

        * ``constraint_name``: its name; ``table_name``, ``schema``: its table.
        * ``type_``: ``"foreignkey"``, ``"primary"``, ``"unique"`` or ``"check"``; MySQL/MariaDB
          need it, as they drop each kind with a statement of its own.
        * ``if_exists``: write ``DROP CONSTRAINT IF EXISTS``."""
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
        """Create an index (``CREATE INDEX``).

        * ``index_name``: its name, or None to have the naming convention of
          ``target_metadata`` name it.
        * ``table_name``, ``schema``: the table.
        * ``columns``: column names or SQL expressions (``sa.text("lower(email)")``).
        * ``unique``: a unique index.
        * ``if_not_exists``: write ``CREATE INDEX IF NOT EXISTS``.
        * ``kw``: dialect options such as ``postgresql_where``, ``postgresql_include``,
          ``postgresql_using``, ``postgresql_concurrently``, ``mysql_length``."""
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
        """Drop an index (``DROP INDEX``).

        * ``index_name``: its name; ``schema``: its schema.
        * ``table_name``: its table, which MySQL/MariaDB need (``DROP INDEX ... ON table``).
        * ``if_exists``: write ``DROP INDEX IF EXISTS``.
        * ``kw``: dialect options such as ``postgresql_concurrently``."""
        self.invoke(DropIndexOp(index_name, table_name, schema=schema, if_exists=if_exists, **kw))
