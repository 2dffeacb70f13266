"""Batch mode end to end: a migration script run by ``sterna upgrade``/``downgrade`` (and
``--sql``) on a SQLite file, as a user runs it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import run_sterna

SCRIPT = '''"""batch"""
import sqlalchemy as sa
from sterna import op

revision = "b1"
down_revision = "a1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(50)), insert_after="name")
        batch_op.alter_column("age", nullable=False, existing_type=sa.Integer)
        batch_op.create_check_constraint("ck_age", "age >= 0")


def downgrade():
    person = sa.Table(
        "person", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("email", sa.String(50)),
        sa.Column("age", sa.Integer, nullable=False),
        sa.CheckConstraint("age >= 0", name="ck_age"),
    )
    with op.batch_alter_table("person", copy_from=person) as batch_op:
        batch_op.drop_constraint("ck_age", type_="check")
        batch_op.alter_column("age", nullable=True)
        batch_op.drop_column("email")
'''

BASE = '''"""base"""
import sqlalchemy as sa
from sterna import op

revision = "a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("age", sa.Integer),
    )
    op.execute("INSERT INTO person (id, name, age) VALUES (1, 'ann', 30)")
    op.create_index("ix_person_name", "person", ["name"])


def downgrade():
    op.drop_table("person")
'''


def test_upgrade_and_downgrade_with_batch_mode(tmp_path: Path) -> None:
    run_sterna("init", "alembic", cwd=tmp_path, check=True)
    ini = tmp_path / "alembic.ini"
    db = tmp_path / "app.db"
    ini.write_text(
        ini.read_text().replace("driver://user:pass@localhost/dbname", f"sqlite:///{db}")
    )
    versions = tmp_path / "alembic" / "versions"
    (versions / "a1_base.py").write_text(BASE)
    (versions / "b1_batch.py").write_text(SCRIPT)

    run_sterna("upgrade", "head", cwd=tmp_path, check=True)
    raw = sqlite3.connect(db)
    try:
        columns = [row[1] for row in raw.execute("PRAGMA table_info(person)")]
        assert columns == ["id", "name", "email", "age"]
        assert raw.execute("SELECT id, name, email, age FROM person").fetchall() == [
            (1, "ann", None, 30)
        ]
        assert raw.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_person_name'"
        ).fetchone() == ("CREATE INDEX ix_person_name ON person (name)",)
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("b1",)]
    finally:
        raw.close()

    offline = run_sterna("downgrade", "b1:a1", "--sql", cwd=tmp_path, check=True)
    assert "CREATE TABLE _sterna_tmp_person" in offline.stdout
    assert (
        "INSERT INTO _sterna_tmp_person (id, name, age) SELECT id, name, age FROM person"
        in offline.stdout
    )

    run_sterna("downgrade", "a1", cwd=tmp_path, check=True)
    raw = sqlite3.connect(db)
    try:
        columns = [row[1] for row in raw.execute("PRAGMA table_info(person)")]
        assert columns == ["id", "name", "age"]
        raw.execute("INSERT INTO person (id, name, age) VALUES (2, 'bob', NULL)")
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("a1",)]
    finally:
        raw.close()
