"""Index and constraint shapes from public model sets that made ``revision --autogenerate`` write
scripts that do not run, or ``check`` report false differences: a column with ``index=True,
unique=True``; two indexes of one name; ``.asc()``/``.desc()`` index elements; objects with
``ddl_if()``.  Each model goes through autogenerate from an empty database, ``upgrade``, a clean
``check``, ``downgrade base``, and a clean ``check`` against the database ``create_all()`` makes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.autogenerate._autogen_project import CLEAN, Project, model_metadata
from tests.autogenerate._compare_support import create_all
from tests.conftest import run_sterna


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return Project(tmp_path, db_url)


def functions(script: Path) -> str:
    """The generated ``upgrade()`` and ``downgrade()`` (without the header's id and date)."""
    source = script.read_text()
    return source[source.index("def upgrade") :]


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


def execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def unique_objects(url: str, table: str) -> list[tuple[str, tuple[str, ...]]]:
    """The unique indexes and unique constraints of ``table`` (name, columns), sorted."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            found = {
                (str(ix["name"]), tuple(str(c) for c in ix["column_names"]))
                for ix in insp.get_indexes(table)
                if ix["unique"]
            }
            found |= {
                (str(uq["name"]), tuple(str(c) for c in uq["column_names"]))
                for uq in insp.get_unique_constraints(table)
            }
            return sorted(found)
    finally:
        engine.dispose()


# -- 2. index=True, unique=True ------------------------------------------------------------------

STUDIES = """
from sqlalchemy.orm import Mapped, mapped_column

class Study(Base):
    __tablename__ = "studies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(512), index=True, unique=True)
"""


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
        "    name: Mapped[str] = mapped_column(sa.String(512), index=True, unique=True)\n", ""
    )
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


# -- 4. two indexes with one name, and the order of generated operations --------------------------

CONVENTION = (
    'metadata=sa.MetaData(naming_convention={"ix": "ix_%(table_name)s__%(column_0_N_name)s"})'
)

ARTIFACT = """
from sqlalchemy.orm import Mapped, mapped_column

class Artifact(Base):
    __tablename__ = "artifact"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), index=True)
    __table_args__ = (sa.Index("ix_artifact__key", "key"),)
"""

DUPLICATE_WARNING = r"'artifact'.*more than one index named 'ix_artifact__key'"


def test_two_indexes_with_one_name_are_created_once(project: Project) -> None:
    project.base_args = CONVENTION
    project.models(ARTIFACT)
    with pytest.warns(UserWarning, match=DUPLICATE_WARNING):
        script = functions(project.autogenerate("init"))
    assert script.count("op.create_index(") == 1
    assert script.count("op.drop_index(") == 1
    assert '"ix_artifact__key", "artifact", ["key"], unique=False' in script
    project.ok("upgrade", "head")
    with pytest.warns(UserWarning, match=DUPLICATE_WARNING):
        assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")
    assert project.tables() <= {"alembic_version"}
    # create_all() cannot build these models: it creates both indexes and the second fails


def test_duplicate_index_warning_reaches_the_console(tmp_path: Path, sqlite_url: str) -> None:
    project = Project(tmp_path, sqlite_url, base_args=CONVENTION)
    project.models(ARTIFACT)
    done = run_sterna("revision", "--autogenerate", "-m", "init", cwd=project.backend)
    assert done.returncode == 0, done.stderr
    assert re.search(DUPLICATE_WARNING, done.stderr), done.stderr


ORDERED_TABLES = """
class Owner(Base):
    __tablename__ = "owner"
    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(20), nullable=False)
    region = sa.Column(sa.String(20), nullable=False)
    __table_args__ = (sa.UniqueConstraint("code", "region", name="uq_owner_code_region"),)

class Item(Base):
    __tablename__ = "item"
    id = sa.Column(sa.Integer, primary_key=True)
    key = sa.Column(sa.String(40), nullable=False{key_index})
    a = sa.Column(sa.Integer, nullable=False)
    b = sa.Column(sa.Integer, nullable=False)
    c = sa.Column(sa.Integer, nullable=False)
    owner_id = sa.Column(sa.Integer, nullable=False)
    owner_code = sa.Column(sa.String(20), nullable=False)
    owner_region = sa.Column(sa.String(20), nullable=False)
    __table_args__ = ({args})
"""

ORDERED_ARGS = """
        sa.Index("ix_item__key", "key"),
        sa.Index("ix_zz", "c", "a"),
        sa.Index("ix_aa", "b"),
        sa.Index("ix_mm", "a", unique=True),
        sa.UniqueConstraint("c", "b", name="uq_z"),
        sa.UniqueConstraint("a", "c", name="uq_a"),
        sa.CheckConstraint("c > 0", name="ck_z"),
        sa.CheckConstraint("a > 0", name="ck_a"),
        sa.CheckConstraint("b > a", name="ck_m"),
        sa.ForeignKeyConstraint(["owner_id"], ["owner.id"], name="fk_z"),
        sa.ForeignKeyConstraint(["owner_code", "owner_region"], ["owner.code", "owner.region"],
                                name="fk_a"),
    """


def ordered_models(with_constraints: bool) -> str:
    if not with_constraints:
        return ORDERED_TABLES.format(key_index="", args="")
    return ORDERED_TABLES.format(key_index=", index=True", args=ORDERED_ARGS)


def generated_twice(project: Project, times: int = 3) -> list[str]:
    """The functions of the same autogenerated revision, generated ``times`` times in this
    process (fresh model objects each time) and twice in subprocesses with different hash
    seeds; each script is deleted before the next one is generated."""
    scripts: list[str] = []
    for _ in range(times):
        script = project.autogenerate("again")
        scripts.append(functions(script))
        script.unlink()
    for seed in ("1", "2"):
        done = run_sterna(
            "revision",
            "--autogenerate",
            "-m",
            "again",
            cwd=project.backend,
            env={"PYTHONHASHSEED": seed},
            check=True,
        )
        assert "Generating" in done.stdout
        (script,) = project.versions()[-1:]
        new = [p for p in project.versions() if p.name.endswith("_again.py")]
        (script,) = new
        scripts.append(functions(script))
        script.unlink()
    return scripts


@pytest.mark.filterwarnings("ignore:Table 'item' has more than one index")
def test_generated_scripts_are_identical_every_time(project: Project, backend: str) -> None:
    """Inside create_table (a new table's constraints and indexes), then outside it (the same
    objects added to existing tables, and their drops in the downgrade)."""
    project.base_args = CONVENTION
    project.models(ordered_models(with_constraints=True))
    inside = generated_twice(project)
    assert len(set(inside)) == 1, "\n\n".join(inside)
    assert inside[0].count("op.create_index(") == 4
    project.models(ordered_models(with_constraints=False))
    project.autogenerate("tables")
    project.ok("upgrade", "head")
    project.models(ordered_models(with_constraints=True))
    outside = generated_twice(project)
    assert len(set(outside)) == 1, "\n\n".join(outside)
    # MariaDB: also an index for each added foreign key, so that the downgrade can drop it
    assert outside[0].count("op.create_index(") == (6 if backend == "mariadb" else 4)


# -- 5. ASC and DESC in indexes -------------------------------------------------------------------

FLOW_RUN = """
from sqlalchemy.orm import Mapped, mapped_column

class FlowRun(Base):
    __tablename__ = "flow_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    start_time: Mapped[int] = mapped_column(sa.Integer, nullable=True)
    end_time: Mapped[int] = mapped_column(sa.Integer, nullable=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=True)

sa.Index("ix_flow_run_start", FlowRun.start_time.asc())
sa.Index("ix_flow_run_end", FlowRun.end_time.desc())
sa.Index("ix_flow_run_both", FlowRun.name.asc(), FlowRun.end_time.desc())
"""

#: MariaDB has no index on an expression (neither has create_all there)
FLOW_RUN_EXPRESSIONS = """
sa.Index("ix_flow_run_span", sa.func.coalesce(FlowRun.start_time, FlowRun.end_time).asc())
sa.Index("ix_flow_run_span_desc", sa.func.coalesce(FlowRun.end_time, FlowRun.start_time).desc())
"""


def test_asc_is_the_default_order_and_desc_round_trips(project: Project, backend: str) -> None:
    models = FLOW_RUN + (FLOW_RUN_EXPRESSIONS if backend != "mariadb" else "")
    round_trip(project, models)
    # the order still counts: ASC -> DESC is a change
    project.models(models.replace("FlowRun.start_time.asc()", "FlowRun.start_time.desc()"))
    changed = project.sterna("check")
    assert changed.status == 1
    assert "removed index 'ix_flow_run_start'" in changed.err
    assert "added index 'ix_flow_run_start'" in changed.err


def test_postgresql_default_nulls_positions(tmp_path: Path, pg_url: str) -> None:
    """NULLS LAST after ASC and NULLS FIRST after DESC are PostgreSQL's defaults; the other two
    positions are kept and compared."""
    project = Project(tmp_path, pg_url)
    models = (
        FLOW_RUN
        + FLOW_RUN_EXPRESSIONS
        + """
sa.Index("ix_flow_run_defaults", FlowRun.name.desc().nulls_first(),
         FlowRun.start_time.asc().nulls_last(), FlowRun.end_time.nulls_last())
sa.Index("ix_flow_run_nulls", FlowRun.name.desc().nulls_last(),
         FlowRun.start_time.nulls_first())
sa.Index("ix_flow_run_span_nulls",
         sa.func.coalesce(FlowRun.start_time, FlowRun.end_time).desc().nulls_last())
"""
    )
    round_trip(project, models)
    project.models(models.replace("FlowRun.name.desc().nulls_last()", "FlowRun.name.desc()"))
    changed = project.sterna("check")
    assert changed.status == 1 and "removed index 'ix_flow_run_nulls'" in changed.err


# -- 9. ddl_if() ----------------------------------------------------------------------------------

RUNS = """
from sqlalchemy.orm import Mapped, mapped_column


def only_postgresql(ddl, target, bind, **kw):
    return kw["dialect"].name == "postgresql"


class Owner(Base):
    __tablename__ = "owner"
    id: Mapped[int] = mapped_column(primary_key=True)


class Run(Base):
    __tablename__ = "run"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(20))
    size: Mapped[int] = mapped_column(sa.Integer)
    owner_id: Mapped[int] = mapped_column(sa.Integer)
    __table_args__ = (
        sa.Index("ix_run_active", "state", postgresql_where=sa.text("state = 'active'"))
        .ddl_if(dialect="postgresql"),
        sa.Index("ix_run_state_size", "state", "size").ddl_if(callable_=only_postgresql),
        sa.Index("ix_run_size", "size").ddl_if(dialect=("sqlite", "mariadb", "mysql")),
        sa.CheckConstraint("length(state) > 0", name="ck_run_state").ddl_if(dialect="sqlite"),
        sa.UniqueConstraint("state", "size", name="uq_run_state_size")
        .ddl_if(dialect="postgresql"),
        sa.ForeignKeyConstraint(["owner_id"], ["owner.id"], name="fk_run_owner")
        .ddl_if(dialect=("mysql", "mariadb")),
    )
"""

#: what each dialect creates of RUNS (name -> created)
RUNS_CREATED = {
    "sqlite": {
        "ix_run_active": False,
        "ix_run_state_size": False,
        "ix_run_size": True,
        "ck_run_state": True,
        "uq_run_state_size": False,
        "fk_run_owner": False,
    },
    "postgresql": {
        "ix_run_active": True,
        "ix_run_state_size": True,
        "ix_run_size": False,
        "ck_run_state": False,
        "uq_run_state_size": True,
        "fk_run_owner": False,
    },
    "mariadb": {
        "ix_run_active": False,
        "ix_run_state_size": False,
        "ix_run_size": True,
        "ck_run_state": False,
        "uq_run_state_size": False,
        "fk_run_owner": True,
    },
}


def test_ddl_if_leaves_objects_out_where_create_all_does(project: Project, backend: str) -> None:
    script = round_trip(project, RUNS)
    upgrade = script[: script.index("def downgrade")]
    for name, created in RUNS_CREATED[backend].items():
        assert (f'"{name}"' in upgrade) is created, (name, upgrade)


def test_ddl_if_left_out_objects_are_not_dropped(project: Project, backend: str) -> None:
    """A database object named like a model object that ddl_if() leaves out on this dialect
    is not compared: the models say nothing about it there."""
    project.models(RUNS)
    project.autogenerate("init")
    project.ok("upgrade", "head")
    other = "ix_run_size" if backend == "postgresql" else "ix_run_active"
    execute(project.url, f"CREATE INDEX {other} ON run (state)")
    assert CLEAN in project.ok("check").out


NEEDS_COMPILER = """
def needs_compiler(ddl, target, bind, compiler=None, **kw):
    return compiler.dialect.name == "sqlite"


class Run(Base):
    __tablename__ = "run"
    id = sa.Column(sa.Integer, primary_key=True)
    size = sa.Column(sa.Integer)
    __table_args__ = (
        sa.CheckConstraint("size > 0", name="ck_run_size").ddl_if(callable_=needs_compiler),
    )
"""


def test_ddl_if_callable_that_needs_a_compiler_is_kept(tmp_path: Path, sqlite_url: str) -> None:
    project = Project(tmp_path, sqlite_url)
    project.models(NEEDS_COMPILER)
    with pytest.warns(UserWarning, match="ddl_if.*CheckConstraint 'ck_run_size'.*'run'"):
        script = functions(project.autogenerate("init"))
    assert 'sa.CheckConstraint("size > 0", name="ck_run_size")' in script
