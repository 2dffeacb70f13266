"""Unique constraints found on real model sets, each from its minimal model:

* E. two unique constraints over the same columns (Galaxy's ``dataset``: a column's
  ``unique=True`` named by a convention, and a named ``UniqueConstraint`` over that column), and
  a unique constraint over the primary key's columns (ZenML's ``trigger_execution``): PostgreSQL
  and SQLite make one constraint of such duplicates in ``CREATE TABLE``, and ``check`` reported
  the other as missing (SQLite: a later batch migration then failed, the name being in the
  table's text already);
* G. a dropped table's unique constraint comes back with the downgrade, under the name the
  database had, once (Flask-AppBuilder's ``ab_user_role``; MariaDB keeps it as a unique index).

Each model goes through ``revision --autogenerate``, ``upgrade head``, a clean ``check``, the
database ``create_all()`` makes, a real change and ``downgrade``.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from sterna.autogenerate.reflect import reflect
from tests.autogenerate._autogen_project import CLEAN, Project, model_metadata
from tests.autogenerate._compare_support import create_all
from tests.autogenerate.test_compare_realworld_fixes import (
    against_create_all,
    section,
    use_batch,
)

CONVENTION = (
    'metadata=sa.MetaData(naming_convention={"uq": "%(table_name)s_%(column_0_name)s_key"})'
)

DATASET = """
class Dataset(Base):
    __tablename__ = "dataset"
    __table_args__ = (sa.UniqueConstraint("uuid", name="uq_uuid_column"),)
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(32), unique=True)
"""

DATASET_LABEL = (
    DATASET
    + """\
    label = sa.Column(sa.String(20))
"""
)

DATASET_NO_UNIQUE = """
class Dataset(Base):
    __tablename__ = "dataset"
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(32))
    label = sa.Column(sa.String(20))
"""

TRIGGER_EXECUTION = """
class Trigger(Base):
    __tablename__ = "trigger"
    id = sa.Column(sa.Integer, primary_key=True)


class Run(Base):
    __tablename__ = "pipeline_run"
    id = sa.Column(sa.Integer, primary_key=True)


class TriggerExecution(Base):
    __tablename__ = "trigger_execution"
    __table_args__ = (
        sa.UniqueConstraint("trigger_id", "pipeline_run_id", name="unique_trigger_execution"),
    )
    trigger_id = sa.Column(
        sa.Integer, sa.ForeignKey("trigger.id", name="fk_te_trigger", ondelete="CASCADE"),
        primary_key=True)
    pipeline_run_id = sa.Column(
        sa.Integer, sa.ForeignKey("pipeline_run.id", name="fk_te_run", ondelete="CASCADE"),
        primary_key=True)
    info = sa.Column(sa.String(100))
"""


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return Project(tmp_path, db_url)


_SQLITE_UNIQUE = re.compile(r'(?:CONSTRAINT\s+"?(\w+)"?\s+)?UNIQUE\s*\(([^)]*)\)', re.I)


def uniques_of(url: str, table: str) -> list[tuple[str | None, tuple[str, ...]]]:
    """The table's unique constraints and unique indexes (name, columns) as SQLAlchemy's
    inspector reads them (MySQL lists each unique index under both); on SQLite every
    ``UNIQUE`` of the ``CREATE TABLE`` text (the inspector gives one per column list)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                sql = conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = ?", (table,)
                ).scalar_one()
                return sorted(
                    (
                        (m[1], tuple(c.strip(' "') for c in m[2].split(",")))
                        for m in _SQLITE_UNIQUE.finditer(sql)
                    ),
                    key=repr,
                )
            inspector = inspect(conn)
            found = {
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            }
            found |= {
                (str(ix["name"]), tuple(str(c) for c in ix["column_names"]))
                for ix in inspector.get_indexes(table)
                if ix["unique"] and "duplicates_constraint" not in ix
            }
        return sorted(found, key=repr)
    finally:
        engine.dispose()


def detected(project: Project) -> str:
    """What ``check`` reports ("" when clean)."""
    result = project.sterna("check")
    return "" if CLEAN in result.out else result.text


# -- E. several unique constraints over the same columns -------------------------------------------


def test_two_uniques_over_one_column(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url, base_args=CONVENTION)
    project.models(DATASET)
    upgrade = section(project.autogenerate("init"), "upgrade")
    assert 'sa.UniqueConstraint("uuid", name="uq_uuid_column"),' in upgrade
    assert 'sa.UniqueConstraint("uuid", name=op.f("dataset_uuid_key")),' in upgrade
    project.ok("upgrade", "head")
    migrated = uniques_of(project.url, "dataset")
    assert detected(project) == ""
    against_create_all(project)
    assert uniques_of(project.url, "dataset") == migrated  # the database create_all makes
    project.ok("downgrade", "base")


def test_two_uniques_then_later_migrations(tmp_path: Path, db_url: str, backend: str) -> None:
    """A later migration does not add the folded constraint again (SQLite's batch failed with
    ``a constraint named 'dataset_uuid_key' already exists``); dropping the uniqueness is still
    detected, and comes back on downgrade."""
    project = Project(tmp_path, db_url, base_args=CONVENTION)
    if backend == "sqlite":
        use_batch(project)
    project.models(DATASET)
    project.autogenerate("init")
    project.ok("upgrade", "head")
    project.models(DATASET_LABEL)
    script = project.autogenerate("label")
    assert "uuid" not in section(script, "upgrade")
    assert "add_column" in section(script, "upgrade")
    project.ok("upgrade", "head")
    before = uniques_of(project.url, "dataset")
    assert before and all(columns == ("uuid",) for _, columns in before)
    assert detected(project) == ""
    project.models(DATASET_NO_UNIQUE)
    assert "uq_uuid_column" in detected(project)
    dropping = project.autogenerate("no unique")
    project.ok("upgrade", "head")
    assert uniques_of(project.url, "dataset") == []
    assert detected(project) == ""
    project.ok("downgrade", "-1")
    assert uniques_of(project.url, "dataset") == before
    project.models(DATASET_LABEL)
    dropping.unlink()
    assert detected(project) == ""
    project.ok("downgrade", "base")


def test_unique_over_the_primary_key(project: Project) -> None:
    project.models(TRIGGER_EXECUTION)
    upgrade = section(project.autogenerate("init"), "upgrade")
    assert 'name="unique_trigger_execution"' in upgrade
    project.ok("upgrade", "head")
    migrated = uniques_of(project.url, "trigger_execution")
    assert detected(project) == ""
    against_create_all(project)
    assert uniques_of(project.url, "trigger_execution") == migrated
    # a real change: without the constraint, what the database holds of it is dropped
    held = bool(migrated)
    project.models(
        TRIGGER_EXECUTION.replace(
            'sa.UniqueConstraint("trigger_id", "pipeline_run_id", name="unique_trigger_execution"),',  # noqa: E501
            "",
        )
    )
    assert ("unique_trigger_execution" in detected(project)) == held
    project.ok("downgrade", "base")


def test_sqlite_reflects_each_unique_of_the_create_text(tmp_path: Path) -> None:
    """SQLite keeps one index for several ``UNIQUE``s over the same columns and none for one
    over the primary key's: each written ``UNIQUE`` is reflected, with its name."""
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE t (a INTEGER NOT NULL, b INTEGER NOT NULL, c INTEGER UNIQUE, "
            "PRIMARY KEY (a, b), CONSTRAINT uq_ab UNIQUE (a, b), CONSTRAINT uq_c UNIQUE (C), "
            "UNIQUE (c), CONSTRAINT uq_bc UNIQUE (b, c))"
        )
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            (table,) = reflect(conn, [None]).tables.values()
    finally:
        engine.dispose()
    found: list[Any] = [(u.name, u.columns) for u in table.uniques]
    assert found == [
        (None, ("c",)),
        ("uq_ab", ("a", "b")),
        ("uq_c", ("c",)),
        (None, ("c",)),
        ("uq_bc", ("b", "c")),
    ]


# -- G. a dropped table's unique constraint comes back on downgrade --------------------------------

USER_ROLE = """
class User(Base):
    __tablename__ = "ab_user"
    id = sa.Column(sa.Integer, primary_key=True)


class Role(Base):
    __tablename__ = "ab_role"
    id = sa.Column(sa.Integer, primary_key=True)


assoc_user_role = sa.Table(
    "ab_user_role",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("ab_user.id", ondelete="CASCADE")),
    sa.Column("role_id", sa.Integer, sa.ForeignKey("ab_role.id", ondelete="CASCADE")),
    sa.UniqueConstraint("user_id", "role_id"),
)
"""

USER_ROLE_DROPPED = USER_ROLE[: USER_ROLE.index("assoc_user_role")]


@pytest.mark.parametrize("start", ["upgrade", "create_all"])
def test_dropped_table_unique_comes_back(project: Project, start: str) -> None:
    project.models(USER_ROLE)
    project.autogenerate("init")
    if start == "upgrade":
        project.ok("upgrade", "head")
    else:
        create_all(project.url, model_metadata(project))
        project.ok("stamp", "head")
    before = uniques_of(project.url, "ab_user_role")
    assert [columns for _, columns in before] == [("user_id", "role_id")]
    project.models(USER_ROLE_DROPPED)
    script = project.autogenerate("drop")
    downgrade = section(script, "downgrade")
    assert downgrade.count('"user_id", "role_id"') == 1  # created once
    project.ok("upgrade", "head")
    assert "ab_user_role" not in project.tables()
    project.ok("downgrade", "-1")
    assert uniques_of(project.url, "ab_user_role") == before  # under the same name
    project.models(USER_ROLE)
    script.unlink()
    assert detected(project) == ""
    project.ok("downgrade", "base")
