"""SQL text as tokens: the tokenizer (with each dialect's quoting rules) and the helpers that
walk token lists by brackets.  Used by the normal forms (:mod:`.sqltext`, :mod:`.sqlrewrite`),
the type parser and the parsing of SQLite's ``CREATE TABLE`` / ``CREATE INDEX`` statements."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

WORD = "word"
QUOTED = "quoted"
STRING = "string"
NUMBER = "number"
PUNCT = "punct"


class Token(NamedTuple):
    """One lexical token: its kind, its value (unquoted for quoted identifiers and strings) and
    its span in the source text."""

    kind: str
    value: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == WORD and self.value.lower() in words

    def is_punct(self, *chars: str) -> bool:
        return self.kind == PUNCT and self.value in chars


class TokenizeError(ValueError):
    """Raised for text the tokenizer cannot read (an unterminated quote)."""


def tokenize(
    text: str,
    *,
    backslash_escapes: bool = False,
    double_quoted_strings: bool = False,
    bracket_identifiers: bool = False,
) -> list[Token]:
    """Split SQL ``text`` into tokens; comments and whitespace are dropped.

    ``backslash_escapes``: ``\\'`` escapes a quote in strings (MySQL).  ``double_quoted_strings``:
    ``"..."`` is a string rather than an identifier (MySQL without ANSI_QUOTES).
    ``bracket_identifiers``: ``[name]`` is a quoted identifier (SQLite).
    """
    tokens: list[Token] = []
    append = tokens.append
    simple = _SIMPLE_KINDS
    for found in _scanner(backslash_escapes, bracket_identifiers).finditer(text):
        kind = found.lastgroup
        if kind == "space":
            continue
        value = found.group()
        simple_kind = simple.get(kind)  # type: ignore[arg-type]
        if simple_kind is not None:
            append(Token(simple_kind, value, found.start(), found.end()))
            continue
        start, end = found.span()
        if kind == "string":
            append(Token(STRING, _unquote_string(value, backslash_escapes), start, end))
        elif kind == "estring":
            append(Token(STRING, _unquote_string(value[1:], True), start, end))
        elif kind == "dquoted":
            inner = value[1:-1].replace('""', '"')
            append(Token(STRING if double_quoted_strings else QUOTED, inner, start, end))
        elif kind == "bquoted":
            append(Token(QUOTED, value[1:-1].replace("``", "`"), start, end))
        elif kind == "brquoted":
            append(Token(QUOTED, value[1:-1], start, end))
        elif value in "'\"`" or (value == "[" and bracket_identifiers):
            raise TokenizeError(f"unterminated {value} quote in {text!r}")
        else:
            append(Token(PUNCT, value, start, end))
    return tokens


#: Scanner groups whose token is the matched text itself.
_SIMPLE_KINDS = {"word": WORD, "number": NUMBER, "punct": PUNCT}

_PUNCT_TEXT = r"!~~\*|~~\*|!~~|~~|::|<>|!=|>=|<=|==|\|\||&&|->>|->|[-+*/%<>=(),.;\[\]{}~^&|!?:@#$]"


@functools.cache
def _scanner(backslash: bool, brackets: bool) -> re.Pattern[str]:
    """One pattern matching every kind of token (the group name tells which)."""
    escaped_body = r"(?:[^'\\]|\\.|'')*"
    plain_body = r"(?:[^']|'')*"
    parts = [
        r"(?P<space>\s+|--[^\n]*|/\*.*?(?:\*/|\Z))",
        r"(?P<estring>(?<![A-Za-z0-9_])[Ee]'" + escaped_body + "')",
        r"(?P<string>'" + (escaped_body if backslash else plain_body) + "')",
        r'(?P<dquoted>"(?:[^"]|"")*")',
        r"(?P<bquoted>`(?:[^`]|``)*`)",
    ]
    if brackets:
        parts.append(r"(?P<brquoted>\[[^\]]*\])")
    parts += [
        r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",
        r"(?P<word>[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)",
        f"(?P<punct>{_PUNCT_TEXT})",
        r"(?P<other>.)",
    ]
    return re.compile("|".join(parts), re.S)


def _unquote_string(quoted: str, backslash: bool) -> str:
    inner = quoted[1:-1]
    if not backslash:
        return inner.replace("''", "'")
    return _ESCAPE.sub(
        lambda m: _BACKSLASH.get(m.group(1), m.group(1)) if m.group(1) is not None else "'", inner
    )


_ESCAPE = re.compile(r"\\(.)|''", re.S)
_BACKSLASH = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\"}


def matching_paren(tokens: Sequence[Token], index: int) -> int:
    """Index of the token closing the bracket opened at ``tokens[index]`` (or len(tokens))."""
    opener = tokens[index].value
    closer = {"(": ")", "[": "]"}[opener]
    depth = 0
    for i in range(index, len(tokens)):
        token = tokens[i]
        if token.kind != PUNCT:
            continue
        if token.value == opener:
            depth += 1
        elif token.value == closer:
            depth -= 1
            if depth == 0:
                return i
    return len(tokens)


def split_top_level(tokens: Sequence[Token], separator: str = ",") -> list[list[Token]]:
    """Split ``tokens`` at ``separator`` tokens that are not inside brackets."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == PUNCT and token.value in ("(", "["):
            depth += 1
        elif token.kind == PUNCT and token.value in (")", "]"):
            depth -= 1
        elif depth == 0 and token.kind == PUNCT and token.value == separator:
            parts.append([])
            continue
        parts[-1].append(token)
    return parts


def dialect_tokenize(text: str, dialect_name: str) -> list[Token]:
    """:func:`tokenize` with the quoting rules of ``dialect_name``."""
    mysql = dialect_name in ("mysql", "mariadb")
    return tokenize(
        text,
        backslash_escapes=mysql,
        double_quoted_strings=mysql,
        bracket_identifiers=dialect_name == "sqlite",
    )


def joined(tokens: Iterable[Token], source: str) -> str:
    """The source text spanned by ``tokens`` (first start to last end)."""
    items = list(tokens)
    if not items:
        return ""
    return source[items[0].start : items[-1].end]
