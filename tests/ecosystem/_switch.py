"""Helpers of the tests that drive Sterna through ``sterna.compat.use_as_alembic()`` (tools that
import ``alembic`` themselves): subprocesses, two fresh databases, generated scripts compared by
their operations."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.difference_rules import HISTORY_TABLE, without_history
from tests.conformance.snapshot import snapshot
from tests.conftest import REPO, _fresh_database

#: The two backends the tools are run on (as the issue asks).
SWITCH_BACKENDS = ("sqlite", "postgresql")
TOOLS = ("alembic", "sterna")


def _start(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    full_env = dict(os.environ)
    full_env.pop("PYTEST_ADDOPTS", None)
    full_env["PYTHONPATH"] = os.pathsep.join([str(cwd), str(REPO)])
    full_env.update(env)
    return subprocess.Popen(
        [sys.executable, *argv],
        cwd=cwd,
        env=full_env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def run_each(
    argv: Sequence[str], runs: dict[str, tuple[Path, dict[str, str]]]
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run ``python ARGV`` once per entry of ``runs`` (name -> directory, environment), the
    runs side by side; each with its directory and this checkout importable."""
    started = {name: _start(argv, cwd, env) for name, (cwd, env) in runs.items()}
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    for name, proc in started.items():
        out, err = proc.communicate(timeout=300)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


@pytest.fixture
def tool_urls(backend: str, db_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """One fresh, empty database per tool on ``backend``."""
    if backend == "sqlite":
        yield {"alembic": db_url, "sterna": f"sqlite:///{tmp_path / 'sterna.db'}"}
    else:
        yield from ({"alembic": db_url, "sterna": url} for url in _fresh_database(backend))


def schema(url: str) -> Any:
    """The database's schema, rows and version rows, without Sterna's history table."""
    return without_history(snapshot(url, True))


def has_history_table(url: str) -> bool:
    """Whether Sterna's ``sterna_history`` table is in the database: Sterna ran there."""
    return HISTORY_TABLE in snapshot(url, False)["tables"]


def _is_constraint(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.endswith("Constraint")
    )


def _call(node: ast.stmt) -> str:
    """A statement of a generated body as comparable text, where the two tools write the same
    operation differently: ``schema=None`` (Alembic writes it to ``batch_alter_table``, Sterna
    leaves it out) dropped; the constraints of ``create_table`` sorted (Sterna writes them in
    ``CREATE TABLE`` order, Alembic sorted by text: docs/architecture.md, "Generated code")."""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        call.keywords = [
            kw
            for kw in call.keywords
            if not (
                kw.arg == "schema" and isinstance(kw.value, ast.Constant) and kw.value.value is None
            )
        ]
        if isinstance(call.func, ast.Attribute) and call.func.attr == "create_table":
            rest = [arg for arg in call.args if not _is_constraint(arg)]
            constraints = [arg for arg in call.args if _is_constraint(arg)]
            call.args = rest + sorted(constraints, key=ast.dump)
    return ast.dump(node)


def body_operations(source: str) -> list[str]:
    """The statements of a code body (comments, quotes, layout and ``pass`` ignored)."""
    return [_call(node) for node in ast.parse(source).body if not isinstance(node, ast.Pass)]


def script_operations(path: Path) -> dict[str, list[str]]:
    """``upgrade``/``downgrade`` of a revision script as :func:`body_operations` gives them."""
    module = ast.parse(path.read_text())
    found: dict[str, list[str]] = {}
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name in ("upgrade", "downgrade"):
            found[node.name] = [_call(item) for item in node.body if not isinstance(item, ast.Pass)]
    return found
