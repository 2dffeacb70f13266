"""Index and constraint shapes from public model sets that made ``revision --autogenerate`` write
scripts that do not run, or ``check`` report false differences: a column with ``index=True,
unique=True``; two indexes of one name; ``.asc()``/``.desc()`` index elements; objects with
``ddl_if()``.  Each model goes through autogenerate from an empty database, ``upgrade``, a clean
``check``, ``downgrade base``, and a clean ``check`` against the database ``create_all()`` makes.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, inspect

from tests.autogenerate._autogen_project import Project, forget_app_modules
from tests.autogenerate._compare_support import create_all

CLEAN = "No new upgrade operations detected."


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return Project(tmp_path, db_url)


def model_metadata(project: Project) -> MetaData:
    """The project's ``Base.metadata``, imported as env.py imports it."""
    forget_app_modules()
    sys.path.insert(0, str(project.backend))
    try:
        module = importlib.import_module("app.infrastructure.db")
        module.engine.dispose()
        metadata: MetaData = module.Base.metadata
        return metadata
    finally:
        sys.path.remove(str(project.backend))
        forget_app_modules()


def functions(script: Path) -> str:
    """The generated ``upgrade()`` and ``downgrade()`` (without the header's id and date)."""
    source = script.read_text()
    return source[source.index("def upgrade"):]


def round_trip(project: Project, models: str) -> str:
    """Autogenerate from empty, upgrade, check, downgrade base; then ``create_all()`` and
    check again.  Returns the generated functions."""
    project.models(models)
    script = project.autogenerate("init")
    project.ok("upgrade", "head")
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")
    assert project.tables() <= {"alembic_version"}
    create_all(project.url, model_metadata(project))
    project.ok("stamp", "head")
    assert CLEAN in project.ok("check").out
    return functions(script)


def unique_objects(url: str, table: str) -> list[tuple[str, tuple[str, ...]]]:
    """The unique indexes and unique constraints of ``table`` (name, columns), sorted."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            found = {
                (str(ix["name"]), tuple(str(c) for c in ix["column_names"]))
                for ix in insp.get_indexes(table) if ix["unique"]
            }
            found |= {
                (str(uq["name"]), tuple(str(c) for c in uq["column_names"]))
                for uq in insp.get_unique_constraints(table)
            }
            return sorted(found)
    finally:
        engine.dispose()


# -- 2. index=True, unique=True ------------------------------------------------------------------

STUDIES = '''
from sqlalchemy.orm import Mapped, mapped_column

class Study(Base):
    __tablename__ = "studies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(512), index=True, unique=True)
'''


def test_unique_indexed_column_is_one_unique_index(project: Project) -> None:
    project.models(STUDIES)
    script = functions(project.autogenerate("init"))
    assert "UniqueConstraint" not in script
    assert 'op.create_index(op.f("ix_studies_name"), "studies", ["name"], unique=True)' in script
    project.ok("upgrade", "head")
    migrated = unique_objects(project.url, "studies")
    assert migrated == [("ix_studies_name", ("name",))]
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")
    create_all(project.url, model_metadata(project))
    assert unique_objects(project.url, "studies") == migrated
    project.ok("stamp", "head")
    assert CLEAN in project.ok("check").out


def test_unique_indexed_column_added_to_a_table(project: Project) -> None:
    first = STUDIES.replace(
        "    name: Mapped[str] = mapped_column(sa.String(512), index=True, unique=True)\n", "")
    project.models(first)
    project.autogenerate("init")
    project.ok("upgrade", "head")
    project.models(STUDIES)
    script = functions(project.autogenerate("name"))
    assert "unique=True)" in script and "UniqueConstraint" not in script
    project.ok("upgrade", "head")
    assert unique_objects(project.url, "studies") == [("ix_studies_name", ("name",))]
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")
