"""The rebuild's helpers over lossless SQL pieces (batch mode's move-and-copy).

The rebuild keeps a table's definition as SQL text (SQLite's ``sqlite_master`` entry, or the
``CREATE TABLE`` SQLAlchemy compiles for a reflected or given table) and changes only the parts a
batch asks to change, so that everything else -- collations, conflict clauses, declared type
names, generated columns -- survives byte for byte.  The pieces come from the one lexer's
lossless reading (:func:`sterna.dialects.sql_lexer.tokenize_lossless`); this module adds what the
parser and the table model need on top: significant pieces, keywords, balanced parentheses (an
unbalanced one is an error here), the leading names of a list, and finding and renaming column
references.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sterna.dialects.sql_lexer import (
    COMMENT,
    PUNCT,
    QUOTED,
    WORD,
    WS,
    Tok,
    ident_value,
    render,
    same_name,
    split_top_level,
)
from sterna.dialects.sql_lexer import matching_paren as _matching_bracket
from sterna.dialects.sql_lexer import tokenize_lossless as tokenize

__all__ = [
    "Tok",
    "escape_binds",
    "ident_value",
    "identifiers",
    "is_blank",
    "is_word",
    "matching_paren",
    "mentions",
    "names_in_list",
    "rename_idents",
    "render",
    "same_name",
    "significant",
    "split_top",
    "strip",
    "tokenize",
]


def is_blank(tok: Tok) -> bool:
    return tok.kind in (WS, COMMENT)


def strip(tokens: Sequence[Tok]) -> list[Tok]:
    """``tokens`` without leading and trailing whitespace and comments."""
    start, end = 0, len(tokens)
    while start < end and is_blank(tokens[start]):
        start += 1
    while end > start and is_blank(tokens[end - 1]):
        end -= 1
    return list(tokens[start:end])


def significant(tokens: Sequence[Tok]) -> list[int]:
    """Indexes of the tokens that are not whitespace or comments."""
    return [i for i, tok in enumerate(tokens) if not is_blank(tok)]


def is_word(tok: Tok, *words: str) -> bool:
    """Whether ``tok`` is a bare keyword among ``words`` (case-insensitive)."""
    return tok.kind == WORD and tok.text.upper() in words


def matching_paren(tokens: Sequence[Tok], start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start``."""
    close = _matching_bracket(tokens, start)
    if close == len(tokens):
        raise ValueError("unbalanced parentheses in SQL: " + render(tokens))
    return close


def split_top(tokens: Sequence[Tok], separator: str = ",") -> list[list[Tok]]:
    """``tokens`` split at the separators that are outside any parentheses."""
    return split_top_level(tokens, separator)


def names_in_list(tokens: Sequence[Tok]) -> list[str]:
    """The leading identifier of each comma-separated element (``a COLLATE x DESC, b``)."""
    names: list[str] = []
    for part in split_top(tokens):
        part = strip(part)
        if part:
            value = ident_value(part[0])
            if value is not None:
                names.append(value)
    return names


def _is_reference(tokens: Sequence[Tok], index: int) -> bool:
    """Whether the identifier at ``index`` is used as a column name, not a function name."""
    for tok in tokens[index + 1 :]:
        if is_blank(tok):
            continue
        return not (tok.kind == PUNCT and tok.text == "(")
    return True


def mentions(tokens: Sequence[Tok], name: str) -> bool:
    """Whether ``tokens`` refer to the column ``name`` (string literals do not count)."""
    for i, tok in enumerate(tokens):
        if (
            tok.kind in (WORD, QUOTED)
            and same_name(ident_value(tok), name)
            and _is_reference(tokens, i)
        ):
            return True
    return False


def rename_idents(
    tokens: Sequence[Tok], old: str, new: str, quote: Callable[[str], str]
) -> list[Tok]:
    """``tokens`` with every reference to column ``old`` replaced by ``quote(new)``."""
    result: list[Tok] = []
    for i, tok in enumerate(tokens):
        if (
            tok.kind in (WORD, QUOTED)
            and same_name(ident_value(tok), old)
            and _is_reference(tokens, i)
        ):
            result.append(Tok(QUOTED, quote(new)))
            continue
        result.append(tok)
    return result


def identifiers(sql: str) -> set[str]:
    """Lower-cased identifiers ``sql`` mentions (for finding views and triggers on a table)."""
    found: set[str] = set()
    for tok in tokenize(sql):
        if tok.kind in (WORD, QUOTED):
            value = ident_value(tok)
            if value is not None:
                found.add(value.lower())
    return found


_BIND_LIKE = re.compile(r"(?<![:\w$\\]):([\w$]+)(?![:\w$])")


def escape_binds(sql: str) -> str:
    """``sql`` with every ``:name`` that ``text()`` would take for a bound parameter escaped,
    so that SQL text kept from the database runs exactly as written."""
    return _BIND_LIKE.sub(r"\\:\1", sql)
