"""The normal forms used to decide that two SQL fragments are equal.

Databases give back expressions in their own spelling: PostgreSQL adds casts and parentheses,
turns ``x IN ('a', 'b')`` into ``x = ANY (ARRAY[...])`` and ``x BETWEEN a AND b`` into ``x >= a
AND x <= b``; MariaDB quotes identifiers with backquotes, spells ``lower`` as ``lcase`` and folds
``NOT``; SQLite keeps the text as written.  :func:`normalize_expression` reduces both the
reflected text and the text compiled from the models to one canonical string, so that equal
expressions never show up as changes (the token rewrites are in :mod:`.sql_rewrite`);
:func:`normalize_default` does the same for column server defaults (literals, numbers,
timestamp functions).

The tokenizer (:mod:`sterna.dialects.sql_lexer`, the one SQL lexer) is re-exported here for the
modules that use both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from sterna.dialects import profile_for
from sterna.dialects.sql_lexer import (
    NUMBER,
    PUNCT,
    QUOTED,
    STRING,
    WORD,
    Token,
    TokenizeError,
    dialect_tokenize,
    joined,
    matching_paren,
    split_top_level,
    tokenize,
)
from sterna.dialects.sql_rewrite import (
    SPELLING_WORDS,
    expand_between,
    fold_negations,
    generic_spelling,
    mysql_spelling,
    single_in,
)

__all__ = [
    "NUMBER",
    "PUNCT",
    "QUOTED",
    "STRING",
    "WORD",
    "Token",
    "TokenizeError",
    "canonical_number",
    "dialect_tokenize",
    "joined",
    "matching_paren",
    "normalize_default",
    "normalize_expression",
    "split_top_level",
    "tokenize",
]


# -- expression normal form -----------------------------------------------------------------------

#: Words that continue a multi-word type name after a ``::`` cast (PostgreSQL).
_TYPE_WORDS = frozenset(
    {
        "varying",
        "precision",
        "without",
        "with",
        "time",
        "zone",
        "character",
        "double",
        "timestamp",
        "bit",
        "national",
        "char",
        "varchar",
    }
)

_OPERATOR_SPELLING = {
    "!=": "<>",
    "==": "=",
    "~~": "like",
    "!~~": "not like",
    "~~*": "ilike",
    "!~~*": "not ilike",
}


def normalize_expression(text: str, dialect_name: str, *, table_name: str | None = None) -> str:
    """A canonical form of the SQL expression ``text``: casts and parentheses dropped, words
    lower-cased, identifiers unquoted, the dialect's synonyms in one spelling, ``BETWEEN``
    expanded, negations folded into the operators, ``= ANY (ARRAY[...])`` read as ``IN``,
    numbers in normal form, table qualifiers removed.  Equal expressions give equal strings."""
    try:
        tokens = dialect_tokenize(text, dialect_name)
    except TokenizeError:
        return " ".join(text.lower().split())
    tokens = _unwrap_cast_calls(_drop_casts(tokens))
    if profile_for(dialect_name).uses_mysql_spellings:
        tokens = mysql_spelling(tokens)
    present = {token.value.lower() for token in tokens if token.kind == WORD}
    if not present.isdisjoint(SPELLING_WORDS):  # each rewrite only where it can apply
        tokens = generic_spelling(tokens)
    if "between" in present:
        tokens = expand_between(tokens)
    if "in" in present:
        tokens = single_in(tokens)
    if "not" in present:
        tokens = fold_negations(tokens)
    words = _canonical_words(tokens, table_name)
    return " ".join(_rewrite_any_array(words))


def _drop_casts(tokens: list[Token]) -> list[Token]:
    """Remove PostgreSQL ``::type`` casts (type names of several words, ``(n)`` and ``[]``);
    a numeric string cast to a numeric type (``'-100'::integer``) becomes the number, one cast
    to text (``'13'::text``) stays a string."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == PUNCT and token.value == "::":
            if _numeric_cast(out, tokens, i + 1):
                last = out[-1]
                out[-1] = Token(NUMBER, last.value.strip(), last.start, last.end)
            i = _skip_type(tokens, i + 1)
            continue
        out.append(token)
        i += 1
    return _merge_signs(out)


_NUMERIC_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
#: Type names (first word) of PostgreSQL's numeric types.
_NUMERIC_TYPES = frozenset(
    {
        "smallint",
        "integer",
        "int",
        "bigint",
        "int2",
        "int4",
        "int8",
        "numeric",
        "decimal",
        "real",
        "double",
        "float",
        "float4",
        "float8",
    }
)


def _numeric_cast(out: Sequence[Token], tokens: Sequence[Token], type_at: int) -> bool:
    """Whether the last token of ``out`` is a numeric string cast to the numeric type named at
    ``tokens[type_at]``."""
    if not out or out[-1].kind != STRING or not _NUMERIC_TEXT.fullmatch(out[-1].value.strip()):
        return False
    return type_at < len(tokens) and tokens[type_at].value.lower() in _NUMERIC_TYPES


_SIGN_CONTEXT = frozenset(
    {
        "and",
        "or",
        "not",
        "between",
        "in",
        "when",
        "then",
        "else",
        "case",
        "like",
        "is",
        "return",
        "select",
    }
)


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
            i + 1 < len(tokens) and tokens[i].is_punct(".") and tokens[i + 1].kind in (WORD, QUOTED)
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
            inner = tokens[i + 2 : close]
            as_at = _last_top_level_word(inner, "as")
            if as_at is not None:
                replacement = _unwrap_cast_calls(list(inner[:as_at]))
                tokens = [*tokens[:i], *replacement, *tokens[close + 1 :]]
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
            qualifier is not None
            and token.kind in (WORD, QUOTED)
            and token.value.lower() == qualifier
            and i + 1 < len(tokens)
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
        window = words[i : i + 4]
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


def normalize_default(
    text: str | None, dialect_name: str, value_form: Callable[[str], str | None] | None = None
) -> str | None:
    """A canonical form of a column's server default given as SQL text (``None`` for none):
    string literals by value, numbers (quoted or not) by value, ``true``/``false`` as 1/0,
    ``now()``/``CURRENT_TIMESTAMP``/``current_timestamp()`` as one spelling, casts and outer
    parentheses dropped, other expressions as in :func:`normalize_expression`.

    ``value_form`` reads a string literal as a value of the column's type (an interval, a
    boolean) and gives its canonical form, or None to compare the string as such."""
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
    literal = _literal_default(tokens, value_form)
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


def _literal_default(
    tokens: Sequence[Token], value_form: Callable[[str], str | None] | None
) -> str | None:
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
        form = value_form(token.value) if value_form is not None else None
        return form if form is not None else _string_default(token.value)
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
