"""Offline SQL of each directive, per dialect, compared with what Alembic writes for the same call.

Alembic is the reference implementation: where Sterna means to behave the same, the captured
statements must be identical.  Deliberate differences are tested in ``test_offline_sql.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.ddl.support import alembic_offline, offline

Case = Callable[[Any], Any]


def _table_with_everything(op: Any) -> None:
    op.create_table(
        "order",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("Select", sa.String(5), server_default="o'b", comment="c'c", index=True),
        sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", ondelete="CASCADE")),
        sa.Column("flag", sa.Boolean, nullable=False),
        sa.UniqueConstraint("Select", name="uq x"),
        sa.CheckConstraint("rid > 0", name="ck'x"),
        comment="t'c",
        schema="s",
    )


#: Cases whose output must match Alembic's on every dialect.
EVERYWHERE: dict[str, Case] = {
    "create_table": _table_with_everything,
    "create_table_if_not_exists": lambda op: op.create_table(
        "t", sa.Column("a", sa.Integer), if_not_exists=True
    ),
    "drop_table": lambda op: op.drop_table("order", schema="s"),
    "drop_table_if_exists": lambda op: op.drop_table("t", if_exists=True),
    "add_column": lambda op: op.add_column(
        "order", sa.Column("a b", sa.String(5), nullable=False, server_default="o'brien")
    ),
    "add_column_schema": lambda op: op.add_column("t", sa.Column("x", sa.Integer), schema="Select"),
    "drop_column": lambda op: op.drop_column("order", 'x"y', schema="s"),
    "rename_table": lambda op: op.rename_table("old", "Select", schema="s"),
    "rename_table_plain": lambda op: op.rename_table("a b", "order"),
    "create_index": lambda op: op.create_index("ix", "t", ["a", "b"]),
    "create_index_unique_schema": lambda op: op.create_index(
        "o'brien", "order", ["Select"], unique=True, schema="s"
    ),
    "create_index_if_not_exists": lambda op: op.create_index("ix", "t", ["a"], if_not_exists=True),
    "drop_index_if_exists": lambda op: op.drop_index("ix", "t", if_exists=True),
    "bulk_insert": lambda op: op.bulk_insert(
        sa.table("t", sa.column("id", sa.Integer), sa.column("n", sa.String)),
        [{"id": 1, "n": "o'b"}, {"id": 2, "n": None}],
    ),
    "bulk_insert_single": lambda op: op.bulk_insert(
        sa.table("t", sa.column("id", sa.Integer), sa.column("d", sa.Date)),
        [{"id": 1, "d": None}],
        multiinsert=False,
    ),
    "execute_string": lambda op: op.execute("UPDATE t SET a = 1"),
    "execute_text": lambda op: op.execute(sa.text("DELETE FROM t WHERE a = 'x'")),
    "execute_core": lambda op: op.execute(
        sa.table("t", sa.column("n")).update().values(n=op.inline_literal("x'y"))
    ),
    "execute_core_insert": lambda op: op.execute(
        sa.table("t", sa.column("n"), sa.column("m"))
        .insert()
        .values(n=op.inline_literal("a"), m=op.inline_literal(5))
    ),
}

#: Cases whose output must match Alembic's on PostgreSQL and MySQL (SQLite cannot ALTER them).
ALTERING: dict[str, Case] = {
    "add_column_fk": lambda op: op.add_column(
        "t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", ondelete="CASCADE"))
    ),
    "create_primary_key": lambda op: op.create_primary_key("pk", "t", ["a", "b"], schema="s"),
    "create_unique": lambda op: op.create_unique_constraint("uq x", "order", ["a b", "Select"]),
    "create_check_text": lambda op: op.create_check_constraint("ck", "t", "a > 'x'"),
    "create_check_expr": lambda op: op.create_check_constraint("ck", "t", sa.column("a") > 5),
    "create_fk": lambda op: op.create_foreign_key(
        "fk",
        "t",
        "r",
        ["a"],
        ["id"],
        onupdate="CASCADE",
        ondelete="SET NULL",
        source_schema="s1",
        referent_schema="s2",
    ),
    "create_fk_self": lambda op: op.create_foreign_key("fk", "t", "t", ["parent"], ["id"]),
    "table_comment": lambda op: op.create_table_comment("t", "o'c", schema="s"),
    "drop_table_comment": lambda op: op.drop_table_comment("t"),
    "alter_default": lambda op: op.alter_column(
        "t", "c", server_default="x'y", existing_type=sa.String(5)
    ),
    "alter_drop_default": lambda op: op.alter_column(
        "t", "c", server_default=None, existing_type=sa.String(5)
    ),
}

#: Alterations that need the full column definition on MySQL, given in full here.
FULL_ALTER: dict[str, Case] = {
    "alter_type_using": lambda op: op.alter_column(
        "t",
        "c",
        type_=sa.String(10),
        existing_type=sa.Integer,
        existing_nullable=True,
        existing_server_default=None,
    ),
    "alter_nullable": lambda op: op.alter_column(
        "t", "c", nullable=False, existing_type=sa.Integer, existing_server_default=None
    ),
    "alter_comment": lambda op: op.alter_column(
        "t",
        "c",
        comment="a'b",
        existing_type=sa.String(5),
        existing_nullable=True,
        existing_server_default=None,
    ),
    "alter_everything": lambda op: op.alter_column(
        "t",
        "c",
        type_=sa.String(9),
        nullable=True,
        server_default="z",
        comment="cm",
        existing_type=sa.String(5),
        existing_nullable=False,
    ),
    "alter_autoincrement": lambda op: op.alter_column(
        "t",
        "id",
        type_=sa.BigInteger,
        existing_type=sa.Integer,
        existing_nullable=False,
        existing_server_default=None,
        existing_autoincrement=True,
    ),
}


def _enum_to_boolean(op: Any) -> None:
    op.alter_column(
        "t",
        "c",
        type_=sa.Boolean(create_constraint=True, name="ck_b"),
        existing_type=sa.Enum("a", "b", name="ck_e", create_constraint=True, native_enum=False),
    )


def _boolean_to_enum(op: Any) -> None:
    op.alter_column(
        "t",
        "c",
        type_=sa.Enum("a", "b", name="ck_e", create_constraint=True, native_enum=False),
        existing_type=sa.Boolean(create_constraint=True, name="ck_b"),
    )


PG_ONLY: dict[str, Case] = {
    "alter_type_enum_to_boolean": _enum_to_boolean,
    "alter_type_boolean_to_enum": _boolean_to_enum,
    # (on MySQL, Alembic's own DROP CONSTRAINT hook is global and cannot be compared against)
    "drop_fk": lambda op: op.drop_constraint("fk", "t", type_="foreignkey"),
    "drop_unique": lambda op: op.drop_constraint("uq", "t", type_="unique", schema="s"),
    "drop_check": lambda op: op.drop_constraint("ck", "t", type_="check"),
    "drop_primary": lambda op: op.drop_constraint("pk", "t", type_="primary"),
    "alter_default_text": lambda op: op.alter_column(
        "t", "c", server_default=sa.text("now()"), existing_type=sa.DateTime()
    ),
    "alter_type_using": lambda op: op.alter_column(
        "t",
        "c",
        type_=sa.Integer,
        existing_type=sa.String(10),
        postgresql_using="c::integer",
    ),
    "index_where_include": lambda op: op.create_index(
        "ix",
        "t",
        ["a", sa.text("lower(b)")],
        unique=True,
        postgresql_where=sa.text("a > 1"),
        postgresql_include=["c"],
    ),
    "index_concurrently": lambda op: op.create_index(
        "ix", "t", ["a"], postgresql_concurrently=True
    ),
    "drop_index_concurrently": lambda op: op.drop_index("ix", "t", postgresql_concurrently=True),
    "index_using": lambda op: op.create_index("ix", "t", ["a"], postgresql_using="gin"),
    "unique_deferrable": lambda op: op.create_unique_constraint(
        "uq", "t", ["a"], deferrable=True, initially="DEFERRED"
    ),
    "fk_deferrable_match": lambda op: op.create_foreign_key(
        "fk",
        "t",
        "r",
        ["a", "b"],
        ["x", "y"],
        deferrable=True,
        initially="IMMEDIATE",
        match="FULL",
    ),
    "exclude": lambda op: op.create_exclude_constraint(
        "ex",
        "room",
        ("room_id", "="),
        ("during", "&&"),
        using="gist",
        where=sa.text("room_id > 0"),
    ),
    "drop_constraint_if_exists": lambda op: op.drop_constraint(
        "c", "t", type_="check", if_exists=True
    ),
    "drop_constraint_untyped": lambda op: op.drop_constraint("c", "t"),
}

MYSQL_ONLY: dict[str, Case] = {
    "rename_with_full_definition": lambda op: op.alter_column(
        "t",
        "c",
        new_column_name="d",
        existing_type=sa.String(5),
        existing_nullable=False,
        existing_server_default="q",
    ),
    "index_length": lambda op: op.create_index("ix", "t", ["a", "b"], mysql_length={"a": 10}),
    "table_options": lambda op: op.create_table(
        "t",
        sa.Column("id", sa.Integer, primary_key=True),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    ),
}


def _same(dialect: str, case: Case) -> None:
    assert offline(dialect, case) == alembic_offline(dialect, case)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
@pytest.mark.parametrize("name", sorted(EVERYWHERE))
def test_same_as_alembic_everywhere(dialect: str, name: str) -> None:
    _same(dialect, EVERYWHERE[name])


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
@pytest.mark.parametrize("name", sorted(ALTERING))
def test_same_as_alembic_altering(dialect: str, name: str) -> None:
    _same(dialect, ALTERING[name])


@pytest.mark.parametrize("name", sorted(FULL_ALTER))
def test_same_as_alembic_full_alter_mysql(name: str) -> None:
    _same("mysql", FULL_ALTER[name])


@pytest.mark.filterwarnings("ignore:autoincrement and existing_autoincrement")  # Alembic's
@pytest.mark.parametrize("name", sorted(FULL_ALTER))
def test_same_as_alembic_full_alter_postgresql(name: str) -> None:
    _same("postgresql", FULL_ALTER[name])


@pytest.mark.parametrize("name", sorted(PG_ONLY))
def test_same_as_alembic_postgresql(name: str) -> None:
    _same("postgresql", PG_ONLY[name])


@pytest.mark.parametrize("name", sorted(MYSQL_ONLY))
def test_same_as_alembic_mysql(name: str) -> None:
    _same("mysql", MYSQL_ONLY[name])
