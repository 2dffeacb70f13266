"""One extension project run under real Alembic and under Sterna, each in its own copy.

Extensions import ``alembic`` at import time and register their comparators, operations and
renderers in whichever ``alembic`` they got, so each command runs in a fresh process, as a user
runs it: ``python -m alembic ...`` in the Alembic copy, ``python -m sterna ...`` in Sterna's. Both
copies start from Alembic's own ``alembic init`` and the extension's documented env.py lines, and
each has its own database.  Scripts are compared as Python syntax trees (Sterna lays out and
quotes its scripts its own way); databases through catalog queries.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.conformance.compare import check
from tests.conformance.projects import alembic_init, set_ini_option
from tests.conftest import REPO

TOOLS = ("alembic", "sterna")


@dataclass(frozen=True)
class Side:
    """One tool's copy of the project and its database."""

    tool: str
    root: Path
    url: str

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        """``python -m <tool> ARGS`` in the project folder; fails the test on an error when
        ``ok``."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
        proc = subprocess.run(
            [sys.executable, "-m", self.tool, *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if ok and proc.returncode != 0:
            raise AssertionError(
                f"{self.tool} {' '.join(args)} exited {proc.returncode}\n"
                f"{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def script(self, rev: str) -> str:
        found = list((self.root / "migrations" / "versions").glob(f"{rev}_*.py"))
        assert len(found) == 1, (self.tool, rev, found)
        return found[0].read_text()

    def write(self, name: str, content: str) -> None:
        (self.root / name).write_text(content)


def make_sides(
    tmp_path: Path, urls: tuple[str, str], edit_env: Callable[[str], str], files: dict[str, str]
) -> tuple[Side, Side]:
    """Alembic's and Sterna's copy: ``alembic init`` (Alembic's template), env.py passed through
    ``edit_env``, the project ``files`` beside alembic.ini."""
    sides = []
    for tool, url in zip(TOOLS, urls, strict=True):
        root = tmp_path / tool
        alembic_init(root)
        set_ini_option(root / "alembic.ini", "sqlalchemy.url", url.replace("%", "%%"))
        env = root / "migrations" / "env.py"
        env.write_text(edit_env(env.read_text()))
        side = Side(tool, root, url)
        for name, content in files.items():
            side.write(name, content)
        sides.append(side)
    return sides[0], sides[1]


def on_both(sides: Iterable[Side], *args: str) -> list[subprocess.CompletedProcess[str]]:
    return [side.run(*args) for side in sides]


def assert_clean(sides: Iterable[Side]) -> None:
    """``check`` finds nothing to do, under both tools."""
    for proc in on_both(sides, "check"):
        assert "No new upgrade operations detected." in proc.stdout, proc.stdout + proc.stderr


class _Normalised(ast.NodeTransformer):
    """Keyword arguments sorted by name (Sterna writes them sorted; their order has no effect);
    ``op.f('name')`` of a reflected name shown as the name (Alembic 1.20 marks every reflected
    constraint/index name as final, Sterna writes it plain: same statement, see the report)."""

    def visit_Call(self, node: ast.Call) -> Any:
        self.generic_visit(node)
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "f"
            and isinstance(func.value, ast.Name)
            and func.value.id == "op"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
        ):
            return node.args[0]
        node.keywords.sort(key=lambda k: k.arg or "")
        return node


def script_tree(source: str, *, unordered: bool = False) -> list[str]:
    """The script as syntax trees of its statements, docstring (create date) left out;
    ``unordered`` sorts the statements of ``upgrade()``/``downgrade()`` in groups ending with an
    ``op.`` call (for extensions that emit them in the order of a Python set)."""
    module = _Normalised().visit(ast.parse(source))
    body = module.body[1:] if isinstance(module.body[0], ast.Expr) else module.body
    result: list[str] = []
    for node in body:
        if isinstance(node, ast.FunctionDef) and unordered:
            result.append(f"def {node.name}: " + repr(sorted(_groups(node.body))))
        else:
            result.append(ast.dump(node))
    return result


def _groups(body: list[ast.stmt]) -> list[str]:
    groups: list[str] = []
    current: list[str] = []
    for stmt in body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the function's docstring
        current.append(ast.dump(stmt))
        if isinstance(stmt, ast.Expr):
            groups.append("\n".join(current))
            current = []
    if current:
        groups.append("\n".join(current))
    return groups


def same_scripts(alembic: Side, sterna: Side, rev: str, *, unordered: bool = False) -> None:
    """The two scripts of ``rev`` are the same program."""
    check(
        "script",
        f"autogenerated script {rev}",
        script_tree(alembic.script(rev), unordered=unordered),
        script_tree(sterna.script(rev), unordered=unordered),
    )


def catalog(url: str, queries: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    """Each query's rows, sorted, under its name."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(tuple(row) for row in conn.execute(text(sql)))
                for name, sql in queries.items()
            }
    finally:
        engine.dispose()


def same_catalog(
    alembic: Side, sterna: Side, queries: dict[str, str], what: str
) -> dict[str, list[tuple[Any, ...]]]:
    """The two databases answer ``queries`` alike; returns Alembic's answers."""
    theirs, ours = catalog(alembic.url, queries), catalog(sterna.url, queries)
    check("schema", what, theirs, ours, "postgresql")
    return theirs
