"""Batch mode in offline (``--sql``) mode: the SQL it writes, per dialect.

Expectations are written by hand (the move-and-copy sequence) or come from Alembic, the
reference implementation, for the plain-ALTER case; the SQLite script is also run against a
real database to prove it works as written.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sterna.errors import BatchCopyFromRequired, BatchRecreateRequired
from tests.ddl.support import alembic_offline
from tests.operations.test_batch_support import offline_batch, statements


def _account() -> sa.Table:
    return sa.Table(
        "account",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("email", sa.String(50)),
        sa.Column("age", sa.Integer, sa.CheckConstraint("age >= 0")),
        sa.Index("ix_account_email", "email"),
        sa.UniqueConstraint("name", name="uq_name"),
    )


def _rebuild(op: Any) -> None:
    with op.batch_alter_table("account", copy_from=_account()) as batch_op:
        batch_op.alter_column("name", type_=sa.String(40))
        batch_op.drop_column("age")
        batch_op.add_column(
            sa.Column("created", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")),
            insert_after="name",
        )


def test_sqlite_move_and_copy_with_copy_from() -> None:
    assert statements(offline_batch("sqlite", _rebuild)) == [
        "CREATE TABLE _sterna_tmp_account ( id INTEGER NOT NULL, name VARCHAR(40) NOT NULL, "
        "created DATETIME DEFAULT CURRENT_TIMESTAMP, email VARCHAR(50), PRIMARY KEY (id), "
        "CONSTRAINT uq_name UNIQUE (name) )",
        "INSERT INTO _sterna_tmp_account (id, name, email) SELECT id, name, email FROM account",
        "DROP TABLE account",
        "PRAGMA legacy_alter_table=ON",
        "ALTER TABLE _sterna_tmp_account RENAME TO account",
        "PRAGMA legacy_alter_table=OFF",
        "CREATE INDEX ix_account_email ON account (email)",
    ]


def test_postgresql_move_and_copy_with_copy_from() -> None:
    def run(op: Any) -> None:
        with op.batch_alter_table("account", copy_from=_account(), recreate="always") as batch_op:
            batch_op.alter_column("name", type_=sa.String(40))
            batch_op.drop_column("age")

    found = statements(offline_batch("postgresql", run))
    # the id counter carried over (what it does is checked on a real server below)
    assert found[2].startswith("SELECT setval(pg_get_serial_sequence('_sterna_tmp_account', 'id')")
    assert found[:2] + found[3:] == [
        "CREATE TABLE _sterna_tmp_account ( id SERIAL NOT NULL, name VARCHAR(40) NOT NULL, "
        "email VARCHAR(50), PRIMARY KEY (id), CONSTRAINT _sterna_tmp_uq_name UNIQUE (name) )",
        "INSERT INTO _sterna_tmp_account (id, name, email) "
        "SELECT id, CAST(name AS VARCHAR(40)), email FROM account",
        "DROP TABLE account",
        "ALTER TABLE _sterna_tmp_account RENAME TO account",
        "ALTER TABLE account RENAME CONSTRAINT _sterna_tmp_uq_name TO uq_name",
        "CREATE INDEX ix_account_email ON account (email)",
    ]


def test_mysql_move_and_copy_adds_foreign_keys_after_the_rename() -> None:
    table = sa.Table(
        "child",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("pid", sa.Integer, sa.ForeignKey("parent.id", name="fk_child_parent")),
    )

    def run(op: Any) -> None:
        with op.batch_alter_table("child", copy_from=table, recreate="always") as batch_op:
            batch_op.add_column(sa.Column("n", sa.Integer), insert_before="pid")

    assert statements(offline_batch("mysql", run)) == [
        "CREATE TABLE _sterna_tmp_child ( id INTEGER NOT NULL, n INTEGER, pid INTEGER, "
        "PRIMARY KEY (id) )",
        "INSERT INTO _sterna_tmp_child (id, pid) SELECT id, pid FROM child",
        "DROP TABLE child",
        "ALTER TABLE _sterna_tmp_child RENAME TO child",
        "ALTER TABLE child ADD CONSTRAINT fk_child_parent FOREIGN KEY(pid) REFERENCES parent (id)",
    ]


def test_the_sqlite_script_runs_as_written(tmp_path: Path) -> None:
    db = tmp_path / "offline.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    table = _account()
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            table.insert(),
            [
                {"id": 1, "name": "ann", "email": "a@x", "age": 30},
                {"id": 2, "name": "bob", "email": None, "age": 0},
            ],
        )
    engine.dispose()
    script = offline_batch("sqlite", _rebuild)
    raw = sqlite3.connect(db)
    try:
        raw.executescript(script)
        assert raw.execute("SELECT id, name, email FROM account ORDER BY id").fetchall() == [
            (1, "ann", "a@x"),
            (2, "bob", None),
        ]
        columns = [row[1] for row in raw.execute("PRAGMA table_info(account)")]
        assert columns == ["id", "name", "created", "email"]
        assert raw.execute("SELECT count(*) FROM account WHERE created IS NOT NULL").fetchone() == (
            2,
        )
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("INSERT INTO account (name) VALUES ('ann')")
        assert raw.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_account_email'"
        ).fetchone() == ("CREATE INDEX ix_account_email ON account (email)",)
    finally:
        raw.close()


def test_a_rebuild_offline_needs_copy_from() -> None:
    def run(op: Any) -> None:
        with op.batch_alter_table("account") as batch_op:
            batch_op.drop_column("age")

    with pytest.raises(
        BatchCopyFromRequired,
        match=r"batch_alter_table\('account'\): offline "
        r"\(--sql\) mode cannot read the table.*copy_from=",
    ):
        offline_batch("sqlite", run)


def test_what_alter_table_can_do_needs_no_copy_from() -> None:
    def run(op: Any) -> None:
        with op.batch_alter_table("account") as batch_op:
            batch_op.add_column(sa.Column("nick", sa.String(10)))
            batch_op.create_index("ix_nick", ["nick"])

    assert statements(offline_batch("sqlite", run)) == [
        "ALTER TABLE account ADD COLUMN nick VARCHAR(10)",
        "CREATE INDEX ix_nick ON account (nick)",
    ]


def _plain_batch(op: Any) -> None:
    with op.batch_alter_table("item") as batch_op:
        batch_op.add_column(sa.Column("note", sa.String(30), server_default="n/a"))
        batch_op.drop_column("old")
        batch_op.alter_column(
            "qty", nullable=False, existing_type=sa.Integer, existing_server_default=None
        )
        batch_op.create_index("ix_note", ["note"], unique=True)
        batch_op.drop_index("ix_old")
        batch_op.create_unique_constraint("uq_x", ["a", "b"])
        batch_op.drop_constraint("uq_y", type_="unique")
        batch_op.create_foreign_key("fk_p", "parent", ["pid"], ["id"], ondelete="CASCADE")
        batch_op.create_check_constraint("ck_q", "qty > 0")


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_other_backends_write_the_alters_alembic_writes(dialect: str) -> None:
    assert statements(offline_batch(dialect, _plain_batch)) == alembic_offline(
        dialect, _plain_batch
    )


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_batch_alters_are_the_plain_directives_in_order(dialect: str) -> None:
    """Including ``execute`` at its place and a rename (Alembic would run the execute first)."""

    def batch(op: Any) -> None:
        with op.batch_alter_table("item") as batch_op:
            batch_op.add_column(sa.Column("note", sa.String(30)))
            batch_op.execute("UPDATE item SET note = 'x'")
            batch_op.alter_column(
                "note",
                new_column_name="memo",
                existing_type=sa.String(30),
                existing_nullable=True,
                existing_server_default=None,
            )

    def plain(op: Any) -> None:
        op.add_column("item", sa.Column("note", sa.String(30)))
        op.execute("UPDATE item SET note = 'x'")
        op.alter_column(
            "item",
            "note",
            new_column_name="memo",
            existing_type=sa.String(30),
            existing_nullable=True,
            existing_server_default=None,
        )

    assert statements(offline_batch(dialect, batch)) == statements(offline_batch(dialect, plain))


def test_ordering_without_a_rebuild_is_refused_on_other_backends() -> None:
    def run(op: Any) -> None:
        with op.batch_alter_table("item") as batch_op:
            batch_op.add_column(sa.Column("note", sa.String(30)), insert_before="qty")

    with pytest.raises(
        BatchRecreateRequired,
        match="insert_before needs the table to be rebuilt; pass recreate='always'",
    ):
        offline_batch("postgresql", run)


def test_partial_reordering_requires_recreate_always() -> None:
    def run(op: Any) -> None:
        with op.batch_alter_table("item", partial_reordering=[("b", "a")]):
            pass

    with pytest.raises(
        BatchRecreateRequired, match="partial_reordering requires recreate='always'"
    ):
        offline_batch("sqlite", run)


def test_later_rebuilds_start_from_the_earlier_changes() -> None:
    """Offline, ``copy_from`` is the table before the batch: a second rebuild (after an
    ``execute``) must include what the first one changed."""

    def run(op: Any) -> None:
        with op.batch_alter_table("account", copy_from=_account()) as batch_op:
            batch_op.add_column(sa.Column("score", sa.Integer, sa.CheckConstraint("score > 0")))
            batch_op.execute("UPDATE account SET score = 1")
            batch_op.alter_column("score", nullable=False)
            batch_op.alter_column("email", new_column_name="mail")

    found = statements(offline_batch("sqlite", run))
    assert found[0].startswith(
        "CREATE TABLE _sterna_tmp_account ( id INTEGER NOT NULL, "
        "name VARCHAR(20) NOT NULL, email VARCHAR(50), age INTEGER "
        "CHECK (age >= 0), score INTEGER CHECK (score > 0),"
    )
    assert found[1] == (
        "INSERT INTO _sterna_tmp_account (id, name, email, age) "
        "SELECT id, name, email, age FROM account"
    )
    update = found.index("UPDATE account SET score = 1")
    assert found[update + 1] == "ALTER TABLE account RENAME COLUMN email TO mail"
    assert found[update + 2].startswith(
        "CREATE TABLE _sterna_tmp_account ( id INTEGER NOT NULL, name VARCHAR(20) NOT NULL, "
        "mail VARCHAR(50), age INTEGER CHECK (age >= 0), "
        "score INTEGER CHECK (score > 0) NOT NULL,"
    )
    assert found[update + 3] == (
        "INSERT INTO _sterna_tmp_account (id, name, mail, age, score) "
        "SELECT id, name, mail, age, score FROM account"
    )


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_offline_rebuild_keeps_the_id_counter(db_url: str, backend: str) -> None:
    """The offline script, run as written by a DBA, leaves the id counter where it was: ids
    freed by deleting the last rows are not handed out again."""
    engine = sa.create_engine(db_url)
    try:
        _account().metadata.create_all(engine)
        with engine.begin() as conn:
            for index in range(5):
                conn.execute(sa.text(f"INSERT INTO account (name) VALUES ('n{index}')"))
            conn.execute(sa.text("DELETE FROM account WHERE id > 3"))

        def run(op: Any) -> None:
            with op.batch_alter_table(
                "account", copy_from=_account(), recreate="always"
            ) as batch_op:
                batch_op.drop_column("age")

        script = statements(offline_batch("mysql" if backend == "mariadb" else backend, run))
        with engine.begin() as conn:
            for statement in script:
                conn.exec_driver_sql(statement)
            conn.execute(sa.text("INSERT INTO account (name) VALUES ('next')"))
            new_id = conn.execute(sa.text("SELECT id FROM account WHERE name = 'next'")).scalar()
    finally:
        engine.dispose()
    assert new_id == 6
