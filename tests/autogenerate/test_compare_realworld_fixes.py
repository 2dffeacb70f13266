"""Two autogenerate defects found on real model sets, each from its minimal model, on SQLite,
PostgreSQL and MariaDB:

* a CHECK declared inside a ``Column`` was left out of the generated ``create_table``, and the
  next ``check`` crashed (``This constraint is not bound to a table``);
* on MariaDB, the index of a foreign key of a dropped table did not come back on downgrade
  (MariaDB made its own index for the key instead, under another name).

Each model goes through ``revision --autogenerate``, ``upgrade head``, a clean ``check`` and
``downgrade base``; the database ``create_all()`` makes is the reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from tests.autogenerate._autogen_project import CLEAN, Project, model_metadata, ruff_check
from tests.autogenerate._compare_support import create_all


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return Project(tmp_path, db_url)


def section(script: Path, function: str) -> str:
    """The body of ``upgrade()`` or ``downgrade()`` of a generated script."""
    source = script.read_text()
    start = source.index(f"def {function}()")
    end = source.find("\ndef ", start + 1)
    return source[start:] if end < 0 else source[start:end]


def checks_of(url: str, table: str) -> list[tuple[str | None, str]]:
    """The table's CHECK constraints (name, condition without MariaDB's quotes), as the
    inspector reads them; on MariaDB from ``information_schema``, since the inspector does
    not see a CHECK written with its column there."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found: list[tuple[str | None, str]]
            if conn.dialect.name == "mysql":
                rows = conn.execute(
                    text(
                        "SELECT constraint_name, check_clause FROM information_schema.check_constraints"  # noqa: E501
                        " WHERE constraint_schema = DATABASE() AND table_name = :t"
                    ),
                    {"t": table},
                )
                found = [(str(name), str(sql)) for name, sql in rows]
            else:
                found = [
                    (c["name"], str(c["sqltext"]))
                    for c in inspect(conn).get_check_constraints(table)
                ]
        return sorted((name, " ".join(sql.replace("`", "").split())) for name, sql in found)
    finally:
        engine.dispose()


def rejected(url: str, statement: str) -> bool:
    """Whether the database refuses ``statement`` (a row a CHECK forbids)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
        return False
    except DBAPIError:
        return True
    finally:
        engine.dispose()


def use_batch(project: Project) -> None:
    """``render_as_batch=True`` in env.py's online ``context.configure()`` (SQLite adds a
    constraint to an existing table only by rebuilding it)."""
    env = project.backend / "alembic" / "env.py"
    call = "context.configure(connection=connection, target_metadata=target_metadata"
    source = env.read_text()
    assert call in source
    env.write_text(source.replace(call, call + ", render_as_batch=True", 1))


def against_create_all(project: Project) -> None:
    """Drop everything, build the models with ``create_all()``, stamp head: ``check`` is
    clean."""
    project.ok("downgrade", "base")
    assert project.tables() <= {"alembic_version"}
    create_all(project.url, model_metadata(project))
    project.ok("stamp", "head")
    assert CLEAN in project.ok("check").out


# -- A. a CHECK declared inside a Column ---------------------------------------------------------

RUN = """
class Run(Base):
    __tablename__ = "run"
    id = sa.Column(sa.Integer, primary_key=True)
    size = sa.Column(sa.Integer, sa.CheckConstraint("size >= 0", name="ck_run_size_col"))
"""

RUN_UNNAMED = """
class Run(Base):
    __tablename__ = "run"
    id = sa.Column(sa.Integer, primary_key=True)
    size = sa.Column(sa.Integer, sa.CheckConstraint("size >= 0"))
"""

# MariaDB refuses a named CHECK written with its column (``size INTEGER CONSTRAINT ck CHECK
# (...)``), which is what create_all writes: the create_all reference is taken elsewhere only
NAMED_INLINE_REFUSED = "mariadb"


def test_named_column_check_in_create_table(project: Project, backend: str) -> None:
    project.models(RUN)
    script = project.autogenerate("init")
    upgrade = section(script, "upgrade")
    create = upgrade[upgrade.index('op.create_table(\n        "run",') :]
    assert 'sa.CheckConstraint("size >= 0", name="ck_run_size_col"),' in create
    assert ruff_check(script) == ""
    project.ok("upgrade", "head")
    assert checks_of(project.url, "run") == [("ck_run_size_col", "size >= 0")]
    assert rejected(project.url, "INSERT INTO run (id, size) VALUES (1, -1)")
    assert CLEAN in project.ok("check").out
    if backend != NAMED_INLINE_REFUSED:
        against_create_all(project)
        assert checks_of(project.url, "run") == [("ck_run_size_col", "size >= 0")]
    project.ok("downgrade", "base")


def test_unnamed_column_check_in_create_table(project: Project) -> None:
    project.models(RUN_UNNAMED)
    script = project.autogenerate("init")
    assert 'sa.CheckConstraint("size >= 0"),' in section(script, "upgrade")
    project.ok("upgrade", "head")
    assert [sql for _, sql in checks_of(project.url, "run")] == ["size >= 0"]
    assert rejected(project.url, "INSERT INTO run (id, size) VALUES (1, -1)")
    assert CLEAN in project.ok("check").out
    against_create_all(project)
    assert [sql for _, sql in checks_of(project.url, "run")] == ["size >= 0"]
    assert rejected(project.url, "INSERT INTO run (id, size) VALUES (1, -1)")
    project.ok("downgrade", "base")


CONVENTIONS = {
    "constraint_name": ("ck_%(table_name)s_%(constraint_name)s", 'name="size_nonneg"'),
    "column_0_name": ("ck_%(table_name)s_%(column_0_name)s", ""),
}


@pytest.mark.parametrize("convention", sorted(CONVENTIONS))
def test_column_check_under_a_naming_convention(
    tmp_path: Path, db_url: str, backend: str, convention: str
) -> None:
    pattern, name = CONVENTIONS[convention]
    project = Project(
        tmp_path, db_url, base_args=f'metadata=sa.MetaData(naming_convention={{"ck": "{pattern}"}})'
    )
    project.models(RUN_UNNAMED.replace('"size >= 0"', f'"size >= 0", {name}'.rstrip(", ")))
    (check,) = model_metadata(project).tables["run"].c.size.constraints
    expected = str(check.name)  # the name SQLAlchemy gives it under the convention
    script = project.autogenerate("init")
    assert f'sa.CheckConstraint("size >= 0", name=op.f("{expected}")),' in section(
        script, "upgrade"
    )
    project.ok("upgrade", "head")
    assert checks_of(project.url, "run") == [(expected, "size >= 0")]
    assert CLEAN in project.ok("check").out
    if backend != NAMED_INLINE_REFUSED:
        against_create_all(project)
        assert checks_of(project.url, "run") == [(expected, "size >= 0")]
    project.ok("downgrade", "base")


RUN_BEFORE = """
class Run(Base):
    __tablename__ = "run"
    id = sa.Column(sa.Integer, primary_key=True)
    size = sa.Column(sa.Integer)
"""

RUN_AFTER = (
    RUN
    + """\
    count = sa.Column(sa.Integer, sa.CheckConstraint("count < 100", name="ck_run_count_col"))
"""
)


def test_column_checks_added_to_an_existing_table(project: Project, backend: str) -> None:
    """A CHECK put on an existing column, and a new column with its CHECK: each is created
    on its table (SQLite: in batch mode, which rebuilds the table)."""
    batch = backend == "sqlite"
    if batch:
        use_batch(project)
    project.models(RUN_BEFORE)
    project.autogenerate("init")
    project.ok("upgrade", "head")
    project.models(RUN_AFTER)
    script = project.autogenerate("checks")
    upgrade, downgrade = section(script, "upgrade"), section(script, "downgrade")
    if batch:
        assert 'with op.batch_alter_table("run") as batch_op:' in upgrade
        creates = [
            'batch_op.create_check_constraint("ck_run_size_col", "size >= 0")',
            'batch_op.create_check_constraint("ck_run_count_col", "count < 100")',
        ]
        drops = [
            'batch_op.drop_constraint("ck_run_size_col", type_="check")',
            'batch_op.drop_constraint("ck_run_count_col", type_="check")',
        ]
    else:
        creates = [
            'op.create_check_constraint("ck_run_size_col", "run", "size >= 0")',
            'op.create_check_constraint("ck_run_count_col", "run", "count < 100")',
        ]
        drops = [
            'op.drop_constraint("ck_run_size_col", "run", type_="check")',
            'op.drop_constraint("ck_run_count_col", "run", type_="check")',
        ]
    assert all(line in upgrade for line in creates), upgrade
    assert all(line in downgrade for line in drops), downgrade
    # the new column is added before its CHECK, and the CHECK is not written twice
    assert upgrade.index("add_column(") < upgrade.index(creates[1])
    assert upgrade.count("ck_run_count_col") == 1
    project.ok("upgrade", "head")
    assert checks_of(project.url, "run") == [
        ("ck_run_count_col", "count < 100"),
        ("ck_run_size_col", "size >= 0"),
    ]
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "-1")
    assert checks_of(project.url, "run") == []
    project.models(RUN_BEFORE)
    script.unlink()
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")


# -- B. a dropped table's foreign-key index comes back on downgrade -----------------------------

TRIALS = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column


class Study(Base):
    __tablename__ = "studies"
    id: Mapped[int] = mapped_column(primary_key=True)


class Trial(Base):
    __tablename__ = "trials"
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id"), index=True)
"""

# a named key without an index of its own: MariaDB makes one named after the key, which comes
# back with the key (listing it would make the downgrade create it twice)
TRIALS_NAMED_KEY = (
    TRIALS
    + """\
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("studies.id", name="fk_trials_sponsor"))
"""
)

MODELS = {"index": TRIALS, "named_key": TRIALS_NAMED_KEY}


def schema_of(url: str) -> dict[str, Any]:
    """Foreign keys and indexes (with names) of every table but the version table."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            return {
                table: (
                    sorted(
                        (str(fk["name"]), tuple(fk["constrained_columns"]), fk["referred_table"])
                        for fk in inspector.get_foreign_keys(table)
                    ),
                    sorted(
                        (ix["name"], tuple(ix["column_names"]))
                        for ix in inspector.get_indexes(table)
                    ),
                )
                for table in sorted(inspector.get_table_names())
                if table != "alembic_version"
            }
    finally:
        engine.dispose()


def drop_and_come_back(project: Project, backend: str, models: str) -> None:
    """With the tables of ``models`` in the database at head: a revision that drops them,
    upgrade, downgrade -1: the same keys and indexes (by name) are back, and ``check`` with
    ``models`` is clean."""
    before = schema_of(project.url)
    assert ("ix_trials_study_id", ("study_id",)) in before["trials"][1]
    project.models("")
    script = project.autogenerate("drop")
    upgrade, downgrade = section(script, "upgrade"), section(script, "downgrade")
    # MariaDB refuses to drop an index its key needs: the drop_table removes it
    drop_index = 'op.drop_index("ix_trials_study_id", table_name="trials")'
    assert (drop_index in upgrade) == (backend != "mariadb")
    create_index = 'op.create_index("ix_trials_study_id", "trials", ["study_id"], unique=False)'
    assert create_index in downgrade
    assert downgrade.index('"trials",') < downgrade.index(create_index)
    assert 'op.create_index("fk_trials_sponsor"' not in downgrade
    project.ok("upgrade", "head")
    assert project.tables() == {"alembic_version"}
    project.ok("downgrade", "-1")
    assert schema_of(project.url) == before
    project.models(models)
    script.unlink()
    assert CLEAN in project.ok("check").out


@pytest.mark.parametrize("model", sorted(MODELS))
def test_dropped_table_foreign_key_index_comes_back(
    project: Project, backend: str, model: str
) -> None:
    project.models(MODELS[model])
    project.autogenerate("init")
    project.ok("upgrade", "head")
    assert CLEAN in project.ok("check").out
    drop_and_come_back(project, backend, MODELS[model])
    project.ok("downgrade", "base")
    assert project.tables() <= {"alembic_version"}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_dropped_create_all_tables_foreign_key_index_comes_back(
    project: Project, backend: str, model: str
) -> None:
    """The same from the database ``create_all()`` makes (stamped at the first revision)."""
    project.models(MODELS[model])
    project.autogenerate("init")
    create_all(project.url, model_metadata(project))
    project.ok("stamp", "head")
    assert CLEAN in project.ok("check").out
    drop_and_come_back(project, backend, MODELS[model])
    project.ok("downgrade", "base")
    assert project.tables() <= {"alembic_version"}


# -- a table on a foreign-key cycle with a constraint ddl_if() leaves out -------------------------

CYCLE_WITH_DDL_IF = """
class Author(Base):
    __tablename__ = "authors"
    id = sa.Column(sa.Integer, primary_key=True)
    best_book_id = sa.Column(sa.Integer, sa.ForeignKey("books.id", use_alter=True))
    rank = sa.Column(sa.Integer)
    __table_args__ = (sa.CheckConstraint("rank > 0", name="ck_authors_rank").ddl_if("sqlite"),)


class Book(Base):
    __tablename__ = "books"
    id = sa.Column(sa.Integer, primary_key=True)
    author_id = sa.Column(sa.Integer, sa.ForeignKey("authors.id"))
"""


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_split_key_and_left_out_check_keep_the_columns(project: Project) -> None:
    """The key added after the tables is taken out of the ``create_table`` after the
    constraints ``ddl_if()`` leaves out, which are found by their place among the copies: in
    the other order a column was taken out instead of the CHECK."""
    project.models(CYCLE_WITH_DDL_IF)
    upgrade = section(project.autogenerate("init"), "upgrade")
    create = upgrade[upgrade.index('op.create_table(\n        "authors",') :]
    create = create[: create.index("\n    )\n")]
    assert 'sa.Column("rank", sa.Integer(), nullable=True),' in create
    assert "ck_authors_rank" not in upgrade
    assert "sa.ForeignKeyConstraint" not in create
    project.ok("upgrade", "head")
    assert CLEAN in project.ok("check").out
    against_create_all(project)
    project.ok("downgrade", "base")


# -- the same when an accepted rename makes the downgrade again from the upgrade -------------------

NOTES = """

class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    {column}: Mapped[str] = mapped_column(sa.String(200))
"""


def test_dropped_table_index_comes_back_with_an_accepted_rename(
    project: Project, backend: str
) -> None:
    """A revision that drops ``trials`` and renames a column: accepting the rename makes the
    downgrade again from the whole upgrade, which must still hold the index drops that MariaDB
    leaves to ``drop_table`` (else the downgrade does not create the index again)."""
    models = TRIALS + NOTES.format(column="body")
    project.models(models)
    project.autogenerate("init")
    project.ok("upgrade", "head")
    before = schema_of(project.url)
    project.models(TRIALS.split("class Trial")[0] + NOTES.format(column="text"))
    script = project.autogenerate("drop and rename", "-x", "sterna.accept_renames=true")
    upgrade, downgrade = section(script, "upgrade"), section(script, "downgrade")
    assert 'new_column_name="text"' in upgrade
    assert 'new_column_name="body"' in downgrade
    create_index = 'op.create_index("ix_trials_study_id", "trials", ["study_id"], unique=False)'
    assert create_index in downgrade
    project.ok("upgrade", "head")
    project.ok("downgrade", "-1")
    assert schema_of(project.url) == before
    project.models(models)
    script.unlink()
    assert CLEAN in project.ok("check").out
