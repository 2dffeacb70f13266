"""Alembic's private rendering helpers that extensions call (``_add_column``... in
``alembic.autogenerate.render``): one line of source each, meaning what Alembic's own helper
writes for the same operation (compared as Python syntax trees), and still valid after the edits
GeoAlchemy2 and alembic-postgresql-enum make to it."""

from __future__ import annotations

import ast
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import render as alembic_render
from alembic.autogenerate.api import AutogenContext as AlembicContext
from alembic.operations import ops as alembic_ops
from alembic.runtime.migration import MigrationContext as AlembicMigrationContext
from sqlalchemy.engine.default import DefaultDialect

from sterna.autogenerate.api import AutogenContext
from sterna.compat import alembic_alias
from sterna.operations import ops
from sterna.runtime.migration import MigrationContext


def _table() -> sa.Table:
    return sa.Table(
        "place",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        schema="geo",
    )


def _ops(module: Any) -> dict[str, Any]:
    table = _table()
    index = sa.Index("ix_place_name", table.c.name)
    return {
        "_add_column": module.AddColumnOp("place", sa.Column("code", sa.String(8)), schema="geo"),
        "_drop_column": module.DropColumnOp("place", "code", schema="geo"),
        "_alter_column": module.AlterColumnOp(
            "place", "name", schema="geo", modify_nullable=True, existing_type=sa.String(40)
        ),
        "_add_table": module.CreateTableOp.from_table(table),
        "_drop_table": module.DropTableOp("place", schema="geo"),
        "_add_index": module.CreateIndexOp.from_index(index),
        "_drop_index": module.DropIndexOp("ix_place_name", table_name="place", schema="geo"),
    }


def _ours(helper: str) -> str:
    context = AutogenContext(MigrationContext(DefaultDialect(), None, {}), autogenerate=False)
    with alembic_alias():
        from alembic.autogenerate import render

        return str(getattr(render, helper)(context, _ops(ops)[helper]))


def _theirs(helper: str) -> str:
    defaults = {
        "sqlalchemy_module_prefix": "sa.",
        "alembic_module_prefix": "op.",
        "user_module_prefix": None,
        "render_item": None,
    }  # what configure() sets
    migration = AlembicMigrationContext.configure(dialect_name="sqlite", opts=defaults)
    context = AlembicContext(migration, autogenerate=False)
    return str(getattr(alembic_render, helper)(context, _ops(alembic_ops)[helper]))


HELPERS = [
    "_add_column",
    "_drop_column",
    "_alter_column",
    "_add_table",
    "_drop_table",
    "_add_index",
    "_drop_index",
]


@pytest.mark.parametrize("helper", HELPERS)
def test_same_call_as_alembic_s_helper(helper: str) -> None:
    ours, theirs = _ours(helper), _theirs(helper)
    assert "\n" not in ours.strip() or helper == "_add_table"
    assert ast.dump(ast.parse(ours)) == ast.dump(ast.parse(theirs))


@pytest.mark.parametrize("helper", ["_add_column", "_alter_column", "_drop_index"])
def test_extensions_edits_keep_it_valid(helper: str) -> None:
    text = _ours(helper)
    renamed = text.replace(".add_column(", ".add_geospatial_column(")
    extended = text[:-1] + ", postgresql_using='name::text')"
    for edited in (renamed, extended):
        call = ast.parse(edited).body[0]
        assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert any(k.arg == "postgresql_using" for k in ast.parse(extended).body[0].value.keywords)  # type: ignore[attr-defined]


def test_render_cmd_body_is_the_script_body() -> None:
    context = AutogenContext(MigrationContext(DefaultDialect(), None, {}), autogenerate=False)
    with alembic_alias():
        from alembic.autogenerate.render import _render_cmd_body
    # mypy sees Alembic's signature; under alembic_alias the function is Sterna's
    text = _render_cmd_body(ops.UpgradeOps(ops=[_ops(ops)["_drop_table"]]), context)  # type: ignore[arg-type]
    lines = text.splitlines()
    assert lines[0].startswith("# ###") and lines[-1].startswith("# ###")
    # at the left margin, one line each, as Alembic's (pytest-alembic prints it indented as is)
    assert text.endswith("\n") and not lines[1].startswith(" ")
    assert ast.dump(ast.parse(lines[1].strip())) == ast.dump(ast.parse(_theirs("_drop_table")))
