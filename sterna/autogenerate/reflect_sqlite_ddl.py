"""What SQLite's catalog keeps only in the ``CREATE`` statement text: constraint names, CHECK
constraints, generated-column expressions, index expressions and partial-index conditions.

The pragma functions give columns, keys and index columns; these parsers add the rest from
``sqlite_master.sql``, reading it with :func:`sterna.autogenerate.compare.sqltext.tokenize`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sterna.autogenerate.compare.sqltext import (
    PUNCT,
    QUOTED,
    STRING,
    WORD,
    Token,
    TokenizeError,
    joined,
    matching_paren,
    split_top_level,
    tokenize,
)
from sterna.autogenerate.reflect import CheckInfo, ComputedInfo


@dataclass(frozen=True)
class NamedColumns:
    name: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True)
class NamedForeignKey:
    name: str | None
    columns: tuple[str, ...]
    referred_table: str
    deferrable: bool | None = None
    initially: str | None = None


@dataclass
class ParsedTable:
    primary_key: NamedColumns | None = None
    uniques: list[NamedColumns] = field(default_factory=list)
    foreign_keys: list[NamedForeignKey] = field(default_factory=list)
    checks: list[CheckInfo] = field(default_factory=list)
    computed: dict[str, ComputedInfo] = field(default_factory=dict)
    autoincrement: bool = False


@dataclass
class ParsedIndex:
    elements: list[str] = field(default_factory=list)
    where: str | None = None


_CONSTRAINT_WORDS = ("constraint", "primary", "unique", "check", "foreign")


def _tokens(sql: str) -> list[Token]:
    return tokenize(sql, bracket_identifiers=True)


def _name(token: Token) -> str:
    return token.value


def parse_create_table(sql: str | None) -> ParsedTable:
    """Constraint names, CHECKs and generated columns of a ``CREATE TABLE`` statement."""
    parsed = ParsedTable()
    if not sql:
        return parsed
    try:
        tokens = _tokens(sql)
    except TokenizeError:
        return parsed
    start = next((i for i, t in enumerate(tokens) if t.is_punct("(")), None)
    if start is None:
        return parsed
    body = tokens[start + 1 : matching_paren(tokens, start)]
    for part in split_top_level(body):
        if not part:
            continue
        if part[0].kind == WORD and part[0].value.lower() in _CONSTRAINT_WORDS:
            _table_constraint(part, sql, parsed)
        else:
            _column_definition(part, sql, parsed)
    return parsed


def _paren_columns(tokens: Sequence[Token], open_at: int) -> tuple[tuple[str, ...], int]:
    """Column names listed in the parentheses opened at ``open_at``; returns (names, close)."""
    close = matching_paren(tokens, open_at)
    names: list[str] = []
    for item in split_top_level(tokens[open_at + 1 : close]):
        if item and item[0].kind in (WORD, QUOTED, STRING):
            names.append(_name(item[0]))
    return tuple(names), close


def _find_punct(tokens: Sequence[Token], start: int, char: str) -> int | None:
    for i in range(start, len(tokens)):
        if tokens[i].is_punct(char):
            return i
    return None


def _table_constraint(part: list[Token], sql: str, parsed: ParsedTable) -> None:
    name: str | None = None
    if part[0].is_word("constraint") and len(part) > 1:
        name = _name(part[1])
        part = part[2:]
    if not part:
        return
    head = part[0].value.lower()
    open_at = _find_punct(part, 0, "(")
    if open_at is None:
        return
    if head == "check":
        close = matching_paren(part, open_at)
        parsed.checks.append(CheckInfo(name, joined(part[open_at + 1 : close], sql)))
        return
    columns, close = _paren_columns(part, open_at)
    if head == "primary":
        parsed.primary_key = NamedColumns(name, columns)
    elif head == "unique":
        parsed.uniques.append(NamedColumns(name, columns))
    elif head == "foreign":
        parsed.foreign_keys.append(_references(name, columns, part[close + 1 :]))


def _references(
    name: str | None, columns: tuple[str, ...], rest: Sequence[Token]
) -> NamedForeignKey:
    """A foreign key from the tokens starting at ``REFERENCES``."""
    referred = ""
    for i, token in enumerate(rest):
        if token.is_word("references") and i + 1 < len(rest):
            referred = _name(rest[i + 1])
            break
    deferrable: bool | None = None
    initially: str | None = None
    for i, token in enumerate(rest):
        if token.is_word("deferrable"):
            deferrable = not (i > 0 and rest[i - 1].is_word("not"))
        if token.is_word("initially") and i + 1 < len(rest):
            initially = rest[i + 1].value.upper()
    return NamedForeignKey(name, columns, referred, deferrable, initially)


def _column_definition(part: list[Token], sql: str, parsed: ParsedTable) -> None:
    column = _name(part[0])
    pending: str | None = None
    i = 1
    while i < len(part):
        token = part[i]
        word = token.value.lower() if token.kind == WORD else ""
        if word == "constraint" and i + 1 < len(part):
            pending = _name(part[i + 1])
            i += 2
            continue
        if word == "primary":
            parsed.primary_key = NamedColumns(pending, (column,))
            pending = None
        elif word == "unique":
            parsed.uniques.append(NamedColumns(pending, (column,)))
            pending = None
        elif word == "autoincrement":
            parsed.autoincrement = True
        elif word == "references":
            parsed.foreign_keys.append(_references(pending, (column,), part[i:]))
            pending = None
        elif word in ("check", "as") and i + 1 < len(part) and part[i + 1].is_punct("("):
            close = matching_paren(part, i + 1)
            text = joined(part[i + 2 : close], sql)
            if word == "check":
                parsed.checks.append(CheckInfo(pending, text))
                pending = None
            else:
                stored = close + 1 < len(part) and part[close + 1].is_word("stored")
                parsed.computed[column] = ComputedInfo(text, stored)
            i = close + 1
            continue
        elif token.kind == PUNCT and token.value == "(":
            i = matching_paren(part, i) + 1
            continue
        i += 1


def parse_create_index(sql: str | None) -> ParsedIndex:
    """The element texts (without ASC/DESC/COLLATE) and the WHERE condition of an index."""
    parsed = ParsedIndex()
    if not sql:
        return parsed
    try:
        tokens = _tokens(sql)
    except TokenizeError:
        return parsed
    on_at = next((i for i, t in enumerate(tokens) if t.is_word("on")), None)
    if on_at is None:
        return parsed
    open_at = _find_punct(tokens, on_at, "(")
    if open_at is None:
        return parsed
    close = matching_paren(tokens, open_at)
    for item in split_top_level(tokens[open_at + 1 : close]):
        parsed.elements.append(joined(_strip_ordering(item), sql))
    rest = tokens[close + 1 :]
    if rest and rest[0].is_word("where"):
        parsed.where = joined(rest[1:], sql)
    return parsed


def _strip_ordering(item: list[Token]) -> list[Token]:
    """Drop trailing ``ASC``/``DESC`` and ``COLLATE name`` from an index element."""
    while item:
        if item[-1].is_word("asc", "desc"):
            item = item[:-1]
        elif len(item) >= 2 and item[-2].is_word("collate"):
            item = item[:-2]
        else:
            break
    return item
