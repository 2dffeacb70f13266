"""A dialect that cannot reflect unique or CHECK constraints (its Inspector methods raise
NotImplementedError, as some third-party dialects' do): autogenerate does not compare what it
cannot see, rather than reporting every model constraint as missing from the database (Alembic's
suite: ``NoUqReflectionIndexTest``, ``AutogenCheckConstraintNoReflectionTest``).

The dialect is SQLAlchemy's SQLite dialect under another name with those two methods
unimplemented, registered for the test, over a real SQLite file (Sterna has no rule for the
name, so it reflects through SQLAlchemy's Inspector, as for any third-party dialect).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from tests.autogenerate._compare_support import create_all, diffs, summarize


class BlindSQLiteDialect(SQLiteDialect_pysqlite):
    """SQLite without unique and CHECK constraint reflection."""

    name = "blindsqlite"
    supports_statement_cache = True

    def get_unique_constraints(self, *args: Any, **kw: Any) -> Any:
        raise NotImplementedError

    def get_check_constraints(self, *args: Any, **kw: Any) -> Any:
        raise NotImplementedError


@pytest.fixture
def blind_url(sqlite_url: str) -> Iterator[str]:
    registry.register("blindsqlite", __name__, "BlindSQLiteDialect")
    yield sqlite_url.replace("sqlite:", "blindsqlite:", 1)


def _models(*items: sa.schema.SchemaItem) -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "t",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.Integer),
        sa.Column("y", sa.Integer),
        *items,
    )
    return metadata


def test_unique_and_check_constraints_are_not_compared(sqlite_url: str, blind_url: str) -> None:
    """Added and removed unique/CHECK constraints are not reported (the database cannot be
    asked), nor a unique index the models lack (it may be a unique constraint); a plain index
    is still compared."""
    create_all(
        sqlite_url,
        _models(
            sa.UniqueConstraint("x", name="uq_x"),
            sa.CheckConstraint("x > 0", name="ck_x"),
            sa.Index("ix_uy", "y", unique=True),
            sa.Index("ix_x", "x"),
        ),
    )
    models = _models(
        sa.UniqueConstraint("y", name="uq_y"), sa.CheckConstraint("y > 0", name="ck_y")
    )
    assert summarize(diffs(blind_url, models)) == {("remove_index", "t", "ix_x")}


def test_a_dialect_that_reflects_them_still_reports_them(sqlite_url: str) -> None:
    """(The same change on SQLite itself, which reflects both: every change is reported.)"""
    create_all(sqlite_url, _models(sa.UniqueConstraint("x", name="uq_x")))
    found = summarize(diffs(sqlite_url, _models(sa.CheckConstraint("y > 0", name="ck_y"))))
    assert {kind for kind, *_ in found} == {"remove_constraint", "add_constraint"}
