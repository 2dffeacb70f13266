"""A small SQL tokenizer for the table rebuild (batch mode's move-and-copy).

The rebuild keeps a table's definition as SQL text (SQLite's ``sqlite_master`` entry, or the
``CREATE TABLE`` SQLAlchemy compiles for a reflected or given table) and changes only the parts a
batch asks to change, so that everything else -- collations, conflict clauses, declared type
names, generated columns -- survives byte for byte.  This module splits SQL into tokens and offers
the few structural helpers the parser needs: significant tokens, balanced parentheses, top-level
commas, identifier values and identifier rewriting.  It understands the lexical rules shared by
SQLite, PostgreSQL and MySQL for the DDL that SQLAlchemy emits: ``'...'`` strings, ``"..."``,
```...``` and ``[...]`` quoted identifiers, ``--`` and ``/* */`` comments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^']|'')*'?)
  | (?P<qident>"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
  | (?P<punct>::|<>|!=|<=|>=|==|\|\||<<|>>|.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Tok(NamedTuple):
    """One token: its kind (ws, comment, string, qident, number, ident, punct) and text."""

    kind: str
    text: str


def tokenize(sql: str) -> list[Tok]:
    """``sql`` as a list of tokens whose texts concatenate back to ``sql``."""
    tokens: list[Tok] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        assert kind is not None
        tokens.append(Tok(kind, match.group()))
    return tokens


def render(tokens: Iterable[Tok]) -> str:
    return "".join(tok.text for tok in tokens)


def is_blank(tok: Tok) -> bool:
    return tok.kind in ("ws", "comment")


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
    return tok.kind == "ident" and tok.text.upper() in words


def ident_value(tok: Tok) -> str | None:
    """The identifier a token names (quotes removed), or None if it is not an identifier."""
    if tok.kind == "ident":
        return tok.text
    if tok.kind == "qident":
        body = tok.text[1:-1]
        if tok.text[0] == '"':
            return body.replace('""', '"')
        if tok.text[0] == "`":
            return body.replace("``", "`")
        return body
    if tok.kind == "string":  # SQLite accepts 'name' where an identifier is expected
        return tok.text[1:-1].replace("''", "'")
    return None


def same_name(a: str | None, b: str | None) -> bool:
    """Identifier equality as the databases compare unquoted names (ASCII case-insensitive)."""
    return a is not None and b is not None and a.lower() == b.lower()


def matching_paren(tokens: Sequence[Tok], start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start``."""
    depth = 0
    for i in range(start, len(tokens)):
        tok = tokens[i]
        if tok.kind != "punct":
            continue
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses in SQL: " + render(tokens))


def split_top(tokens: Sequence[Tok], separator: str = ",") -> list[list[Tok]]:
    """``tokens`` split at the separators that are outside any parentheses."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.kind == "punct":
            if tok.text == "(":
                depth += 1
            elif tok.text == ")":
                depth -= 1
            elif tok.text == separator and depth == 0:
                parts.append([])
                continue
        parts[-1].append(tok)
    return parts


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
        return not (tok.kind == "punct" and tok.text == "(")
    return True


def mentions(tokens: Sequence[Tok], name: str) -> bool:
    """Whether ``tokens`` refer to the column ``name`` (string literals do not count)."""
    for i, tok in enumerate(tokens):
        if (
            tok.kind in ("ident", "qident")
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
            tok.kind in ("ident", "qident")
            and same_name(ident_value(tok), old)
            and _is_reference(tokens, i)
        ):
            result.append(Tok("qident", quote(new)))
            continue
        result.append(tok)
    return result


def identifiers(sql: str) -> set[str]:
    """Lower-cased identifiers ``sql`` mentions (for finding views and triggers on a table)."""
    found: set[str] = set()
    for tok in tokenize(sql):
        if tok.kind in ("ident", "qident"):
            value = ident_value(tok)
            if value is not None:
                found.add(value.lower())
    return found


_BIND_LIKE = re.compile(r"(?<![:\w$\\]):([\w$]+)(?![:\w$])")


def escape_binds(sql: str) -> str:
    """``sql`` with every ``:name`` that ``text()`` would take for a bound parameter escaped,
    so that SQL text kept from the database runs exactly as written."""
    return _BIND_LIKE.sub(r"\\:\1", sql)
