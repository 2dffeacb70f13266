"""The autogenerate round trip as a property, on SQLite, PostgreSQL and MariaDB.

For random pairs of model versions: autogenerate the first and upgrade; autogenerate from the
first to the second and upgrade: ``check`` finds the database identical to the second models;
downgrade one step: ``check`` finds it identical to the first models again.

The models are those of a typical project: up to three tables (a parent and children with
foreign keys to it), columns whose presence, type (within a family: Integer/BigInteger,
String(20)/String(40), Numeric(10, 2)/Numeric(12, 2), an Enum with two or three values),
nullability, server default, comment, index or unique constraint vary, and so do table comments
and two-column indexes; names follow a naming convention, as projects do.  On SQLite the
environment uses ``render_as_batch=True``, as Alembic recommends there.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.dialects.postgresql.base import PGInspector

from tests.autogenerate._autogen_project import Project

NAMING_CONVENTION = (
    "metadata=sa.MetaData(naming_convention={"
    '"ix": "ix_%(column_0_label)s", '
    '"uq": "uq_%(table_name)s_%(column_0_name)s", '
    '"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", '
    '"pk": "pk_%(table_name)s"})'
)

#: column name -> the types it may have (a family whose members convert into each other)
TYPES = {
    "qty": ("sa.Integer()", "sa.BigInteger()"),
    "label": ("sa.String(20)", "sa.String(40)"),
    "price": ("sa.Numeric(10, 2)", "sa.Numeric(12, 2)"),
    "active": ("sa.Boolean()",),
    "born": ("sa.Date()",),
    "note": ("sa.Text()",),
    "mood": ('sa.Enum("sad", "ok", name="mood")', 'sa.Enum("sad", "ok", "happy", name="mood")'),
}
DEFAULTS = {"qty": '"0"', "label": '"x"', "price": '"0"'}
INDEXABLE = ("qty", "label", "price", "born")


@dataclass(frozen=True)
class ColumnModel:
    name: str
    type_: str
    nullable: bool
    default: bool
    comment: bool
    index: str  # "", "index" or "unique"

    def source(self, table: str) -> str:
        type_ = self.type_.replace('name="mood"', f'name="{table}_mood"')
        args = [f'"{self.name}"', type_, f"nullable={self.nullable}"]
        if self.default:
            args.append(f"server_default={DEFAULTS[self.name]}")
        if self.comment:
            args.append(f'comment="about {self.name}"')
        if self.index:
            args.append(f"{self.index}=True")
        return f"sa.Column({', '.join(args)})"


@dataclass(frozen=True)
class TableModel:
    name: str
    columns: tuple[ColumnModel, ...]
    parent_fk: str | None  # None, "" (no ondelete) or "CASCADE"
    comment: bool = False
    pair_index: bool = False

    def source(self) -> str:
        items = ['sa.Column("id", sa.Integer, primary_key=True)']
        if self.parent_fk is not None:
            ondelete = f', ondelete="{self.parent_fk}"' if self.parent_fk else ""
            items.append(f'sa.Column("parent_id", sa.ForeignKey("parent.id"{ondelete}))')
        items.extend(column.source(self.name) for column in self.columns)
        names = [c.name for c in self.columns if c.name in INDEXABLE]
        if self.pair_index and len(names) >= 2:
            items.append(f'sa.Index("ix_{self.name}_pair", "{names[0]}", "{names[1]}")')
        if self.comment:
            items.append(f'comment="the {self.name} table"')
        body = "".join(f"    {item},\n" for item in items)
        return f'sa.Table(\n    "{self.name}", Base.metadata,\n{body})\n'


@st.composite
def columns(draw: st.DrawFn) -> tuple[ColumnModel, ...]:
    names = draw(st.lists(st.sampled_from(sorted(TYPES)), unique=True, max_size=4))
    found = []
    for name in sorted(names):
        index = draw(st.sampled_from(["", "index", "unique"])) if name in INDEXABLE else ""
        found.append(
            ColumnModel(
                name=name,
                type_=draw(st.sampled_from(TYPES[name])),
                nullable=draw(st.booleans()),
                default=name in DEFAULTS and draw(st.booleans()),
                comment=draw(st.booleans()),
                index=index,
            )
        )
    return tuple(found)


@st.composite
def models(draw: st.DrawFn) -> tuple[TableModel, ...]:
    extras = st.tuples(st.booleans(), st.booleans())
    tables = [TableModel("parent", draw(columns()), None, *draw(extras))]
    for name in ("child", "leaf"):
        if draw(st.booleans()):
            fk = draw(st.sampled_from([None, "", "CASCADE"]))
            tables.append(TableModel(name, draw(columns()), fk, *draw(extras)))
    if draw(st.booleans()):  # sometimes without the parent (and so without foreign keys)
        tables = [
            TableModel(t.name, t.columns, None, t.comment, t.pair_index)
            for t in tables
            if t.name != "parent"
        ]
    return tuple(tables)


def source(model: tuple[TableModel, ...]) -> str:
    return "\n".join(table.source() for table in model)


def wipe(url: str) -> None:
    """Drop every table (and PostgreSQL enum type) a failed example may have left."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            metadata = MetaData()
            metadata.reflect(conn)
            metadata.drop_all(conn)
            if conn.dialect.name == "postgresql":
                inspector = inspect(conn)
                assert isinstance(inspector, PGInspector)
                for enum in inspector.get_enums():
                    conn.execute(text(f'DROP TYPE "{enum["name"]}"'))
    finally:
        engine.dispose()


@pytest.fixture
def project(tmp_path: Path, db_url: str, backend: str) -> Project:
    project = Project(tmp_path, db_url, base_args=NAMING_CONVENTION)
    if backend == "sqlite":
        env = project.backend / "alembic" / "env.py"
        env.write_text(
            env.read_text().replace(
                "context.configure(connection=connection, target_metadata=target_metadata)",
                "context.configure(connection=connection, target_metadata=target_metadata, "
                "render_as_batch=True)",
            )
        )
    return project


def fresh(project: Project) -> None:
    wipe(project.url)
    versions = project.backend / "alembic" / "versions"
    shutil.rmtree(versions)
    versions.mkdir()


def assert_clean(project: Project, when: str) -> None:
    result = project.sterna("check")
    assert result.status == 0, f"check after {when}:\n{result.text}"


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=models(), second=models())
def test_upgrade_then_downgrade_round_trip(
    project: Project, first: tuple[TableModel, ...], second: tuple[TableModel, ...]
) -> None:
    fresh(project)
    project.models(source(first))
    project.autogenerate("first")
    project.ok("upgrade", "head")
    assert_clean(project, "upgrading to the first models")

    project.models(source(second))
    step = project.autogenerate("second")
    project.ok("upgrade", "head")
    assert_clean(project, "upgrading to the second models:\n" + step.read_text())

    project.ok("downgrade", "-1")
    step.unlink()
    project.models(source(first))
    assert_clean(project, "downgrading back to the first models")
    project.ok("downgrade", "base")
