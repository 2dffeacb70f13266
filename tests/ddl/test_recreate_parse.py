"""The one SQLite CREATE TABLE parser (sterna/ddl/recreate_parse.py) on the shapes both the
rebuild and SQLite reflection read: quotes of every kind, nested parentheses, comments, CHECK
and DEFAULT expressions, column and table constraint clauses.  Expected parts are written by
hand."""

from __future__ import annotations

import pytest

from sterna.ddl.recreate_parse import SQLParseError, parse_create_table

SQL = (
    'CREATE TABLE "my ""t""" (\n'
    "  [id] INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT ABORT AUTOINCREMENT,\n"
    "  `a, b` VARCHAR(10, 2) DEFAULT ('x, (y)') NOT NULL, -- a comment, with ( and '\n"
    "  'c' NUMERIC DEFAULT -1.5 CHECK (c > (0) AND c <> ')') COLLATE NOCASE,\n"
    "  d TEXT DEFAULT 'a'::character varying /* (, */ REFERENCES p (id) ON DELETE SET NULL\n"
    "      DEFERRABLE INITIALLY DEFERRED,\n"
    "  e BLOB DEFAULT x'00ff' GENERATED ALWAYS AS (length(d) * 2) STORED,\n"
    '  CONSTRAINT uq UNIQUE ("a, b", c COLLATE NOCASE DESC),\n'
    "  CHECK ((c) BETWEEN -1 AND 10),\n"
    '  CONSTRAINT fk FOREIGN KEY (d, [e]) REFERENCES main."q r" (x, y) MATCH FULL\n'
    ") WITHOUT ROWID, STRICT;"
)


def test_columns_and_clauses() -> None:
    parsed = parse_create_table(SQL)
    assert [c.name for c in parsed.columns] == ["id", "a, b", "c", "d", "e"]
    kinds = [[(k.kind, k.name) for k in c.clauses] for c in parsed.columns]
    assert kinds == [
        [("primary", "pk")],
        [("default", None), ("notnull", None)],
        [("default", None), ("check", None), ("collate", None)],
        [("default", None), ("references", None)],
        [("default", None), ("generated", None)],
    ]
    texts = [[k.text for k in c.clauses] for c in parsed.columns]
    assert texts[0] == ["CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT ABORT AUTOINCREMENT"]
    assert texts[1][0] == "DEFAULT ('x, (y)')"
    assert texts[2][:2] == ["DEFAULT -1.5", "CHECK (c > (0) AND c <> ')')"]
    assert texts[3][0] == "DEFAULT 'a'::character varying"
    assert texts[3][1].startswith("REFERENCES p (id) ON DELETE SET NULL\n")
    assert texts[3][1].endswith("DEFERRABLE INITIALLY DEFERRED")
    assert texts[4] == ["DEFAULT x'00ff'", "GENERATED ALWAYS AS (length(d) * 2) STORED"]
    assert [c.text() for c in parsed.columns][
        1
    ] == "`a, b` VARCHAR(10, 2) DEFAULT ('x, (y)') NOT NULL"


def test_table_constraints_and_options() -> None:
    parsed = parse_create_table(SQL)
    found = [(c.kind, c.name, c.columns, c.ref_table, c.ref_columns) for c in parsed.constraints]
    assert found == [
        ("unique", "uq", ["a, b", "c"], None, []),
        ("check", None, [], None, []),
        ("foreign", "fk", ["d", "e"], "q r", ["x", "y"]),
    ]
    assert parsed.constraints[1].text == "CHECK ((c) BETWEEN -1 AND 10)"
    assert parsed.options == "WITHOUT ROWID, STRICT"
    assert parsed.unterminated is False


def test_column_text_keeps_its_spelling() -> None:
    sql = "CREATE TABLE t (a  INT   DEFAULT ( 1 +  /* keep */ 2 )  NOT   NULL)"
    (column,) = parse_create_table(sql).columns
    assert column.text() == "a INT DEFAULT ( 1 +  /* keep */ 2 ) NOT   NULL"


def test_text_ending_inside_a_quote_is_marked() -> None:
    parsed = parse_create_table("CREATE TABLE t (a INT) 'x")
    assert parsed.unterminated is True


@pytest.mark.parametrize("sql", ["CREATE TABLE t", "CREATE TABLE t ((1) INT)"])
def test_unreadable_text_raises(sql: str) -> None:
    with pytest.raises(SQLParseError):
        parse_create_table(sql)


def test_unbalanced_parentheses_raise() -> None:
    with pytest.raises(ValueError, match="unbalanced parentheses"):
        parse_create_table("CREATE TABLE t (a INT CHECK (a > 0)")
