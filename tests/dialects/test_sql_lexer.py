"""The one SQL lexer (sterna/dialects/sql_lexer.py) without a database: both readings of the same
text, the quote and identifier rules, bracket matching and top-level splitting.  Expected
values are written by hand."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sterna.dialects.sql_lexer import (
    NUMBER,
    PUNCT,
    QUOTED,
    STRING,
    WORD,
    Token,
    TokenizeError,
    dialect_tokenize,
    ident_value,
    joined,
    matching_paren,
    render,
    split_top_level,
    tokenize,
    tokenize_lossless,
    unterminated,
)


def _pairs(text: str, **rules: bool) -> list[tuple[str, str]]:
    return [(t.kind, t.value) for t in tokenize(text, **rules)]


@pytest.mark.parametrize(
    ("text", "rules", "expected"),
    [
        ("'it''s'", {}, [(STRING, "it's")]),
        (r"'a\'b'", {"backslash_escapes": True}, [(STRING, "a'b")]),
        (r"'a\nb\\'", {"backslash_escapes": True}, [(STRING, "a\nb\\")]),
        (r"E'a\'b'", {}, [(STRING, "a'b")]),
        ("TYPE'x'", {}, [(WORD, "TYPE"), (STRING, "x")]),
        ('"a ""b"""', {}, [(QUOTED, 'a "b"')]),
        ('"a ""b"""', {"double_quoted_strings": True}, [(STRING, 'a "b"')]),
        ("`x``y`", {}, [(QUOTED, "x`y")]),
        ("[a b]", {"bracket_identifiers": True}, [(QUOTED, "a b")]),
        ("a[1]", {}, [(WORD, "a"), (PUNCT, "["), (NUMBER, "1"), (PUNCT, "]")]),
        (
            "x -- a 'comment\n/* and 'another */ + 1.5e3",
            {},
            [(WORD, "x"), (PUNCT, "+"), (NUMBER, "1.5e3")],
        ),
        (
            "a::text <> b",
            {},
            [(WORD, "a"), (PUNCT, "::"), (WORD, "text"), (PUNCT, "<>"), (WORD, "b")],
        ),
        ("n$1 ~~* 'a'", {}, [(WORD, "n$1"), (PUNCT, "~~*"), (STRING, "a")]),
        ("d->>'k'", {}, [(WORD, "d"), (PUNCT, "->>"), (STRING, "k")]),
        ("é_1 .5", {}, [(WORD, "é_1"), (NUMBER, ".5")]),
    ],
)
def test_tokenize_values(
    text: str, rules: dict[str, bool], expected: list[tuple[str, str]]
) -> None:
    assert _pairs(text, **rules) == expected


@pytest.mark.parametrize("text", ["'open", '"open', "`open", "a = 'x''"])
def test_unterminated_quote_raises(text: str) -> None:
    with pytest.raises(TokenizeError):
        tokenize(text)
    with pytest.raises(TokenizeError):
        tokenize("[open", bracket_identifiers=True)


def test_dialect_rules() -> None:
    assert _kinds(dialect_tokenize('"x"', "mysql")) == [STRING]
    assert _kinds(dialect_tokenize('"x"', "mariadb")) == [STRING]
    assert _kinds(dialect_tokenize('"x"', "postgresql")) == [QUOTED]
    assert _kinds(dialect_tokenize("[x]", "sqlite")) == [QUOTED]
    assert _kinds(dialect_tokenize("[x]", "postgresql")) == [PUNCT, WORD, PUNCT]
    assert [t.value for t in dialect_tokenize(r"'a\'b'", "mysql")] == ["a'b"]


def _kinds(tokens: Sequence[Token]) -> list[str]:
    return [t.kind for t in tokens]


def test_spans_give_the_source_text() -> None:
    sql = "CHECK ( /* c */ a  >  'x y' -- t\n)"
    tokens = tokenize(sql)
    assert joined(tokens[2:-1], sql) == "a  >  'x y'"
    assert joined([], sql) == ""


LOSSLESS = (
    "CREATE TABLE \"a\"\"b\" ([x y] INT, `z` TEXT DEFAULT 'it''s' -- note, (\n"
    "  , w TEXT CHECK (w <> ')') /* ( */ ) WITHOUT ROWID"
)


def test_lossless_reading_renders_back() -> None:
    assert render(tokenize_lossless(LOSSLESS)) == LOSSLESS
    assert render(tokenize_lossless("x = 'open")) == "x = 'open"


def test_lossless_kinds_and_identifiers() -> None:
    pieces = [t for t in tokenize_lossless(LOSSLESS) if t.kind not in ("ws", "comment")]
    names = [ident_value(t) for t in pieces if t.kind == QUOTED]
    assert names == ['a"b', "x y", "z"]
    assert ident_value(pieces[0]) == "CREATE"
    assert ident_value(next(t for t in pieces if t.kind == STRING)) == "it's"
    assert ident_value(next(t for t in pieces if t.kind == PUNCT)) is None
    comments = [t.text for t in tokenize_lossless(LOSSLESS) if t.kind == "comment"]
    assert comments == ["-- note, (", "/* ( */"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = 'open", True),
        ('"open', True),
        ("[open", True),
        ("a = 'x''", True),
        ("a = 'x'''", False),
        ("[a]", False),
        ("a", False),
        ("", False),
    ],
)
def test_unterminated(text: str, expected: bool) -> None:
    assert unterminated(tokenize_lossless(text)) is expected


def test_matching_paren_nested_and_quoted() -> None:
    tokens = tokenize("f(a, (b), ')', [c]) + g[1][2]")
    close = matching_paren(tokens, 1)
    assert tokens[close].start == 18
    square = next(i for i, t in enumerate(tokens) if t.is_punct("[") and i > close)
    assert tokens[matching_paren(tokens, square)].value == "]"
    assert matching_paren(tokenize("(a, (b)"), 0) == 6  # never closed: len(tokens)
    pieces = tokenize_lossless("(a, ')' , (b))x")
    assert render(pieces[: matching_paren(pieces, 0) + 1]) == "(a, ')' , (b))"


def test_split_top_level() -> None:
    sql = "a INT DEFAULT (1, 2), b NUMERIC(10, 2), c TEXT CHECK (c IN ('x,y', 'z')), d INT[2,3]"
    parts = split_top_level(tokenize(sql))
    assert [joined(p, sql) for p in parts] == [
        "a INT DEFAULT (1, 2)",
        "b NUMERIC(10, 2)",
        "c TEXT CHECK (c IN ('x,y', 'z'))",
        "d INT[2,3]",
    ]
    pieces = split_top_level(tokenize_lossless("a AND (b AND c) AND d"), "AND")
    assert len(pieces) == 1  # only punctuation separates
    assert [render(p) for p in split_top_level(tokenize_lossless("x;(y;z);w"), ";")] == [
        "x",
        "(y;z)",
        "w",
    ]


def _word_start(char: str) -> bool:
    return char.isascii() is False or char == "_" or ("a" <= char.lower() <= "z")


def _word_part(char: str) -> bool:
    return _word_start(char) or char == "$" or "0" <= char <= "9"


# every ASCII character, the Latin-1 and BMP edges, surrogates and the last code point
CHARS = [chr(cp) for cp in (*range(0x100), 0x7FF, 0x800, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFFFF)]
CHARS += [chr(0x10000), chr(0x10FFFF), "é", "ß", "Ω", "中", "\u00a0", "\u2028", "«"]


@pytest.mark.parametrize("lossless", [False, True], ids=["tokenize", "lossless"])
def test_a_word_starts_and_goes_on_with_the_characters_of_the_rule(lossless: bool) -> None:
    """A word starts with A-Z, a-z, ``_`` or any character beyond ASCII, and goes on with
    those, the digits and ``$`` (the scanner's classes spelled by what they exclude)."""

    def kinds(text: str) -> list[tuple[str, str]]:
        if lossless:
            return [(tok.kind, tok.text) for tok in tokenize_lossless(text) if tok.kind != "ws"]
        return [(tok.kind, text[tok.start : tok.end]) for tok in tokenize(text)]

    for char in CHARS:
        if char in "'\"`[-/" or char.isspace():
            continue  # quotes, comments and whitespace have their own rules
        assert (kinds(char + "a")[0] == (WORD, char + "a")) is _word_start(char), repr(char)
        assert (kinds("a" + char)[0] == (WORD, "a" + char)) is _word_part(char), repr(char)
