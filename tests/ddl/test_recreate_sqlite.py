"""SQLite's online rebuild reads what it needs of the catalog, once: the tables referring to the
rebuilt one are found among those whose text names it (and are the ones SQLite's own
``pragma_foreign_key_list`` lists over every table, whatever the names), the table's text is read
once when no column is renamed in place, and a batch that renames nothing reads no columns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from sterna.ddl.recreate_sqlite_catalog import Catalog
from tests.operations.test_batch_support import engine_for, migrating, query, run_sql

# (the rebuilt table's name as created, the name other tables' REFERENCES clauses spell)
NAMES = [
    ("parent", "parent"),
    ("Parent", "PARENT"),  # another case in the reference
    ("my parent", '"my parent"'),
    ('pa"rent', '"pa""rent"'),  # a quote inside the name
    ("pa'rent", '"pa\'rent"'),
    ("Äpfel", '"äpfel"'),  # beyond ASCII: Python folds the case, SQLite does not
    ("ok", "[ok]"),
    ("id", "id"),  # a name every table's text contains
]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema(parent: str, spelled: str, unrelated: int) -> list[str]:
    statements = [f"CREATE TABLE {_quote(parent)} (id INTEGER PRIMARY KEY, code TEXT)"]
    statements += [
        f"CREATE TABLE child_a (id INTEGER PRIMARY KEY, pid INT REFERENCES {spelled} (id) "
        "ON DELETE CASCADE)",
        f"CREATE TABLE child_b (id INTEGER PRIMARY KEY, pid INT, "
        f"FOREIGN KEY (pid) REFERENCES {spelled} (id))",
        "CREATE TABLE self_ref (id INTEGER PRIMARY KEY, up INT REFERENCES self_ref (id))",
    ]
    statements += [
        f"CREATE TABLE other_{i} (id INTEGER PRIMARY KEY, note TEXT)" for i in range(unrelated)
    ]
    return statements


def _every_table(conn: sa.Connection, name: str) -> set[tuple[str, str]]:
    """SQLite's answer over every table: ``PRAGMA foreign_key_list`` of each."""
    found = set()
    tables = conn.exec_driver_sql(
        "SELECT name FROM main.sqlite_master WHERE type = 'table'"
    ).fetchall()
    for (table,) in tables:
        keys = conn.exec_driver_sql(f"PRAGMA main.foreign_key_list({_quote(table)})").fetchall()
        for key in keys:
            if key[2].lower() == name.lower() and table.lower() != name.lower():
                found.add((table, key[6].upper()))
    return found


@pytest.mark.parametrize(("parent", "spelled"), NAMES, ids=[n for n, _ in NAMES])
def test_children_are_the_tables_sqlite_lists_as_referring(
    sqlite_url: str, parent: str, spelled: str
) -> None:
    run_sql(sqlite_url, *_schema(parent, spelled, unrelated=3))
    engine = engine_for(sqlite_url)
    try:
        with engine.connect() as conn:
            catalog = Catalog(conn, None)
            children = catalog.children(parent, catalog.tables())
            expected = _every_table(conn, parent)
    finally:
        engine.dispose()
    assert {(c.table, c.on_delete) for c in children} == expected
    assert {c.table for c in children} == {"child_a", "child_b"}


@contextmanager
def _statements(url: str) -> Iterator[tuple[Any, list[str]]]:
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(args[2].split()))

    with migrating(url) as (op, conn):
        sa.event.listen(conn, "before_cursor_execute", record)
        yield op, sent


def test_only_tables_naming_the_rebuilt_one_are_asked_for_their_keys(sqlite_url: str) -> None:
    run_sql(sqlite_url, *_schema("parent", "parent", unrelated=20))
    with _statements(sqlite_url) as (op, sent), op.batch_alter_table("parent") as batch_op:
        batch_op.alter_column("code", existing_type=sa.Text(), nullable=False)
    asked = [s for s in sent if "pragma_foreign_key_list" in s]
    assert len(asked) == 1
    assert "m.name IN (?, ?)" in asked[0]  # child_a, child_b; not other_*, not parent itself
    assert query(sqlite_url, "SELECT name FROM sqlite_master WHERE name LIKE '%tmp%'") == []


def test_a_table_no_other_names_is_not_asked_for_referring_keys(sqlite_url: str) -> None:
    run_sql(sqlite_url, *_schema("parent", "parent", unrelated=3))
    with _statements(sqlite_url) as (op, sent), op.batch_alter_table("other_1") as batch_op:
        batch_op.alter_column("note", existing_type=sa.Text(), nullable=False)
    assert not [s for s in sent if "pragma_foreign_key_list" in s]
    assert query(sqlite_url, "SELECT count(*) FROM other_1 WHERE note IS NULL") == [(0,)]


def test_the_table_text_is_read_once_and_no_columns_without_a_rename(sqlite_url: str) -> None:
    run_sql(sqlite_url, *_schema("parent", "parent", unrelated=1))
    with _statements(sqlite_url) as (op, sent), op.batch_alter_table("parent") as batch_op:
        batch_op.alter_column("code", existing_type=sa.Text(), nullable=False)
    table_reads = [s for s in sent if "WHERE type = ? AND lower(name)" in s]
    assert len(table_reads) == 1
    assert not [s for s in sent if "table_xinfo" in s]
    # indexes, triggers and views in one read, not one read for each
    assert not [s for s in sent if "lower(tbl_name) = lower(?) AND sql IS NOT NULL" in s]
    assert len([s for s in sent if "type IN ('view', 'trigger')" in s]) == 1


def test_the_indexes_read_with_the_views_and_triggers_are_made_again(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)",
        "CREATE TABLE u (id INTEGER PRIMARY KEY, a TEXT)",
        "CREATE INDEX ix_t_b ON t (b DESC)",
        "CREATE UNIQUE INDEX ix_t_a ON T (a) WHERE a IS NOT NULL",  # the table named otherwise
        "CREATE INDEX ix_u_a ON u (a)",
        "CREATE VIEW v AS SELECT a FROM t",
    )
    before = query(sqlite_url, "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'")
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("b", existing_type=sa.Text(), nullable=False)
    after = query(sqlite_url, "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'")
    assert sorted(after) == sorted(before)


def test_a_rename_in_place_reads_the_renamed_text(sqlite_url: str) -> None:
    run_sql(sqlite_url, *_schema("parent", "parent", unrelated=1))
    with _statements(sqlite_url) as (op, sent), op.batch_alter_table("parent") as batch_op:
        batch_op.alter_column("code", new_column_name="label")
        batch_op.alter_column("label", existing_type=sa.Text(), nullable=False)
    assert len([s for s in sent if "table_xinfo" in s]) == 1
    assert len([s for s in sent if "WHERE type = ? AND lower(name)" in s]) == 2
    sql = query(sqlite_url, "SELECT sql FROM sqlite_master WHERE name = 'parent'")[0][0]
    assert "label TEXT NOT NULL" in " ".join(sql.split())


def _pragma_check(conn: sa.Connection, table: str) -> tuple[list[tuple[str, str]], str | None]:
    """SQLite's answer for one table: ``PRAGMA foreign_key_check`` rows or its error."""
    try:
        rows = conn.exec_driver_sql(f"PRAGMA main.foreign_key_check({_quote(table)})").fetchall()
    except sa.exc.DBAPIError as exc:
        return [], str(exc.orig)
    return sorted((str(r[0]), str(r[2])) for r in rows), None


CHECKED_SCHEMA = (
    "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT)",
    "CREATE TABLE a (id INTEGER PRIMARY KEY, pid INT REFERENCES p (id))",
    "CREATE TABLE b (id INTEGER PRIMARY KEY, pid INT REFERENCES p (id))",
    "CREATE TABLE bad (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES p (code))",  # no unique
    "INSERT INTO p VALUES (1, 'x')",
    "INSERT INTO a VALUES (1, 1), (2, 7), (3, 8)",
    "INSERT INTO b VALUES (1, 9)",
)


@pytest.mark.parametrize("tables", [["a"], ["a", "b"], ["p", "a", "b"], ["a", "bad", "b"], ["bad"]])
def test_foreign_key_state_is_what_each_table_check_finds(
    sqlite_url: str, tables: list[str]
) -> None:
    run_sql(sqlite_url, *CHECKED_SCHEMA)
    engine = engine_for(sqlite_url)
    try:
        with engine.connect() as conn:
            state = Catalog(conn, None).fk_state(tables)
            answers = {table: _pragma_check(conn, table) for table in tables}
    finally:
        engine.dispose()
    counts: dict[tuple[str, str], int] = {}
    for rows, _ in answers.values():
        for key in rows:
            counts[key] = counts.get(key, 0) + 1
    assert dict(state.counts) == counts
    assert state.errors == {t: error for t, (_, error) in answers.items() if error is not None}


def test_the_tables_checked_are_checked_in_one_query(sqlite_url: str) -> None:
    run_sql(sqlite_url, *CHECKED_SCHEMA[:3])
    with _statements(sqlite_url) as (op, sent), op.batch_alter_table("p") as batch_op:
        batch_op.alter_column("code", existing_type=sa.Text(), nullable=False)
    checks = [s for s in sent if "foreign_key_check" in s]
    assert len(checks) == 2  # before and after, each for p, a and b
    assert all(s.count("pragma_foreign_key_check(?, ?)") == 3 for s in checks)


def test_a_key_the_rebuild_leaves_without_referent_is_told_against_its_table(
    sqlite_url: str,
) -> None:
    from sterna.errors import BatchForeignKeyError

    run_sql(
        sqlite_url,
        "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT CONSTRAINT uq_code UNIQUE)",
        "CREATE TABLE a (id INTEGER PRIMARY KEY, pid INT REFERENCES p (id))",
        "CREATE TABLE c (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES p (code))",
    )
    with (
        pytest.raises(BatchForeignKeyError, match=r"foreign keys of table 'c' no longer match"),
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("p") as batch_op,
    ):
        batch_op.drop_constraint("uq_code", type_="unique")
    sql = query(sqlite_url, "SELECT sql FROM sqlite_master WHERE name = 'p'")[0][0]
    assert "uq_code" in sql


TRIGGERED = [("parent", "parent"), ("Parent", "PARENT"), ("Äpfel", '"Äpfel"')]


@pytest.mark.parametrize(("table", "spelled"), TRIGGERED, ids=[t for t, _ in TRIGGERED])
def test_the_table_triggers_and_no_others_are_made_again(
    sqlite_url: str, table: str, spelled: str
) -> None:
    run_sql(
        sqlite_url,
        f"CREATE TABLE {_quote(table)} (id INTEGER PRIMARY KEY, code TEXT)",
        "CREATE TABLE other (id INTEGER PRIMARY KEY)",
        "CREATE TABLE audit (msg TEXT)",
        f"CREATE TRIGGER tr_own AFTER INSERT ON {spelled} BEGIN "
        "INSERT INTO audit VALUES ('own'); END",
        "CREATE TRIGGER tr_other AFTER INSERT ON other BEGIN "
        "INSERT INTO audit VALUES ('other'); END",
    )
    before = query(
        sqlite_url, "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
    )
    with migrating(sqlite_url) as (op, _), op.batch_alter_table(table) as batch_op:
        batch_op.alter_column("code", existing_type=sa.Text(), nullable=False)
    after = query(
        sqlite_url, "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
    )
    assert sorted(after) == sorted(before)
