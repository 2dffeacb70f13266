"""MigrationContext on its own (as tools use it) and autocommit_block() on each backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from sterna.errors import ContextUsageError, MigrationError
from sterna.runtime.migration import MigrationContext
from tests.runtime.helpers import Chain, run_env, table_names, upgrade_fn, version_rows


def test_standalone_current_revision_and_stamp(db_url: str, tmp_path: Path) -> None:
    chain = Chain(tmp_path)
    for rev in ("a1", "b2"):
        chain.add(rev, "pass")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_revision() is None
        assert ctx.get_current_heads() == ()
        conn.commit()
    assert version_rows(db_url) is None  # reading never creates the table
    with engine.begin() as conn:
        MigrationContext.configure(conn).stamp(chain.directory(), "a1")
    with engine.begin() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_revision() == "a1"
        ctx.stamp(chain.directory(), "b2")
        assert ctx.get_current_heads() == ("b2",)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('zz')"))
        with pytest.raises(ContextUsageError, match="more than one head"):
            MigrationContext.configure(conn).get_current_revision()
    engine.dispose()


def test_configure_needs_a_connection_url_or_dialect(sqlite_url: str) -> None:
    with pytest.raises(ContextUsageError, match="one of connection, url, dialect_name or dialect"):
        MigrationContext.configure()
    engine = create_engine(sqlite_url)
    with pytest.raises(ContextUsageError, match="got an Engine"):
        MigrationContext.configure(engine)  # type: ignore[arg-type]
    engine.dispose()
    ctx = MigrationContext.configure(url="postgresql://u:secret@h/db")
    assert ctx.dialect.name == "postgresql" and ctx.as_sql is False
    with pytest.raises(ContextUsageError, match="needs a database connection"):
        ctx.get_current_heads()
    with pytest.raises(ContextUsageError, match="nothing to run"):
        ctx.run_migrations()


AUTOCOMMIT_STEP = {
    # a statement that fails inside a transaction block on the backend
    "sqlite": "VACUUM",
    "postgresql": "VACUUM",
    # MariaDB has none that fails, so the step checks the session's autocommit flag instead
    "mariadb": "SELECT 1",
}


def test_autocommit_block_commits_runs_outside_then_begins_again(
    db_url: str, backend: str, tmp_path: Path
) -> None:
    chain = Chain(tmp_path)
    chain.add(
        "a1",
        f"""
        from sqlalchemy import text
        op.execute("CREATE TABLE t_before (id INTEGER)")
        with op.get_context().autocommit_block():
            op.execute({AUTOCOMMIT_STEP[backend]!r})
            if op.get_bind().dialect.name == "mysql":
                flag = op.get_bind().execute(text("SELECT @@autocommit")).scalar()
                assert flag == 1, flag
        op.execute("CREATE TABLE t_after (id INTEGER)")
        op.execute("CREATE TABLE t_after (id INTEGER)")
    """,
    )
    with pytest.raises(MigrationError, match="t_after"):
        run_env(chain, db_url, upgrade_fn(chain))
    tables = table_names(db_url)
    assert "t_before" in tables  # committed when the block began
    assert ("t_after" in tables) == (backend == "mariadb")  # later work was transactional again
    assert version_rows(db_url) == []


def test_autocommit_block_refuses_a_callers_transaction(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        ctx = MigrationContext.configure(conn)
        with pytest.raises(ContextUsageError, match="caller began"), ctx.autocommit_block():
            pass
    engine.dispose()


def test_on_version_apply_shapes_match_alembic(tmp_path: Path) -> None:
    """The MigrationInfo attributes seen by Alembic's and Sterna's callbacks, same project."""
    from alembic import command
    from alembic.config import Config

    from tests.runtime.helpers import downgrade_fn, write_env

    def collect(into: list[tuple[Any, ...]]) -> Any:
        def callback(ctx: Any, step: Any, heads: set[str], run_args: dict[str, Any]) -> None:
            into.append(
                (
                    step.is_upgrade,
                    step.is_stamp,
                    step.is_migration,
                    step.up_revision_id,
                    step.up_revision_ids,
                    step.down_revision_ids,
                    step.source_revision_ids,
                    step.destination_revision_ids,
                    step.up_revision.revision,
                    tuple(r.revision for r in step.down_revisions),
                    frozenset(heads),
                    run_args,
                )
            )

        return callback

    theirs: list[tuple[Any, ...]] = []
    ours: list[tuple[Any, ...]] = []
    projects = {}
    for package in ("alembic", "sterna"):
        chain = Chain(tmp_path / package, package=package)
        for rev in ("a1", "b2", "c3"):
            chain.add(rev, "pass")
        write_env(chain.folder, package)
        projects[package] = chain
    url = f"sqlite:///{tmp_path / 'alembic.db'}"
    config = Config()
    config.set_main_option("script_location", str(projects["alembic"].folder))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure"] = {"on_version_apply": collect(theirs)}
    command.upgrade(config, "head")
    command.downgrade(config, "a1")
    command.stamp(config, "c3")

    chain = projects["sterna"]
    url = f"sqlite:///{tmp_path / 'sterna.db'}"
    opts = {"on_version_apply": collect(ours)}
    directory = chain.directory()
    run_env(chain, url, upgrade_fn(chain), configure=opts)
    run_env(chain, url, downgrade_fn(chain, "a1"), configure=opts)
    run_env(chain, url, lambda heads, ctx: directory.plan_stamp(["c3"], heads), configure=opts)
    assert len(theirs) == 6
    assert ours == theirs


def test_a_run_without_steps_does_not_load_the_operations_layer(tmp_path: Path) -> None:
    """``current``/``history`` go through run_migrations() with no steps: keep them light."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from sqlalchemy import create_engine\n"
        "from sterna.runtime.migration import MigrationContext\n"
        f"engine = create_engine('sqlite:///{tmp_path / 'x.db'}')\n"
        "with engine.connect() as conn:\n"
        "    seen = []\n"
        "    ctx = MigrationContext.configure(conn, opts={'fn': lambda h, c: seen.append(h) or [],"
        " 'dont_mutate': True})\n"
        "    ctx.run_migrations()\n"
        "print(seen, 'sterna.operations' in sys.modules)\n"
    )
    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=str(root), check=True
    )
    assert out.stdout.split() == ["[()]", "False"]
    assert (
        not (tmp_path / "x.db").exists() or version_rows(f"sqlite:///{tmp_path / 'x.db'}") is None
    )  # dont_mutate: no version table


def test_opts_is_a_dictionary_whose_items_reach_autogenerate(db_url: str) -> None:
    """``opts`` is Alembic's dictionary: tools set items on it (``include_object``,
    ``render_item``...) after ``configure()``, and the comparison then honours them."""
    from sqlalchemy import Column, Integer, MetaData, Table

    from sterna.autogenerate.api import compare_metadata

    metadata = MetaData()
    for name in ("kept", "hidden"):
        Table(name, metadata, Column("id", Integer, primary_key=True))
    engine = create_engine(db_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"target_metadata": metadata})
        assert sorted(d[1].name for d in compare_metadata(ctx, metadata)) == ["hidden", "kept"]
        assert isinstance(ctx.opts, dict)  # Alembic's opts is a plain dict a program may edit
        ctx.opts["include_object"] = lambda obj, name, *rest: name != "hidden"
        ctx.opts.update(compare_type=False)
        assert [d[1].name for d in compare_metadata(ctx, metadata)] == ["kept"]
        assert ctx.opts["target_metadata"] is metadata
    engine.dispose()


def test_configure_with_a_sqlalchemy_mock_engine() -> None:
    """SQLAlchemy's ``create_mock_engine`` (statements handed to a function, no database): the
    context takes it as its connection and the operations reach that function."""
    from sqlalchemy import Column, Integer, create_mock_engine

    from sterna.operations import Operations

    seen: list[str] = []

    def record(sql: Any, *multiparams: Any, **params: Any) -> None:
        seen.append(" ".join(str(sql.compile(dialect=engine.dialect)).split()))

    engine = create_mock_engine("postgresql://", record)
    op = Operations(MigrationContext.configure(engine))  # type: ignore[arg-type]
    op.alter_column("t", "c", nullable=True)
    op.add_column("t", Column("x", Integer))
    assert seen == [
        "ALTER TABLE t ALTER COLUMN c DROP NOT NULL",
        "ALTER TABLE t ADD COLUMN x INTEGER",
    ]
