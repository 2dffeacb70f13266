"""SQLite reflection's reading of CREATE statements (sterna/autogenerate/reflect_sqlite_ddl.py):
the catalog's view of the one CREATE TABLE parser.  Expected values are written by hand."""

from __future__ import annotations

from sterna.autogenerate.reflect_sqlite_ddl import parse_create_index, parse_create_table


def test_constraint_name_carries_to_the_next_constraint() -> None:
    parsed = parse_create_table(
        "CREATE TABLE t (a INT CONSTRAINT nn NOT NULL PRIMARY KEY, "
        "b INT CONSTRAINT r REFERENCES p (id) CONSTRAINT u UNIQUE, "
        "c INT CONSTRAINT ck CHECK (c IN (1, 2)) CHECK (c > 0))"
    )
    assert parsed.primary_key is not None
    assert (parsed.primary_key.name, parsed.primary_key.columns) == ("nn", ("a",))
    assert [(u.name, u.columns) for u in parsed.uniques] == [("u", ("b",))]
    assert [(f.name, f.referred_table) for f in parsed.foreign_keys] == [("r", "p")]
    assert [(c.name, c.sqltext) for c in parsed.checks] == [("ck", "c IN (1, 2)"), (None, "c > 0")]
    assert not parsed.autoincrement


def test_deferrability_quotes_and_comments() -> None:
    parsed = parse_create_table(
        'CREATE TABLE "t" (\n'
        "  [a b] INTEGER PRIMARY KEY /* ( */ AUTOINCREMENT, -- it's, (\n"
        '  `c` TEXT REFERENCES "p q" NOT DEFERRABLE,\n'
        "  d TEXT DEFAULT ('x, y') AS (upper(\"c\") || ')') VIRTUAL,\n"
        "  FOREIGN KEY (d) REFERENCES [r] (x) DEFERRABLE INITIALLY deferred,\n"
        "  CONSTRAINT 'k' CHECK ( /* c */ d <> 'a' -- t\n  )\n"
        ")"
    )
    assert parsed.autoincrement
    assert parsed.primary_key is not None and parsed.primary_key.columns == ("a b",)
    fks = [(f.columns, f.referred_table, f.deferrable, f.initially) for f in parsed.foreign_keys]
    assert fks == [(("c",), "p q", False, None), (("d",), "r", True, "DEFERRED")]
    assert {k: (v.sqltext, v.persisted) for k, v in parsed.computed.items()} == {
        "d": ("upper(\"c\") || ')'", False)
    }
    assert [(c.name, c.sqltext) for c in parsed.checks] == [("k", "d <> 'a'")]


def test_unreadable_text_gives_nothing() -> None:
    for sql in (
        None,
        "",
        "CREATE TABLE t",
        "CREATE TABLE t (a INT CHECK (a <> 'x))",
        "CREATE TABLE t (a INT) 'x",
    ):
        parsed = parse_create_table(sql)
        assert (parsed.primary_key, parsed.checks, parsed.uniques) == (None, [], [])
    parsed = parse_create_table("CREATE TABLE t (a INT, PRIMARY KEY, UNIQUE)")
    assert (parsed.primary_key, parsed.uniques) == (None, [])


def test_index_elements_and_where() -> None:
    parsed = parse_create_index(
        'CREATE INDEX "ix" ON [t] (a COLLATE "nocase" DESC, (b + 1), lower(\'A, b\')) '
        "WHERE a IS NOT NULL -- partial"
    )
    assert parsed.elements == ["a", "(b + 1)", "lower('A, b')"]
    assert parsed.where == "a IS NOT NULL"
