"""SQL text as tokens, and the normal forms used to decide that two SQL fragments are equal.

Databases give back expressions in their own spelling: PostgreSQL adds casts and parentheses and
turns ``x IN ('a', 'b')`` into ``x = ANY (ARRAY[...])``, MariaDB quotes identifiers with
backquotes, SQLite keeps the text as written.  :func:`normalize_expression` reduces both the
reflected text and the text compiled from the models to one canonical string, so that equal
expressions never show up as changes; :func:`normalize_default` does the same for column server
defaults (literals, numbers, timestamp functions).

The tokenizer is also used to parse SQLite's ``CREATE TABLE`` / ``CREATE INDEX`` statements.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
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
    text: str, *, backslash_escapes: bool = False, double_quoted_strings: bool = False,
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

_PUNCT_TEXT = (
    r"!~~\*|~~\*|!~~|~~|::|<>|!=|>=|<=|==|\|\||->>|->|[-+*/%<>=(),.;\[\]{}~^&|!?:@#$]"
)


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
    return _ESCAPE.sub(lambda m: _BACKSLASH.get(m.group(1), m.group(1)) if m.group(1)
                       is not None else "'", inner)


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
        text, backslash_escapes=mysql, double_quoted_strings=mysql,
        bracket_identifiers=dialect_name == "sqlite",
    )


# -- expression normal form -----------------------------------------------------------------------

#: Words that continue a multi-word type name after a ``::`` cast (PostgreSQL).
_TYPE_WORDS = frozenset({
    "varying", "precision", "without", "with", "time", "zone", "character", "double",
    "timestamp", "bit", "national", "char", "varchar",
})

_OPERATOR_SPELLING = {
    "!=": "<>", "==": "=", "~~": "like", "!~~": "not like", "~~*": "ilike", "!~~*": "not ilike",
}


def normalize_expression(
    text: str, dialect_name: str, *, table_name: str | None = None
) -> str:
    """A canonical form of the SQL expression ``text``: casts and parentheses dropped, words
    lower-cased, identifiers unquoted, ``= ANY (ARRAY[...])`` read as ``IN``, numbers in
    normal form, table qualifiers removed.  Equal expressions give equal strings."""
    try:
        tokens = dialect_tokenize(text, dialect_name)
    except TokenizeError:
        return " ".join(text.lower().split())
    tokens = _drop_casts(tokens)
    tokens = _unwrap_cast_calls(tokens)
    words = _canonical_words(tokens, table_name)
    words = _rewrite_any_array(words)
    words = _rewrite_between(words)
    return " ".join(words)


def _drop_casts(tokens: list[Token]) -> list[Token]:
    """Remove PostgreSQL ``::type`` casts (type names of several words, ``(n)`` and ``[]``);
    a numeric string that was cast (``'-100'::integer``) becomes the number."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == PUNCT and token.value == "::":
            if out and out[-1].kind == STRING and _NUMERIC_TEXT.fullmatch(out[-1].value.strip()):
                last = out[-1]
                out[-1] = Token(NUMBER, last.value.strip(), last.start, last.end)
            i = _skip_type(tokens, i + 1)
            continue
        out.append(token)
        i += 1
    return _merge_signs(out)


_NUMERIC_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SIGN_CONTEXT = frozenset({"and", "or", "not", "between", "in", "when", "then", "else", "case",
                           "like", "is", "return", "select"})


def _merge_signs(tokens: list[Token]) -> list[Token]:
    """A unary minus and its number become one number token (``- 100`` -> ``-100``)."""
    out: list[Token] = []
    for token in tokens:
        if token.kind == NUMBER and out and out[-1].is_punct("-", "+"):
            before = out[-2] if len(out) > 1 else None
            unary = (
                before is None
                or (before.kind == PUNCT and before.value not in (")", "]"))
                or (before.kind == WORD and before.value.lower() in _SIGN_CONTEXT)
            )
            if unary:
                sign = out.pop()
                value = token.value if sign.value == "+" else "-" + token.value
                out.append(Token(NUMBER, value, sign.start, token.end))
                continue
        out.append(token)
    return out


def _skip_type(tokens: Sequence[Token], i: int) -> int:
    """Index after a type name starting at ``tokens[i]``."""
    if i < len(tokens) and tokens[i].kind in (WORD, QUOTED):
        i += 1
        while (
            i + 1 < len(tokens) and tokens[i].is_punct(".")
            and tokens[i + 1].kind in (WORD, QUOTED)
        ):
            i += 2
        while i < len(tokens) and tokens[i].kind == WORD and tokens[i].value.lower() in _TYPE_WORDS:
            i += 1
    if i < len(tokens) and tokens[i].is_punct("("):
        i = matching_paren(tokens, i) + 1
    while i + 1 < len(tokens) and tokens[i].is_punct("[") and tokens[i + 1].is_punct("]"):
        i += 2
    return i


def _unwrap_cast_calls(tokens: list[Token]) -> list[Token]:
    """``CAST(expr AS type)`` -> ``expr``."""
    i = 0
    while i < len(tokens):
        if tokens[i].is_word("cast") and i + 1 < len(tokens) and tokens[i + 1].is_punct("("):
            close = matching_paren(tokens, i + 1)
            inner = tokens[i + 2:close]
            as_at = _last_top_level_word(inner, "as")
            if as_at is not None:
                replacement = _unwrap_cast_calls(list(inner[:as_at]))
                tokens = [*tokens[:i], *replacement, *tokens[close + 1:]]
                i += len(replacement)
                continue
        i += 1
    return tokens


def _last_top_level_word(tokens: Sequence[Token], word: str) -> int | None:
    depth = 0
    found: int | None = None
    for i, token in enumerate(tokens):
        if token.is_punct("(", "["):
            depth += 1
        elif token.is_punct(")", "]"):
            depth -= 1
        elif depth == 0 and token.is_word(word):
            found = i
    return found


def _canonical_words(tokens: Sequence[Token], table_name: str | None) -> list[str]:
    words: list[str] = []
    qualifier = table_name.lower() if table_name else None
    skip_dot = False
    for i, token in enumerate(tokens):
        if skip_dot:
            skip_dot = False
            continue
        if token.kind == PUNCT and token.value in ("(", ")"):
            continue
        if (
            qualifier is not None and token.kind in (WORD, QUOTED)
            and token.value.lower() == qualifier and i + 1 < len(tokens)
            and tokens[i + 1].is_punct(".")
        ):
            skip_dot = True
            continue
        words.append(_canonical_token(token))
    return words


def _canonical_token(token: Token) -> str:
    if token.kind == STRING:
        return "'" + token.value.replace("'", "''") + "'"
    if token.kind == NUMBER:
        return canonical_number(token.value)
    if token.kind == QUOTED:
        return token.value.lower()
    if token.kind == WORD:
        return token.value.lower()
    return _OPERATOR_SPELLING.get(token.value, token.value)


def canonical_number(text: str) -> str:
    """``1.50`` -> ``1.5``, ``0.00`` -> ``0``, ``1e3`` -> ``1000``."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _rewrite_any_array(words: list[str]) -> list[str]:
    """``x = any array [ a , b ]`` -> ``x in a , b`` (and ``<> all`` -> ``not in``)."""
    out: list[str] = []
    i = 0
    pending_close = 0
    while i < len(words):
        window = words[i:i + 4]
        if window[1:] == ["any", "array", "["] and window[0] == "=":
            out.append("in")
            pending_close += 1
            i += 4
            continue
        if window[1:] == ["all", "array", "["] and window[0] == "<>":
            out.extend(["not", "in"])
            pending_close += 1
            i += 4
            continue
        if words[i] == "]" and pending_close:
            pending_close -= 1
            i += 1
            continue
        out.append(words[i])
        i += 1
    return out


def _rewrite_between(words: list[str]) -> list[str]:
    """``x between a and b`` -> ``x >= a and x <= b`` for single-word operands."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == "between" and out and i + 3 < len(words) and words[i + 2] == "and":
            subject = out[-1]
            out.extend([">=", words[i + 1], "and", subject, "<=", words[i + 3]])
            i += 4
            continue
        out.append(words[i])
        i += 1
    return out


# -- server default normal form -------------------------------------------------------------------

#: Spellings of "the current timestamp/date/time" that are equal as column defaults.
_NOW_FORMS = {
    "now": "current_timestamp",
    "current_timestamp": "current_timestamp",
    "transaction_timestamp": "current_timestamp",
    "localtimestamp": "localtimestamp",
    "current_date": "current_date",
    "curdate": "current_date",
    "current_time": "current_time",
    "curtime": "current_time",
}


def normalize_default(text: str | None, dialect_name: str) -> str | None:
    """A canonical form of a column's server default given as SQL text (``None`` for none):
    string literals by value, numbers (quoted or not) by value, ``true``/``false`` as 1/0,
    ``now()``/``CURRENT_TIMESTAMP``/``current_timestamp()`` as one spelling, casts and outer
    parentheses dropped, other expressions as in :func:`normalize_expression`."""
    if text is None:
        return None
    try:
        tokens = dialect_tokenize(text, dialect_name)
    except TokenizeError:
        return " ".join(text.split())
    tokens = _unwrap_cast_calls(_drop_casts(tokens))
    tokens = _strip_outer_parens(tokens)
    if not tokens or (len(tokens) == 1 and tokens[0].is_word("null")):
        return None
    literal = _literal_default(tokens)
    if literal is not None:
        return literal
    now = _now_default(tokens)
    if now is not None:
        return now
    return " ".join(_canonical_words(tokens, None))


def _strip_outer_parens(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[0].is_punct("(") and matching_paren(tokens, 0) == len(tokens) - 1:
        tokens = tokens[1:-1]
    return tokens


def _literal_default(tokens: Sequence[Token]) -> str | None:
    sign = ""
    if len(tokens) == 2 and tokens[0].is_punct("-", "+") and tokens[1].kind == NUMBER:
        sign = "-" if tokens[0].value == "-" else ""
        tokens = tokens[1:]
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if token.kind == NUMBER:
        return "#" + canonical_number(sign + token.value)
    if token.kind == STRING:
        return _string_default(token.value)
    if token.is_word("true"):
        return "#1"
    if token.is_word("false"):
        return "#0"
    return None


def _string_default(value: str) -> str:
    """A quoted default: a number in quotes counts as that number (``'0'`` on an integer column
    comes back as ``0``); anything else is compared by its exact value."""
    stripped = value.strip()
    if stripped and _NUMERIC_TEXT.fullmatch(stripped):
        return "#" + canonical_number(stripped)
    return "'" + value + "'"


def _now_default(tokens: Sequence[Token]) -> str | None:
    """``now()``, ``current_timestamp``, ``current_timestamp()``, ``CURRENT_TIMESTAMP(6)``..."""
    if not tokens or tokens[0].kind != WORD:
        return None
    name = _NOW_FORMS.get(tokens[0].value.lower())
    if name is None:
        return None
    rest = tokens[1:]
    if not rest:
        return name
    if rest[0].is_punct("(") and rest[-1].is_punct(")") and len(rest) <= 3:
        inner = [t.value for t in rest[1:-1]]
        return f"{name}({inner[0]})" if inner else name
    return None


def joined(tokens: Iterable[Token], source: str) -> str:
    """The source text spanned by ``tokens`` (first start to last end)."""
    items = list(tokens)
    if not items:
        return ""
    return source[items[0].start:items[-1].end]
