"""MySQL/MariaDB column types from ``information_schema.COLUMNS.COLUMN_TYPE`` text
(``int(11) unsigned``, ``decimal(10,2)``, ``enum('a','b')``, ``datetime(6)``...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import NullType, TypeEngine

from sterna.dialects.sql_text import (
    NUMBER,
    STRING,
    TokenizeError,
    matching_paren,
    split_top_level,
    tokenize,
)

_INTEGERS = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})
_DECIMALS = frozenset({"decimal", "numeric", "fixed", "dec"})
_FLOATS = frozenset({"float", "double", "real"})
_STRINGS = frozenset({"char", "varchar", "nchar", "nvarchar"})
_TEXTS = frozenset({"tinytext", "text", "mediumtext", "longtext"})
_TIMES = frozenset({"datetime", "timestamp", "time"})
_ENUMS = frozenset({"enum", "set"})
_LENGTHS = frozenset({"binary", "varbinary", "bit"})
_ALIASES = {
    "dec": "decimal",
    "fixed": "decimal",
    "real": "double",
    "bool": "tinyint",
    "boolean": "tinyint",
}


def mysql_type(dialect: Dialect, column_type: str, collation: str | None = None) -> TypeEngine[Any]:
    """The SQLAlchemy type for one ``COLUMN_TYPE`` (``collation`` only when it differs from
    the table's default)."""
    try:
        tokens = tokenize(column_type, backslash_escapes=True)
    except TokenizeError:
        return NullType()
    if not tokens:
        return NullType()
    name = tokens[0].value.lower()
    args: list[Any] = []
    rest = tokens[1:]
    if rest and rest[0].is_punct("("):
        close = matching_paren(rest, 0)
        for item in split_top_level(rest[1:close]):
            if len(item) == 1 and item[0].kind == NUMBER:
                args.append(int(item[0].value))
            elif len(item) == 1 and item[0].kind == STRING:
                args.append(item[0].value)
        rest = rest[close + 1 :]
    flags = {t.value.lower() for t in rest}
    names: Mapping[str, type[TypeEngine[Any]]] = getattr(dialect, "ischema_names", {})
    key = _ALIASES.get(name, name)
    cls = names.get(key)
    if cls is None:
        return NullType()
    return _build(cls, key, args, flags, collation)


def _build(
    cls: type[TypeEngine[Any]],
    name: str,
    args: list[Any],
    flags: set[str],
    collation: str | None,
) -> TypeEngine[Any]:
    numeric_kw = {"unsigned": True} if "unsigned" in flags else {}
    if "zerofill" in flags:
        numeric_kw["zerofill"] = True
    text_kw = {"collation": collation} if collation else {}
    factory: Any = cls
    try:
        if name in _INTEGERS:
            return factory(display_width=args[0] if args else None, **numeric_kw)  # type: ignore[no-any-return]
        if name in _DECIMALS or name in _FLOATS:
            return factory(*args[:2], **numeric_kw)  # type: ignore[no-any-return]
        if name in _STRINGS:
            return factory(*args[:1], **text_kw)  # type: ignore[no-any-return]
        if name in _TEXTS:
            return factory(**text_kw)  # type: ignore[no-any-return]
        if name in _ENUMS:
            return factory(*[str(a) for a in args], **text_kw)  # type: ignore[no-any-return]
        if name in _TIMES:
            return factory(fsp=args[0] if args else None)  # type: ignore[no-any-return]
        if name in _LENGTHS or name == "year":
            return factory(*args[:1])  # type: ignore[no-any-return]
        return factory()  # type: ignore[no-any-return]
    except TypeError:
        return factory()  # type: ignore[no-any-return]
