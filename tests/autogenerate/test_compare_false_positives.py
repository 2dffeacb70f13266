"""Models created with ``create_all`` compare equal to themselves: no false positives, on each
backend, for the cases Alembic users report (server defaults, Boolean/Enum CHECKs, expression
indexes, MySQL display widths and defaults, numeric/float spellings, JSON on MariaDB...)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Double,
    Enum,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    Unicode,
    UniqueConstraint,
    func,
    text,
)

from tests.autogenerate._compare_support import create_all, diffs

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def typed_table(metadata: MetaData, backend: str) -> Table:
    columns: list[Any] = [
        Column("id", Integer, primary_key=True),
        Column("big", BigInteger),
        Column("small", SmallInteger),
        Column("name", String(50), nullable=False),
        Column("uname", Unicode(30)),
        Column("body", Text),
        Column("flag", Boolean),
        Column("flag_ck", Boolean(create_constraint=True, name="flag_ck_bool")),
        Column("kind", Enum("a", "b", "c", name="kind_enum")),
        Column(
            "kind_ck",
            Enum("x", "y", name="kind_ck_enum", native_enum=False, create_constraint=True),
        ),
        Column("price", Numeric(10, 2)),
        Column("ratio", Float),
        Column("dbl", Double),
        Column("created", DateTime),
        Column("created_tz", DateTime(timezone=True)),
        Column("day", Date),
        Column("clock", Time),
        Column("blob", LargeBinary),
        Column("doc", sa.JSON),
        Column("code", sa.CHAR(3)),
        Column("uid", sa.Uuid),
        Column("span", sa.Interval),
        Column(
            "bin_name", String(10, collation="utf8mb4_bin") if backend == "mariadb" else String(10)
        ),
        Column("variant", BigInteger().with_variant(Integer, "sqlite")),
    ]
    return Table("typed", metadata, *columns)


def defaults_table(metadata: MetaData, backend: str) -> Table:
    return Table(
        "defaults",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("s", String(20), server_default="hello"),
        Column("quote", String(20), server_default="it's"),
        Column("empty", String(20), server_default=""),
        Column("zero_text", String(20), server_default="0"),
        Column("n", Integer, server_default="0"),
        Column("n_text", Integer, server_default=text("42")),
        Column("neg", Integer, server_default=text("-1")),
        Column("dec", Numeric(10, 2), server_default="1.50"),
        Column("b_true", Boolean, server_default=sa.true()),
        Column("b_false", Boolean, server_default=sa.false()),
        Column(
            "b_text", Boolean, server_default=text("1") if backend != "postgresql" else text("true")
        ),
        Column("ts_now", DateTime, server_default=func.now()),
        Column("ts_cur", DateTime, server_default=text("CURRENT_TIMESTAMP")),
        Column("e", Enum("p", "q", name="defaults_e"), server_default="p"),
    )


def constraint_tables(metadata: MetaData, backend: str) -> list[Table]:
    parent = Table(
        "parent",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String(10), unique=True),
        Column("a", Integer),
        Column("b", Integer),
        Column("email", String(100)),
        Column("qty", Integer, CheckConstraint("qty >= 0")),
        UniqueConstraint("a", "b"),
        UniqueConstraint("email", name="uq_parent_email_named"),
        CheckConstraint("a <> b", name="a_not_b"),
        CheckConstraint("b IN (1, 2, 3)", name="b_small"),
        CheckConstraint("a BETWEEN 0 AND 100", name="a_range"),
        CheckConstraint("email LIKE '%@%'"),
        Index("ix_parent_a", "a"),
        Index("ix_parent_ab", "a", "b"),
        Index("ux_parent_email", "email", unique=True),
        comment=None if backend == "sqlite" else "the parent table",
    )
    child_items: list[Any] = [
        Column("id", Integer, primary_key=True),
        Column("parent_id", Integer, ForeignKey("parent.id", ondelete="CASCADE")),
        Column("pa", Integer),
        Column("pb", Integer),
        Column("self_id", Integer, ForeignKey("child.id")),
        Column("note", String(50), comment=None if backend == "sqlite" else "a note"),
        ForeignKeyConstraint(["pa", "pb"], ["parent.a", "parent.b"], onupdate="CASCADE"),
        Index("ix_child_note_desc", sa.desc(sa.column("note")))
        if backend != "mariadb"
        else Index("ix_child_note", "note"),
    ]
    if backend != "mariadb":
        child_items.append(Index("ix_child_lower_note", func.lower(sa.column("note"))))
        where = sa.column("pa") > 5
        child_items.append(
            Index("ix_child_partial", "pb", postgresql_where=where, sqlite_where=where)
        )
    if backend == "postgresql":
        child_items.append(
            Column(
                "parent_code",
                String(10),
                ForeignKey("parent.code", deferrable=True, initially="DEFERRED"),
            )
        )
        child_items.append(Index("ix_child_incl", "pa", postgresql_include=["pb"]))
    child = Table("child", metadata, *child_items)
    return [parent, child]


def generated_table(metadata: MetaData, backend: str) -> Table:
    items: list[Any] = [
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Column("twice", Integer, Computed("a * 2", persisted=True)),
    ]
    if backend == "postgresql":
        items.append(Column("ident", Integer, sa.Identity(start=5, increment=2)))
    return Table("generated", metadata, *items)


def rich_metadata(backend: str, naming: bool = False) -> MetaData:
    metadata = MetaData(naming_convention=NAMING) if naming else MetaData()
    typed_table(metadata, backend)
    defaults_table(metadata, backend)
    constraint_tables(metadata, backend)
    generated_table(metadata, backend)
    if backend in ("postgresql", "mariadb"):
        sa.Sequence("free_seq", start=10, metadata=metadata)
    return metadata


@pytest.mark.parametrize("naming", [False, True], ids=["plain", "naming_convention"])
def test_models_equal_to_their_database(db_url: str, backend: str, naming: bool) -> None:
    metadata = rich_metadata(backend, naming)
    create_all(db_url, metadata)
    found = diffs(db_url, metadata, compare_server_default=True, compare_type=True)
    assert found == []


def test_mysql_display_widths_and_tinyint_bool(mysql_url: str) -> None:
    """Tables created by hand with MySQL's own spellings match the generic types."""
    from tests.autogenerate._compare_support import execute

    execute(
        mysql_url,
        "CREATE TABLE legacy (id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "flag TINYINT(1) DEFAULT 0, big BIGINT(20), small SMALLINT(6), "
        "price DECIMAL(10,2) DEFAULT '0.00', ratio FLOAT, created DATETIME DEFAULT now(), "
        "name VARCHAR(20) DEFAULT 'x', num NUMERIC, "
        "changed TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)",
    )
    metadata = MetaData()
    Table(
        "legacy",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("flag", Boolean, server_default=sa.false()),
        Column("big", BigInteger),
        Column("small", SmallInteger),
        Column("price", Numeric(10, 2), server_default="0"),
        Column("ratio", Float),
        Column("created", DateTime, server_default=func.current_timestamp()),
        Column("name", String(20), server_default="x"),
        Column("num", Numeric),
        Column(
            "changed",
            sa.TIMESTAMP,
            server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"),
        ),
    )
    assert diffs(mysql_url, metadata, compare_server_default=True) == []


def test_postgresql_spellings(pg_url: str) -> None:
    """Tables created by hand with PostgreSQL's own spellings match the generic types."""
    from tests.autogenerate._compare_support import execute

    execute(
        pg_url,
        "CREATE TABLE legacy (id serial PRIMARY KEY, n int4 DEFAULT 0, f float8, r float4, "
        "t timestamptz DEFAULT now(), s varchar(20) DEFAULT 'x'::character varying, "
        "d numeric(10, 2) DEFAULT 1.50, b bool DEFAULT false, "
        "CONSTRAINT s_in CHECK (s IN ('x', 'y')))",
    )
    metadata = MetaData()
    Table(
        "legacy",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("n", Integer, server_default="0"),
        Column("f", Float),
        Column("r", sa.REAL),
        Column("t", DateTime(timezone=True), server_default=func.current_timestamp()),
        Column("s", String(20), server_default="x"),
        Column("d", Numeric(10, 2), server_default=text("1.5")),
        Column("b", Boolean, server_default=text("false")),
        CheckConstraint("s in ('x', 'y')", name="s_in"),
    )
    assert diffs(pg_url, metadata, compare_server_default=True) == []


def test_sqlite_spellings(sqlite_url: str) -> None:
    from tests.autogenerate._compare_support import execute

    execute(
        sqlite_url,
        'CREATE TABLE "legacy" ([id] INTEGER NOT NULL PRIMARY KEY, n INT DEFAULT (0), '
        "s VARCHAR(20) DEFAULT 'x', t DATETIME DEFAULT CURRENT_TIMESTAMP, "
        "CONSTRAINT n_pos CHECK (n >= 0), UNIQUE (s))",
    )
    metadata = MetaData()
    Table(
        "legacy",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("n", Integer, server_default="0"),
        Column("s", String(20), server_default="x", unique=True),
        Column("t", DateTime, server_default=func.now()),
        CheckConstraint("n >= 0", name="n_pos"),
    )
    assert diffs(sqlite_url, metadata, compare_server_default=True) == []
