"""The one SQL lexer: tokens, bracket matching, top-level splitting and the identifier and quote
rules, shared by the table rebuild (``sterna.ddl.recreate_*``) and autogenerate's comparison
(``sterna.autogenerate.compare``) and SQLite catalog reading.

One scanner reads SQL in one of two ways:

* :func:`tokenize` gives the significant :class:`Token` s (comments and whitespace dropped), each
  with its *value* (quotes removed, doubled quotes undone) and its span in the text.  The quoting
  rules follow the dialect (:func:`dialect_tokenize`): ``\\'`` escapes and ``"..."`` strings for
  MySQL, ``[name]`` identifiers for SQLite; an unterminated quote raises :class:`TokenizeError`.
* :func:`tokenize_lossless` gives :class:`Tok` pieces whose texts concatenate back to the input
  exactly (whitespace and comments included), so that a rewrite changes only what it means to.
  It reads ``[name]`` as an identifier and never fails: an unterminated quote runs to the end.

Both read ``'...'`` strings, ``"..."`` and ```...``` identifiers, ``--`` and ``/* */`` comments,
numbers, words and operators the same way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, TypeVar

WORD = "word"
QUOTED = "quoted"
STRING = "string"
NUMBER = "number"
PUNCT = "punct"
#: Kinds only :func:`tokenize_lossless` gives.
WS = "ws"
COMMENT = "comment"


class Token(NamedTuple):
    """One lexical token: its kind, its value (unquoted for quoted identifiers and strings) and
    its span in the source text."""

    kind: str
    value: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        """Whether this is a bare word among ``words`` (given in lower case)."""
        return self.kind == WORD and self.value.lower() in words

    def is_punct(self, *chars: str) -> bool:
        return self.kind == PUNCT and self.value in chars


class Tok(NamedTuple):
    """One piece of a lossless scan: its kind (ws, comment, string, quoted, number, word,
    punct) and its exact text."""

    kind: str
    text: str

    def is_punct(self, *chars: str) -> bool:
        return self.kind == PUNCT and self.text in chars


class TokenizeError(ValueError):
    """Raised for text the tokenizer cannot read (an unterminated quote)."""


# -- the scanner ----------------------------------------------------------------------------------

_OPERATORS = r"!~~\*|~~\*|!~~|~~|::|<>|!=|>=|<=|==|\|\||<<|>>|&&|->>|->"
# a word starts with a letter, ``_`` or any character beyond ASCII and goes on with those, digits
# and ``$``: written as the ASCII characters it excludes, which compiles in a twentieth of the
# time of the same classes written with the range \u0080-\U0010ffff (5 ms per scanner, paid by
# every process that tokenizes)
_WORD_TEXT = (
    r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"  # A-Z a-z _ and beyond ASCII
    r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*"  # and $ 0-9
)


@functools.cache
def _scanner(lossless: bool, backslash: bool, brackets: bool) -> re.Pattern[str]:
    """One pattern matching every kind of token (the group name tells which).  A lossless scan
    always reads ``[name]``, lets a quote run unterminated to the end and has no ``E'...'``
    strings; otherwise an unterminated quote is left to the ``punct`` group (and refused)."""
    body = r"(?:[^'\\]|\\.|'')*" if backslash else r"(?:[^']|'')*"
    parts = [
        r"(?P<ws>\s+)",
        r"(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))",
    ]
    if not lossless:
        parts.append(r"(?P<estring>(?<![A-Za-z0-9_])[Ee]'(?:[^'\\]|\\.|'')*')")
    parts.append(rf"(?P<string>'{body}'{'?' if lossless else ''})")
    if lossless:  # one group, so that the group's name is the piece's kind
        parts.append(r'(?P<quoted>"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?)')
    else:
        parts += [r'(?P<dquoted>"(?:[^"]|"")*")', r"(?P<bquoted>`(?:[^`]|``)*`)"]
        if brackets:
            parts.append(r"(?P<brquoted>\[[^\]]*\])")
    parts += [
        r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",
        rf"(?P<word>{_WORD_TEXT})",
        rf"(?P<punct>{_OPERATORS}|.)",
    ]
    return re.compile("|".join(parts), re.S)


def _scan(text: str, lossless: bool, backslash: bool, brackets: bool) -> Iterator[re.Match[str]]:
    return _scanner(lossless, backslash, brackets).finditer(text)


# -- identifier and quote rules -------------------------------------------------------------------


def unquote_identifier(text: str) -> str:
    """The name a quoted identifier spells: ``"a""b"`` -> ``a"b``, ```a``b``` -> ``a`b``,
    ``[a b]`` -> ``a b``."""
    body = text[1:-1]
    if text[0] == '"':
        return body.replace('""', '"')
    if text[0] == "`":
        return body.replace("``", "`")
    return body


_ESCAPE = re.compile(r"\\(.)|''", re.S)
_BACKSLASH = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\"}


def unquote_string(text: str, backslash_escapes: bool = False) -> str:
    """The value of the string literal ``text``: ``'it''s'`` -> ``it's`` (and ``'it\\'s'`` too
    with ``backslash_escapes``)."""
    inner = text[1:-1]
    if not backslash_escapes:
        return inner.replace("''", "'")
    return _ESCAPE.sub(
        lambda m: _BACKSLASH.get(m.group(1), m.group(1)) if m.group(1) is not None else "'", inner
    )


def ident_value(tok: Tok) -> str | None:
    """The identifier a piece names (quotes removed), or None if it is not an identifier.
    A string counts: SQLite accepts ``'name'`` where an identifier is expected."""
    if tok.kind == WORD:
        return tok.text
    if tok.kind == QUOTED:
        return unquote_identifier(tok.text)
    if tok.kind == STRING:
        return unquote_string(tok.text)
    return None


def same_name(a: str | None, b: str | None) -> bool:
    """Identifier equality as the databases compare unquoted names (ASCII case-insensitive)."""
    return a is not None and b is not None and a.lower() == b.lower()


# -- the two readings -----------------------------------------------------------------------------


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
    for found in _scan(text, False, backslash_escapes, bracket_identifiers):
        kind = found.lastgroup
        if kind in (WS, COMMENT):
            continue
        value = found.group()
        start, end = found.span()
        if kind == "string":
            append(Token(STRING, unquote_string(value, backslash_escapes), start, end))
        elif kind == "estring":
            append(Token(STRING, unquote_string(value[1:], True), start, end))
        elif kind == "dquoted":
            kind = STRING if double_quoted_strings else QUOTED
            append(Token(kind, unquote_identifier(value), start, end))
        elif kind in ("bquoted", "brquoted"):
            append(Token(QUOTED, unquote_identifier(value), start, end))
        elif kind == PUNCT and (value in "'\"`" or (value == "[" and bracket_identifiers)):
            raise TokenizeError(f"unterminated {value} quote in {text!r}")
        else:
            append(Token(kind, value, start, end))  # type: ignore[arg-type]
    return tokens


class LexerFlags(NamedTuple):
    """The quoting rules of one dialect, as :func:`tokenize` takes them; each dialect's profile
    says its own (``DialectProfile.lexer_flags``)."""

    backslash_escapes: bool = False
    double_quoted_strings: bool = False
    bracket_identifiers: bool = False


def flags_for(dialect_name: str) -> LexerFlags:
    """The quoting rules of the dialect named ``dialect_name``: its profile's."""
    from sterna.dialects.profile import profile_for

    return profile_for(dialect_name).lexer_flags


def dialect_tokenize(text: str, dialect: str | LexerFlags) -> list[Token]:
    """:func:`tokenize` with the quoting rules of the dialect named ``dialect``
    (:func:`flags_for`), or with the flags given."""
    if not isinstance(dialect, LexerFlags):
        dialect = flags_for(dialect)
    return tokenize(
        text,
        backslash_escapes=dialect.backslash_escapes,
        double_quoted_strings=dialect.double_quoted_strings,
        bracket_identifiers=dialect.bracket_identifiers,
    )


def tokenize_lossless(sql: str) -> list[Tok]:
    """``sql`` as a list of pieces whose texts concatenate back to ``sql``."""
    tokens: list[Tok] = []
    for found in _scan(sql, True, False, True):
        kind = found.lastgroup
        assert kind is not None
        tokens.append(Tok(kind, found.group()))
    return tokens


_CLOSED = {
    STRING: re.compile(r"'(?:[^']|'')*'", re.S),
    QUOTED: re.compile(r'"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]', re.S),
}


def unterminated(tokens: Sequence[Tok]) -> bool:
    """Whether a lossless scan ended inside a quote (the one place an unterminated quote can
    be: it runs to the end), where :func:`tokenize` raises :class:`TokenizeError`."""
    if not tokens:
        return False
    last = tokens[-1]
    closed = _CLOSED.get(last.kind)
    return closed is not None and closed.fullmatch(last.text) is None


def render(tokens: Iterable[Tok]) -> str:
    """The text of lossless pieces."""
    return "".join(tok.text for tok in tokens)


def joined(tokens: Iterable[Token], source: str) -> str:
    """The source text spanned by ``tokens`` (first start to last end)."""
    items = list(tokens)
    if not items:
        return ""
    return source[items[0].start : items[-1].end]


# -- walking by brackets --------------------------------------------------------------------------


#: Both readings: the second field of either token is its text for punctuation.
_T = TypeVar("_T", Token, Tok)
_CLOSERS = {"(": ")", "[": "]"}


def matching_paren(tokens: Sequence[_T], index: int) -> int:
    """Index of the token closing the ``(`` or ``[`` at ``tokens[index]`` (``len(tokens)`` if
    it is never closed)."""
    opener = tokens[index][1]
    closer = _CLOSERS[opener]
    depth = 0
    for i in range(index, len(tokens)):
        token = tokens[i]
        if token.kind != PUNCT:
            continue
        char = token[1]
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return i
    return len(tokens)


def split_top_level(tokens: Sequence[_T], separator: str = ",") -> list[list[_T]]:
    """Split ``tokens`` at ``separator`` tokens that are not inside brackets."""
    parts: list[list[_T]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == PUNCT:
            char = token[1]
            if char in _OPEN:
                depth += 1
            elif char in _CLOSE:
                depth -= 1
            elif depth == 0 and char == separator:
                parts.append([])
                continue
        parts[-1].append(token)
    return parts


_OPEN = frozenset("([")
_CLOSE = frozenset(")]")
