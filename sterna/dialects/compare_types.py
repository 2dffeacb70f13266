"""Column type comparison's primitives: a compiled type read into a :class:`TypeSig` and
normalised with the dialect's equivalences (see :mod:`sterna.autogenerate.compare.types` for the
rules), and :func:`types_differ`, the decision.  They sit below both ``ddl`` (the default
``ImplHooks.compare_type``) and ``autogenerate`` (the ``compare_type`` comparator), which
re-exports them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Enum
from sqlalchemy.engine import Dialect
from sqlalchemy.types import NullType, TypeDecorator, TypeEngine

from sterna.dialects import DialectProfile, profile_for
from sterna.dialects.records import ColumnInfo
from sterna.dialects.sql_compile import compile_type
from sterna.dialects.sql_text import (
    NUMBER,
    PUNCT,
    QUOTED,
    STRING,
    WORD,
    Token,
    canonical_number,
    dialect_tokenize,
    matching_paren,
    split_top_level,
)


@dataclass(frozen=True)
class TypeSig:
    base: str
    args: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()
    collation: str | None = None
    charset: str | None = None


_SYNONYMS = {
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
    "smallserial": "smallint",
    "bool": "boolean",
    "dec": "numeric",
    "decimal": "numeric",
    "fixed": "numeric",
    "character varying": "varchar",
    "character": "char",
    "double precision": "double",
    "float8": "double",
    "float4": "real",
    "nvarchar": "varchar",
    "nchar": "char",
    "national character varying": "varchar",
    "national char": "char",
    "varbit": "bit varying",
}
_TZ_SYNONYMS = {"timestamptz": "timestamp", "timetz": "time"}
_STOP_WORDS = frozenset({"unsigned", "zerofill", "collate", "charset", "with", "without"})


def _is_stop(tokens: list[Token], i: int) -> bool:
    word = tokens[i].value.lower()
    if word in _STOP_WORDS:
        return True
    return word == "character" and i + 1 < len(tokens) and tokens[i + 1].is_word("set")


def _arg_text(item: list[Token]) -> str:
    parts: list[str] = []
    for token in item:
        if token.kind == STRING:
            parts.append("'" + token.value + "'")
        elif token.kind == NUMBER:
            parts.append(canonical_number(token.value))
        else:
            parts.append(token.value.lower())
    return " ".join(parts)


def parse_type(ddl: str, dialect_name: str) -> TypeSig:
    """Read a compiled type (``VARCHAR(20) COLLATE "C"``, ``INTEGER(11) UNSIGNED``,
    ``TIMESTAMP WITH TIME ZONE``, ``INTEGER[]``...) into a signature."""
    tokens = dialect_tokenize(ddl, dialect_name)
    words: list[str] = []
    i = 0
    while i < len(tokens) and tokens[i].kind in (WORD, QUOTED) and not _is_stop(tokens, i):
        words.append(tokens[i].value.lower())
        i += 1
        while (
            i + 1 < len(tokens) and tokens[i].is_punct(".") and tokens[i + 1].kind in (WORD, QUOTED)
        ):
            words[-1] += "." + tokens[i + 1].value.lower()
            i += 2
    args: tuple[str, ...] = ()
    if i < len(tokens) and tokens[i].is_punct("("):
        close = matching_paren(tokens, i)
        args = tuple(_arg_text(item) for item in split_top_level(tokens[i + 1 : close]) if item)
        i = close + 1
    flags, collation, charset = _modifiers(tokens[i:])
    base = " ".join(words)
    if base in _TZ_SYNONYMS:
        base = _TZ_SYNONYMS[base]
        flags = flags | {"tz"}
    return TypeSig(_SYNONYMS.get(base, base), args, flags, collation, charset)


def _modifiers(tokens: list[Token]) -> tuple[frozenset[str], str | None, str | None]:
    flags: set[str] = set()
    collation: str | None = None
    charset: str | None = None
    words = [t.value.lower() if t.kind in (WORD, QUOTED) else t.value for t in tokens]
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if word in ("unsigned", "zerofill"):
            flags.add(word)
        elif word == "[" and tokens[i].kind == PUNCT:
            flags.add("array")
        elif word == "with" and nxt == "time":
            flags.add("tz")
        elif word == "collate" and nxt is not None:
            collation = nxt
        elif word in ("charset", "set") and nxt is not None:
            charset = nxt
    return frozenset(flags), collation, charset


def normalized_sig(ddl: str, dialect: Dialect) -> TypeSig:
    """The signature of a compiled type with the dialect's equivalences applied."""
    return _normalized(ddl, dialect.name, profile_for(dialect))


@functools.lru_cache(maxsize=4096)
def _normalized(ddl: str, dialect_name: str, profile: DialectProfile) -> TypeSig:
    sig = parse_type(ddl, dialect_name)
    base, args, flags = profile.normal_type(sig.base, sig.args, sig.flags)
    if (base, args, flags) == (sig.base, sig.args, sig.flags):
        return sig
    return replace(sig, base=base, args=args, flags=flags)


def resolve_type(type_: TypeEngine[Any], dialect: Dialect) -> TypeEngine[Any]:
    """The type the dialect really uses: variants picked, type decorators unwrapped."""
    names = [dialect.name, *profile_for(dialect).variant_fallbacks]
    for _ in range(20):
        mapping = getattr(type_, "_variant_mapping", None) or {}
        chosen = next((mapping[n] for n in names if n in mapping), None)
        if chosen is not None and chosen is not type_:
            type_ = chosen
            continue
        if isinstance(type_, TypeDecorator):
            native = type_.dialect_impl(dialect)  # an emulated type may be native here
            if not isinstance(native, TypeDecorator):
                type_ = native
            else:
                type_ = type_.load_dialect_impl(dialect)
            continue
        break
    return type_


def types_differ(dialect: Dialect, conn: ColumnInfo, metadata_type: TypeEngine[Any]) -> bool:
    """Whether the reflected column's type differs from the model's type."""
    meta = resolve_type(metadata_type, dialect)
    conn_type = conn.type
    if isinstance(meta, NullType) or isinstance(conn_type, NullType):
        return False
    hook = getattr(meta, "compare_against_backend", None)
    verdict = hook(dialect, conn_type) if hook is not None else None
    if verdict is not None:
        return not verdict
    profile = profile_for(dialect)
    if profile.compares_enums_by_name:
        meta_name = meta.name if isinstance(meta, Enum) and meta.native_enum else None
        conn_name = conn_type.name if isinstance(conn_type, Enum) else None
        if meta_name or conn_name:
            return not (meta_name and meta_name == conn_name)
    try:
        meta_sig = normalized_sig(compile_type(meta, dialect), dialect)
        conn_sig = normalized_sig(compile_type(conn_type, dialect), dialect)
    except Exception:
        return _affinity_differs(meta, conn_type)
    declared = conn.dialect_options.get("sqlite_declared")
    if declared:  # a type SQLite knows only by affinity: its declared text is what was made
        conn_sig = normalized_sig(declared, dialect)
    if conn.dialect_options.get("mariadb_json") and meta_sig.base == "longtext":
        conn_sig = replace(conn_sig, collation=None, charset=None)
    meta_sig = _stored(profile, meta_sig, conn.dialect_options.get("mysql_collation"))
    return not _same(meta_sig, conn_sig)


def _stored(profile: DialectProfile, sig: TypeSig, column_collation: str | None) -> TypeSig:
    """A model type as the database stores it (MySQL: ``TEXT(n)`` as ``MEDIUMTEXT``...)."""
    base, args = profile.stored_type(
        sig.base, sig.args, sig.charset, sig.collation, column_collation
    )
    if (base, args) == (sig.base, sig.args):
        return sig
    return replace(sig, base=base, args=args)


def _same(meta: TypeSig, conn: TypeSig) -> bool:
    # arguments are compared where the model gives them (String() matches VARCHAR(30), as
    # with Alembic: a model without a length leaves the database's alone)
    conn_args = conn.args if meta.args else ()
    if (meta.base, meta.args, meta.flags) != (conn.base, conn_args, conn.flags):
        return False
    if meta.collation and conn.collation and meta.collation != conn.collation:
        return False
    return not (meta.charset and conn.charset and meta.charset != conn.charset)


def _affinity_differs(meta: TypeEngine[Any], conn: TypeEngine[Any]) -> bool:
    meta_affinity = getattr(meta, "_type_affinity", None)
    conn_affinity = getattr(conn, "_type_affinity", None)
    if meta_affinity is None or conn_affinity is None:
        return False
    related = issubclass(meta_affinity, conn_affinity) or issubclass(conn_affinity, meta_affinity)
    return not related
