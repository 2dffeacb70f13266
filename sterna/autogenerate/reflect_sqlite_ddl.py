"""What SQLite's catalog keeps only in the ``CREATE`` statement text: constraint names, CHECK
constraints, generated-column expressions, index expressions and partial-index conditions.

The pragma functions give columns, keys and index columns; the rest comes from
``sqlite_master.sql``.  A ``CREATE TABLE`` is read by the one SQLite DDL parser, the table
rebuild's (:func:`sterna.ddl.recreate_parse.parse_create_table`); :func:`parse_create_table` here
is the catalog's view of its result.  Index statements are read with the one SQL lexer
(:mod:`sterna.dialects.sql_lexer`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sterna.autogenerate.reflect import CheckInfo, ComputedInfo
from sterna.ddl import recreate_parse
from sterna.ddl.recreate_parse import Clause, ColumnDef, SQLParseError, TableConstraint
from sterna.ddl.recreate_sql import ident_value, is_word, render, significant, strip
from sterna.dialects.sql_lexer import (
    Tok,
    Token,
    TokenizeError,
    joined,
    matching_paren,
    split_top_level,
    tokenize,
)


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
class CatalogTable:
    """What reflection takes from a parsed ``CREATE TABLE``: constraint names, CHECKs,
    generated columns and whether a column is AUTOINCREMENT."""

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


def parse_create_table(sql: str | None) -> CatalogTable:
    """Constraint names, CHECKs and generated columns of a ``CREATE TABLE`` statement (nothing
    for text the parser cannot read)."""
    catalog = CatalogTable()
    if not sql:
        return catalog
    try:
        parsed = recreate_parse.parse_create_table(sql)
    except (SQLParseError, ValueError):
        return catalog
    if parsed.unterminated:
        return catalog
    for column in parsed.columns:
        _column(column, catalog)
    for constraint in parsed.constraints:
        _table_constraint(constraint, catalog)
    return catalog


def _sig(tokens: Sequence[Tok]) -> list[Tok]:
    return [tokens[i] for i in significant(tokens)]


def _group_text(tokens: Sequence[Tok]) -> tuple[str, int] | None:
    """The text inside the first parenthesised group of ``tokens`` and the index of its ``)``."""
    for i, tok in enumerate(tokens):
        if tok.is_punct("("):
            close = matching_paren(tokens, i)
            return render(strip(tokens[i + 1 : close])), close
    return None


def _table_constraint(constraint: TableConstraint, catalog: CatalogTable) -> None:
    name = constraint.name
    group = _group_text(constraint.tokens)
    if group is None:  # no column list: nothing SQLite would have accepted
        return
    if constraint.kind == "check":
        catalog.checks.append(CheckInfo(name, group[0]))
        return
    columns = tuple(constraint.columns)
    if constraint.kind == "primary":
        catalog.primary_key = NamedColumns(name, columns)
    elif constraint.kind == "unique":
        catalog.uniques.append(NamedColumns(name, columns))
    elif constraint.kind == "foreign":
        rest = constraint.tokens[group[1] + 1 :]
        catalog.foreign_keys.append(_references(name, columns, _sig(rest)))


def _references(name: str | None, columns: tuple[str, ...], rest: Sequence[Tok]) -> NamedForeignKey:
    """A foreign key from the significant tokens starting at ``REFERENCES``: the referred
    table is the name right after it; deferrability anywhere after it."""
    referred = ""
    for i, tok in enumerate(rest):
        if is_word(tok, "REFERENCES") and i + 1 < len(rest):
            referred = _value(rest[i + 1])
            break
    deferrable: bool | None = None
    initially: str | None = None
    for i, tok in enumerate(rest):
        if is_word(tok, "DEFERRABLE"):
            deferrable = not (i > 0 and is_word(rest[i - 1], "NOT"))
        if is_word(tok, "INITIALLY") and i + 1 < len(rest):
            initially = _value(rest[i + 1]).upper()
    return NamedForeignKey(name, columns, referred, deferrable, initially)


def _value(tok: Tok) -> str:
    """A token's value: the name it spells, else its text."""
    value = ident_value(tok)
    return tok.text if value is None else value


def _column(column: ColumnDef, catalog: CatalogTable) -> None:
    """A column's constraints; a ``CONSTRAINT name`` names the next PRIMARY KEY, UNIQUE,
    REFERENCES or CHECK of the column, as SQLite reads it."""
    pending: str | None = None
    clauses = column.clauses
    for at, clause in enumerate(clauses):
        if clause.name is not None:
            pending = clause.name
        if _top_words(clause.tokens, "AUTOINCREMENT"):
            catalog.autoincrement = True
        if clause.kind in ("primary", "unique", "references", "check"):
            _column_constraint(column.name, clause, clauses[at:], pending, catalog)
            pending = None
        elif clause.kind == "generated":
            group = _group_text(clause.tokens)
            if group is not None:
                stored = _sig(clause.tokens[group[1] + 1 :])
                persisted = bool(stored) and is_word(stored[0], "STORED")
                catalog.computed[column.name] = ComputedInfo(group[0], persisted)


def _column_constraint(
    column: str,
    clause: Clause,
    rest: Sequence[Clause],
    name: str | None,
    catalog: CatalogTable,
) -> None:
    if clause.kind == "primary":
        catalog.primary_key = NamedColumns(name, (column,))
    elif clause.kind == "unique":
        catalog.uniques.append(NamedColumns(name, (column,)))
    elif clause.kind == "references":
        tokens = [tok for later in rest for tok in _sig(later.tokens)]
        start = next(i for i, tok in enumerate(tokens) if is_word(tok, "REFERENCES"))
        catalog.foreign_keys.append(_references(name, (column,), tokens[start:]))
    else:
        group = _group_text(clause.tokens)
        if group is not None:
            catalog.checks.append(CheckInfo(name, group[0]))


def _top_words(tokens: Sequence[Tok], word: str) -> bool:
    """Whether the keyword ``word`` is among ``tokens`` outside parentheses."""
    depth = 0
    for tok in tokens:
        if tok.is_punct("("):
            depth += 1
        elif tok.is_punct(")"):
            depth -= 1
        elif depth == 0 and is_word(tok, word):
            return True
    return False


def _tokens(sql: str) -> list[Token]:
    return tokenize(sql, bracket_identifiers=True)


def _find_punct(tokens: Sequence[Token], start: int, char: str) -> int | None:
    for i in range(start, len(tokens)):
        if tokens[i].is_punct(char):
            return i
    return None


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
