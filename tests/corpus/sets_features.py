"""Which coverage features (``sets.FEATURES``) a loaded model set actually has.

Read off the real ``MetaData`` objects, so that a new pin which changes a package's models shows
up in ``test_sets.py`` instead of silently shrinking the corpus's coverage.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKeyConstraint,
    MetaData,
    Sequence,
    Table,
    TypeDecorator,
)
from sqlalchemy.sql.elements import False_, TextClause, True_
from sqlalchemy.sql.functions import FunctionElement

DEFAULT_CONVENTION = {"ix": "ix_%(column_0_label)s"}
_NOW = re.compile(r"(?i)^\s*(now\(\)|current_timestamp(\(\))?|localtimestamp)\s*$")
_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


def tables(metadatas: Iterable[MetaData]) -> list[Table]:
    return [table for md in metadatas for table in md.tables.values()]


def features_of(metadatas: list[MetaData]) -> set[str]:
    """The coverage features present in ``metadatas``."""
    found: set[str] = set()
    all_tables = tables(metadatas)
    if len(all_tables) >= 50:
        found.add("50+ tables")
    if any(dict(md.naming_convention) != DEFAULT_CONVENTION for md in metadatas):
        found.add("naming conventions")
    if _has_unbroken_cycle(metadatas):
        found.add("fk cycle no use_alter")
    for table in all_tables:
        found.update(_table_features(table))
        for column in table.columns:
            found.update(_column_features(column))
    return found


def _has_unbroken_cycle(metadatas: list[MetaData]) -> bool:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for md in metadatas:
            md.sorted_tables  # noqa: B018 - sorting warns about cycles without use_alter
    return any("cycle" in str(w.message) for w in caught)


def _table_features(table: Table) -> Iterator[str]:
    if table.schema:
        yield "schemas"
    for index in table.indexes:
        if any(not isinstance(e, Column) for e in index.expressions):
            yield "functional indexes"
        if any(index.dialect_options[d].get("where") is not None for d in ("postgresql", "sqlite")):
            yield "partial indexes"
        if index._ddl_if is not None:
            yield "ddl_if"
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            yield "check constraints"
        if isinstance(constraint, ForeignKeyConstraint) and constraint.use_alter:
            yield "fk cycle use_alter"
        if constraint._ddl_if is not None:
            yield "ddl_if"


def _column_features(column: Column[object]) -> Iterator[str]:
    kind = column.type
    if isinstance(kind, Enum) and kind.name and kind.native_enum:
        yield "pg enums"
    if isinstance(kind, TypeDecorator):
        yield "typedecorators"
    if type(kind).__name__ == "AutoString" and type(kind).__module__.startswith("sqlmodel"):
        yield "sqlmodel types"
    if isinstance(column.default, Sequence):
        yield "sequences"
    default = column.server_default
    if default is not None and hasattr(default, "arg"):
        yield _server_default_kind(default.arg, isinstance(kind, Boolean))


def _server_default_kind(arg: object, boolean: bool) -> str:
    if isinstance(arg, (True_, False_)):
        return "server defaults: booleans"
    if isinstance(arg, FunctionElement):
        if getattr(arg, "name", "").lower() in ("now", "current_timestamp", "localtimestamp"):
            return "server defaults: now()"
        return "server defaults: func calls"
    if isinstance(arg, TextClause):
        return "server defaults: now()" if _NOW.match(arg.text) else "server defaults: sa.text"
    text = str(arg)
    if boolean or text.lower() in ("true", "false"):
        return "server defaults: booleans"
    if _NUMBER.match(text):
        return "server defaults: numbers"
    return "server defaults: text literals"
