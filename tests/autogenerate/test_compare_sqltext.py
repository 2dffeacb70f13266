"""SQL text normal forms (expressions, defaults) and SQLite's CREATE statement parsing, without a
database: the expected forms are written by hand."""

from __future__ import annotations

import pytest

from sterna.autogenerate.reflect_sqlite_ddl import parse_create_index, parse_create_table
from sterna.dialects.sql_text import (
    QUOTED,
    STRING,
    TokenizeError,
    normalize_expression,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "dialect", "expected"),
    [
        (
            "n > 0::numeric AND (name::text = ANY (ARRAY['a'::character varying, "
            "'b'::character varying]::text[]))",
            "postgresql",
            "n > 0 and name in 'a' , 'b'",
        ),
        ("`n` > 0 and `name` in ('a','b')", "mysql", "n > 0 and name in 'a' , 'b'"),
        ("\"N\" > 0 AND [name] IN ('a', 'b')", "sqlite", "n > 0 and name in 'a' , 'b'"),
        ("lower((title)::text)", "postgresql", "lower title"),
        ("lower(doc.title)", "sqlite", "lower title"),
        ("x BETWEEN 1 AND 5", "sqlite", "x >= 1 and x <= 5"),
        ("CAST(x AS INTEGER) != 1.50", "sqlite", "x <> 1.5"),
        ("(email)::text ~~ '%@%'::text", "postgresql", "email like '%@%'"),
        ("balance >= '-100'::integer", "postgresql", "balance >= -100"),
        ("status <> ALL (ARRAY['x'::text])", "postgresql", "status not in 'x'"),
        ("a - 1 > -2", "sqlite", "a - 1 > -2"),
        ("-- comment\n a  =  1 /* more */", "sqlite", "a = 1"),
        (
            "char_length(name) BETWEEN 1 AND 32",
            "mysql",
            "char_length name >= 1 and char_length name <= 32",
        ),
        (
            "char_length(name::text) >= 1 AND char_length(name::text) <= 32",
            "postgresql",
            "char_length name >= 1 and char_length name <= 32",
        ),
        ("a + 1 BETWEEN b AND c * 2 OR d", "sqlite", "a + 1 >= b and a + 1 <= c * 2 or d"),
        ("x NOT BETWEEN -1 AND f(y)", "sqlite", "x < -1 or x > f y"),
        ("NOT (a = b AND c IS NULL)", "mysql", "a <> b or c is not null"),
        ("NOT (x IN (1, 2)) AND NOT y LIKE 'a%'", "mysql", "x not in 1 , 2 and y not like 'a%'"),
        ("NOT (x = ANY (ARRAY[1, 2]))", "postgresql", "x not in 1 , 2"),
        ("NOT f(x)", "sqlite", "not f x"),
        ("status IN ('a')", "sqlite", "status = 'a'"),
        ("status NOT IN ('a')", "sqlite", "status <> 'a'"),
        ("name::text <> '13'::text", "postgresql", "name <> '13'"),
        (
            "lcase(`e`) = 1 && `a` MOD 2 = 0 || octet_length(`e`) > 0",
            "mysql",
            "lower e = 1 and a % 2 = 0 or length e > 0",
        ),
        ("lower(e) = TRUE AND mod(a, 2) = 0", "mysql", "lower e = 1 and a % 2 = 0"),
        ("TRIM(BOTH FROM name) <> ''::text", "postgresql", "trim name <> ''"),
        ("d > DATE '2000-01-01'", "mysql", "d > '2000-01-01'"),
    ],
)
def test_normalize_expression(text: str, dialect: str, expected: str) -> None:
    assert normalize_expression(text, dialect, table_name="doc") == expected


def test_tokenize_quoting_rules() -> None:
    (token,) = tokenize("'it''s'")
    assert (token.kind, token.value) == (STRING, "it's")
    (token,) = tokenize(r"'it\'s'", backslash_escapes=True)
    assert token.value == "it's"
    (token,) = tokenize('"a ""b"""')
    assert (token.kind, token.value) == (QUOTED, 'a "b"')
    (token,) = tokenize('"x"', double_quoted_strings=True)
    assert token.kind == STRING
    (token,) = tokenize("[a b]", bracket_identifiers=True)
    assert (token.kind, token.value) == (QUOTED, "a b")
    with pytest.raises(TokenizeError):
        tokenize("'open")


def test_parse_create_table() -> None:
    parsed = parse_create_table(
        'CREATE TABLE "t" (\n'
        "  id INTEGER NOT NULL CONSTRAINT pk_t PRIMARY KEY AUTOINCREMENT,\n"
        "  a INTEGER CONSTRAINT ck_a CHECK (a > 0) REFERENCES [p] (id),\n"
        "  b VARCHAR(10) DEFAULT ('x, (y)') UNIQUE,\n"
        "  c INT GENERATED ALWAYS AS (a * 2) STORED,\n"
        "  d INT AS (a + 1),\n"
        '  CONSTRAINT uq_ab UNIQUE (a, "b"),\n'
        "  CHECK (b <> 'z'),\n"
        "  CONSTRAINT fk_b FOREIGN KEY (b) REFERENCES q (code) DEFERRABLE INITIALLY DEFERRED\n"
        ")"
    )
    assert parsed.primary_key is not None and parsed.primary_key.name == "pk_t"
    assert parsed.autoincrement
    assert [(u.name, u.columns) for u in parsed.uniques] == [(None, ("b",)), ("uq_ab", ("a", "b"))]
    assert [(c.name, c.sqltext) for c in parsed.checks] == [("ck_a", "a > 0"), (None, "b <> 'z'")]
    assert [(f.name, f.columns, f.referred_table) for f in parsed.foreign_keys] == [
        (None, ("a",), "p"),
        ("fk_b", ("b",), "q"),
    ]
    assert parsed.foreign_keys[1].deferrable is True
    assert parsed.foreign_keys[1].initially == "DEFERRED"
    assert {k: (v.sqltext, v.persisted) for k, v in parsed.computed.items()} == {
        "c": ("a * 2", True),
        "d": ("a + 1", False),
    }


def test_parse_create_index() -> None:
    parsed = parse_create_index(
        "CREATE UNIQUE INDEX ix ON t (lower(name) DESC, b COLLATE NOCASE ASC) WHERE a > 1"
    )
    assert parsed.elements == ["lower(name)", "b"]
    assert parsed.where == "a > 1"
    assert parse_create_index(None).elements == []
