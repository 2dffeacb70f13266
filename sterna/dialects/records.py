"""The records of a database snapshot (what autogenerate's reflection reads, see
:mod:`sterna.autogenerate.reflect`): dataclasses holding names, SQLAlchemy type objects and SQL
text.  They live in the dialects layer so that the comparison primitives below both ``ddl`` and
``autogenerate`` (:mod:`sterna.dialects.compare_types`, ...) read them; ``sterna.autogenerate.
reflect`` re-exports every name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.types import TypeEngine

#: the key under which a SQLAlchemy object built from the autogenerate snapshot keeps its record
#: (``sterna.ddl.impl_hooks.REFLECTED``)
REFLECTED = "sterna.reflected"

TableKey = tuple[str | None, str]


@dataclass(frozen=True)
class ComputedInfo:
    """A generated column: its expression as the database shows it, and whether stored."""

    sqltext: str
    persisted: bool | None = None


@dataclass
class ColumnInfo:
    name: str
    type: TypeEngine[Any]
    nullable: bool = True
    #: the server default as SQL text, as the database shows it (None: no default)
    default: str | None = None
    autoincrement: bool | str = "auto"
    comment: str | None = None
    computed: ComputedInfo | None = None
    #: Identity options (start, increment, minvalue, maxvalue, cycle, cache, always, order)
    identity: dict[str, Any] | None = None
    #: 0-based position in the table
    position: int = 0
    dialect_options: dict[str, Any] = field(default_factory=dict)


@dataclass
class PrimaryKeyInfo:
    name: str | None
    columns: tuple[str, ...]


@dataclass
class ForeignKeyInfo:
    name: str | None
    columns: tuple[str, ...]
    referred_schema: str | None
    referred_table: str
    referred_columns: tuple[str, ...]
    onupdate: str | None = None
    ondelete: str | None = None
    deferrable: bool | None = None
    initially: str | None = None
    match: str | None = None


@dataclass
class IndexInfo:
    """An index that is not the backing index of a constraint.  ``elements`` hold a column name
    or, where ``expressions[i]`` is true, the SQL text of an expression."""

    name: str | None
    elements: tuple[str, ...]
    expressions: tuple[bool, ...]
    unique: bool = False
    #: per element, the sort modifiers ("desc", "nulls_first", ...)
    sorting: tuple[tuple[str, ...], ...] = ()
    #: postgresql_where / postgresql_include / postgresql_using / sqlite_where / mysql_length...
    dialect_options: dict[str, Any] = field(default_factory=dict)

    @property
    def has_expressions(self) -> bool:
        return any(self.expressions)


@dataclass
class UniqueInfo:
    """A unique constraint.  ``from_index`` marks one the database only knows as a unique index
    (MySQL/MariaDB make no difference between the two)."""

    name: str | None
    columns: tuple[str, ...]
    from_index: bool = False
    dialect_options: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckInfo:
    name: str | None
    sqltext: str


@dataclass
class TableInfo:
    schema: str | None
    name: str
    columns: list[ColumnInfo] = field(default_factory=list)
    primary_key: PrimaryKeyInfo | None = None
    foreign_keys: list[ForeignKeyInfo] = field(default_factory=list)
    indexes: list[IndexInfo] = field(default_factory=list)
    uniques: list[UniqueInfo] = field(default_factory=list)
    checks: list[CheckInfo] = field(default_factory=list)
    comment: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    #: what the dialect cannot reflect ("uniques", "checks": its Inspector method raises
    #: NotImplementedError): not compared, rather than reported as missing from the database
    unreflected: frozenset[str] = frozenset()

    @property
    def key(self) -> TableKey:
        return (self.schema, self.name)

    def column(self, name: str) -> ColumnInfo | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


@dataclass
class EnumInfo:
    """A named enum type (PostgreSQL)."""

    schema: str | None
    name: str
    values: tuple[str, ...]
    #: the tables (and views) whose columns use the type
    used_by: tuple[TableKey, ...] = ()


@dataclass
class SequenceInfo:
    """A sequence not owned by a column (serial/identity sequences are left out)."""

    schema: str | None
    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Snapshot:
    """Everything read from the database for one comparison."""

    dialect_name: str
    default_schema: str | None
    schemas: tuple[str | None, ...]
    tables: dict[TableKey, TableInfo] = field(default_factory=dict)
    enums: dict[TableKey, EnumInfo] = field(default_factory=dict)
    sequences: dict[TableKey, SequenceInfo] = field(default_factory=dict)
    #: tables that exist but were excluded by the caller (never reflected)
    excluded: set[TableKey] = field(default_factory=set)
