"""Rendering defects found with real public model sets: a ``str`` enum member as a server
default, and ``TypeDecorator``s whose constructor does not take their ``impl``'s arguments.

Each defect is reproduced with a minimal model on every backend (autogenerate, the script runs,
``check`` is clean, ``downgrade base`` works); the rendering rules are checked offline, by
running the rendered code and comparing its SQL with the SQL of the same operations.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sterna.operations import ops
from tests.autogenerate._autogen_project import Project, ruff_check
from tests.autogenerate._render_support import direct_sql, render, rendered_sql, same_statements


def configure_with(project: Project, options: str) -> None:
    """Add keyword arguments to env.py's online ``context.configure()`` call."""
    env = project.backend / "alembic" / "env.py"
    old = "context.configure(connection=connection, target_metadata=target_metadata"
    text = env.read_text()
    assert old in text
    env.write_text(text.replace(old, f"{old}, {options}", 1))


def round_trip(project: Project) -> str:
    """Autogenerate, upgrade, check (clean), downgrade; the script's text."""
    script = project.autogenerate("init")
    text = script.read_text()
    assert not ruff_check(script), text
    project.ok("upgrade", "head")
    assert "No new upgrade operations detected." in project.ok("check").out, text
    project.ok("downgrade", "base")
    assert project.tables() == {"alembic_version"}
    return text


# -- 1. a str enum member as a server default -----------------------------------------------------


STATUS_MODELS = '''
import enum
from sqlalchemy.orm import mapped_column


class Status(str, enum.Enum):
    READY = "READY"
    NOT_READY = "NOT_READY"


class Shown(str, enum.Enum):
    PLAIN = "plain"
    QUOTED = "it's"

    def __repr__(self):
        return f"Shown.{self.name}"

    def __str__(self):
        return f"Shown.{self.name}"


class Pool(Base):
    __tablename__ = "pool"
    id = mapped_column(sa.Integer, primary_key=True)
    status = mapped_column(sa.Enum(Status, name="pool_status"), server_default=Status.NOT_READY)
    shown = mapped_column(sa.String(10), server_default=Shown.QUOTED)
'''


def test_a_str_enum_member_default_is_written_as_its_value(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url)
    configure_with(project, "compare_server_default=True")
    project.models(STATUS_MODELS)
    script = project.autogenerate("init")
    text = script.read_text()
    assert 'server_default="NOT_READY"' in text
    assert "server_default=\"it's\"" in text
    project.ok("upgrade", "head")
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO pool (id) VALUES (1)"))
            row = conn.execute(sa.text("SELECT status, shown FROM pool")).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("NOT_READY", "it's")
    assert "No new upgrade operations detected." in project.ok("check").out
    project.ok("downgrade", "base")
    assert project.tables() == {"alembic_version"}


class Status(str, enum.Enum):
    READY = "READY"
    NOT_READY = "NOT_READY"


class Shown(str, enum.Enum):
    QUOTED = "it's"

    def __repr__(self) -> str:
        return f"Shown.{self.name}"


class Label(str):
    def __repr__(self) -> str:
        return f"Label({str(self)!r})"


class Start(enum.IntEnum):
    TEN = 10


ALL = ("sqlite", "postgresql", "mysql")
DEFAULTS: list[tuple[str, Callable[[], sa.Column[Any]], tuple[str, ...]]] = [
    ("plain str", lambda: sa.Column("c", sa.String(10), server_default="it's"), ALL),
    ("str enum", lambda: sa.Column("c", sa.String(10), server_default=Status.NOT_READY), ALL),
    ("own repr", lambda: sa.Column("c", sa.String(10), server_default=Shown.QUOTED), ALL),
    ("str subclass", lambda: sa.Column("c", sa.String(10), server_default=Label("x")), ALL),
    ("quoted_name", lambda: sa.Column(
        "c", sa.String(10), server_default=sa.sql.quoted_name("Q", True)), ALL),
    ("text", lambda: sa.Column("c", sa.Integer, server_default=sa.text("1 + 1")), ALL),
    ("func.now", lambda: sa.Column("c", sa.DateTime, server_default=sa.func.now()), ALL),
    ("literal_column", lambda: sa.Column(
        "c", sa.String(10), server_default=sa.literal_column("'abc'")), ALL),
    ("FetchedValue", lambda: sa.Column("c", sa.Integer, server_default=sa.FetchedValue()), ALL),
    ("Computed", lambda: sa.Column("c", sa.Integer, sa.Computed("id * 2", persisted=True)), ALL),
    ("Identity", lambda: sa.Column("c", sa.Integer, sa.Identity(start=Start.TEN)),
     ("postgresql",)),
]


@pytest.mark.parametrize(
    ("column", "dialect"),
    [pytest.param(make, dialect, id=f"{name}-{dialect}")
     for name, make, dialects in DEFAULTS for dialect in dialects],
)
def test_every_server_default_renders_as_code_with_the_same_sql(
    column: Callable[[], sa.Column[Any]], dialect: str
) -> None:
    table = [ops.CreateTableOp("t", [sa.Column("id", sa.Integer, primary_key=True), column()])]
    assert same_statements(rendered_sql(dialect, table), direct_sql(dialect, table))
    default = column().server_default
    if dialect != "sqlite" and isinstance(default, sa.DefaultClause):
        altered = [ops.AlterColumnOp("t", "c", modify_server_default=default.arg,
                                     existing_type=sa.String(10), existing_nullable=True)]
        assert rendered_sql(dialect, altered) == direct_sql(dialect, altered)


def test_enum_members_in_other_options_are_written_as_their_values() -> None:
    source, _ = render([
        ops.CreateTableOp("t", [sa.Column("c", sa.Integer, sa.Identity(start=Start.TEN),
                                          comment=Status.READY)],
                          comment=Shown.QUOTED),
    ])
    assert "sa.Identity(start=10)" in source
    assert 'comment="READY"' in source and "comment=\"it's\"" in source
