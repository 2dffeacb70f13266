"""Batch mode on real SQLite files: a rebuild keeps everything the table had.

The fixture schema is written as raw SQL (so that its exact text is known), the batch runs
through ``Operations`` in a migration transaction begun as the runtime begins it, and the
results are checked with plain ``sqlite3`` queries: data, the SQL text of indexes and triggers,
views, and constraints proven by inserting rows that must be rejected.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect

from sterna.errors import BatchForeignKeyError
from tests.operations.test_batch_support import (
    Recorder,
    engine_for,
    master,
    migrating,
    query,
    rejects,
    run_sql,
)

SCHEMA = (
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    """CREATE TABLE item (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        parent_id INTEGER REFERENCES parent (id),
        code TEXT COLLATE NOCASE NOT NULL,
        qty INTEGER DEFAULT 1 CHECK (qty >= 0),
        note TEXT,
        CONSTRAINT ck_code_len CHECK (length(code) <= 8),
        UNIQUE (code),
        CONSTRAINT uq_parent_qty UNIQUE (parent_id, qty)
    )""",
    "CREATE TABLE line (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES item (id))",
    "CREATE TABLE log (what TEXT)",
    "CREATE INDEX ix_item_qty ON item (qty DESC)",
    "CREATE INDEX ix_item_big ON item (qty) WHERE qty > 100",
    "CREATE INDEX ix_item_lower ON item (lower(note))",
    "CREATE TRIGGER tr_item_ins AFTER INSERT ON item BEGIN "
    "INSERT INTO log (what) VALUES ('added ' || NEW.code); END",
    "CREATE VIEW v_item AS SELECT item.code, parent.name FROM item "
    "JOIN parent ON parent.id = item.parent_id",
    "INSERT INTO parent VALUES (1, 'p1'), (2, 'p2')",
    "INSERT INTO item (parent_id, code, qty, note) VALUES "
    "(1, 'a', 5, 'x'), (2, 'b', 150, 'y'), (1, 'c', 0, NULL), (2, 'zz', 9, 'gone')",
    "DELETE FROM item WHERE code = 'zz'",
    "INSERT INTO line VALUES (1, 1), (2, 3)",
    "DELETE FROM log",
)
ITEMS = [(1, 1, "a", 5, "x"), (2, 2, "b", 150, "y"), (3, 1, "c", 0, None)]


def _items(url: str) -> list[tuple[object, ...]]:
    return query(url, "SELECT id, parent_id, code, qty, note FROM item ORDER BY id")


def _columns(url: str, table: str) -> list[str]:
    return [str(row[1]) for row in query(url, f"PRAGMA table_info({table})")]


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.parametrize("foreign_keys", [False, True], ids=["fk-off", "fk-on"])
def test_rebuild_keeps_data_indexes_constraints_fks_triggers_views(
    sqlite_url: str, foreign_keys: bool
) -> None:
    run_sql(sqlite_url, *SCHEMA)
    before = master(sqlite_url)
    with migrating(sqlite_url, foreign_keys) as (op, conn):
        recorder = Recorder(conn)
        with op.batch_alter_table("item") as batch_op:
            batch_op.alter_column("note", type_=sa.String(50))
            batch_op.add_column(sa.Column("extra", sa.Integer), insert_after="code")
        recorder.close()
    # the strategy: with enforcement on, rows are parked and copied back under the old name
    copied_back = any(s.startswith("INSERT INTO item (") for s in recorder.statements)
    assert copied_back is foreign_keys

    after = master(sqlite_url)
    assert _items(sqlite_url) == ITEMS
    assert _columns(sqlite_url, "item") == ["id", "parent_id", "code", "extra", "qty", "note"]
    assert query(sqlite_url, "SELECT type FROM pragma_table_info('item') WHERE name = 'note'") == [
        ("VARCHAR(50)",)
    ]
    for name in ("ix_item_qty", "ix_item_big", "ix_item_lower", "tr_item_ins", "v_item"):
        assert after[name] == before[name], name
    assert not [name for name in after if name.startswith("_sterna_tmp")]
    assert query(sqlite_url, "PRAGMA foreign_key_check") == []
    assert "COLLATE NOCASE" in str(after["item"][1])

    # constraints still reject what they rejected
    insert = "INSERT INTO item (parent_id, code, qty) VALUES "
    assert rejects(sqlite_url, insert + "(1, 'n1', -1)")  # unnamed CHECK
    assert rejects(sqlite_url, insert + "(1, 'muchtoolong', 7)")  # named CHECK
    assert rejects(sqlite_url, insert + "(1, 'A', 7)")  # UNIQUE, with its NOCASE collation
    assert rejects(sqlite_url, insert + "(1, 'n2', 5)")  # named UNIQUE (parent_id, qty)
    assert rejects(sqlite_url, insert + "(99, 'n3', 7)")  # foreign key to parent
    assert rejects(sqlite_url, "INSERT INTO line VALUES (3, 99)")  # foreign key to item
    assert rejects(sqlite_url, "DELETE FROM item WHERE id = 1")  # still referred to by line
    assert not rejects(sqlite_url, "INSERT INTO line VALUES (3, 2)")

    # trigger, view and AUTOINCREMENT counter
    run_sql(sqlite_url, insert + "(2, 'd', 3)")
    assert query(sqlite_url, "SELECT what FROM log") == [("added d",)]
    assert query(sqlite_url, "SELECT id FROM item WHERE code = 'd'") == [(5,)]
    assert query(sqlite_url, "SELECT code, name FROM v_item ORDER BY code") == [
        ("a", "p1"),
        ("b", "p2"),
        ("c", "p1"),
        ("d", "p2"),
    ]

    engine = engine_for(sqlite_url)
    with engine.connect() as conn:
        insp = inspect(conn)
        assert {uq["name"] for uq in insp.get_unique_constraints("item")} == {
            None,
            "uq_parent_qty",
        }
        assert {ck["name"] for ck in insp.get_check_constraints("item")} == {None, "ck_code_len"}
    engine.dispose()


def test_rows_without_integer_primary_key_keep_their_rowid(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE tag (label TEXT PRIMARY KEY, n INT)",
        "INSERT INTO tag VALUES ('a', 1), ('b', 2), ('c', 3)",
        "DELETE FROM tag WHERE label = 'a'",
    )
    rowids = query(sqlite_url, "SELECT rowid, label FROM tag ORDER BY label")
    assert rowids == [(2, "b"), (3, "c")]
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("tag") as batch_op:
        batch_op.alter_column("n", nullable=False)
    assert query(sqlite_url, "SELECT rowid, label FROM tag ORDER BY label") == rowids
    assert rejects(sqlite_url, "INSERT INTO tag VALUES ('d', NULL)")


def test_without_rowid_strict_generated_and_conflict_clauses_survive(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        """CREATE TABLE kv (
            k TEXT NOT NULL ON CONFLICT IGNORE,
            v INTEGER,
            doubled INTEGER GENERATED ALWAYS AS (v * 2) VIRTUAL,
            PRIMARY KEY (k)
        ) WITHOUT ROWID, STRICT""",
        "INSERT INTO kv (k, v) VALUES ('a', 1), ('b', 2)",
    )
    with (
        migrating(sqlite_url) as (op, _),
        op.batch_alter_table("kv", recreate="always") as batch_op,
    ):
        batch_op.add_column(sa.Column("w", sa.Integer))
    sql = str(master(sqlite_url)["kv"][1])
    assert "WITHOUT ROWID, STRICT" in sql
    assert "ON CONFLICT IGNORE" in sql
    assert query(sqlite_url, "SELECT k, v, doubled, w FROM kv ORDER BY k") == [
        ("a", 1, 2, None),
        ("b", 2, 4, None),
    ]
    # STRICT still refuses a text value in an INTEGER column
    with pytest.raises(Exception, match="cannot store TEXT"):
        run_sql(sqlite_url, "INSERT INTO kv (k, v) VALUES ('c', 'not a number')")


def test_self_referencing_table_with_enforced_foreign_keys(sqlite_url: str) -> None:
    run_sql(
        sqlite_url,
        "CREATE TABLE node (id INTEGER PRIMARY KEY, up INTEGER REFERENCES node (id), x INT)",
        "INSERT INTO node VALUES (1, NULL, 1), (2, 1, 2), (3, 2, 3)",
    )
    with (
        migrating(sqlite_url, foreign_keys=True) as (op, _),
        op.batch_alter_table("node") as batch_op,
    ):
        batch_op.drop_column("x")
    assert query(sqlite_url, "SELECT * FROM node ORDER BY id") == [(1, None), (2, 1), (3, 2)]
    assert query(sqlite_url, "SELECT \"table\" FROM pragma_foreign_key_list('node')") == [("node",)]
    assert rejects(sqlite_url, "INSERT INTO node VALUES (4, 42)")
    assert not rejects(sqlite_url, "INSERT INTO node VALUES (4, 3)")


CASCADING = (
    "CREATE TABLE p (id INTEGER PRIMARY KEY, a INT)",
    "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INT REFERENCES p (id) ON DELETE CASCADE)",
    "INSERT INTO p VALUES (1, 1), (2, 2)",
    "INSERT INTO c VALUES (10, 1), (11, 2)",
)


def test_enforced_cascading_children_are_never_deleted(sqlite_url: str) -> None:
    """DROP TABLE with PRAGMA foreign_keys=ON deletes the rows first, which would cascade:
    inside the migration's transaction the rebuild refuses, leaving everything as it was."""
    run_sql(sqlite_url, *CASCADING)
    before = master(sqlite_url)
    with (
        pytest.raises(BatchForeignKeyError, match=r"c \(ON DELETE CASCADE\)") as info,
        migrating(sqlite_url, foreign_keys=True) as (op, _),
        op.batch_alter_table("p") as batch_op,
    ):
        batch_op.drop_column("a")
    assert "PRAGMA foreign_keys=OFF" in str(info.value)
    assert master(sqlite_url) == before
    assert query(sqlite_url, "SELECT * FROM c ORDER BY id") == [(10, 1), (11, 2)]


def test_cascading_children_survive_when_enforcement_is_off(sqlite_url: str) -> None:
    run_sql(sqlite_url, *CASCADING)
    with migrating(sqlite_url) as (op, _), op.batch_alter_table("p") as batch_op:
        batch_op.drop_column("a")
    assert query(sqlite_url, "SELECT * FROM c ORDER BY id") == [(10, 1), (11, 2)]
    assert query(sqlite_url, "SELECT * FROM p ORDER BY id") == [(1,), (2,)]
    run_sql(sqlite_url, "PRAGMA foreign_keys=ON; DELETE FROM p WHERE id = 1")
    assert query(sqlite_url, "SELECT * FROM c ORDER BY id") == [(11, 2)]  # still cascades


def test_outside_a_transaction_enforcement_is_switched_off_for_the_rebuild(
    sqlite_url: str,
) -> None:
    """With no transaction open (a bare MigrationContext), the rebuild opens its own and can
    switch enforcement off for it, so even cascading children are safe."""
    from sterna.operations import Operations
    from sterna.runtime.migration import MigrationContext

    run_sql(sqlite_url, *CASCADING)
    engine = engine_for(sqlite_url, foreign_keys=True)
    with engine.connect() as conn:
        op = Operations(MigrationContext.configure(conn))
        with op.batch_alter_table("p") as batch_op:
            batch_op.drop_column("a")
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    assert query(sqlite_url, "SELECT * FROM c ORDER BY id") == [(10, 1), (11, 2)]
    assert _columns(sqlite_url, "p") == ["id"]
