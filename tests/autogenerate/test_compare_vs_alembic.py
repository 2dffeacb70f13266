"""One migration with many kinds of change at once, compared with Alembic's ``compare_metadata``
on the same database and models (the kinds Alembic does not compare are set aside), then run
up and down."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from tests.autogenerate._compare_support import (
    alembic_diffs,
    create_all,
    diffs,
    produce,
    roundtrip,
    summarize,
)

#: what Sterna compares beyond Alembic
BEYOND = {
    "add_enum",
    "remove_enum",
    "add_enum_value",
    "remove_enum_value",
    "add_sequence",
    "remove_sequence",
}


def _before(backend: str) -> MetaData:
    metadata = MetaData()
    Table(
        "author",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False),
        Column("email", String(80)),
        Column("old_flag", sa.Boolean),
        Index("ix_author_email", "email"),
    )
    Table(
        "book",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("title", String(100)),
        Column("author_id", ForeignKey("author.id")),
        Column("isbn", String(13), unique=True),
    )
    Table("legacy", metadata, Column("id", Integer, primary_key=True), Column("payload", sa.Text))
    return metadata


def _after(backend: str) -> MetaData:
    metadata = MetaData()
    Table(
        "author",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(80), nullable=True),
        Column("email", String(80)),
        Column("joined", sa.DateTime),
        Index("ix_author_email", "email", unique=True),
        comment=None if backend == "sqlite" else "writers",
    )
    Table(
        "book",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("title", String(100), nullable=False),
        Column("author_id", ForeignKey("author.id", ondelete="CASCADE")),
        Column("isbn", String(13)),
        Column("series_id", ForeignKey("series.id")),
        UniqueConstraint("title", "author_id", name="uq_book_title_author"),
    )
    Table(
        "series",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(60), index=True),
    )
    return metadata


def _alembic_kinds(found: set[tuple[Any, ...]], backend: str) -> set[tuple[Any, ...]]:
    """Our summary without what Alembic does not produce: MySQL's explicit foreign-key
    indexes, and nothing else."""
    if backend != "mariadb":
        return found
    fk_indexes = {
        ("add_index", "book", "series_id"),
        ("remove_index", "book", "author_id"),
        ("add_index", "book", "author_id"),
    }
    assert fk_indexes <= found
    return found - fk_indexes


def test_many_changes_like_alembic(db_url: str, backend: str) -> None:
    create_all(db_url, _before(backend))
    ours = summarize(diffs(db_url, _after(backend)))
    theirs = summarize(alembic_diffs(db_url, _after(backend)))
    assert not {d[0] for d in ours} & BEYOND
    assert _alembic_kinds(ours, backend) == theirs
    assert ("add_table", None, "series") in ours
    assert ("remove_table", None, "legacy") in ours
    assert ("modify_type", None, "author", "name") in ours


def test_many_changes_round_trip(db_url: str, backend: str) -> None:
    if backend == "sqlite":
        # SQLite needs batch mode for ALTER COLUMN and constraints: the comparison alone
        create_all(db_url, _before(backend))
        upgrade = produce(db_url, _after(backend)).upgrade_ops
        assert upgrade is not None and upgrade.ops
        return
    roundtrip(db_url, _before(backend), _after(backend))
