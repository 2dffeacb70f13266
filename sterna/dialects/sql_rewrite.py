"""Token rewrites for the expression normal form (:func:`.sqltext.normalize_expression`): what
a database gives back in its own spelling is brought to one form on both sides.

* ``x BETWEEN a AND b`` with any operands (calls, arithmetic) -> ``x >= a AND x <= b``, as
  PostgreSQL gives it back (``NOT BETWEEN`` -> ``x < a OR x > b``);
* negations folded into the operators (``NOT (a = b)`` -> ``a <> b``, De Morgan over AND/OR),
  as MariaDB gives them back;
* ``x IN (a)`` -> ``x = a``, as both PostgreSQL and MariaDB give back a list of one;
* MySQL/MariaDB synonyms (``lcase``, ``octet_length``, ``MOD``, ``&&``, ``TRUE``...) in one
  spelling; typed literals (``DATE '...'``) and PostgreSQL's ``TRIM(BOTH FROM x)`` as written.

Each function takes and returns a token list (:mod:`sterna.dialects.sql_lexer`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sterna.dialects.sql_lexer import (
    NUMBER,
    PUNCT,
    QUOTED,
    STRING,
    WORD,
    Token,
    matching_paren,
    split_top_level,
)

#: MySQL/MariaDB give back these words in another spelling (``lower`` as ``lcase``, ``length``
#: as ``octet_length``, ``TRUE`` as ``1``...); both sides take MySQL's reading of them.
_MYSQL_WORDS = {
    "lcase": "lower",
    "ucase": "upper",
    "octet_length": "length",
    "character_length": "char_length",
    "substring": "substr",
    "mid": "substr",
    "ceil": "ceiling",
    "power": "pow",
    "rlike": "regexp",
}
_MYSQL_OPERATORS = {"&&": "and", "||": "or", "!": "not"}
_MYSQL_BOOLEANS = {"true": "1", "false": "0"}
_MYSQL_CHANGED = frozenset([*_MYSQL_WORDS, *_MYSQL_BOOLEANS, "mod"])


def mysql_spelling(tokens: list[Token]) -> list[Token]:
    """MySQL's synonyms in one spelling; ``&&``/``||``/``!`` as words, ``MOD`` (infix or
    ``mod(a, b)``) as ``%``, ``TRUE``/``FALSE`` as ``1``/``0``."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token.kind == PUNCT and token.value in _MYSQL_OPERATORS:
            out.append(_made(WORD, _MYSQL_OPERATORS[token.value], token))
            continue
        lowered = token.value.lower() if token.kind == WORD else ""
        if lowered not in _MYSQL_CHANGED:
            out.append(token)
        elif lowered in _MYSQL_BOOLEANS:
            out.append(_made(NUMBER, _MYSQL_BOOLEANS[lowered], token))
        elif lowered != "mod":
            out.append(_made(WORD, _MYSQL_WORDS[lowered], token))
        elif i < len(tokens) and tokens[i].is_punct("("):
            i = _mod_call(tokens, i, out)
        else:
            out.append(_made(PUNCT, "%", token))
    return out


def _mod_call(tokens: list[Token], open_at: int, out: list[Token]) -> int:
    """``mod(a, b)`` (its ``(`` at ``open_at``) -> ``(a % b)`` onto ``out``; the index after."""
    close = matching_paren(tokens, open_at)
    args = split_top_level(tokens[open_at + 1 : close])
    if len(args) != 2:
        out.append(tokens[open_at - 1])
        return open_at
    mod = tokens[open_at - 1]
    out.extend(
        [
            tokens[open_at],
            *mysql_spelling(args[0]),
            _made(PUNCT, "%", mod),
            *mysql_spelling(args[1]),
            tokens[close],
        ]
    )
    return close + 1


#: Words that make a typed literal of the string after them (``DATE '2000-01-01'``, which
#: PostgreSQL gives back as ``'2000-01-01'::date``).
_TYPED_LITERALS = frozenset({"date", "time", "timestamp", "interval"})
#: The words :func:`generic_spelling` looks for (it changes nothing without one of them).
SPELLING_WORDS = _TYPED_LITERALS | {"trim"}


def generic_spelling(tokens: list[Token]) -> list[Token]:
    """``DATE '...'`` -> ``'...'``; ``TRIM(BOTH FROM x)`` (PostgreSQL's ``trim(x)``) ->
    ``trim(x)`` and ``TRIM(BOTH 'c' FROM x)`` -> ``trim('c' FROM x)``."""
    out: list[Token] = []
    n = len(tokens)
    i = 0
    while i < n:
        token = tokens[i]
        if token.kind == WORD and i + 1 < n:
            lowered = token.value.lower()
            if lowered in _TYPED_LITERALS and tokens[i + 1].kind == STRING:
                i += 1
                continue
            if lowered == "trim" and i + 2 < n and tokens[i + 2].is_word("both"):
                out.extend(tokens[i : i + 2])
                i += 4 if i + 3 < n and tokens[i + 3].is_word("from") else 3
                continue
        out.append(token)
        i += 1
    return out


#: Operators that bind tighter than a comparison: an operand of ``BETWEEN`` goes across them.
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "||", "^", "&", "|", "->", "->>", "#>", "@"})
#: Words before ``(`` that are not a function name.
_NOT_FUNCTIONS = frozenset(
    {
        "and",
        "or",
        "not",
        "in",
        "between",
        "when",
        "then",
        "else",
        "case",
        "is",
        "like",
        "ilike",
        "exists",
        "any",
        "all",
        "some",
        "array",
        "regexp",
        "similar",
        "where",
    }
)


def _matching_open(tokens: Sequence[Token], index: int) -> int:
    """Index of the token opening the bracket closed at ``tokens[index]`` (or 0)."""
    closer = tokens[index].value
    opener = {")": "(", "]": "["}[closer]
    depth = 0
    for i in range(index, -1, -1):
        token = tokens[i]
        if token.kind == PUNCT and token.value == closer:
            depth += 1
        elif token.kind == PUNCT and token.value == opener:
            depth -= 1
            if depth == 0:
                return i
    return 0


def _primary_start(tokens: Sequence[Token], j: int) -> int:
    """Start of the operand (a name, a literal, a call, a bracketed group) ending at ``j``."""
    if tokens[j].is_punct(")", "]"):
        j = _matching_open(tokens, j)
        before = tokens[j - 1] if j > 0 else None
        if (
            before is not None
            and before.kind in (WORD, QUOTED)
            and (before.kind == QUOTED or before.value.lower() not in _NOT_FUNCTIONS)
        ):
            j -= 1
    while j >= 2 and tokens[j - 1].is_punct(".") and tokens[j - 2].kind in (WORD, QUOTED):
        j -= 2
    if (
        j >= 1
        and tokens[j - 1].is_punct("-", "+")
        and (j == 1 or tokens[j - 2].kind == PUNCT and not tokens[j - 2].is_punct(")", "]"))
    ):
        j -= 1  # a unary sign
    return j


def _operand_start(tokens: Sequence[Token], end: int) -> int:
    """Start of the arithmetic operand ending at ``tokens[end]``."""
    j = _primary_start(tokens, end)
    while j >= 2 and tokens[j - 1].kind == PUNCT and tokens[j - 1].value in _ARITHMETIC:
        j = _primary_start(tokens, j - 2)
    return j


def _primary_end(tokens: Sequence[Token], i: int) -> int:
    """Index after the operand starting at ``tokens[i]``."""
    n = len(tokens)
    if i >= n:
        return n
    if tokens[i].is_punct("-", "+", "~"):
        return _primary_end(tokens, i + 1)
    if tokens[i].is_punct("(", "["):
        return matching_paren(tokens, i) + 1
    i += 1
    while i + 1 < n and tokens[i].is_punct(".") and tokens[i + 1].kind in (WORD, QUOTED):
        i += 2
    if i < n and tokens[i].is_punct("(") and tokens[i - 1].kind in (WORD, QUOTED):
        i = matching_paren(tokens, i) + 1
    return i


def _operand_end(tokens: Sequence[Token], i: int) -> int:
    j = _primary_end(tokens, i)
    while j < len(tokens) and tokens[j].kind == PUNCT and tokens[j].value in _ARITHMETIC:
        j = _primary_end(tokens, j + 1)
    return j


def _top_level_word(tokens: Sequence[Token], start: int, word: str) -> int | None:
    """Index of the first ``word`` at the bracket depth of ``tokens[start]``."""
    depth = 0
    for i in range(start, len(tokens)):
        token = tokens[i]
        if token.is_punct("(", "["):
            depth += 1
        elif token.is_punct(")", "]"):
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and token.is_word(word):
            return i
    return None


def expand_between(tokens: list[Token]) -> list[Token]:
    """``x BETWEEN a AND b`` -> ``(x >= a AND x <= b)`` and ``x NOT BETWEEN a AND b`` ->
    ``(x < a OR x > b)``, with any operands (calls, arithmetic), as PostgreSQL gives it back."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.is_word("between") or i == 0:
            i += 1
            continue
        negated = tokens[i - 1].is_word("not")
        subject_end = i - 2 if negated else i - 1
        and_at = _top_level_word(tokens, i + 1, "and")
        if subject_end < 0 or and_at is None or and_at == i + 1:
            i += 1
            continue
        start = _operand_start(tokens, subject_end)
        end = _operand_end(tokens, and_at + 1)
        subject, low, high = (
            tokens[start : subject_end + 1],
            tokens[i + 1 : and_at],
            tokens[and_at + 1 : end],
        )
        ops = ("<", "or", ">") if negated else (">=", "and", "<=")
        expansion = [
            _made(PUNCT, "(", token),
            *subject,
            _made(PUNCT, ops[0], token),
            *low,
            _made(WORD, ops[1], token),
            *subject,
            _made(PUNCT, ops[2], token),
            *high,
            _made(PUNCT, ")", token),
        ]
        tokens = [*tokens[:start], *expansion, *tokens[end:]]
        i = start + len(expansion)
    return tokens


def _made(kind: str, value: str, at: Token) -> Token:
    return Token(kind, value, at.start, at.end)


def single_in(tokens: list[Token]) -> list[Token]:
    """``x IN (a)`` -> ``x = a`` and ``x NOT IN (a)`` -> ``x <> a`` (as PostgreSQL and MariaDB
    give back a list of one)."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.is_word("in") and i + 1 < len(tokens) and tokens[i + 1].is_punct("("):
            close = matching_paren(tokens, i + 1)
            inner = tokens[i + 2 : close]
            single = inner and len(split_top_level(inner)) == 1 and not inner[0].is_word("select")
            if single:
                negated = bool(out) and out[-1].is_word("not")
                if negated:
                    out.pop()
                out.append(_made(PUNCT, "<>" if negated else "=", token))
                out.extend(inner)
                i = close + 1
                continue
        out.append(token)
        i += 1
    return out


#: A comparison and its negation.
_NEGATED = {"=": "<>", "<>": "=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
#: Infix operators negated by a ``NOT`` before them.
_NOT_INFIX = frozenset({"in", "like", "ilike", "regexp", "similar"})
#: Where a ``NOT`` is a prefix (not the ``NOT`` of ``IS NOT``, ``NOT IN``, ``NOT LIKE``).
_PREFIX_AFTER = frozenset({"and", "or", "not", "when", "then", "else", "where"})
#: Words that end the operand of a prefix ``NOT``.
_NOT_ENDS = frozenset({"and", "or", "then", "else", "end", "when"})


def fold_negations(tokens: list[Token]) -> list[Token]:
    """``NOT (a = b)`` -> ``a <> b``, ``NOT (a IS NULL)`` -> ``a IS NOT NULL``, ``NOT (x IN
    (...))`` -> ``x NOT IN (...)``, De Morgan over ``AND``/``OR``: MariaDB gives negations back
    folded this way.  A negation that cannot be folded is kept."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.is_word("not") and _prefix_position(out):
            end = _not_operand_end(tokens, i + 1)
            negated = _negate(fold_negations(tokens[i + 1 : end]))
            if negated is not None:
                out.extend(negated)
                i = end
                continue
        out.append(token)
        i += 1
    return out


def _prefix_position(out: Sequence[Token]) -> bool:
    if not out:
        return True
    last = out[-1]
    if last.kind == PUNCT:
        return last.value in ("(", ",")
    return last.kind == WORD and last.value.lower() in _PREFIX_AFTER


def _not_operand_end(tokens: Sequence[Token], i: int) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        token = tokens[j]
        if token.is_punct("(", "["):
            depth += 1
        elif token.is_punct(")", "]"):
            depth -= 1
            if depth < 0:
                return j
        elif depth == 0 and (
            token.is_punct(",") or (token.kind == WORD and token.value.lower() in _NOT_ENDS)
        ):
            return j
    return len(tokens)


def _negate(tokens: list[Token]) -> list[Token] | None:
    """The negation of a boolean expression, or None when it has no simpler form."""
    tokens = _strip_parens(tokens)
    for word, joiner in (("or", "and"), ("and", "or")):
        parts = _split_word(tokens, word)
        if len(parts) > 1:
            negated = [_negate(part) for part in parts]
            if any(part is None for part in negated):
                return None
            at = tokens[0]
            joined_parts: list[Token] = [_made(PUNCT, "(", at)]
            for k, part in enumerate(negated):
                if k:
                    joined_parts.append(_made(WORD, joiner, at))
                joined_parts.extend([_made(PUNCT, "(", at), *(part or []), _made(PUNCT, ")", at)])
            return [*joined_parts, _made(PUNCT, ")", at)]
    return _negate_predicate(tokens)


def _negate_predicate(tokens: list[Token]) -> list[Token] | None:
    if tokens and tokens[0].is_word("not"):
        return tokens[1:]
    depth = 0
    for j, token in enumerate(tokens):
        if token.is_punct("(", "["):
            depth += 1
        elif token.is_punct(")", "]"):
            depth -= 1
        elif depth or j == 0:
            continue
        elif token.kind == PUNCT and token.value in _NEGATED:
            return _negated_comparison(tokens, j)
        elif token.is_word("is"):
            has_not = j + 1 < len(tokens) and tokens[j + 1].is_word("not")
            rest = tokens[j + 2 :] if has_not else tokens[j + 1 :]
            middle = [] if has_not else [_made(WORD, "not", token)]
            return [*tokens[: j + 1], *middle, *rest]
        elif token.kind == WORD and token.value.lower() in _NOT_INFIX:
            if tokens[j - 1].is_word("not"):
                return [*tokens[: j - 1], *tokens[j:]]
            return [*tokens[:j], _made(WORD, "not", token), *tokens[j:]]
    return None


def _negated_comparison(tokens: list[Token], j: int) -> list[Token]:
    """``a = ANY (...)`` -> ``a <> ALL (...)`` (and back); ``a < b`` -> ``a >= b``..."""
    operator = tokens[j]
    following = tokens[j + 1] if j + 1 < len(tokens) else None
    quantifier: list[Token] = []
    rest = tokens[j + 1 :]
    if following is not None and following.is_word("any", "some", "all"):
        flipped = "all" if following.value.lower() in ("any", "some") else "any"
        quantifier, rest = [_made(WORD, flipped, following)], tokens[j + 2 :]
    replaced = _made(PUNCT, _NEGATED[operator.value], operator)
    return [*tokens[:j], replaced, *quantifier, *rest]


def _strip_parens(tokens: list[Token]) -> list[Token]:
    while (
        len(tokens) > 1
        and tokens[0].is_punct("(")
        and (matching_paren(tokens, 0) == len(tokens) - 1)
    ):
        tokens = tokens[1:-1]
    return tokens


def _split_word(tokens: Sequence[Token], word: str) -> list[list[Token]]:
    """``tokens`` split at the top-level ``word`` (not the AND of a BETWEEN, already gone)."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.is_punct("(", "["):
            depth += 1
        elif token.is_punct(")", "]"):
            depth -= 1
        elif depth == 0 and token.is_word(word):
            parts.append([])
            continue
        parts[-1].append(token)
    return parts
