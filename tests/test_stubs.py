"""The type stubs of ``sterna.op`` and ``sterna.context`` (``tools/gen_stubs.py``): fresh, typed
enough for ``mypy --strict`` to accept a migration and refuse a misspelt argument, and documented.
"""

from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sterna.operations.batch import BatchOperations

REPO = Path(__file__).resolve().parent.parent
STUBS = ("sterna/op.pyi", "sterna/context.pyi")


def _generator(*args: str) -> subprocess.CompletedProcess[str]:
    """``tools/gen_stubs.py`` in a fresh interpreter (no operation registered by other tests)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_stubs.py"), *args],
        capture_output=True, text=True, cwd=REPO, env=env,
    )  # fmt: skip


def test_committed_stubs_are_what_the_generator_writes() -> None:
    done = _generator("--check")
    assert done.returncode == 0, f"stale stubs, run ./dev stubs:\n{done.stderr}"


def test_check_names_a_stale_stub(tmp_path: Path) -> None:
    for name in STUBS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((REPO / name).read_text())
    op_stub = tmp_path / "sterna/op.pyi"
    op_stub.write_text(op_stub.read_text().replace("if_not_exists", "if_not_there", 1))
    done = _generator("--check", "--root", str(tmp_path))
    assert done.returncode == 1
    assert "sterna/op.pyi is stale" in done.stderr and "context.pyi" not in done.stderr


MIGRATION = '''
    """add accounts"""

    import sqlalchemy as sa

    from sterna import op

    revision: str = "1a2b3c"
    down_revision: str | None = None


    def upgrade() -> None:
        accounts = op.create_table(
            "account",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
        )
        op.bulk_insert(accounts, [{"id": 1, "name": "root"}])
        op.add_column("account", sa.Column("email", sa.String(200)))
        with op.batch_alter_table("account") as batch_op:
            batch_op.alter_column("email", nullable=False)
            batch_op.create_index(op.f("ix_account_email"), ["email"], unique=True)
        op.execute(sa.text("UPDATE account SET name = upper(name)"))
        bind = op.get_bind()
        assert bind is not None
        # op.get_context() is the runtime's MigrationContext, as in Alembic's stubs
        at: str | None = op.get_context().get_current_revision()
        with op.get_context().autocommit_block():
            op.execute("VACUUM")
        assert at is None or at


    def downgrade() -> None:
        op.drop_table("account", if_exists=True)
'''

MISSPELT = """
    import sqlalchemy as sa

    from sterna import op


    def upgrade() -> None:
        op.add_column("t", sa.Column("x", sa.Integer()), shema="s")
"""

ENV_PY = """
    from sqlalchemy import engine_from_config, pool

    from sterna import context

    config = context.config


    def run_offline() -> None:
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()


    def run_online() -> None:
        engine = engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=None)
            with context.begin_transaction():
                context.run_migrations()


    if context.is_offline_mode():
        run_offline()
    else:
        run_online()
"""


#: the templates whose env.py is typed (multidb's reuses one dict for engines, connections and
#: transactions)
TYPED_TEMPLATES = ("generic", "async", "pyproject", "pyproject_async")


def test_mypy_strict_accepts_a_migration_and_refuses_a_misspelt_keyword(tmp_path: Path) -> None:
    """One mypy run: a migration and an env.py written here, the env.py of the templates
    (what ``sterna init`` writes), and a migration with a misspelt keyword."""
    files = {"migration.py": MIGRATION, "misspelt.py": MISSPELT, "env.py": ENV_PY}
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    for template in TYPED_TEMPLATES:
        env_py = (REPO / "sterna" / "templates" / template / "env.py").read_text()
        files[f"env_{template}.py"] = env_py
        (tmp_path / f"env_{template}.py").write_text(env_py)
    env = {**os.environ, "MYPYPATH": str(REPO)}  # this tree's sterna, not an installed one
    done = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
            "--cache-dir", str(REPO / ".mypy_cache"), *files,
        ],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [line for line in errors if not line.startswith("misspelt.py")] == []
    (error,) = [line for line in errors if line.startswith("misspelt.py:8:")]
    assert 'Unexpected keyword argument "shema" for "add_column"' in error


# -- docstrings -----------------------------------------------------------------------------------


def _missing_in_doc(name: str, doc: str | None, params: list[str]) -> list[str]:
    """What the docstring of ``name`` lacks: itself, or the mention of a parameter."""
    if not doc or len(doc.split()) < 6:
        return [f"{name}: no docstring worth the name"]
    problems = [f"{name}: refers to Alembic's documentation" for _ in [1] if "Alembic's doc" in doc]
    return problems + [f"{name}: {p} is not described" for p in params if f"``{p}``" not in doc]


def _stub_functions(path: str) -> list[ast.FunctionDef]:
    tree = ast.parse((REPO / path).read_text())
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def _params(args: ast.arguments) -> list[str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return [arg.arg for arg in every if arg is not None]


@pytest.mark.parametrize("path", STUBS)
def test_every_stub_function_documents_its_parameters(path: str) -> None:
    functions = _stub_functions(path)
    assert len({fn.name for fn in functions}) > 15
    problems = [
        problem
        for fn in functions
        for problem in _missing_in_doc(fn.name, ast.get_docstring(fn), _params(fn.args))
    ]
    assert problems == []


def _public_methods(cls: type) -> list[tuple[str, Callable[..., Any]]]:
    """Sterna's own public methods of ``cls`` (not those another test of the same process
    registered with ``register_operation``)."""
    found: list[tuple[str, Callable[..., Any]]] = []
    for name in dir(cls):
        raw = inspect.getattr_static(cls, name)
        function = getattr(raw, "__func__", raw)
        if (
            not name.startswith("_")
            and inspect.isfunction(function)
            and function.__module__.startswith("sterna.")
        ):
            found.append((name, function))
    return found


def test_every_batch_directive_documents_its_parameters() -> None:
    methods = _public_methods(BatchOperations)
    assert {"add_column", "alter_column", "drop_constraint", "execute"} <= dict(methods).keys()
    problems = []
    for name, function in methods:
        params = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
        problems += _missing_in_doc(name, inspect.getdoc(function), params)
    assert problems == []
