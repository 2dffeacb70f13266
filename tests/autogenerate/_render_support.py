"""Helpers of the rendering tests.

``body(ops)`` renders operations as a script body (without the generated-code markers, dedented),
and ``rendered_sql(dialect, ops)`` proves what rendered code means: it runs the rendered source
with a real ``op`` in offline mode and returns the SQL, to compare with the SQL of the same
operations invoked directly (``direct_sql``) -- an expectation that does not come from the
renderer.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from sterna.autogenerate import render_python_code
from sterna.autogenerate.render import BEGIN_MARKER, END_MARKER
from sterna.operations import Operations
from sterna.operations import ops as opsmod
from sterna.runtime.migration import MigrationContext


def body(operations: Sequence[Any], **kw: Any) -> str:
    """The rendered body, dedented, without the marker comments."""
    text = render_python_code(opsmod.UpgradeOps(ops=list(operations)), **kw)
    lines = ("    " + text).splitlines()
    assert lines[0].strip() == BEGIN_MARKER and lines[-1].strip() == END_MARKER
    return textwrap.dedent("\n".join(lines[1:-1])) + "\n"


def _statements(output: str) -> list[str]:
    found = []
    for chunk in output.split(";\n"):
        chunk = " ".join(chunk.split()).strip()
        if chunk:
            found.append(chunk)
    return found


def _offline_operations(dialect: str, buf: io.StringIO, **opts: Any) -> Operations:
    context = MigrationContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf, **opts}
    )
    return Operations(context)


def direct_sql(dialect: str, operations: Sequence[Any], **opts: Any) -> list[str]:
    """The SQL of invoking the operations directly."""
    buf = io.StringIO()
    op = _offline_operations(dialect, buf, **opts)
    for operation in operations:
        op.invoke(operation)
    return _statements(buf.getvalue())


def run_source(dialect: str, source: str, imports: Sequence[str] = (), **opts: Any) -> list[str]:
    """The SQL of running rendered source with ``op`` and ``sa`` (and ``imports``)."""
    buf = io.StringIO()
    op = _offline_operations(dialect, buf, **opts)
    namespace: dict[str, Any] = {"op": op, "sa": sa}
    for line in imports:
        exec(line, namespace)
    exec(compile(source, "<rendered>", "exec"), namespace)
    return _statements(buf.getvalue())


def render(
    operations: Sequence[Any], dialect: str = "default", **opts: Any
) -> tuple[str, set[str]]:
    """The rendered body (dedented, with markers) and the imports it needs."""
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.render import render_body

    if dialect == "default":
        from sqlalchemy.engine.default import DefaultDialect

        context = MigrationContext(DefaultDialect(), None, {})
    else:
        context = MigrationContext.configure(dialect_name=dialect)
    autogen_context = AutogenContext(context, opts=opts, autogenerate=False)
    text = render_body(autogen_context, opsmod.UpgradeOps(ops=list(operations)))
    return textwrap.dedent("    " + text), set(autogen_context.imports)


def rendered_sql(dialect: str, operations: Sequence[Any], **opts: Any) -> list[str]:
    """The SQL of running the rendered source of the operations (with the imports it
    declared)."""
    source, imports = render(operations, dialect)
    return run_source(dialect, source, sorted(imports), **opts)


def formatted(source: str) -> str:
    """``source`` as ``ruff format`` lays it out (expected texts are written by hand in any
    layout; the renderer's own layout is checked against ruff separately)."""
    import subprocess
    import sys
    from pathlib import Path

    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "format", "--isolated", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _table_items(statement: str) -> tuple[str, list[str]]:
    """A CREATE TABLE split into its head and its column/constraint items (the items' order
    is the renderer's choice: constraints are written sorted, as Alembic does)."""
    head, _, rest = statement.partition("(")
    inner = rest.rsplit(")", 1)[0]
    items: list[str] = []
    depth = 0
    current = ""
    for char in inner:
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    items.append(current.strip())
    return head, sorted(items)


def same_statements(left: Sequence[str], right: Sequence[str]) -> bool:
    """Equal statement lists, CREATE TABLE items compared in any order."""

    def key(statement: str) -> object:
        return _table_items(statement) if statement.startswith("CREATE TABLE") else statement

    if [key(s) for s in left] != [key(s) for s in right]:
        assert list(left) == list(right)  # shows the difference
    return True
