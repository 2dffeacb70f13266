"""Offline SQL where Sterna deliberately differs from Alembic, or where Alembic has no
equivalent: expectations are hand-written SQL for each dialect."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from sterna.errors import MissingExistingArgument, OperationError, UnsupportedOperation
from tests.ddl.support import offline

# -- PostgreSQL ----------------------------------------------------------------------------------


def test_postgresql_alter_column_statement_order_and_rename() -> None:
    sql = offline(
        "postgresql",
        lambda op: op.alter_column(
            "order",
            "Select",
            type_=sa.String(9),
            nullable=True,
            server_default="o'b",
            comment="it's",
            new_column_name="a b",
            existing_type=sa.String(5),
            schema="s",
        ),
    )
    assert sql == [
        'ALTER TABLE s."order" ALTER COLUMN "Select" TYPE VARCHAR(9)',
        'ALTER TABLE s."order" ALTER COLUMN "Select" DROP NOT NULL',
        "ALTER TABLE s.\"order\" ALTER COLUMN \"Select\" SET DEFAULT 'o''b'",
        "COMMENT ON COLUMN s.\"order\".\"Select\" IS 'it''s'",
        'ALTER TABLE s."order" RENAME "Select" TO "a b"',
    ]


def test_postgresql_drop_comment_and_nullable_off() -> None:
    sql = offline(
        "postgresql",
        lambda op: op.alter_column("t", "c", nullable=False, comment=None),
    )
    assert sql == [
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
        "COMMENT ON COLUMN t.c IS NULL",
    ]


def test_postgresql_create_table_creates_named_enum_once_per_run() -> None:
    def migrate(op: Any) -> None:
        status = sa.Enum("a", "o'b", name="Status")
        op.create_table("t", sa.Column("s", status), sa.Column("s2", status))
        op.create_table(
            "u",
            sa.Column("s", sa.Enum("a", "o'b", name="Status")),
            sa.Column("n", sa.dialects.postgresql.ENUM("x", name="kept", create_type=False)),
        )

    assert offline("postgresql", migrate) == [
        "CREATE TYPE \"Status\" AS ENUM ('a', 'o''b')",
        'CREATE TABLE t ( s "Status", s2 "Status" )',
        'CREATE TABLE u ( s "Status", n kept )',
    ]


def test_postgresql_exclude_constraint_with_sql_expression() -> None:
    sql = offline(
        "postgresql",
        lambda op: op.create_exclude_constraint(
            "no overlap",
            "room",
            ("room_id", "="),
            (sa.text("tsrange(a, b)"), "&&"),
            using="gist",
            where="room_id > 0",
            schema="s",
        ),
    )
    assert sql == [
        'ALTER TABLE s.room ADD CONSTRAINT "no overlap" EXCLUDE USING gist '
        "(room_id WITH =, tsrange(a, b) WITH &&) WHERE (room_id > 0)"
    ]


def test_postgresql_enum_operations() -> None:
    def migrate(op: Any) -> None:
        op.create_enum("Mood", ["sad", "o'k"], schema="s")
        op.create_enum("mood", ["a"], if_not_exists=True)
        op.add_enum_value("Mood", "happy", schema="s")
        op.add_enum_value("Mood", "x'y", before="sad", if_not_exists=True)
        op.add_enum_value("Mood", "z", after="o'k")
        op.rename_enum_value("Mood", "o'k", "fine", schema="s")
        op.drop_enum("Mood", schema="s")
        op.drop_enum("mood", if_exists=True)

    assert offline("postgresql", migrate) == [
        "CREATE TYPE s.\"Mood\" AS ENUM ('sad', 'o''k')",
        "DO $sterna$ BEGIN CREATE TYPE mood AS ENUM ('a'); "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $sterna$",
        "ALTER TYPE s.\"Mood\" ADD VALUE 'happy'",
        "ALTER TYPE \"Mood\" ADD VALUE IF NOT EXISTS 'x''y' BEFORE 'sad'",
        "ALTER TYPE \"Mood\" ADD VALUE 'z' AFTER 'o''k'",
        "ALTER TYPE s.\"Mood\" RENAME VALUE 'o''k' TO 'fine'",
        'DROP TYPE s."Mood"',
        "DROP TYPE IF EXISTS mood",
    ]


def test_postgresql_drop_enum_value_needs_a_connection() -> None:
    with pytest.raises(UnsupportedOperation, match="drop_enum_value.*offline"):
        offline("postgresql", lambda op: op.drop_enum_value("mood", "a"))


def test_postgresql_sequences_and_schemas() -> None:
    def migrate(op: Any) -> None:
        op.create_schema("Select")
        op.create_schema("s", if_not_exists=True)
        op.create_sequence("order", schema="Select", start=10, increment=5)
        op.create_sequence("seq", if_not_exists=True)
        op.drop_sequence("order", schema="Select")
        op.drop_sequence("seq", if_exists=True)
        op.drop_schema("Select", cascade=True)
        op.drop_schema("s", if_exists=True)

    assert offline("postgresql", migrate) == [
        'CREATE SCHEMA "Select"',
        "CREATE SCHEMA IF NOT EXISTS s",
        'CREATE SEQUENCE "Select"."order" INCREMENT BY 5 START WITH 10',
        "CREATE SEQUENCE IF NOT EXISTS seq",
        'DROP SEQUENCE "Select"."order"',
        "DROP SEQUENCE IF EXISTS seq",
        'DROP SCHEMA "Select" CASCADE',
        "DROP SCHEMA IF EXISTS s",
    ]


def test_postgresql_add_column_with_comment_unique_and_index() -> None:
    sql = offline(
        "postgresql",
        lambda op: op.add_column(
            "t",
            sa.Column("o'brien", sa.Integer, unique=True, comment="x", index=True),
            if_not_exists=True,
        ),
    )
    assert sql == [
        'ALTER TABLE t ADD COLUMN IF NOT EXISTS "o\'brien" INTEGER',
        'CREATE UNIQUE INDEX "ix_t_o\'brien" ON t ("o\'brien")',
        "COMMENT ON COLUMN t.\"o'brien\" IS 'x'",
    ]


# -- MySQL / MariaDB ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("foreignkey", "ALTER TABLE s.`order` DROP FOREIGN KEY `o'brien`"),
        ("unique", "ALTER TABLE s.`order` DROP INDEX `o'brien`"),
        ("primary", "ALTER TABLE s.`order` DROP PRIMARY KEY"),
        ("check", "ALTER TABLE s.`order` DROP CHECK `o'brien`"),
        (None, "ALTER TABLE s.`order` DROP CONSTRAINT `o'brien`"),
    ],
)
def test_mysql_drop_constraint_per_kind(type_: str | None, expected: str) -> None:
    sql = offline("mysql", lambda op: op.drop_constraint("o'brien", "order", type_, schema="s"))
    assert sql == [expected]


def test_mariadb_drop_constraint_check_and_if_exists() -> None:
    def migrate(op: Any) -> None:
        op.drop_constraint("ck", "t", "check")
        op.drop_constraint("fk", "t", "foreignkey", if_exists=True)
        op.drop_constraint("uq", "t", "unique", if_exists=True)
        op.drop_constraint("c", "t", if_exists=True)

    assert offline("mariadb", migrate) == [
        "ALTER TABLE t DROP CONSTRAINT ck",
        "ALTER TABLE t DROP FOREIGN KEY IF EXISTS fk",
        "ALTER TABLE t DROP INDEX IF EXISTS uq",
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS c",
    ]
    with pytest.raises(UnsupportedOperation, match="only MariaDB"):
        offline("mysql", lambda op: op.drop_constraint("c", "t", "check", if_exists=True))


def test_mysql_alter_column_offline_names_missing_arguments() -> None:
    with pytest.raises(MissingExistingArgument) as caught:
        offline("mysql", lambda op: op.alter_column("order", "a b", type_=sa.String(10)))
    message = str(caught.value)
    assert "existing_nullable" in message and "existing_server_default" in message
    assert "existing_type" not in message
    assert "'order'" in message and "'a b'" in message
    with pytest.raises(MissingExistingArgument, match=r"needs existing_type, existing_nullable"):
        offline("mysql", lambda op: op.alter_column("t", "c", comment="x"))
    with pytest.raises(MissingExistingArgument, match=r"needs existing_type,"):
        offline(
            "mysql",
            lambda op: op.alter_column("t", "c", server_default=sa.text("now()")),
        )


def test_mysql_alter_column_full_definitions() -> None:
    def migrate(op: Any) -> None:
        op.alter_column(
            "order",
            "Select",
            nullable=False,
            existing_type=sa.String(5),
            existing_server_default="o'b",
            existing_comment="it's",
        )
        op.alter_column(
            "t",
            "c",
            server_default=sa.text("CURRENT_TIMESTAMP"),
            existing_type=sa.DateTime(),
            existing_nullable=True,
        )
        op.alter_column(
            "t",
            "id",
            new_column_name='x"y',
            existing_type=sa.Integer,
            existing_nullable=False,
            existing_server_default=None,
            existing_autoincrement=True,
            schema="s",
        )

    assert offline("mysql", migrate) == [
        "ALTER TABLE `order` MODIFY `Select` VARCHAR(5) NOT NULL DEFAULT 'o''b' COMMENT 'it''s'",
        "ALTER TABLE t CHANGE c c DATETIME NULL DEFAULT CURRENT_TIMESTAMP",
        'ALTER TABLE s.t CHANGE id `x"y` INTEGER NOT NULL AUTO_INCREMENT',
    ]


def test_mysql_type_change_swaps_type_check_constraints() -> None:
    """Unlike Alembic, the old type's CHECK is dropped on MySQL too (MariaDB enforces it)."""
    sql = offline(
        "mysql",
        lambda op: op.alter_column(
            "t",
            "c",
            type_=sa.Boolean(create_constraint=True, name="ck_b"),
            existing_type=sa.Enum("a", "b", name="ck_e", create_constraint=True, native_enum=False),
            existing_nullable=True,
            existing_server_default=None,
        ),
    )
    assert sql == [
        "ALTER TABLE t DROP CHECK ck_e",
        "ALTER TABLE t MODIFY c BOOL NULL",
        "ALTER TABLE t ADD CONSTRAINT ck_b CHECK (c IN (0, 1))",
    ]


def test_mysql_rename_only_uses_rename_column_offline() -> None:
    sql = offline("mysql", lambda op: op.alter_column("t", "Select", new_column_name="a b"))
    assert sql == ["ALTER TABLE t RENAME COLUMN `Select` TO `a b`"]


def test_mysql_rename_table_keeps_schema_and_other_specifics() -> None:
    def migrate(op: Any) -> None:
        op.rename_table("old", "order", schema="s")
        op.create_schema("a b", if_not_exists=True)
        op.drop_schema("a b", cascade=True)
        op.create_enum("mood", ["a"])
        op.drop_enum("mood")

    assert offline("mysql", migrate) == [
        "ALTER TABLE s.old RENAME TO s.`order`",
        "CREATE SCHEMA IF NOT EXISTS `a b`",
        "DROP SCHEMA `a b`",
    ]


def test_mysql_errors() -> None:
    with pytest.raises(OperationError, match="drop_index.*needs the table name"):
        offline("mysql", lambda op: op.drop_index("ix"))
    with pytest.raises(UnsupportedOperation, match="sequences"):
        offline("mysql", lambda op: op.create_sequence("s"))
    with pytest.raises(UnsupportedOperation, match="add_enum_value"):
        offline("mysql", lambda op: op.add_enum_value("mood", "b"))


def test_mariadb_sequences() -> None:
    def migrate(op: Any) -> None:
        op.create_sequence("order", start=3, cycle=True)
        op.drop_sequence("order", if_exists=True)

    assert offline("mariadb", migrate) == [
        "CREATE SEQUENCE `order` START WITH 3 CYCLE",
        "DROP SEQUENCE IF EXISTS `order`",
    ]


# -- SQLite --------------------------------------------------------------------------------------


def test_sqlite_add_column_renders_foreign_key_inline() -> None:
    sql = offline(
        "sqlite",
        lambda op: op.add_column(
            "order",
            sa.Column("rid", sa.Integer, sa.ForeignKey("a b.id", ondelete="CASCADE", name="fk")),
        ),
    )
    assert sql == [
        'ALTER TABLE "order" ADD COLUMN rid INTEGER CONSTRAINT fk REFERENCES "a b" (id) '
        "ON DELETE CASCADE"
    ]


@pytest.mark.parametrize(
    ("call", "advice"),
    [
        (lambda op: op.alter_column("t", "c", type_=sa.Integer), "alter_column"),
        (lambda op: op.alter_column("t", "c", nullable=False), "alter_column"),
        (lambda op: op.create_unique_constraint("uq", "t", ["a"]), "create_unique_constraint"),
        (lambda op: op.create_foreign_key("fk", "t", "r", ["a"], ["id"]), "create_foreign_key"),
        (lambda op: op.create_check_constraint("ck", "t", "a > 0"), "create_check_constraint"),
        (lambda op: op.create_primary_key("pk", "t", ["a"]), "create_primary_key"),
        (lambda op: op.drop_constraint("ck", "t", "check"), "drop_constraint"),
        (
            lambda op: op.add_column("t", sa.Column("u", sa.Integer, unique=True)),
            "create_unique_constraint",
        ),
    ],
)
def test_sqlite_alterations_recommend_batch_mode(call: object, advice: str) -> None:
    with pytest.raises(UnsupportedOperation) as caught:
        offline("sqlite", call)  # type: ignore[arg-type]
    assert isinstance(caught.value, NotImplementedError)
    assert "batch_alter_table('t')" in str(caught.value)
    assert f"batch_op.{advice}(" in str(caught.value)


def test_sqlite_rename_column_and_skipped_comments() -> None:
    def migrate(op: Any) -> None:
        op.alter_column("order", "Select", new_column_name="a b", comment="ignored")
        op.create_table_comment("t", "ignored")
        op.drop_table_comment("t")
        op.add_column("t", sa.Column("c", sa.Integer, comment="ignored"))

    assert offline("sqlite", migrate) == [
        'ALTER TABLE "order" RENAME COLUMN "Select" TO "a b"',
        "ALTER TABLE t ADD COLUMN c INTEGER",
    ]


def test_sqlite_unsupported_objects() -> None:
    for call in (
        lambda op: op.create_sequence("s"),
        lambda op: op.create_schema("s"),
        lambda op: op.drop_schema("s"),
        lambda op: op.add_column("t", sa.Column("c", sa.Integer), if_not_exists=True),
        lambda op: op.drop_column("t", "c", if_exists=True),
    ):
        with pytest.raises(UnsupportedOperation, match="sqlite"):
            offline("sqlite", call)


def test_sqlite_boolean_check_of_added_column_is_skipped() -> None:
    sql = offline(
        "sqlite",
        lambda op: op.add_column(
            "t", sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag"))
        ),
    )
    assert sql == ["ALTER TABLE t ADD COLUMN flag BOOLEAN"]
