"""Rendering defects found with real public model sets: a ``str`` enum member as a server
default, and ``TypeDecorator``s whose constructor does not take their ``impl``'s arguments.

Each defect is reproduced with a minimal model on every backend (autogenerate, the script runs,
``check`` is clean, ``downgrade base`` works); the rendering rules are checked offline, by
running the rendered code and comparing its SQL with the SQL of the same operations.
"""

from __future__ import annotations

import enum
import importlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sterna.operations import ops
from tests.autogenerate._autogen_project import Project, forget_app_modules, ruff_check
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


STATUS_MODELS = """
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
"""


def test_a_str_enum_member_default_is_written_as_its_value(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url)
    configure_with(project, "compare_server_default=True")
    project.models(STATUS_MODELS)
    script = project.autogenerate("init")
    text = script.read_text()
    assert 'server_default="NOT_READY"' in text
    assert 'server_default="it\'s"' in text
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
    (
        "quoted_name",
        lambda: sa.Column("c", sa.String(10), server_default=sa.sql.quoted_name("Q", True)),
        ALL,
    ),
    ("text", lambda: sa.Column("c", sa.Integer, server_default=sa.text("1 + 1")), ALL),
    ("func.now", lambda: sa.Column("c", sa.DateTime, server_default=sa.func.now()), ALL),
    (
        "literal_column",
        lambda: sa.Column("c", sa.String(10), server_default=sa.literal_column("'abc'")),
        ALL,
    ),
    ("FetchedValue", lambda: sa.Column("c", sa.Integer, server_default=sa.FetchedValue()), ALL),
    ("Computed", lambda: sa.Column("c", sa.Integer, sa.Computed("id * 2", persisted=True)), ALL),
    ("Identity", lambda: sa.Column("c", sa.Integer, sa.Identity(start=Start.TEN)), ("postgresql",)),
]


@pytest.mark.parametrize(
    ("column", "dialect"),
    [
        pytest.param(make, dialect, id=f"{name}-{dialect}")
        for name, make, dialects in DEFAULTS
        for dialect in dialects
    ],
)
def test_every_server_default_renders_as_code_with_the_same_sql(
    column: Callable[[], sa.Column[Any]], dialect: str
) -> None:
    table = [ops.CreateTableOp("t", [sa.Column("id", sa.Integer, primary_key=True), column()])]
    assert same_statements(rendered_sql(dialect, table), direct_sql(dialect, table))
    default = column().server_default
    if dialect != "sqlite" and isinstance(default, sa.DefaultClause):
        altered = [
            ops.AlterColumnOp(
                "t",
                "c",
                modify_server_default=default.arg,
                existing_type=sa.String(10),
                existing_nullable=True,
            )
        ]
        assert rendered_sql(dialect, altered) == direct_sql(dialect, altered)


def test_enum_members_in_other_options_are_written_as_their_values() -> None:
    source, _ = render(
        [
            ops.CreateTableOp(
                "t",
                [sa.Column("c", sa.Integer, sa.Identity(start=Start.TEN), comment=Status.READY)],
                comment=Shown.QUOTED,
            ),
        ]
    )
    assert "sa.Identity(always=False, start=10)" in source
    assert 'comment="READY"' in source and 'comment="it\'s"' in source


# -- 10. TypeDecorators whose constructor does not take their impl's arguments --------------------


TYPES = '''\
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB


class Model:
    """Stands for a pydantic model class."""


class Pydantic(sa.types.TypeDecorator):
    """A JSON column holding a pydantic model, as JSON TypeDecorators in the wild."""

    impl = sa.JSON
    cache_ok = True

    def __init__(self, pydantic_type):
        super().__init__()
        self.pydantic_type = pydantic_type

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(sa.JSON())


class AutoString(sa.types.TypeDecorator):
    """SQLModel's AutoString: no constructor of its own."""

    impl = sa.String
    cache_ok = True
    mysql_default_length = 255

    def load_dialect_impl(self, dialect):
        if self.impl.length is None and dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(sa.String(self.mysql_default_length))
        return super().load_dialect_impl(dialect)


class Phone(sa.types.TypeDecorator):
    """SQLAlchemy-Utils' PhoneNumberType constructor: its own arguments, kept as attributes."""

    impl = sa.Unicode(20)
    cache_ok = True

    def __init__(self, region="US", max_length=20, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.impl = sa.Unicode(max_length)


class Doubled(sa.types.TypeDecorator):
    """Keeps an attribute that does not give back its argument."""

    impl = sa.String
    cache_ok = True

    def __init__(self, size):
        super().__init__(size * 2)
        self.size = size * 2
'''

MODELS_WITH_TYPES = """
from sqlalchemy.orm import mapped_column
from app.types import AutoString, Doubled, Model, Phone, Pydantic


class Item(Base):
    __tablename__ = "item"
    id = mapped_column(sa.Integer, primary_key=True)
    data = mapped_column(Pydantic(Model))
    name = mapped_column(AutoString(40))
    title = mapped_column(AutoString())
    phone = mapped_column(Phone(region="FI"))
    code = mapped_column(Doubled(10))
"""

NOTE = "# TypeDecorator {}.{} written as its database type"


@pytest.fixture
def app_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "types.py").write_text(TYPES)
    monkeypatch.syspath_prepend(str(tmp_path))
    forget_app_modules()
    yield importlib.import_module("app.types")
    forget_app_modules()


def add_item_column(type_: Any) -> list[Any]:
    return [ops.AddColumnOp("item", sa.Column("c", type_, nullable=True))]


@pytest.mark.parametrize(
    ("make", "expected", "imported", "noted"),
    [
        ("AutoString(40)", "app.types.AutoString(length=40)", True, False),
        ("AutoString()", "app.types.AutoString()", True, False),
        ("Phone(region='FI')", 'app.types.Phone(region="FI")', True, False),
        ("Phone()", "app.types.Phone(length=20)", True, False),
        ("Pydantic(Model)", "sa.JSON()", False, True),
        ("Doubled(10)", "sa.String(length=20)", False, True),
    ],
)
def test_a_decorator_is_written_as_a_call_that_rebuilds_it_or_as_its_database_type(
    app_types: Any,
    make: str,
    expected: str,
    imported: bool,
    noted: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    type_ = eval(make, vars(app_types))
    name = make.partition("(")[0]
    with caplog.at_level(logging.WARNING, logger="alembic.autogenerate"):
        source, imports = render(add_item_column(type_))
    assert f'sa.Column("c", {expected}, nullable=True)' in source
    assert imports == ({"import app.types"} if imported else set())
    assert (NOTE.format("app.types", name) in source) is noted
    warned = [r.getMessage() for r in caplog.records if name in r.getMessage()]
    assert len(warned) == (1 if noted else 0)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_the_rendered_code_creates_the_columns_the_models_create(
    app_types: Any, dialect: str
) -> None:
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("data", app_types.Pydantic(app_types.Model)),
        sa.Column("name", app_types.AutoString(40)),
        sa.Column("title", app_types.AutoString()),
        sa.Column("phone", app_types.Phone(region="FI")),
        sa.Column("code", app_types.Doubled(10)),
    ]
    table = [ops.CreateTableOp("item", columns)]
    assert same_statements(rendered_sql(dialect, table), direct_sql(dialect, table))


def test_the_database_type_is_the_public_type_the_dialect_chose(app_types: Any) -> None:
    source, imports = render(add_item_column(app_types.Pydantic(app_types.Model)), "postgresql")
    assert 'sa.Column("c", postgresql.JSONB(astext_type=sa.Text()), nullable=True)' in source
    assert imports == {"from sqlalchemy.dialects import postgresql"}


def test_user_module_prefix_names_the_replaced_decorator(app_types: Any) -> None:
    source, imports = render(
        add_item_column(app_types.Pydantic(app_types.Model)), user_module_prefix="mytypes."
    )
    assert "# TypeDecorator mytypes.Pydantic written as its database type" in source
    source, imports = render(
        add_item_column(app_types.AutoString(40)), user_module_prefix="mytypes."
    )
    assert "mytypes.AutoString(length=40)" in source and imports == set()


def test_render_item_decides_first(app_types: Any) -> None:
    def render_item(kind: str, obj: Any, autogen_context: Any) -> Any:
        if kind == "type" and isinstance(obj, app_types.Pydantic):
            autogen_context.imports.add("import app.types")
            return "app.types.Pydantic(app.types.Model)"
        return False

    source, imports = render(
        add_item_column(app_types.Pydantic(app_types.Model)), render_item=render_item
    )
    assert 'sa.Column("c", app.types.Pydantic(app.types.Model), nullable=True)' in source
    assert "TypeDecorator" not in source and imports == {"import app.types"}


def test_decorators_round_trip_on_every_backend(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url)
    (project.backend / "app" / "types.py").write_text(TYPES)
    project.models(MODELS_WITH_TYPES)
    text = round_trip(project)
    assert "\nimport app.types\n" in text
    for name in ("Pydantic", "Doubled"):
        assert NOTE.format("app.types", name) in text
    assert 'app.types.Phone(region="FI")' in text and "app.types.AutoString(length=40)" in text


def test_unnamed_constraint_drop_carries_a_warning() -> None:
    """A downgrade that drops a constraint without a name cannot run: the script says so above
    the call (as Alembic's does, in Sterna's words)."""
    from sterna.autogenerate.render import render_python_code
    from sterna.runtime.migration import MigrationContext

    context = MigrationContext.configure(dialect_name="postgresql")
    up = ops.UpgradeOps(
        ops=[
            ops.DropConstraintOp(None, "user", type_="unique"),
            ops.DropConstraintOp("uq_named", "user", type_="unique"),
        ]
    )
    text = render_python_code(up, migration_context=context)
    lines = text.splitlines()
    call = next(i for i, line in enumerate(lines) if "drop_constraint(None" in line)
    note = [line.strip() for line in lines[:call] if line.strip().startswith("# WARNING")]
    assert note == ["# WARNING: this unique constraint of table user has no name, so"], lines
    assert text.count("WARNING") == 1  # the named one has none
