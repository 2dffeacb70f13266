"""Constraint operations: primary key, unique, foreign key, check, exclude (PostgreSQL), drop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    Table,
)
from sqlalchemy import UniqueConstraint as SAUniqueConstraint
from sqlalchemy.sql.elements import ColumnElement, TextClause
from sqlalchemy.sql.schema import Constraint

from sterna.operations.ops.base import MigrateOperation, as_names

if TYPE_CHECKING:
    from sterna.operations.context_protocol import MigrationContextLike

_AC = TypeVar("_AC", bound="type[AddConstraintOp]")

#: ``Constraint.__visit_name__`` -> the ``type_`` string of ``drop_constraint``.
CONSTRAINT_KIND = {
    "unique_constraint": "unique",
    "foreign_key_constraint": "foreignkey",
    "primary_key_constraint": "primary",
    "check_constraint": "check",
    "column_check_constraint": "check",
    "table_or_column_check_constraint": "check",
    "exclude_constraint": "exclude",
}


def constraint_name_or_none(name: Any) -> Any:
    """The constraint's name, or None for an unnamed one (SQLAlchemy marks those specially)."""
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return name


def _table_of(constraint: Constraint) -> Table:
    """The constraint's table; a CHECK declared inside a ``Column`` has the column as its
    parent, and the column's table is the constraint's."""
    parent = getattr(constraint, "parent", None)
    if isinstance(parent, Column) and isinstance(getattr(parent, "table", None), Table):
        return parent.table
    table = constraint.table
    assert isinstance(table, Table)
    return table


def _dialect_kw(constraint: Constraint) -> dict[str, Any]:
    return dict(constraint.dialect_kwargs)


def _defer_kw(constraint: Constraint) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if constraint.deferrable is not None:
        kw["deferrable"] = constraint.deferrable
    if constraint.initially is not None:
        kw["initially"] = constraint.initially
    return kw


class AddConstraintOp(MigrateOperation):
    """Base of the ``create_*_constraint`` operations; dispatches ``from_constraint`` by kind."""

    constraint_type: ClassVar[str] = ""
    constraint_name: Any
    add_constraint_ops: ClassVar[dict[str, type[AddConstraintOp]]] = {}

    @classmethod
    def register_add_constraint(cls, type_: str) -> Callable[[_AC], _AC]:
        """Register the op class built by ``from_constraint`` for ``__visit_name__ == type_``."""

        def register(klass: _AC) -> _AC:
            AddConstraintOp.add_constraint_ops[type_] = klass
            return klass

        return register

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> AddConstraintOp:
        klass = AddConstraintOp.add_constraint_ops.get(constraint.__visit_name__)
        if klass is None:
            raise ValueError(f"no operation creates a {type(constraint).__name__}")
        return klass.from_constraint(constraint)

    def to_constraint(self, migration_context: MigrationContextLike | None = None) -> Constraint:
        raise NotImplementedError()

    def reverse(self) -> DropConstraintOp:
        return DropConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[str, Constraint]:
        return ("add_constraint", self.to_constraint())


@dataclass(eq=False, init=False)
class DropConstraintOp(MigrateOperation):
    """``ALTER TABLE ... DROP CONSTRAINT``; ``type_`` is foreignkey/primary/unique/check."""

    table_phase = 1  # unless its type has its own (phase_in_table)
    top_phase = 1
    #: foreign keys are dropped before anything else, primary keys after the other constraints
    _PHASE_BY_TYPE: ClassVar[dict[str, int]] = {
        "foreignkey": 0,
        "unique": 1,
        "check": 1,
        "primary": 2,
    }

    constraint_name: Any
    table_name: str
    constraint_type: str | None = None
    schema: str | None = None
    if_exists: bool | None = None
    _reverse: AddConstraintOp | None = None

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddConstraintOp | None = None,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.constraint_type = type_
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> DropConstraintOp:
        table = _table_of(constraint)
        return cls(
            constraint_name_or_none(constraint.name),
            table.name,
            CONSTRAINT_KIND.get(constraint.__visit_name__),
            schema=table.schema,
            _reverse=AddConstraintOp.from_constraint(constraint),
        )

    def to_constraint(self) -> Constraint:
        if self._reverse is None:
            raise ValueError(
                f"constraint {self.constraint_name!r} cannot be produced: its definition is "
                "not known"
            )
        constraint = self._reverse.to_constraint()
        constraint.name = self.constraint_name
        table = _table_of(constraint)
        table.name = self.table_name
        table.schema = self.schema
        return constraint

    def phase_in_table(self) -> int:
        return self._PHASE_BY_TYPE.get(self.constraint_type or "", 1)

    def reverse(self) -> AddConstraintOp:
        if self._reverse is None:
            from sterna.errors_operations import IrreversibleOperation

            raise IrreversibleOperation(
                f"drop_constraint({self.constraint_name!r}, {self.table_name!r})",
                "the dropped constraint's definition is not known",
            )
        return AddConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[str, Constraint]:
        kind = "remove_fk" if self.constraint_type == "foreignkey" else "remove_constraint"
        return (kind, self.to_constraint())


@dataclass(eq=False, init=False)
class _ColumnListConstraintOp(AddConstraintOp):
    """Shared shape of the primary-key and unique-constraint ops: a name, a table and a list of
    column names (plus schema and dialect/deferral keywords)."""

    constraint_name: Any
    table_name: str
    columns: list[str]
    schema: str | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = as_names(columns)
        self.schema = schema
        self.kw = kw


@AddConstraintOp.register_add_constraint("primary_key_constraint")
@dataclass(eq=False, init=False)
class CreatePrimaryKeyOp(_ColumnListConstraintOp):
    """``ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY``."""

    table_phase = 6
    top_phase = 1

    constraint_type: ClassVar[str] = "primarykey"

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreatePrimaryKeyOp:
        assert isinstance(constraint, PrimaryKeyConstraint)
        table = _table_of(constraint)
        return cls(
            constraint_name_or_none(constraint.name),
            table.name,
            [c.name for c in constraint.columns],
            schema=table.schema,
            **_dialect_kw(constraint),
        )

    def to_constraint(
        self, migration_context: MigrationContextLike | None = None
    ) -> PrimaryKeyConstraint:
        from sterna.operations.schemaobj import SchemaObjects

        return SchemaObjects(migration_context).primary_key_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )


@AddConstraintOp.register_add_constraint("unique_constraint")
@dataclass(eq=False, init=False)
class CreateUniqueConstraintOp(_ColumnListConstraintOp):
    """``ALTER TABLE ... ADD CONSTRAINT ... UNIQUE``."""

    table_phase = 7
    top_phase = 1

    constraint_type: ClassVar[str] = "unique"

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateUniqueConstraintOp:
        assert isinstance(constraint, SAUniqueConstraint)
        table = _table_of(constraint)
        return cls(
            constraint_name_or_none(constraint.name),
            table.name,
            [c.name for c in constraint.columns],
            schema=table.schema,
            **_defer_kw(constraint),
            **_dialect_kw(constraint),
        )

    def to_constraint(
        self, migration_context: MigrationContextLike | None = None
    ) -> SAUniqueConstraint:
        from sterna.operations.schemaobj import SchemaObjects

        return SchemaObjects(migration_context).unique_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )


@AddConstraintOp.register_add_constraint("foreign_key_constraint")
@dataclass(eq=False, init=False)
class CreateForeignKeyOp(AddConstraintOp):
    """``ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY``; options live in ``kw``
    (onupdate, ondelete, deferrable, initially, match, source_schema, referent_schema)."""

    table_phase = 8
    top_phase = 1

    constraint_type: ClassVar[str] = "foreignkey"
    constraint_name: Any
    source_table: str
    referent_table: str
    local_cols: list[str]
    remote_cols: list[str]
    kw: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        constraint_name: Any,
        source_table: str,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.source_table = source_table
        self.referent_table = referent_table
        self.local_cols = as_names(local_cols)
        self.remote_cols = as_names(remote_cols)
        self.kw = kw

    @property
    def table_name(self) -> str:
        return self.source_table

    @property
    def schema(self) -> str | None:
        value = self.kw.get("source_schema")
        return str(value) if value is not None else None

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateForeignKeyOp:
        from sterna.operations.schemaobj import referred_column_name, referred_schema

        assert isinstance(constraint, ForeignKeyConstraint)
        table = _table_of(constraint)
        first = constraint.elements[0]
        _, ref_table, _ = first._column_tokens
        ref_schema = referred_schema(constraint)
        kw: dict[str, Any] = {}
        for key in ("onupdate", "ondelete", "match"):
            if getattr(constraint, key) is not None:
                kw[key] = getattr(constraint, key)
        if constraint.use_alter:
            kw["use_alter"] = True
        kw.update(_defer_kw(constraint))
        kw.update(_dialect_kw(constraint))
        kw["source_schema"] = table.schema
        kw["referent_schema"] = ref_schema
        return cls(
            constraint_name_or_none(constraint.name),
            table.name,
            ref_table,
            [c.name for c in constraint.columns]
            if constraint.columns
            else [e.parent.name for e in constraint.elements],
            [referred_column_name(e) for e in constraint.elements],
            **kw,
        )

    def to_constraint(
        self, migration_context: MigrationContextLike | None = None
    ) -> ForeignKeyConstraint:
        from sterna.operations.schemaobj import SchemaObjects

        return SchemaObjects(migration_context).foreign_key_constraint(
            self.constraint_name,
            self.source_table,
            self.referent_table,
            self.local_cols,
            self.remote_cols,
            **self.kw,
        )

    def to_diff_tuple(self) -> tuple[str, Constraint]:
        return ("add_fk", self.to_constraint())


@AddConstraintOp.register_add_constraint("check_constraint")
@AddConstraintOp.register_add_constraint("column_check_constraint")
@AddConstraintOp.register_add_constraint("table_or_column_check_constraint")
@dataclass(eq=False, init=False)
class CreateCheckConstraintOp(AddConstraintOp):
    """``ALTER TABLE ... ADD CONSTRAINT ... CHECK (condition)``."""

    table_phase = 7
    top_phase = 1

    constraint_type: ClassVar[str] = "check"
    constraint_name: Any
    table_name: str
    condition: str | TextClause | ColumnElement[Any]
    schema: str | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        condition: str | TextClause | ColumnElement[Any],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.condition = condition
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateCheckConstraintOp:
        assert isinstance(constraint, CheckConstraint)
        table = _table_of(constraint)
        return cls(
            constraint_name_or_none(constraint.name),
            table.name,
            constraint.sqltext,
            schema=table.schema,
            **_defer_kw(constraint),
            **_dialect_kw(constraint),
        )

    def to_constraint(
        self, migration_context: MigrationContextLike | None = None
    ) -> CheckConstraint:
        from sterna.operations.schemaobj import SchemaObjects

        return SchemaObjects(migration_context).check_constraint(
            self.constraint_name, self.table_name, self.condition, schema=self.schema, **self.kw
        )


@AddConstraintOp.register_add_constraint("exclude_constraint")
@dataclass(eq=False, init=False)
class CreateExcludeConstraintOp(AddConstraintOp):
    """PostgreSQL ``ADD CONSTRAINT ... EXCLUDE USING ...``; ``elements`` are
    ``(column name or expression, operator)`` pairs."""

    table_phase = 10
    top_phase = 1

    constraint_type: ClassVar[str] = "exclude"
    constraint_name: Any
    table_name: str
    elements: list[tuple[Any, str]]
    where: Any = None
    schema: str | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    _orig_constraint: Constraint | None = None

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        elements: Sequence[tuple[Any, str]],
        *,
        where: Any = None,
        schema: str | None = None,
        _orig_constraint: Constraint | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.elements = list(elements)
        self.where = where
        self.schema = schema
        self._orig_constraint = _orig_constraint
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateExcludeConstraintOp:
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        assert isinstance(constraint, ExcludeConstraint)
        table = _table_of(constraint)
        from sterna.operations.schemaobj import unbind_expression

        pairs = [(unbind_expression(expr), op) for expr, _, op in constraint._render_exprs]
        kw = _defer_kw(constraint)
        if constraint.using:
            kw["using"] = constraint.using
        return cls(
            constraint_name_or_none(constraint.name),
            table.name,
            pairs,
            where=constraint.where,
            schema=table.schema,
            _orig_constraint=constraint,
            **kw,
        )

    def to_constraint(self, migration_context: MigrationContextLike | None = None) -> Constraint:
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        from sterna.operations.schemaobj import SchemaObjects

        names = [expr for expr, _ in self.elements if isinstance(expr, str)]
        table = SchemaObjects(migration_context).stub_table(self.table_name, names, self.schema)
        pairs = [(table.c[e] if isinstance(e, str) else e, op) for e, op in self.elements]
        where = self.where
        if isinstance(where, str):
            from sqlalchemy import text

            where = text(where)
        excl = ExcludeConstraint(*pairs, name=self.constraint_name, where=where, **self.kw)
        table.append_constraint(excl)
        return excl
