"""One extension scenario run by Alembic and by Sterna, each in a process of its own.

An extension binds itself to the ``alembic`` its first import finds: alembic-postgresql-enum
registers its comparator and renderers in that package's registries when env.py imports it.  The
two tools therefore cannot share a process, so each runs the whole scenario in a child
(``python -m tests.ecosystem._ext_project SPEC``), in its own copy of one project made by
``alembic init`` (env.py and scripts import ``alembic``; Sterna runs them through its alias), on
its own database.  For every step (models as written by the test) the child runs ``revision
--autogenerate``, ``upgrade head``, ``check``, ``downgrade -1``, ``upgrade head`` and ``check``,
and records the script, each command's error and the schema after the upgrade and after the
downgrade.  The parent compares the two records (:func:`compare_runs`): script bodies as syntax
trees (quoting and layout aside), module imports, schemas, and every command must succeed.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
COMMANDS = ("revision", "upgrade", "check", "downgrade", "upgrade_again", "check_again")


@dataclass(frozen=True)
class Step:
    """The models of one autogenerate step (the whole ``models.py``)."""

    message: str
    models: str


@dataclass(frozen=True)
class Scenario:
    """What a project of the extension's users looks like."""

    #: Lines added to env.py before ``target_metadata`` (an extension's import, its set-up).
    env_lines: str = ""
    #: Import lines added to ``script.py.mako`` after ``import sqlalchemy as sa``.
    mako_imports: tuple[str, ...] = ()
    steps: tuple[Step, ...] = field(default_factory=tuple)


# -- the project ------------------------------------------------------------------------------


def make_project(root: Path, url: str, scenario: Scenario) -> Path:
    """``alembic init`` in ``root``, env.py and script.py.mako as the scenario says; the ini."""
    from tests.conformance.projects import alembic_init

    alembic_init(root)
    env = root / "migrations" / "env.py"
    text = env.read_text()
    text = text.replace(
        "target_metadata = None",
        f"{scenario.env_lines}\nimport models\ntarget_metadata = models.Base.metadata",
        1,
    )
    env.write_text(text)
    mako = root / "migrations" / "script.py.mako"
    extra = "".join(f"\n{line}" for line in scenario.mako_imports)
    mako.write_text(
        mako.read_text().replace("import sqlalchemy as sa", f"import sqlalchemy as sa{extra}", 1)
    )
    (root / "models.py").write_text("")
    return root / "alembic.ini"


def run_tool(tool: str, root: Path, url: str, scenario: Scenario) -> list[dict[str, Any]]:
    """Make the project in ``root`` and run the scenario with ``tool`` in a child process."""
    ini = make_project(root, url, scenario)
    spec = root.parent / f"{root.name}-spec.json"
    spec.write_text(
        json.dumps(
            {
                "tool": tool,
                "ini": str(ini),
                "url": url,
                "steps": [{"message": s.message, "models": s.models} for s in scenario.steps],
            }
        )
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ecosystem._ext_project", str(spec)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"{tool} run failed:\n{proc.stdout}\n{proc.stderr}"
    result: list[dict[str, Any]] = json.loads(spec.with_suffix(".out.json").read_text())
    return result


# -- the child ------------------------------------------------------------------------------


def _child(spec_path: Path) -> None:
    from tests.conformance.harness import ALEMBIC, STERNA, Settings, run
    from tests.conformance.snapshot import snapshot

    spec = json.loads(spec_path.read_text())
    tool = ALEMBIC if spec["tool"] == "alembic" else STERNA
    ini = Path(spec["ini"])
    settings = Settings(url=spec["url"])
    versions = ini.parent / "migrations" / "versions"
    records: list[dict[str, Any]] = []
    for index, step in enumerate(spec["steps"]):
        (ini.parent / "models.py").write_text(step["models"])
        rev = f"step{index}"
        errors = {
            "revision": run(
                tool,
                ini,
                settings,
                "revision",
                message=step["message"],
                autogenerate=True,
                rev_id=rev,
            ).error
        }
        scripts = list(versions.glob(f"{rev}_*.py"))
        errors["upgrade"] = run(tool, ini, settings, "upgrade", "head").error
        after_upgrade = snapshot(spec["url"])
        errors["check"] = run(tool, ini, settings, "check").error
        errors["downgrade"] = run(tool, ini, settings, "downgrade", "-1").error
        after_downgrade = snapshot(spec["url"])
        errors["upgrade_again"] = run(tool, ini, settings, "upgrade", "head").error
        errors["check_again"] = run(tool, ini, settings, "check").error
        records.append(
            {
                "script": scripts[0].read_text() if scripts else None,
                "errors": errors,
                "after_upgrade": after_upgrade,
                "after_downgrade": after_downgrade,
            }
        )
    spec_path.with_suffix(".out.json").write_text(json.dumps(records, default=str))


# -- comparing ------------------------------------------------------------------------------


def function_bodies(script: str) -> dict[str, str]:
    """``upgrade``/``downgrade`` bodies of a script as syntax-tree dumps (no docstring)."""
    bodies: dict[str, str] = {}
    for node in ast.parse(script).body:
        if isinstance(node, ast.FunctionDef) and node.name in ("upgrade", "downgrade"):
            body = [
                stmt
                for stmt in node.body
                if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
            ]
            bodies[node.name] = "\n".join(ast.unparse(stmt) for stmt in body)
    return bodies


def module_imports(script: str) -> tuple[str, ...]:
    """The script's module-level import statements, sorted (typing aside)."""
    found = {
        ast.unparse(node)
        for node in ast.parse(script).body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    }
    return tuple(
        sorted(line for line in found if "typing" not in line and "collections.abc" not in line)
    )


def compare_runs(
    alembic: list[dict[str, Any]], sterna: list[dict[str, Any]], scenario: Scenario, backend: str
) -> None:
    """Every command succeeded under both tools; same script bodies, imports (less the known
    differences) and schemas at each step."""
    from tests.conformance import tally
    from tests.conformance.compare import check

    for step, theirs, ours in zip(scenario.steps, alembic, sterna, strict=True):
        what = f"step {step.message!r}"
        for name, record in (("alembic", theirs), ("sterna", ours)):
            failed = {cmd: err for cmd, err in record["errors"].items() if err is not None}
            assert not failed, f"[{backend}] {name}, {what}: {failed}\n{record['script']}"
        tally.count("commands", len(COMMANDS))
        check(
            "script",
            f"{what}: upgrade/downgrade",
            function_bodies(theirs["script"]),
            function_bodies(ours["script"]),
            backend,
        )
        check(
            "imports",
            f"{what}: imports",
            module_imports(theirs["script"]),
            module_imports(ours["script"]),
            backend,
        )
        tally.count("schemas", 2)
        check(
            "schema",
            f"{what}: upgrade head",
            theirs["after_upgrade"],
            ours["after_upgrade"],
            backend,
        )
        check(
            "schema",
            f"{what}: downgrade -1",
            theirs["after_downgrade"],
            ours["after_downgrade"],
            backend,
        )


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
