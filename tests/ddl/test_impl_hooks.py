"""DefaultImpl's hooks outside the comparison: rendering (``render_type``,
``render_ddl_sql_expr``), batch mode (``requires_recreate_in_batch``, ``prep_table_for_batch``,
``cast_for_batch_migrate``, ``autogen_column_reflect`` on batch reflection) and the version
table (``version_table_impl``), each overridden by a registered subclass on real databases;
and a third-party implementation written against ``alembic.ddl.impl.DefaultImpl`` under the
alias."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sterna import command
from sterna.autogenerate import render_python_code
from sterna.config import Config
from sterna.ddl.impl import DefaultImpl
from sterna.operations import ops
from sterna.runtime.migration import MigrationContext
from tests.autogenerate._impl_hooks_support import hook_impl
from tests.operations.test_batch_backends import _migrating


def _create(url: str, *statements: str, rows: bool = True) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER)"))
            if rows:
                conn.execute(sa.text("INSERT INTO t (id, a) VALUES (1, 7)"))
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def _query(url: str, sql: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))
    finally:
        engine.dispose()


def _inspect(url: str, fn: Any) -> Any:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return fn(sa.inspect(conn))
    finally:
        engine.dispose()


# -- rendering ------------------------------------------------------------------------------------


def _rendered(url: str, **kw: Any) -> str:
    upgrade = ops.UpgradeOps(
        [
            ops.AddColumnOp("t", sa.Column("x", sa.String(10), server_default=sa.func.lower("A"))),
            ops.AddColumnOp("t", sa.Column("n", sa.Integer())),
            ops.CreateIndexOp("ix_t_x", "t", [sa.func.lower(sa.column("x"))]),
        ]
    )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return render_python_code(
                upgrade, migration_context=MigrationContext.configure(conn), **kw
            )
    finally:
        engine.dispose()


def test_render_type_and_render_ddl_sql_expr(db_url: str) -> None:
    plain = _rendered(db_url)
    assert "sa.String(length=10)" in plain and "Fancy" not in plain
    assert "lower('A')" in plain and "DEFAULT:" not in plain
    seen: list[bool] = []

    def render_type(self: Any, type_obj: Any, autogen_context: Any) -> Any:
        if isinstance(type_obj, sa.String):
            autogen_context.imports.add("import mytypes")
            return "mytypes.Fancy()"
        return False

    def render_ddl_sql_expr(
        self: Any, expr: Any, is_server_default: bool = False, **kw: Any
    ) -> str:
        seen.append(is_server_default)
        text = DefaultImpl.render_ddl_sql_expr(self, expr, is_server_default)
        return ("DEFAULT:" if is_server_default else "EXPR:") + text

    with hook_impl(db_url, render_type=render_type, render_ddl_sql_expr=render_ddl_sql_expr):
        text = _rendered(db_url)
        by_item = _rendered(
            db_url,
            render_item=lambda kind, obj, ctx: (
                "custom.T()" if kind == "type" and isinstance(obj, sa.String) else False
            ),
        )
    assert "mytypes.Fancy()" in text and "sa.String" not in text
    assert "sa.Integer()" in text  # False: the standard rendering
    assert "DEFAULT:lower('A')" in text and "EXPR:lower(x)" in text
    assert sorted(set(seen)) == [False, True]
    assert "custom.T()" in by_item and "mytypes.Fancy()" not in by_item  # render_item first


# -- batch mode -----------------------------------------------------------------------------------


def _batch(url: str, fn: Any, **kw: Any) -> list[str]:
    """Run ``fn(batch_op)`` in ``op.batch_alter_table("t", **kw)``; the statements run."""
    with _migrating(url) as (op, _, recorder), op.batch_alter_table("t", **kw) as batch:
        fn(batch)
    return recorder.statements


def _add_b(batch: Any) -> None:
    batch.add_column(sa.Column("b", sa.Integer()))


def _temp_tables(statements: list[str]) -> list[str]:
    return [s for s in statements if "_sterna_tmp_t" in s]


def test_requires_recreate_in_batch(db_url: str) -> None:
    """``create_index`` runs in place on every backend; an implementation that asks for a
    rebuild gets one."""
    _create(db_url)
    assert _temp_tables(_batch(db_url, lambda b: b.create_index("ix_t_a", ["a"]))) == []
    seen: list[tuple[str, str, list[str]]] = []

    def requires(self: Any, batch_op: Any) -> bool:
        seen.append(
            (batch_op.table_name, batch_op.recreate, [type(o).__name__ for o in batch_op.batch])
        )
        return True

    with hook_impl(db_url, requires_recreate_in_batch=requires):
        statements = _batch(db_url, _add_b)
    assert _temp_tables(statements)
    assert seen == [("t", "auto", ["AddColumnOp"])]
    assert _query(db_url, "SELECT id, a, b FROM t") == [(1, 7, None)]


def test_prep_table_for_batch_runs_before_the_new_table(db_url: str) -> None:
    _create(db_url)
    seen: list[tuple[str, list[str], str]] = []

    def prep(self: Any, batch_impl: Any, table: Any) -> None:
        seen.append((table.name, [c.name for c in table.columns], batch_impl.temp_table_name))
        self._exec(sa.text("CREATE TABLE prep_marker (n INTEGER)"))

    with hook_impl(db_url, prep_table_for_batch=prep):
        statements = _batch(db_url, _add_b, recreate="always")
    marker = next(i for i, s in enumerate(statements) if "prep_marker" in s)
    created = next(
        i
        for i, s in enumerate(statements)
        if s.upper().startswith("CREATE TABLE") and "_sterna_tmp_t" in s
    )
    assert marker < created
    assert seen == [("t", ["id", "a"], "_sterna_tmp_t")]
    assert _query(db_url, "SELECT id, a, b FROM t") == [(1, 7, None)]


def _retype(url: str) -> None:
    _batch(
        url,
        lambda b: b.alter_column("a", type_=sa.String(20), existing_type=sa.Integer()),
        recreate="always",
    )


def test_cast_for_batch_migrate_gives_the_copy_expression(db_url: str) -> None:
    _create(db_url)
    seen: list[tuple[str, str, str]] = []

    def cast_for(self: Any, existing: Any, existing_transfer: Any, new_type: Any) -> None:
        seen.append((existing.name, type(existing.type).__name__, type(new_type).__name__))
        existing_transfer["expr"] = sa.cast(existing_transfer["expr"], new_type) + "!"

    with hook_impl(db_url, cast_for_batch_migrate=cast_for):
        _retype(db_url)
    assert _query(db_url, "SELECT a FROM t") == [("7!",)]
    assert len(seen) == 1 and seen[0][0] == "a" and seen[0][2] == "String"
    assert seen[0][1] in ("INTEGER", "Integer")  # the column as reflected


def test_cast_for_batch_migrate_default_copies_the_value(db_url: str) -> None:
    _create(db_url)
    _retype(db_url)
    assert [str(v) for (v,) in _query(db_url, "SELECT a FROM t")] == ["7"]


def test_autogen_column_reflect_in_batch_reflection(pg_url: str) -> None:
    _create(pg_url, "ALTER TABLE t ADD COLUMN note VARCHAR(20)")

    def reflect(self: Any, inspector: Any, table: Any, column_info: Any) -> None:
        if column_info["name"] == "note":
            column_info["type"] = sa.Text()

    with hook_impl(pg_url, autogen_column_reflect=reflect):
        _batch(pg_url, _add_b, recreate="always")
    types = _inspect(pg_url, lambda i: {c["name"]: c["type"] for c in i.get_columns("t")})
    assert type(types["note"]).__name__ == "TEXT"  # VARCHAR(20) without the hook


# -- the version table ----------------------------------------------------------------------------

ENV = """
from alembic import context
from sqlalchemy import create_engine
{extra}
engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""

SCRIPT = """
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("thing", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("thing")
"""


def _project(tmp_path: Path, url: str, extra: str = "") -> Config:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text(ENV.format(extra=textwrap.dedent(extra)))
    (tmp_path / "migrations" / "versions" / "a1_thing.py").write_text(SCRIPT)
    config = Config()
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    return config


def _version_columns(url: str) -> tuple[dict[str, Any], list[str]]:
    def read(inspector: Any) -> tuple[dict[str, Any], list[str]]:
        columns = {c["name"]: c for c in inspector.get_columns("alembic_version")}
        return columns, list(inspector.get_pk_constraint("alembic_version")["constrained_columns"])

    found: tuple[dict[str, Any], list[str]] = _inspect(url, read)
    return found


def test_version_table_impl_builds_the_version_table(db_url: str, tmp_path: Path) -> None:
    seen: list[tuple[str, str | None, bool]] = []

    def version_table_impl(
        self: Any,
        *,
        version_table: str,
        version_table_schema: str | None,
        version_table_pk: bool,
        **kw: Any,
    ) -> sa.Table:
        seen.append((version_table, version_table_schema, version_table_pk))
        return sa.Table(
            version_table,
            sa.MetaData(),
            sa.Column("version_num", sa.String(64), nullable=False),
            schema=version_table_schema,
        )

    config = _project(tmp_path, db_url)
    with hook_impl(db_url, version_table_impl=version_table_impl):
        command.upgrade(config, "head")
    columns, primary_key = _version_columns(db_url)
    assert columns["version_num"]["type"].length == 64 and primary_key == []
    assert _query(db_url, "SELECT version_num FROM alembic_version") == [("a1",)]
    assert seen and seen[0] == ("alembic_version", None, True)


THIRD_PARTY = """
import sqlalchemy as sa
from alembic.ddl.impl import DefaultImpl


class ThirdPartyImpl(DefaultImpl):
    __dialect__ = "sqlite"

    def version_table_impl(self, *, version_table, version_table_schema, version_table_pk,
                           **kw):
        table = super().version_table_impl(
            version_table=version_table, version_table_schema=version_table_schema,
            version_table_pk=version_table_pk, **kw)
        table.append_column(sa.Column("note", sa.String(10), server_default="third"))
        return table
"""


def test_alembic_defaultimpl_subclass_under_the_alias(sqlite_url: str, tmp_path: Path) -> None:
    """A dialect implementation written for Alembic (a subclass of
    ``alembic.ddl.impl.DefaultImpl`` registered by ``__dialect__``) is used by Sterna."""
    from sterna.compat import alembic_alias

    with alembic_alias():
        from alembic.ddl.impl import DefaultImpl as AliasedImpl
    assert AliasedImpl is DefaultImpl  # type: ignore[comparison-overlap]  # the alias serves sterna's class
    saved = dict(DefaultImpl._registry)
    try:
        command.upgrade(_project(tmp_path, sqlite_url, THIRD_PARTY), "head")
        registered = DefaultImpl._registry["sqlite"]
    finally:
        DefaultImpl._registry.clear()
        DefaultImpl._registry.update(saved)
    assert registered.__name__ == "ThirdPartyImpl"
    columns, primary_key = _version_columns(sqlite_url)
    assert set(columns) == {"version_num", "note"} and primary_key == ["version_num"]
    assert _query(sqlite_url, "SELECT version_num, note FROM alembic_version") == [("a1", "third")]


HOOKS = [
    "adjust_reflected_dialect_options",
    "autogen_column_reflect",
    "cast_for_batch_migrate",
    "compare_check_constraint",
    "compare_indexes",
    "compare_server_default",
    "compare_type",
    "compare_unique_constraint",
    "correct_for_autogen_constraints",
    "correct_for_autogen_foreignkeys",
    "prep_table_for_batch",
    "render_ddl_sql_expr",
    "render_type",
    "requires_recreate_in_batch",
    "version_table_impl",
]


@pytest.mark.parametrize("name", HOOKS)
def test_hooks_have_alembics_signatures(name: str) -> None:
    """Same parameter names, kinds and defaults as Alembic's (overrides written for Alembic
    are called the way they expect)."""
    import alembic.ddl.impl as real

    assert _params(getattr(DefaultImpl, name)) == _params(getattr(real.DefaultImpl, name))


def _params(fn: Any) -> list[tuple[str, Any, Any]]:
    import inspect

    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_the_migration_modules_do_not_import_autogenerate_records() -> None:
    """A migration run imports the implementation, the operations and the rebuild, and not
    autogenerate's snapshot records (``sterna.dialects.records``: defining their dataclasses was
    1.7% of an upgrade of 200 revisions); ``REFLECTED`` is still ``impl_hooks``' name."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import sterna.ddl.impl, sterna.ddl.sqlite, sterna.runtime.migration\n"
        "import sterna.operations, sterna.operations.batch, sterna.ddl.recreate_sqlite\n"
        "print('sterna.dialects.records' in sys.modules)\n"
        "from sterna.ddl.impl_hooks import REFLECTED\n"
        "from sterna.dialects.records import REFLECTED as OWN\n"
        "print(REFLECTED is OWN, REFLECTED)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.splitlines() == ["False", "True sterna.reflected"]
    import sterna.ddl.impl_hooks as hooks

    with pytest.raises(AttributeError, match="no attribute 'NOPE'"):
        hooks.NOPE  # noqa: B018
