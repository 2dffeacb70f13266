"""The layers of docs/architecture.md, as the code imports them when it runs.

Every ``import`` counts -- at module level and inside functions (a lazy import is still a
dependency) -- except those under ``if TYPE_CHECKING:``, which never run.  A module may import
its own layer and the layers below it.  ``KNOWN_UPWARD`` lists the imports allowed to go upward
anyway -- none since issue 13 moved the code: a new upward import fails, and so does a listed
one that is gone (the list only shrinks).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import sterna

PACKAGE = Path(sterna.__file__).parent
REPO = PACKAGE.parent

#: lowest first: a layer may import the layers listed before it
LAYERS = (
    "root",  # sterna/errors_root.py: CommandError, the root of the exception tree
    "util",
    "dialects",  # sterna/dialects/: the dialect profiles (SQLAlchemy and the standard library)
    "config",
    "script",  # also hooks.py (post-write hooks of new scripts)
    "ddl",
    "operations",
    "runtime",
    "autogenerate",
    "compat",  # the alias: compat.py, compat_util.py, as_alembic.py, context.py, op.py
    "commands",  # command.py, commands/
    "cli",  # cli.py, cli_argv.py, cli_compat.py, __main__.py
    "aggregate",  # sterna/errors.py: re-exports every layer's exceptions, for users only
)

_TOP_LEVEL = {
    "errors": "aggregate", "errors_root": "root", "errors_util": "util",
    "errors_config": "config", "errors_script": "script", "errors_ddl": "ddl",
    "errors_operations": "operations", "errors_runtime": "runtime",
    "errors_autogenerate": "autogenerate", "errors_compat": "compat",
    "errors_commands": "commands", "config": "config",
    "config_files": "config", "hooks": "script",
    "compat": "compat", "compat_util": "compat", "as_alembic": "compat", "context": "compat",
    "op": "compat", "command": "commands", "cli": "cli", "cli_compat": "cli", "cli_argv": "cli",
    "__main__": "cli",
}  # fmt: skip

#: (importing module, imported module) pairs that still go upward (issue 13 emptied it; an
#: entry added here needs its reason beside it)
KNOWN_UPWARD: set[tuple[str, str]] = set()


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "sterna" or len(parts) == 1:
        return None
    return _TOP_LEVEL.get(parts[1], parts[1])


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.AST) -> list[str]:
    """Modules imported when the code runs (not under ``if TYPE_CHECKING:``)."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def runtime_imports() -> list[tuple[str, str]]:
    """Every (importing module, imported Sterna module) pair of the package, as the code runs
    (:func:`_imports`), each once, in file order; the templates are left out."""
    found: dict[tuple[str, str], None] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "templates" in path.relative_to(PACKAGE).parts:
            continue
        module = _module_name(path)
        for target in _imports(ast.parse(path.read_text("utf-8"))):
            if target.split(".")[0] == "sterna":
                found[(module, target)] = None
    return list(found)


def upward_imports() -> set[tuple[str, str]]:
    rank = {name: index for index, name in enumerate(LAYERS)}
    found: set[tuple[str, str]] = set()
    for module, target in runtime_imports():
        own, other = layer_of(module), layer_of(target)
        if own is None or other is None or other == own:
            continue
        if rank[other] > rank[own]:
            found.add((module, target))
    return found


def test_every_module_is_in_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        if "templates" in module.split(".") or module == "sterna":
            continue
        assert layer_of(module) in LAYERS, f"{module} belongs to no layer of LAYERS"


def test_no_new_upward_import() -> None:
    new = upward_imports() - KNOWN_UPWARD
    assert not new, (
        "imports that go up the layers of docs/architecture.md (move the code, or the import "
        f"down): {sorted(new)}" + _aggregate_advice(new)
    )


def _aggregate_advice(pairs: set[tuple[str, str]]) -> str:
    """For an import of the aggregate ``sterna.errors`` inside the package: where each of its
    names lives (``sterna/errors_<layer>.py``), to import from there instead."""
    if not any(target == "sterna.errors" for _, target in pairs):
        return ""
    import sterna.errors

    homes = {name: getattr(sterna.errors, name).__module__ for name in sterna.errors.__all__}
    listed = ", ".join(f"{name}: {module}" for name, module in sorted(homes.items()))
    return f"; sterna.errors is for users: import each exception from its home ({listed})"


def test_known_upward_imports_are_still_there() -> None:
    gone = KNOWN_UPWARD - upward_imports()
    assert not gone, f"no longer imported: remove from KNOWN_UPWARD: {sorted(gone)}"


def test_the_check_sees_a_lazy_upward_import() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from sterna.cli import main\n"
        "def f():\n    from sterna.commands import revision\n"
    )
    assert _imports(tree) == ["typing", "sterna.commands"]


def test_the_architecture_doc_shows_the_real_import_graph() -> None:
    """docs/architecture.md's layer table is what ``tools/import_graph.py`` prints now."""
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "import_graph.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, (
        result.stdout + result.stderr + "(python tools/import_graph.py prints the new table)"
    )
