"""``revision --autogenerate`` options and hooks, as Alembic has them: empty revisions, errors,
render_as_batch, process_revision_directives (with a Rewriter), user and dialect types with
their imports, the multidb template's per-database tokens, post-write hooks."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from tests.autogenerate._autogen_project import Project, ruff_check, ruff_format_diff


def suppliers(*columns: str, name: str = 'sa.Column("name", sa.String(50), nullable=False)') -> str:
    """The models: a suppliers table with ``name`` and the extra ``columns`` (source text)."""
    items = ['sa.Column("id", sa.Integer, primary_key=True)', name, *columns]
    lines = "".join(f"    {item},\n" for item in items)
    return f'suppliers = sa.Table(\n    "suppliers", Base.metadata,\n{lines})\n'


SUPPLIERS = suppliers()


@pytest.fixture
def project(tmp_path: Path, sqlite_url: str) -> Project:
    return Project(tmp_path, sqlite_url)


def edit_env(project: Project, old: str, new: str) -> None:
    env = project.backend / "alembic" / "env.py"
    text = env.read_text()
    assert old in text
    env.write_text(text.replace(old, new, 1))


def configure_with(project: Project, options: str) -> None:
    """Add keyword arguments to the online ``context.configure()`` call."""
    edit_env(
        project,
        "context.configure(connection=connection, target_metadata=target_metadata)",
        f"context.configure(connection=connection, target_metadata=target_metadata, {options})",
    )


def body(script: Path, function: str) -> list[str]:
    text = script.read_text()
    start = text.index(f"def {function}()")
    lines = text[start:].splitlines()[1:]
    found = []
    for line in lines:
        if line.startswith("def "):
            break
        stripped = line.strip()
        if stripped and not stripped.startswith(('"""', "#")):
            found.append(stripped)
    return found


def test_no_changes_still_writes_an_empty_revision(project: Project) -> None:
    project.models(SUPPLIERS)
    project.autogenerate("first")
    project.ok("upgrade", "head")
    empty = project.autogenerate("nothing changed")
    assert body(empty, "upgrade") == ["pass"]
    assert body(empty, "downgrade") == ["pass"]


def test_sql_mode_is_refused(project: Project) -> None:
    result = project.sterna("revision", "--autogenerate", "--sql", "-m", "x")
    assert result.status == 1
    assert "cannot run with --sql" in result.err
    assert project.versions() == []


def test_env_without_target_metadata_is_a_clear_error(project: Project) -> None:
    edit_env(
        project,
        "import Base\ntarget_metadata = Base.metadata",
        "import Base\ntarget_metadata = None",
    )
    result = project.sterna("revision", "--autogenerate", "-m", "x")
    assert result.status == 1
    assert "FAILED: Can't autogenerate:" in result.err and "env.py" in result.err
    assert "target_metadata" in result.err


def test_database_behind_the_head_is_refused(project: Project) -> None:
    project.models(SUPPLIERS)
    project.autogenerate("first")
    result = project.sterna("revision", "--autogenerate", "-m", "second")
    assert result.status == 1
    assert "Target database is not up to date" in result.err
    assert len(project.versions()) == 1


def test_render_as_batch_on_sqlite(project: Project) -> None:
    configure_with(project, "render_as_batch=True")
    project.models(SUPPLIERS)
    project.autogenerate("first")
    project.ok("upgrade", "head")
    project.models(
        suppliers('sa.Column("fax", sa.String(20))', name='sa.Column("name", sa.String(80))')
    )
    script = project.autogenerate("change suppliers")
    upgrade = body(script, "upgrade")
    assert upgrade[0] == 'with op.batch_alter_table("suppliers") as batch_op:'
    assert 'batch_op.add_column(sa.Column("fax", sa.String(length=20), nullable=True))' in upgrade
    assert "batch_op.alter_column(" in upgrade and "type_=sa.String(length=80)," in upgrade
    assert not ruff_check(script) and not ruff_format_diff(script)
    project.ok("upgrade", "head")
    assert "No new upgrade operations detected." in project.ok("check").out
    project.ok("downgrade", "base")


def test_process_revision_directives_can_skip_empty_revisions(project: Project) -> None:
    edit_env(
        project,
        "def run_migrations_online() -> None:",
        textwrap.dedent("""\
        def skip_empty(context, revision, directives):
            if directives[0].upgrade_ops.is_empty():
                directives[:] = []


        def run_migrations_online() -> None:"""),
    )
    configure_with(project, "process_revision_directives=skip_empty")
    project.models(SUPPLIERS)
    project.autogenerate("first")
    project.ok("upgrade", "head")
    result = project.ok("revision", "--autogenerate", "-m", "nothing")
    assert "Generating" not in result.out
    assert len(project.versions()) == 1


def test_a_rewriter_in_env_py(project: Project) -> None:
    """An existing project's env.py, importing Alembic's paths (served by Sterna)."""
    edit_env(
        project,
        "def run_migrations_online() -> None:",
        textwrap.dedent("""\
        from alembic.autogenerate import renderers, rewriter
        from alembic.operations import ops

        writer = rewriter.Rewriter()


        @writer.rewrites(ops.AddColumnOp)
        def add_nullable_first(context, revision, op):
            if op.column.nullable:
                return op
            op.column.nullable = True
            return [op, ops.AlterColumnOp(op.table_name, op.column.name, modify_nullable=False,
                                          existing_type=op.column.type, schema=op.schema)]


        def run_migrations_online() -> None:"""),
    )
    configure_with(project, "process_revision_directives=writer, render_as_batch=True")
    project.models(SUPPLIERS)
    project.autogenerate("first")
    project.ok("upgrade", "head")
    project.models(suppliers('sa.Column("code", sa.Integer, nullable=False, server_default="0")'))
    script = project.autogenerate("add code")
    upgrade = body(script, "upgrade")
    assert any('sa.Column("code"' in line and "nullable=True" in line for line in upgrade)
    assert "nullable=False," in upgrade or any("nullable=False)" in line for line in upgrade)
    project.ok("upgrade", "head")
    assert "No new upgrade operations detected." in project.ok("check").out


def test_user_types_are_imported_and_run(project: Project) -> None:
    types = project.backend / "app" / "types.py"
    types.write_text(
        textwrap.dedent("""\
        import sqlalchemy as sa


        class Money(sa.types.TypeDecorator):
            impl = sa.Numeric
            cache_ok = True

            def __init__(self, precision=12, scale=2):
                super().__init__(precision=precision, scale=scale)
    """)
    )
    project.models("from app.types import Money\n" + suppliers('sa.Column("balance", Money())'))
    script = project.autogenerate("with money")
    text = script.read_text()
    assert "\nimport app.types\n" in text
    assert 'sa.Column("balance", app.types.Money(precision=12, scale=2), nullable=True)' in text
    assert not ruff_check(script)
    project.ok("upgrade", "head")
    assert "No new upgrade operations detected." in project.ok("check").out


def test_post_write_hooks_run_on_the_new_script(project: Project) -> None:
    hook = project.root / "mark.py"
    hook.write_text("import sys\nopen(sys.argv[1], 'a').write('# hooked\\n')\n")
    ini = project.backend / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "[post_write_hooks]\n",
            textwrap.dedent(f"""\
        [post_write_hooks]
        hooks = mark
        mark.type = exec
        mark.executable = {sys.executable}
        mark.options = {hook} REVISION_SCRIPT_FILENAME
    """),
        )
    )
    project.models(SUPPLIERS)
    script = project.autogenerate("hooked")
    assert script.read_text().endswith("# hooked\n")


MULTIDB_MODELS = """
engine1_metadata = sa.MetaData()
engine2_metadata = sa.MetaData()
sa.Table("users", engine1_metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("events", engine2_metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("kind", sa.String(20), nullable=False))
"""


def multidb_project(tmp_path: Path) -> Project:
    """A project made with the multidb template: two SQLite databases, engine1 and engine2."""
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}")
    # replace the generic environment by a multidb one
    shutil.rmtree(project.backend / "alembic")
    (project.backend / "alembic.ini").unlink()
    project.ok("init", "-t", "multidb", "alembic")
    ini = project.backend / "alembic.ini"
    text = ini.read_text()
    for name, old in (("engine1", "dbname"), ("engine2", "dbname2")):
        text = text.replace(
            f"[{name}]\nsqlalchemy.url = driver://user:pass@localhost/{old}\n",
            f"[{name}]\nsqlalchemy.url = sqlite:///{tmp_path / name}.db\n",
        )
    ini.write_text(text)
    assert "driver://" not in ini.read_text()
    edit_env(
        project,
        "target_metadata = {}",
        textwrap.dedent("""\
        from app.infrastructure import db

        target_metadata = {
            "engine1": db.engine1_metadata,
            "engine2": db.engine2_metadata,
        }"""),
    )
    return project


def test_multidb_template_gets_one_body_per_database(tmp_path: Path) -> None:
    project = multidb_project(tmp_path)
    project.models(MULTIDB_MODELS)
    script = project.autogenerate("two databases")
    assert body(script, "upgrade_engine1")[0].startswith("op.create_table(")
    assert '"users",' in body(script, "upgrade_engine1")
    assert body(script, "upgrade_engine2")[0] == "op.create_table("
    assert body(script, "downgrade_engine2") == ['op.drop_table("events")']
    project.ok("upgrade", "head")
    assert "No new upgrade operations detected." in project.ok("check").out


def test_revision_options_and_template_args(project: Project) -> None:
    configure_with(project, 'template_args={"reviewer": "ops team"}')
    mako = project.backend / "alembic" / "script.py.mako"
    mako.write_text(mako.read_text() + "\n# reviewed by ${reviewer}\n")
    project.models(SUPPLIERS)
    result = project.ok(
        "revision", "--autogenerate", "-m", "first", "--rev-id", "aaa111", "--branch-label", "core"
    )
    (script,) = project.versions()
    assert script.name == "aaa111_first.py"
    text = script.read_text()
    assert "branch_labels: str | Sequence[str] | None = ('core',)" in text
    assert text.endswith("# reviewed by ops team\n")
    assert "Generating" in result.out


def test_the_programmatic_api_returns_the_script(project: Project) -> None:
    from sterna import command
    from sterna.config import Config
    from tests.autogenerate._autogen_project import forget_app_modules, restored_logging

    project.models(SUPPLIERS)
    calls: list[int] = []

    def hook(context: object, revision: object, directives: list[object]) -> None:
        calls.append(len(directives))

    old = os.getcwd()
    os.chdir(project.backend)
    try:
        forget_app_modules()
        with restored_logging():
            script = command.revision(
                Config("alembic.ini"), "api", autogenerate=True, process_revision_directives=hook
            )
    finally:
        os.chdir(old)
        forget_app_modules()
    assert calls == [1]
    assert script is not None and not isinstance(script, list)
    assert 'op.create_table(\n        "suppliers",' in Path(script.path).read_text()


def test_detected_lines_are_alembics(project: Project) -> None:
    """The console lines for the common changes, word for word as Alembic logs them."""
    from tests.autogenerate._autogen_project import run_alembic

    project.models("""
sa.Table("suppliers", Base.metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(50), nullable=False), sa.Column("fax", sa.String(20)),
         sa.Column("code", sa.Integer, index=True))
sa.Table("old", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
""")
    project.autogenerate("first")
    project.ok("upgrade", "head")
    project.models("""
sa.Table("suppliers", Base.metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(80), nullable=True),
         sa.Column("email", sa.String(20), index=True),
         sa.Column("code", sa.Integer), sa.UniqueConstraint("name", name="uq_name"))
sa.Table("orders", Base.metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("supplier_id", sa.ForeignKey("suppliers.id")))
""")

    def detected(text: str) -> set[str]:
        return {line.split("] ", 1)[1] for line in text.splitlines() if "] Detected" in line}

    ours = detected(project.sterna("check").err)
    theirs = detected(run_alembic(project, "check").err)
    # Alembic knows nothing of Sterna's history table (docs/production.md, "Going back")
    theirs.discard("Detected removed table 'sterna_history'")
    assert len(theirs) == 9
    assert ours == theirs


def test_multidb_hook_asking_for_no_revision(tmp_path: Path) -> None:
    project = multidb_project(tmp_path)
    edit_env(
        project,
        "def run_migrations_online() -> None:",
        textwrap.dedent("""\
        def no_revision(context, revision, directives):
            directives[:] = []


        def run_migrations_online() -> None:"""),
    )
    edit_env(
        project,
        "target_metadata=target_metadata.get(name),\n            )\n            context.run",
        "target_metadata=target_metadata.get(name),\n"
        "                process_revision_directives=no_revision,\n"
        "            )\n            context.run",
    )
    project.models(MULTIDB_MODELS)
    project.ok("revision", "--autogenerate", "-m", "nothing")
    assert project.versions() == []
