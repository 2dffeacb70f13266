"""Three autogenerate defects found on real model sets (buildbot, Flask-Security, Galaxy), each
from its minimal model:

* B. MySQL/MariaDB stores ``LargeBinary(n)``/``Text(n)`` as the smallest of
  TINY/-/MEDIUM/LONG that holds ``n`` bytes (``Text``: characters times the character set's
  widest): ``check`` reported a type change on every run;
* F. a convention name longer than the dialect allows is shortened by SQLAlchemy's DDL compiler
  (``..._e624``): ``check`` reported the index as removed and added on every run;
* H. an unnamed CHECK added to an existing table was created as ``None`` and its downgrade
  (``drop_constraint(None, ...)``) could not run.

Each model goes through ``revision --autogenerate``, ``upgrade head``, a clean ``check`` (with
``compare_server_default`` off and on), the same against the database ``create_all()`` makes,
``downgrade base``; and a real change is still detected.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from tests.autogenerate._autogen_project import CLEAN, Project, model_metadata, ruff_check
from tests.autogenerate._compare_support import create_all, execute
from tests.autogenerate.test_compare_realworld_fixes import (
    against_create_all,
    checks_of,
    rejected,
    section,
    use_batch,
)


def compare_defaults(project: Project) -> None:
    """``compare_server_default=True`` in env.py's online ``context.configure()``."""
    env = project.backend / "alembic" / "env.py"
    call = "context.configure(connection=connection, target_metadata=target_metadata"
    source = env.read_text()
    assert call in source
    env.write_text(source.replace(call, call + ", compare_server_default=True", 1))


def clean_both_ways(project: Project) -> None:
    """``check`` is clean with ``compare_server_default`` off, then on (left on)."""
    assert CLEAN in project.ok("check").out
    compare_defaults(project)
    assert CLEAN in project.ok("check").out


def column_types(url: str, table: str) -> dict[str, str]:
    """``information_schema`` column types, as MariaDB stores them."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT column_name, column_type FROM information_schema.columns"
                    " WHERE table_schema = DATABASE() AND table_name = :t"
                ),
                {"t": table},
            )
            return {str(name): str(type_) for name, type_ in rows}
    finally:
        engine.dispose()


def object_names(url: str) -> dict[str, set[str]]:
    """Every table's index, unique, foreign-key, primary-key and CHECK names."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            found: dict[str, set[str]] = {}
            for table in inspector.get_table_names():
                if table == "alembic_version":
                    continue
                names = {i["name"] for i in inspector.get_indexes(table)}
                names |= {u["name"] for u in inspector.get_unique_constraints(table)}
                names |= {f["name"] for f in inspector.get_foreign_keys(table)}
                names |= {c["name"] for c in inspector.get_check_constraints(table)}
                names.add(inspector.get_pk_constraint(table)["name"])
                found[table] = {str(n) for n in names if n}
            return found
    finally:
        engine.dispose()


# -- B. MySQL/MariaDB TEXT(n) / BLOB(n) ----------------------------------------------------------

LOBS = """
class Blob(Base):
    __tablename__ = "blob_store"
    id = sa.Column(sa.Integer, primary_key=True)
    small = sa.Column(sa.LargeBinary(255))
    plain = sa.Column(sa.LargeBinary({plain}))
    medium = sa.Column(sa.LargeBinary(65536))
    text_tiny = sa.Column(sa.Text(63))
    text_plain = sa.Column(sa.Text(1000))
    text_medium = sa.Column(sa.Text(20000))
    text_medium_too = sa.Column(sa.Text(70000))
    text_long = sa.Column(sa.Text(4194304))
    text_latin = sa.Column(sa.Text(300, collation="latin1_swedish_ci"))
"""

# what MariaDB 10.11 makes of them under utf8mb4 (measured; latin1 is one byte a character)
STORED = {
    "small": "tinyblob",
    "plain": "blob",
    "medium": "mediumblob",
    "text_tiny": "tinytext",
    "text_plain": "text",
    "text_medium": "mediumtext",
    "text_medium_too": "mediumtext",
    "text_long": "longtext",
    "text_latin": "text",
}


def test_mysql_sized_text_and_blob(tmp_path: Path, mysql_url: str) -> None:
    project = Project(tmp_path, mysql_url)
    project.models(LOBS.format(plain=1024))
    script = project.autogenerate("init")
    assert "sa.LargeBinary(length=65536)" in section(script, "upgrade")
    project.ok("upgrade", "head")
    stored = column_types(mysql_url, "blob_store")
    assert {k: v for k, v in stored.items() if k != "id"} == STORED
    clean_both_ways(project)
    against_create_all(project)
    project.ok("downgrade", "base")
    assert project.tables() <= {"alembic_version"}


def test_mysql_blob_size_class_change_detected(tmp_path: Path, mysql_url: str) -> None:
    project = Project(tmp_path, mysql_url)
    project.models(LOBS.format(plain=1024))
    project.autogenerate("init")
    project.ok("upgrade", "head")
    project.models(LOBS.format(plain=70000))  # BLOB -> MEDIUMBLOB
    found = project.sterna("check")
    assert found.status != 0
    assert "plain" in found.text and "LargeBinary(length=70000)" in found.text
    script = project.autogenerate("bigger")
    project.ok("upgrade", "head")
    assert column_types(mysql_url, "blob_store")["plain"] == "mediumblob"
    assert "sa.LargeBinary(length=70000)" in section(script, "upgrade")
    assert CLEAN in project.ok("check").out
    project.models(LOBS.format(plain=60000))  # MEDIUMBLOB -> BLOB again
    assert project.sterna("check").status != 0


# -- F. names over the dialect's identifier limit ------------------------------------------------

LONG_NAMES = """
class Parent(Base):
    __tablename__ = "history_dataset_association_parent_table_for_long_names"
    id = sa.Column(sa.Integer, primary_key=True)


class Annotation(Base):
    __tablename__ = "history_dataset_association_annotation_association"
    id = sa.Column(sa.Integer, primary_key=True)
    history_dataset_association_id = sa.Column(
        sa.Integer, sa.ForeignKey(Parent.id), index=True)
    user_identifier_of_the_annotation = sa.Column(sa.Integer)
    __table_args__ = (
        sa.UniqueConstraint("history_dataset_association_id", "user_identifier_of_the_annotation"),
        sa.CheckConstraint("user_identifier_of_the_annotation > 0",
                           name="positive_user_identifier_of_the_annotation_row"),
        sa.Index(None, "user_identifier_of_the_annotation"{extra}),
    )
"""

CONVENTION = (
    "metadata=sa.MetaData(naming_convention={"
    "'ix': 'ix_%(table_name)s_%(column_0_N_name)s', "
    "'uq': 'uq_%(table_name)s_%(column_0_N_name)s', "
    "'ck': 'ck_%(table_name)s_%(constraint_name)s', "
    "'fk': 'fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s', "
    "'pk': 'pk_%(table_name)s'})"
)

PG_MARIADB = ["postgresql", "mariadb"]


@pytest.fixture
def server_url(request: pytest.FixtureRequest) -> str:
    fixture = "pg_url" if request.param == "postgresql" else "mysql_url"
    return str(request.getfixturevalue(fixture))


@pytest.mark.parametrize("server_url", PG_MARIADB, indirect=True)
def test_long_convention_names(tmp_path: Path, server_url: str) -> None:
    project = Project(tmp_path, server_url, CONVENTION)
    project.models(LONG_NAMES.format(extra=""))
    script = project.autogenerate("init")
    long_index = (
        "ix_history_dataset_association_annotation_association_history_dataset_association_id"
    )
    assert f'op.f("{long_index}")' in "".join(script.read_text().split())
    project.ok("upgrade", "head")
    migrated = object_names(server_url)
    limit = 63 if "postgresql" in server_url else 64
    assert all(len(n) <= limit for names in migrated.values() for n in names)
    assert any(len(n) == limit - 3 for names in migrated.values() for n in names)  # shortened
    clean_both_ways(project)
    project.ok("downgrade", "base")
    create_all(server_url, model_metadata(project))
    assert object_names(server_url) == migrated  # the DDL comes out the same as create_all's
    project.ok("stamp", "head")
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")


@pytest.mark.parametrize("server_url", PG_MARIADB, indirect=True)
def test_long_convention_name_change_detected(tmp_path: Path, server_url: str) -> None:
    project = Project(tmp_path, server_url, CONVENTION)
    project.models(LONG_NAMES.format(extra=""))
    project.autogenerate("init")
    project.ok("upgrade", "head")
    project.models(LONG_NAMES.format(extra=', "history_dataset_association_id"'))
    found = project.sterna("check")
    assert found.status != 0
    assert "ix_history_dataset_association_annotation_association_user_ide" in found.text
    project.autogenerate("wider")
    project.ok("upgrade", "head")
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")


EXPLICIT_LONG = """
class Run(Base):
    __tablename__ = "run"
    id = sa.Column(sa.Integer, primary_key=True)
    size = sa.Column(sa.Integer)
    __table_args__ = (sa.Index("ix_" + "x" * 70, "size"),)
"""


@pytest.mark.parametrize("server_url", PG_MARIADB, indirect=True)
def test_explicit_long_name_fails_like_create_all(tmp_path: Path, server_url: str) -> None:
    """An explicit name (not a convention) is not shortened: SQLAlchemy refuses it on
    PostgreSQL and MariaDB refuses it, for create_all and for the migration alike."""
    project = Project(tmp_path, server_url)
    project.models(EXPLICIT_LONG)
    with pytest.raises(SQLAlchemyError):
        create_all(server_url, model_metadata(project))
    script = project.autogenerate("init")
    assert f'"ix_{"x" * 70}"' in section(script, "upgrade")
    failed = project.sterna("upgrade", "head")
    assert failed.status != 0
    assert "x" * 70 in failed.text


# -- H. an unnamed CHECK added to an existing table ----------------------------------------------

RUN = """
class Run(Base):
    __tablename__ = "run"
    id = sa.Column(sa.Integer, primary_key=True)
    size = sa.Column(sa.Integer)
    limit_size = sa.Column(sa.Integer)
{checks}
"""
CHECKS = """    __table_args__ = (
        sa.CheckConstraint("size >= 0"),
        sa.CheckConstraint("size <= limit_size"),
    )
"""
# the names each database gives these two CHECKs itself (measured: PostgreSQL 16, MariaDB
# 10.11); SQLite keeps no name, Sterna's is its own
EXPECTED = {
    "postgresql": [("run_check", "size <= limit_size"), ("run_size_check", "size >= 0")],
    "mariadb": [("CONSTRAINT_1", "size >= 0"), ("CONSTRAINT_2", "size <= limit_size")],
    "sqlite": [("ck_run_1", "size >= 0"), ("ck_run_2", "size <= limit_size")],
}


def _plain(found: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """PostgreSQL's ``(size >= 0)`` written as ``size >= 0``."""
    return [(name, sql.removeprefix("(").removesuffix(")")) for name, sql in found]


def test_unnamed_check_added_and_dropped(project_any: Project, backend: str) -> None:
    project = project_any
    if backend == "sqlite":
        use_batch(project)
    project.models(RUN.format(checks=""))
    project.autogenerate("init")
    project.ok("upgrade", "head")
    project.models(RUN.format(checks=CHECKS))
    script = project.autogenerate("checks")
    assert "(None," not in script.read_text()
    assert ruff_check(script) == ""
    project.ok("upgrade", "head")
    assert _plain(checks_of(project.url, "run")) == sorted(EXPECTED[backend])
    assert rejected(project.url, "INSERT INTO run (id, size, limit_size) VALUES (1, -1, 5)")
    clean_both_ways(project)
    project.ok("downgrade", "-1")
    assert checks_of(project.url, "run") == []
    assert not rejected(project.url, "INSERT INTO run (id, size, limit_size) VALUES (1, -1, 5)")
    execute(project.url, "DELETE FROM run")
    project.ok("upgrade", "head")
    if backend != "sqlite":  # the database's own names for the same CHECKs in CREATE TABLE
        project.ok("downgrade", "base")
        create_all(project.url, model_metadata(project))
        assert _plain(checks_of(project.url, "run")) == sorted(EXPECTED[backend])
        project.ok("stamp", "head")
        assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")


@pytest.fixture
def project_any(tmp_path: Path, db_url: str) -> Project:
    return Project(tmp_path, db_url)


def test_pg_check_name_taken_in_schema(tmp_path: Path, pg_url: str) -> None:
    """PostgreSQL chooses a CHECK's name free in the whole schema: ``run_size_check`` of the
    table ``run_size`` makes ``run``'s ``run_size_check1``."""
    project = Project(tmp_path, pg_url)
    other = """
class RunSize(Base):
    __tablename__ = "run_size"
    id = sa.Column(sa.Integer, primary_key=True)
    a = sa.Column(sa.Integer)
    __table_args__ = (sa.CheckConstraint("a + id > 0", name="run_size_check"),)
"""
    project.models(RUN.format(checks="") + other)
    project.autogenerate("init")
    project.ok("upgrade", "head")
    project.models(RUN.format(checks=CHECKS) + other)
    project.autogenerate("checks")
    project.ok("upgrade", "head")
    assert _plain(checks_of(pg_url, "run")) == [
        ("run_check", "size <= limit_size"),
        ("run_size_check1", "size >= 0"),
    ]
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")


# -- SQLite: a type it knows only by affinity (advanced-alchemy's GUID is BINARY(16)) -----------


def _binary_guid() -> type:
    import sqlalchemy as sa

    class BinaryGuid(sa.types.TypeDecorator[bytes]):
        """Compiles to BINARY(16), a name SQLite's type list lacks (read back as NUMERIC)."""

        impl = sa.types.BINARY(16)
        cache_ok = True

    return BinaryGuid


def test_sqlite_declared_type_known_only_by_affinity(sqlite_url: str) -> None:
    import sqlalchemy as sa

    from tests.autogenerate._compare_support import diffs

    guid = _binary_guid()
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", guid(), primary_key=True))
    create_all(sqlite_url, metadata)
    assert diffs(sqlite_url, metadata) == []
    changed = sa.MetaData()
    sa.Table("t", changed, sa.Column("id", sa.LargeBinary(16), primary_key=True))
    (group,) = diffs(sqlite_url, changed)
    assert [(item[0], item[3]) for item in group] == [("modify_type", "id")]
