"""Alembic's programmatic entry points that scripts and tools call: ``alembic.config.main``,
``alembic.config.CommandLine``, ``MigrationContext.configure(dialect=...)`` and
``alembic.autogenerate.render_op_text``, under Sterna's alias, compared with real Alembic."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql

from sterna.compat import alembic_alias
from tests.runtime.helpers import version_rows
from tests.runtime.test_preflight import chain_a, write_project


def test_config_main_runs_a_command(tmp_path: Path, sqlite_url: str) -> None:
    root = write_project(tmp_path, sqlite_url)
    chain_a(root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with alembic_alias():
            import alembic.config

            alembic.config.main(argv=["upgrade", "a1"])
            assert version_rows(sqlite_url) == ["a1"]
            with pytest.raises(SystemExit) as failed:
                alembic.config.main(argv=["upgrade", "nope"])
            assert failed.value.code == 1
            line = alembic.config.CommandLine()
            options = line.parser.parse_args(["upgrade", "head"])
            assert options.verb == "upgrade" and options.revision == "head"
            line.main(argv=["upgrade", "head"])
    finally:
        os.chdir(cwd)
    assert version_rows(sqlite_url) == ["a2"]


def test_configure_with_a_dialect_and_render_op_text() -> None:
    import alembic.autogenerate as real_autogenerate
    import alembic.operations.ops as real_ops
    from alembic.runtime.migration import MigrationContext as RealContext

    opts = {"alembic_module_prefix": "op.", "sqlalchemy_module_prefix": "sa."}
    # PGDialect_psycopg.__init__ has no annotations in SQLAlchemy (no-untyped-call)
    real_context = RealContext.configure(
        dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
        opts=opts,
    )
    real = real_autogenerate.render_op_text(
        real_autogenerate.api.AutogenContext(real_context),
        real_ops.DropTableOp("t", schema="s"),
    )
    with alembic_alias():
        import alembic.autogenerate as ours_autogenerate
        import alembic.operations.ops as ours_ops
        from alembic.runtime.migration import MigrationContext

        context = MigrationContext.configure(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
            opts=opts,
        )
        assert context.dialect.name == "postgresql" and context.connection is None
        ours = ours_autogenerate.render_op_text(
            # mypy sees Alembic's package, which has no top-level AutogenContext; Sterna's has
            ours_autogenerate.AutogenContext(context),  # type: ignore[attr-defined]
            ours_ops.DropTableOp("t", schema="s"),
        )
    assert ast.dump(ast.parse(ours)) == ast.dump(ast.parse(real))  # quotes may differ
