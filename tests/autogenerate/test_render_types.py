"""Rendering types and defaults: prefixes, imports, nested and dialect types, user types,
the render_item hook, the module prefixes, and project renderers."""

from __future__ import annotations

import enum
import importlib
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from sterna.autogenerate import render_python_code, renderers
from sterna.errors import RenderError
from sterna.operations import ops
from sterna.operations.ops.base import MigrateOperation
from tests.autogenerate._autogen_project import forget_app_modules
from tests.autogenerate._render_support import render


def rendered_type(type_: Any, **opts: Any) -> tuple[str, set[str]]:
    """The type as the renderer writes it (on one line) and the imports it needs."""
    from sqlalchemy.engine.default import DefaultDialect

    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.render_layout import flat
    from sterna.autogenerate.render_types import render_type
    from sterna.runtime.migration import MigrationContext

    context = AutogenContext(
        MigrationContext(DefaultDialect(), None, {}), opts=opts, autogenerate=False
    )
    return flat(render_type(type_, context)), set(context.imports)


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        (sa.Integer(), "sa.Integer()"),
        (sa.String(50), "sa.String(length=50)"),
        (sa.String(50, collation="C"), 'sa.String(length=50, collation="C")'),
        (sa.Numeric(10, 2), "sa.Numeric(precision=10, scale=2)"),
        (sa.DateTime(timezone=True), "sa.DateTime(timezone=True)"),
        (sa.Enum("a", "b", name="kind"), 'sa.Enum("a", "b", name="kind")'),
        (sa.ARRAY(sa.Integer()), "sa.ARRAY(sa.Integer())"),
        (sa.Boolean(), "sa.Boolean()"),
    ],
)
def test_generic_types(type_: Any, expected: str) -> None:
    assert rendered_type(type_) == (expected, set())


def test_enum_from_a_python_enum_lists_its_values() -> None:
    class Mood(enum.Enum):
        sad = 1
        happy = 2

    assert rendered_type(sa.Enum(Mood)) == ('sa.Enum("sad", "happy", name="mood")', set())


POSTGRESQL = "from sqlalchemy.dialects import postgresql"
MYSQL = "from sqlalchemy.dialects import mysql"


@pytest.mark.parametrize(
    ("type_", "expected", "imports"),
    [
        (postgresql.JSONB(), "postgresql.JSONB(astext_type=sa.Text())", {POSTGRESQL}),
        (postgresql.ARRAY(sa.String(20)), "postgresql.ARRAY(sa.String(length=20))", {POSTGRESQL}),
        (postgresql.INET(), "postgresql.INET()", {POSTGRESQL}),
        (
            mysql.VARCHAR(20, charset="utf8mb4"),
            'mysql.VARCHAR(charset="utf8mb4", length=20)',
            {MYSQL},
        ),
        (mysql.INTEGER(display_width=11), "mysql.INTEGER(display_width=11)", {MYSQL}),
        (
            sa.String(50).with_variant(mysql.VARCHAR(50, charset="utf8"), "mysql", "mariadb"),
            'sa.String(length=50).with_variant(mysql.VARCHAR(charset="utf8", length=50), '
            '"mariadb", "mysql")',
            {MYSQL},
        ),
    ],
)
def test_dialect_types_import_their_dialect(type_: Any, expected: str, imports: set[str]) -> None:
    assert rendered_type(type_) == (expected, imports)


@pytest.fixture
def app_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "types.py").write_text(
        textwrap.dedent("""\
        import sqlalchemy as sa

        class Money(sa.types.TypeDecorator):
            impl = sa.Numeric
            cache_ok = True

            def __init__(self, precision=12, scale=2):
                super().__init__(precision=precision, scale=scale)
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    forget_app_modules()
    yield importlib.import_module("app.types")
    forget_app_modules()


def test_user_types_are_written_with_their_module_and_import_it(app_types: Any) -> None:
    assert rendered_type(app_types.Money()) == (
        "app.types.Money(precision=12, scale=2)",
        {"import app.types"},
    )


def test_user_module_prefix_replaces_the_module(app_types: Any) -> None:
    assert rendered_type(app_types.Money(), user_module_prefix="mytypes.") == (
        "mytypes.Money(precision=12, scale=2)",
        set(),
    )


def test_module_prefixes() -> None:
    text = render_python_code(
        ops.UpgradeOps(ops=[ops.AddColumnOp("t", sa.Column("c", sa.Integer(), nullable=False))]),
        sqlalchemy_module_prefix="sqlalchemy.",
        alembic_module_prefix="migration.",
    )
    assert text.splitlines()[1:-1] == [
        "    migration.add_column(",
        '        "t", sqlalchemy.Column("c", sqlalchemy.Integer(), nullable=False)',
        "    )",
    ]


def test_render_item_hook_renders_and_adds_imports() -> None:
    seen: list[str] = []

    def render_item(kind: str, obj: Any, autogen_context: Any) -> Any:
        seen.append(kind)
        if kind == "type" and isinstance(obj, sa.Numeric):
            autogen_context.imports.add("from app import money")
            return "money.Money()"
        if kind == "server_default":
            return "sa.text('42')"
        return False

    source, imports = render(
        [ops.AddColumnOp("t", sa.Column("c", sa.Numeric(), server_default="1", nullable=True))],
        render_item=render_item,
    )
    assert "money.Money()" in source and 'server_default=sa.text("42")' in source
    assert imports == {"from app import money"}
    assert {"column", "type", "server_default"} <= set(seen)


def test_render_item_can_render_a_whole_column() -> None:
    def render_item(kind: str, obj: Any, autogen_context: Any) -> Any:
        return "my_column()" if kind == "column" else False

    source, _ = render(
        [ops.AddColumnOp("t", sa.Column("c", sa.Integer()))], render_item=render_item
    )
    assert 'op.add_column("t", my_column())' in source


def test_server_defaults() -> None:
    source, _ = render(
        [
            ops.AddColumnOp("t", sa.Column("a", sa.String(5), server_default="it's")),
            ops.AddColumnOp("t", sa.Column("b", sa.Integer, server_default=sa.text("1 + 1"))),
            ops.AddColumnOp("t", sa.Column("c", sa.DateTime, server_default=sa.func.now())),
        ]
    )
    assert 'server_default="it\'s"' in source
    assert 'server_default=sa.text("1 + 1")' in source
    assert 'server_default=sa.text("now()")' in source


class NoteOp(MigrateOperation):
    def __init__(self, text: str) -> None:
        self.text = text


def test_projects_register_renderers_for_their_operations() -> None:
    with pytest.raises(RenderError, match="NoteOp"):
        render([NoteOp("x")])

    @renderers.dispatch_for(NoteOp)
    def render_note(autogen_context: Any, op: NoteOp) -> str:
        return f"op.note({op.text!r})"

    source, _ = render([NoteOp("hello")])
    assert "op.note('hello')" in source


def test_a_project_renderer_may_replace_a_built_in_one() -> None:
    original = renderers.dispatch(ops.DropTableOp)
    try:

        @renderers.dispatch_for(ops.DropTableOp)
        def careful_drop(autogen_context: Any, op: ops.DropTableOp) -> list[str]:
            return [f"# dropping {op.table_name}", f"op.drop_table({op.table_name!r})"]

        source, _ = render([ops.DropTableOp("t")])
        assert "# dropping t\nop.drop_table('t')" in source
    finally:
        renderers.dispatch_for(ops.DropTableOp)(original)
