"""The ``alembic`` import alias (sterna.compat): what resolves inside a run, what is restored after.

The in-process tests use the real Alembic installed in the test environment as the "user's own"
Alembic that must come back untouched; the subprocess tests also cover a process where Alembic
cannot be imported at all, and the cost of the alias (no SQLAlchemy import).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sterna
import sterna.command
import sterna.config
import sterna.context
import sterna.hooks
import sterna.op
import sterna.runtime.migration
import sterna.script
from sterna.compat import MODULES, alembic_alias, is_active
from sterna.errors import AliasNotProvided, CommandError

REPO = Path(__file__).resolve().parent.parent


def alembic_modules() -> dict[str, object]:
    return {
        name: module
        for name, module in sys.modules.items()
        if name == "alembic" or name.startswith("alembic.")
    }


@pytest.fixture
def real_alembic() -> dict[str, object]:
    """The real Alembic imported as a user's process would have it, before any alias."""
    import alembic.command
    import alembic.config
    import alembic.operations.ops  # noqa: F401

    before = alembic_modules()
    assert before["alembic"].__file__ is not None  # type: ignore[attr-defined]
    return before


def test_brief_imports_resolve_to_sterna(real_alembic: dict[str, object]) -> None:
    with alembic_alias():
        import alembic.script.write_hooks
        from alembic import command, context, op
        from alembic.config import Config
        from alembic.ddl.impl import DefaultImpl
        from alembic.operations import Operations, ops
        from alembic.runtime.environment import EnvironmentContext
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError as AliasCommandError
        from alembic.util.exc import CommandError as ExcCommandError

        hooks = alembic.script.write_hooks
    assert op is sterna.op
    assert context is sterna.context
    assert command is sterna.command
    assert Config is sterna.config.Config  # type: ignore[comparison-overlap]  # the alias serves sterna's class
    assert MigrationContext is sterna.runtime.migration.MigrationContext  # type: ignore[comparison-overlap]  # the alias serves sterna's class
    assert ScriptDirectory is sterna.script.ScriptDirectory  # type: ignore[comparison-overlap]  # the alias serves sterna's class
    assert AliasCommandError is CommandError  # type: ignore[comparison-overlap]  # the alias serves sterna's class
    assert ExcCommandError is CommandError  # type: ignore[comparison-overlap]  # the alias serves sterna's class
    assert hooks is sterna.hooks
    assert ops is importlib.import_module("sterna.operations.ops")
    assert Operations is importlib.import_module("sterna.operations").Operations
    assert DefaultImpl is importlib.import_module("sterna.ddl.impl").DefaultImpl
    assert (
        EnvironmentContext
        is importlib.import_module("sterna.runtime.environment").EnvironmentContext
    )


def test_every_listed_path_is_the_sterna_module() -> None:
    with alembic_alias():
        for name, target in MODULES.items():
            if target is None:
                continue
            try:
                expected = importlib.import_module(target)
            except ModuleNotFoundError:
                # a layer still being written: the alias must say so, as an ImportError
                with pytest.raises(AliasNotProvided):
                    importlib.import_module(name)
                continue
            assert importlib.import_module(name) is expected, name


def test_top_package_carries_context_op_and_versions() -> None:
    with alembic_alias():
        import alembic

        assert alembic.context is sterna.context
        assert alembic.op is sterna.op
        assert getattr(alembic, "__sterna_version__") == sterna.__version__  # noqa: B009
        version = alembic.__version__
    assert alembic is not sterna
    assert tuple(int(part) for part in version.split(".")[:2]) >= (1, 20)


def test_real_alembic_restored_exactly(real_alembic: dict[str, object]) -> None:
    meta_path = list(sys.meta_path)
    with alembic_alias():
        import alembic
        import alembic.migration  # a renamed path, loaded only under the alias

        assert alembic.__dict__.get("__file__") is None
        assert is_active()
    assert not is_active()
    assert sys.meta_path == meta_path
    assert alembic_modules() == real_alembic
    import alembic as after

    assert after is real_alembic["alembic"]


def test_restored_after_an_error(real_alembic: dict[str, object]) -> None:
    with pytest.raises(RuntimeError, match="boom"), alembic_alias():
        import alembic.op  # noqa: F401

        raise RuntimeError("boom")
    assert alembic_modules() == real_alembic


def test_nested_runs_keep_the_alias_until_the_outer_one_ends(
    real_alembic: dict[str, object],
) -> None:
    with alembic_alias():
        with alembic_alias():
            import alembic.op as inner
        assert is_active()
        import alembic.op as still

        assert inner is still is sterna.op
    assert not is_active()
    assert alembic_modules() == real_alembic


@pytest.mark.parametrize(
    "name",
    [
        "alembic.ddl.mssql",
        "alembic.testing",
        "alembic.cli",
        "alembic.errors",
        "alembic.ddl.dialects",
        "alembic.util.langhelpers",
    ],
)
def test_paths_not_provided_fail_as_import_errors(name: str) -> None:
    """Alembic-only modules, and Sterna's own modules that are not Alembic paths, do not
    resolve; the error is an ImportError naming the module (and a CommandError for the CLI)."""
    with alembic_alias(), pytest.raises(ImportError) as caught:
        importlib.import_module(name)
    assert isinstance(caught.value, AliasNotProvided)
    assert isinstance(caught.value, CommandError)
    assert caught.value.name == name
    assert name in str(caught.value)
    assert name not in sys.modules or sys.modules[name].__name__ == name  # real one, or none


def test_renamed_paths_leave_no_attribute_on_sterna_packages() -> None:
    """The alias binds ``alembic.script.write_hooks`` (``sterna.hooks``) as an attribute of
    the package only while it is active; afterwards the package has what it had before (the
    real ``sterna.script.write_hooks`` module if another test imported it, else nothing)."""
    missing = object()
    before = getattr(sterna.script, "write_hooks", missing)
    assert before is missing or before is sys.modules.get("sterna.script.write_hooks")
    with alembic_alias():
        import alembic.script.write_hooks
        import alembic.util.exc  # noqa: F401

        assert sterna.script.write_hooks is sterna.hooks  # type: ignore[attr-defined]
    assert getattr(sterna.script, "write_hooks", missing) is before
    util = importlib.import_module("sterna.util")
    assert sterna.util is util  # type: ignore[attr-defined]


def test_custom_operation_registered_through_the_alias_is_sterna_s() -> None:
    """A project's extension registered with alembic.operations lands in Sterna's registry."""
    with alembic_alias():
        from alembic.operations import MigrateOperation, Operations

        @Operations.register_operation("compat_test_noop")
        class NoopOp(MigrateOperation):
            def __init__(self, what: str) -> None:
                self.what = what

            @classmethod
            def compat_test_noop(cls, operations: object, what: str) -> object:
                return operations.invoke(cls(what))  # type: ignore[attr-defined]

    sterna_operations = importlib.import_module("sterna.operations").Operations
    assert hasattr(sterna_operations, "compat_test_noop")


def _run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


BLOCK_REAL_ALEMBIC = """
    import sys

    class NoAlembic:
        def find_spec(self, name, path=None, target=None):
            if name == "alembic" or name.startswith("alembic."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoAlembic())
"""


def test_without_alembic_installed_and_cheap(tmp_path: Path) -> None:
    """In a process where Alembic cannot be imported, the alias still provides it, entering it
    imports no SQLAlchemy, and afterwards ``import alembic`` fails again."""
    result = _run_python(
        BLOCK_REAL_ALEMBIC
        + """
    from sterna.compat import alembic_alias
    with alembic_alias():
        from alembic import op, context
        from alembic.util import CommandError
        print("inside", op.__name__, context.__name__, CommandError.__module__)
    print("sqlalchemy", "sqlalchemy" in sys.modules)
    try:
        import alembic
    except ModuleNotFoundError:
        print("after: not importable")
    """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "inside sterna.op sterna.context sterna.errors_root",
        "sqlalchemy False",
        "after: not importable",
    ]


ENV_PY = """\
from alembic import context
from alembic.config import Config
from sqlalchemy import create_engine

assert isinstance(context.config, Config)
engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""

SCRIPT = """\
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("things", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("things")
"""


def test_programmatic_command_runs_alembic_env_without_alembic(tmp_path: Path) -> None:
    """``sterna.command.upgrade`` on an env.py written for Alembic, in a process where Alembic
    is not importable; outside the call ``alembic`` stays unimportable."""
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text(ENV_PY)
    (tmp_path / "migrations" / "versions" / "a1_first.py").write_text(SCRIPT)
    (tmp_path / "alembic.ini").write_text(
        f"[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///{tmp_path}/x.db\n"
    )
    result = _run_python(
        BLOCK_REAL_ALEMBIC
        + """
    import sqlalchemy as sa
    from sterna import command
    from sterna.config import Config
    command.upgrade(Config("alembic.ini"), "head")
    engine = sa.create_engine("sqlite:///x.db")
    print(sorted(sa.inspect(engine).get_table_names()))
    try:
        import alembic
    except ModuleNotFoundError:
        print("after: not importable")
    """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['alembic_version', 'sterna_history', 'things']",
        "after: not importable",
    ]


def test_programmatic_command_leaves_real_alembic_in_place(
    tmp_path: Path, real_alembic: dict[str, object]
) -> None:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text(ENV_PY)
    (tmp_path / "migrations" / "versions" / "a1_first.py").write_text(SCRIPT)
    config = sterna.config.Config()
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path}/x.db")
    sterna.command.upgrade(config, "head")
    sterna.command.downgrade(config, "base")
    assert alembic_modules() == real_alembic


def test_attributes_of_sterna_modules_survive_leaving_the_alias() -> None:
    """``compat_util.exc``/``messaging`` are its own attributes: leaving the alias (which undoes
    what the import system bound on Sterna modules) leaves them in place for the next run."""
    for _ in range(2):
        with alembic_alias():
            from alembic.util import exc, messaging
            from alembic.util.exc import CommandError as Raised

        assert exc is importlib.import_module("sterna.util.exc")
        assert messaging is importlib.import_module("sterna.util.messaging")
        assert Raised is CommandError  # type: ignore[comparison-overlap]  # the alias serves sterna's class


def test_from_package_import_renamed_child_in_a_fresh_process(tmp_path: Path) -> None:
    """``from alembic.runtime import plugins`` names a child whose Sterna module lives
    elsewhere (``sterna.autogenerate.plugins``); Python looks it up by the package's own name,
    so the alias must serve it, in a process that imported nothing of it before."""
    result = _run_python(
        """
    from sterna.compat import use_as_alembic
    use_as_alembic()
    from alembic.runtime import plugins
    from alembic.ddl import base
    from alembic.operations import ops
    print(plugins.__name__, base.__name__, ops.__name__)
    """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "sterna.autogenerate.plugins",
        "sterna.ddl.elements",
        "sterna.operations.ops",
    ]


def test_renamed_child_lookup_is_undone_on_leaving() -> None:
    """The lookup serving renamed children exists only while the alias is on; afterwards the
    Sterna packages answer as before (no ``plugins`` on ``sterna.runtime``), and their own
    module ``__getattr__`` (``sterna.operations``'s lazy names) still works inside and out."""
    runtime = importlib.import_module("sterna.runtime")
    operations = importlib.import_module("sterna.operations")
    own_lookup = vars(operations).get("__getattr__")
    for _ in range(2):
        with alembic_alias():
            from alembic.ddl import base
            from alembic.runtime import plugins

            assert plugins is importlib.import_module("sterna.autogenerate.plugins")
            assert base is importlib.import_module("sterna.ddl.elements")
        assert "__getattr__" not in vars(runtime)
        assert not hasattr(runtime, "plugins")
        assert vars(operations).get("__getattr__") is own_lookup
    with pytest.raises(ImportError, match="plugins"):
        from sterna.runtime import plugins as not_there  # type: ignore[attr-defined]  # noqa: F401
