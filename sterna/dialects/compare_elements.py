"""The primitives index, unique constraint and CHECK comparison decide by: the signature of an
index (elements in their normal form with their order, uniqueness, compared dialect options), the
columns of a unique constraint, the normal form of a CHECK's condition.  Each reads a model
object, or one built from the autogenerate snapshot (from its record, ``info[REFLECTED]``).
Below both ``ddl`` (the default ``ImplHooks.compare_indexes``/``compare_unique_constraint``/
``compare_check_constraint``) and ``autogenerate`` (:mod:`sterna.autogenerate.compare.indexes`,
:mod:`~sterna.autogenerate.compare.constraints`, which re-export them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, Table, UniqueConstraint
from sqlalchemy.engine import Dialect

from sterna.dialects import profile_for
from sterna.dialects.records import REFLECTED, CheckInfo, IndexInfo, UniqueInfo
from sterna.dialects.sql_compile import compile_expression
from sterna.dialects.sql_ordering import order_words, reflected_order, split_ordering
from sterna.dialects.sql_text import normalize_expression


def _option_text(value: Any, dialect: Dialect, table_name: str) -> str:
    if isinstance(value, bool):
        return "true"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v.name if isinstance(v, Column) else v).lower() for v in value)
    if isinstance(value, str) and not isinstance(value, (list, tuple)):
        return normalize_expression(value, dialect.name, table_name=table_name)
    return normalize_expression(
        compile_expression(value, dialect), dialect.name, table_name=table_name
    )


def _compared(
    options: Mapping[str, Any], keys: tuple[str, ...], dialect: Dialect, table_name: str
) -> list[tuple[str, str]]:
    """``(key, normal text)`` of the ``keys`` set in ``options`` (a flag set to False is not
    set)."""
    found: list[tuple[str, str]] = []
    for key in keys:
        value = options.get(key)
        if value is not None and value is not False and value != []:
            found.append((key, _option_text(value, dialect, table_name)))
    return found


def unique_options_signature(
    options: Mapping[str, Any], dialect: Dialect, table_name: str
) -> tuple[Any, ...]:
    """The dialect options a unique constraint is compared by (the profile's
    ``compared_unique_options``)."""
    keys = profile_for(dialect).compared_unique_options
    return tuple(sorted(_compared(options, keys, dialect, table_name)))


def options_signature(
    options: dict[str, Any], dialect: Dialect, table_name: str
) -> tuple[Any, ...]:
    profile = profile_for(dialect)
    found = _compared(options, profile.compared_index_options, dialect, table_name)
    method = profile.index_method_option
    using = options.get(method) if method else None
    if method and using and str(using).lower() != profile.index_method_default:
        found.append((method, str(using).lower()))
    return tuple(sorted(found))


def meta_element(expr: Any, dialect: Dialect, table_name: str) -> str:
    """A model index element in normal form: ``col.asc()`` is ``col``, ``col.desc()`` is
    ``col desc`` (see :mod:`sterna.dialects.sql_ordering`)."""
    if isinstance(expr, Column):
        return str(expr.name).lower()
    text, descending, nulls = split_ordering(compile_expression(expr, dialect), dialect.name)
    text = profile_for(dialect).index_element_text(text)
    words = [normalize_expression(text, dialect.name, table_name=table_name)]
    return " ".join(words + order_words(descending, nulls, dialect.name))


def index_signature(
    index: Index,
    dialect: Dialect,
    adjust: Callable[[Mapping[str, Any], str], dict[str, Any]] | None = None,
) -> tuple[Any, ...]:
    """What an index is compared by (elements with their order, uniqueness, compared dialect
    options), for a model index or one built from the snapshot (read from its record, whose
    options pass through ``adjust``, the implementation's ``adjust_reflected_dialect_options``)."""
    table_name = str(index.table.name) if index.table is not None else ""
    record = index.info.get(REFLECTED)
    if isinstance(record, IndexInfo):
        elements = tuple(
            conn_element(record, i, dialect, table_name) for i in range(len(record.elements))
        )
        reflected = record.dialect_options
        if adjust is not None:
            reflected = adjust(reflected_index_dict(record), "index")
        return (elements, bool(record.unique), options_signature(reflected, dialect, table_name))
    elements = tuple(meta_element(e, dialect, table_name) for e in index.expressions)
    return (
        elements,
        bool(index.unique),
        options_signature(dict(index.dialect_kwargs), dialect, table_name),
    )


def unique_columns(constraint: UniqueConstraint) -> tuple[str, ...]:
    """The columns a unique constraint is compared by (lower case, in order)."""
    record = constraint.info.get(REFLECTED)
    if isinstance(record, UniqueInfo):
        return tuple(c.lower() for c in record.columns)
    return tuple(c.name.lower() for c in constraint.columns)


def reflected_index_dict(index: IndexInfo) -> dict[str, Any]:
    """A reflected index as the inspector's dict (``get_indexes()``), for
    ``adjust_reflected_dialect_options``."""
    return {
        "name": index.name,
        "column_names": [
            None if e else n for n, e in zip(index.elements, index.expressions, strict=False)
        ],
        "expressions": list(index.elements),
        "unique": index.unique,
        "dialect_options": dict(index.dialect_options),
    }


def conn_element(index: IndexInfo, i: int, dialect: Dialect, table_name: str) -> str:
    element = index.elements[i]
    text = (
        normalize_expression(element, dialect.name, table_name=table_name)
        if index.expressions[i]
        else element.lower()
    )
    sorting = index.sorting[i] if i < len(index.sorting) else ()
    return " ".join([text, *order_words(*reflected_order(sorting), dialect.name)])


def check_text(constraint: CheckConstraint, dialect: Dialect, table_name: str | None = None) -> str:
    """The normal form a CHECK is compared by (a model one, or one built from the snapshot,
    read from its record); ``table_name`` defaults to the constraint's table."""
    if table_name is None:
        parent = getattr(constraint, "parent", None)
        if isinstance(parent, Column):  # declared inside a Column: the column's table
            parent = getattr(parent, "table", None)
        table_name = str(parent.name) if isinstance(parent, Table) else ""
    record = constraint.info.get(REFLECTED)
    if isinstance(record, CheckInfo):
        sql = record.sqltext
    else:
        sql = compile_expression(constraint.sqltext, dialect)
    return normalize_expression(sql, dialect.name, table_name=table_name)
