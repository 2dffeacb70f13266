"""``revision`` and ``merge`` on two identical copies of a branched project: the same scripts
written (file name, location and text, with Alembic's own script.py.mako), or the same error,
for ``--head``, ``--splice``, ``--branch-label``, ``--depends-on``, ``--version-path`` and
merges; afterwards both tools read both projects the same way."""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conformance import tally
from tests.conformance.compare import check, error_of, same_outcome
from tests.conformance.harness import ALEMBIC, STERNA, Outcome, Settings, run
from tests.conformance.projects import branched, build

NO_DB = Settings()

STEPS: list[tuple[str, dict[str, Any]]] = [
    ("revision", {"message": "on several heads"}),  # error: several heads
    ("revision", {"message": "feature next", "head": "feature@head", "rev_id": "r01"}),
    (
        "revision",
        {
            "message": "new branch",
            "head": "c3",
            "splice": True,
            "rev_id": "r02",
            "branch_label": "side",
        },
    ),
    ("revision", {"message": "not a head", "head": "c3", "rev_id": "r03"}),  # error: splice
    ("revision", {"message": "needs", "head": "side@head", "rev_id": "r04", "depends_on": "x2"}),
    (
        "revision",
        {
            "message": "new base",
            "head": "base",
            "rev_id": "r05",
            "branch_label": "third",
            "version_path": "extra",
        },
    ),
    ("revision", {"message": "unknown head", "head": "zzz@head", "rev_id": "r06"}),
    ("merge", {"revisions": ["r01", "r04"], "message": "merge two", "rev_id": "r07"}),
    (
        "merge",
        {"revisions": "heads", "message": "merge all", "rev_id": "r08", "branch_label": "all"},
    ),
    ("revision", {"message": "after all", "rev_id": "r09"}),
    ("revision", {"message": "x" * 60 + " long slug", "rev_id": "r10"}),
]


def scripts(root: Path) -> dict[str, str]:
    """Every script under the project (path relative to it), without the creation date."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if path.name == "env.py" or "__pycache__" in path.parts:
            continue
        text = re.sub(r"Create Date: .*", "Create Date: <DATE>", path.read_text())
        found[str(path.relative_to(root))] = text
    return found


def test_revision_and_merge(tmp_path: Path) -> None:
    tally.count("projects")
    project = build(tmp_path / "alembic", branched())
    shutil.copytree(project.root, tmp_path / "sterna")
    roots = {"alembic": project.root, "sterna": tmp_path / "sterna"}
    for verb, kw in STEPS:
        theirs = run(ALEMBIC, roots["alembic"] / "alembic.ini", NO_DB, verb, **kw)
        ours = run(STERNA, roots["sterna"] / "alembic.ini", NO_DB, verb, **kw)
        what = f"{verb} {kw}"
        tally.count("commands")
        check("error", what, error_of(theirs), error_of(ours))
        written = (scripts(roots["alembic"]), scripts(roots["sterna"]))
        tally.count("output_lines", sum(text.count("\n") for text in written[0].values()))
        check("output", f"{what}: scripts", written[0], written[1])
    for tool in (ALEMBIC, STERNA):  # each tool reads the scripts both wrote
        for verb in ("heads", "branches", "history"):
            outcomes = [
                neutral(
                    run(tool, roots[name] / "alembic.ini", NO_DB, verb, verbose=True), roots[name]
                )
                for name in roots
            ]
            first, second = outcomes  # the project Alembic wrote, then Sterna's
            same_outcome(first, second, f"{tool.name} {verb} -v on both projects")


def neutral(outcome: Outcome, root: Path) -> Outcome:
    """The outcome with the project folder and creation dates written neutrally."""
    lines = tuple(
        re.sub(r"Create Date: .*", "Create Date: <DATE>", line.replace(str(root), "<ROOT>"))
        for line in outcome.lines
    )
    return replace(outcome, lines=lines)


def test_duplicate_rev_id(tmp_path: Path) -> None:
    """Known difference "duplicate-rev-id-refused": Alembic writes a second script with an id
    that exists (warning only; the graph is broken afterwards); Sterna refuses, writes
    nothing and names the existing file."""
    tally.count("projects")
    project = build(tmp_path / "p", branched())
    before = scripts(project.root)
    with pytest.warns(UserWarning):
        theirs = run(ALEMBIC, project.ini, NO_DB, "revision", message="dup", head="n7", rev_id="c3")
    assert theirs.ok and len(scripts(project.root)) == len(before) + 1
    for path in project.root.rglob("c3_dup.py"):
        path.unlink()
    ours = run(STERNA, project.ini, NO_DB, "revision", message="dup", head="n7", rev_id="c3")
    tally.count("commands")
    assert ours.error_kind == "CommandError", ours
    assert "c3" in str(ours.error) and "c3_add_orders.py" in str(ours.error), ours.error
    assert scripts(project.root) == before
    tally.hit("duplicate-rev-id-refused")


def test_unsafe_rev_id(tmp_path: Path) -> None:
    """Known difference "unsafe-rev-id-refused": Alembic writes ``--rev-id ../x`` outside the
    versions folder; Sterna refuses with the rule for ids and writes nothing."""
    tally.count("projects")
    project = build(tmp_path / "p", branched())
    before = scripts(project.root)
    theirs = run(
        ALEMBIC, project.ini, NO_DB, "revision", message="out", head="n7", rev_id="../escaped"
    )
    outside = [p for p in project.root.rglob("escaped_out.py") if p.parent.name != "versions"]
    assert theirs.ok and outside, theirs
    for path in outside:
        path.unlink()
    assert scripts(project.root) == before
    ours = run(
        STERNA, project.ini, NO_DB, "revision", message="out", head="n7", rev_id="../escaped"
    )
    tally.count("commands")
    assert ours.error_kind == "CommandError", ours
    assert "'../escaped' (--rev-id) is not allowed" in str(ours.error), ours.error
    assert scripts(project.root) == before
    tally.hit("unsafe-rev-id-refused")


HOSTILE_MESSAGE = 'pwn"""\nINJECTED = "from the message"\n"""'


def test_hostile_message(tmp_path: Path) -> None:
    """Known difference "message-kept-in-docstring": with Alembic's own script.py.mako, Alembic
    writes a script that runs code from the message; Sterna's script has the message as its
    docstring and nothing else from it."""
    tally.count("projects")
    written = {}
    for tool in (ALEMBIC, STERNA):
        project = build(tmp_path / tool.name, branched())
        outcome = run(
            tool, project.ini, NO_DB, "revision", message=HOSTILE_MESSAGE, head="n7", rev_id="hm1"
        )
        tally.count("commands")
        assert outcome.ok, outcome
        (path,) = project.root.rglob("hm1_*.py")
        written[tool.name] = ast.parse(path.read_text())
    assert "INJECTED" in _assigned(written["alembic"]), "Alembic no longer injects code"
    ours = written["sterna"]
    assert "INJECTED" not in _assigned(ours)
    doc = ast.get_docstring(ours, clean=False)
    assert doc is not None and doc.startswith(HOSTILE_MESSAGE + "\n\nRevision ID: hm1")
    tally.hit("message-kept-in-docstring")


def _assigned(module: ast.Module) -> set[str]:
    """The names a module's top level assigns."""
    return {
        target.id
        for node in module.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _adding_hook(tool_ops: Any) -> Any:
    """A ``process_revision_directives`` hook that puts operations into a plain revision."""

    def hook(context: Any, revision: Any, directives: list[Any]) -> None:
        import sqlalchemy as sa

        script = directives[0]
        script.upgrade_ops.ops.append(
            tool_ops.CreateTableOp(
                "audit",
                [
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("note", sa.String(40), nullable=False),
                ],
            )
        )
        script.upgrade_ops.ops.append(tool_ops.ExecuteSQLOp("UPDATE audit SET note = 'x'"))
        script.downgrade_ops.ops.append(tool_ops.DropTableOp("audit"))

    return hook


@pytest.mark.parametrize("environment", ["true", "false"])
def test_hook_added_operations_are_rendered(tmp_path: Path, environment: str) -> None:
    """Operations a ``process_revision_directives`` hook adds to a plain ``revision`` (no
    autogenerate) are written into the script, as Alembic writes them."""
    tally.count("projects")
    project = build(tmp_path / "alembic", branched())
    shutil.copytree(project.root, tmp_path / "sterna")
    roots = {"alembic": project.root, "sterna": tmp_path / "sterna"}
    settings = Settings(
        url=f"sqlite:///{tmp_path / 'x.db'}", main_options={"revision_environment": environment}
    )
    for tool in (ALEMBIC, STERNA):
        ops_module = __import__(f"{tool.name}.operations.ops", fromlist=["ops"])
        outcome = run(
            tool,
            roots[tool.name] / "alembic.ini",
            settings,
            "revision",
            message="audit table",
            head="n7",
            rev_id="h01",
            process_revision_directives=_adding_hook(ops_module),
        )
        assert outcome.ok, outcome
    tally.count("commands")
    written = (scripts(roots["alembic"]), scripts(roots["sterna"]))
    (name,) = [key for key in written[0] if "h01" in key]
    if environment == "true":
        assert "op.create_table('audit'" in written[0][name], written[0][name]
    check("output", "revision with hook-added operations: scripts", written[0], written[1])
