"""The built-in renderers as text, under the private names of ``alembic.autogenerate.render``.

Extensions that render their own operation subclasses start from the built-in rendering of the
base operation and edit the text (GeoAlchemy2 turns ``op.add_column(`` into
``op.add_geospatial_column(``, alembic-postgresql-enum appends ``postgresql_using=`` before the
closing parenthesis, pytest-alembic shows the body of an upgrade).  These functions give that
text: the built-in renderer of the base class (never a project's replacement, never the
extension's own renderer for the subclass), laid out on one line as Alembic writes it, so that
such edits see the shape they expect.  Reached through :mod:`sterna.autogenerate.render`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sterna.autogenerate import render_ops
from sterna.autogenerate.render import (
    BEGIN_MARKER,
    END_MARKER,
    Blank,
    Block,
    Comment,
    Rendered,
    Statement,
    lay_out,
    render_statements,
)
from sterna.autogenerate.render_layout import flat

__all__ = [
    "_add_column",
    "_add_index",
    "_add_table",
    "_alter_column",
    "_drop_column",
    "_drop_index",
    "_drop_table",
    "_render_cmd_body",
]


def as_text(rendered: Rendered) -> str:
    """What a renderer returned, as source text (each expression on one line)."""
    if rendered is None:
        return ""
    if isinstance(rendered, str):
        return rendered
    if isinstance(rendered, (Comment, Block, Blank)):
        return "\n".join(lay_out([rendered], 0))
    if isinstance(rendered, (list, tuple)):
        return "\n".join(as_text(item) for item in rendered if item is not None)
    return flat(rendered)  # type: ignore[arg-type]


def _text_of(renderer: Callable[[Any, Any], Rendered]) -> Callable[[Any, Any], str]:
    def render(autogen_context: Any, op: Any) -> str:
        return as_text(renderer(autogen_context, op))

    render.__doc__ = f"The text of the built-in ``{renderer.__name__}`` renderer for ``op``."
    return render


_add_column = _text_of(render_ops._add_column)
_drop_column = _text_of(render_ops._drop_column)
_alter_column = _text_of(render_ops._alter_column)
_add_table = _text_of(render_ops._create_table)
_drop_table = _text_of(render_ops._drop_table)
_add_index = _text_of(render_ops._create_index)
_drop_index = _text_of(render_ops._drop_index)


def _render_cmd_body(op_container: Any, autogen_context: Any) -> str:
    """The body of ``upgrade()``/``downgrade()`` for ``op_container`` (Alembic's argument
    order), between the generated-code markers: every line at the left margin and ending in a
    newline, as Alembic returns it (its callers indent it; pytest-alembic shows it as is)."""
    body: list[Statement] = []
    for op in op_container.ops:
        body.extend(render_statements(autogen_context, op))
    lines = lay_out(body, 0) or ["pass"]
    return "".join(line + "\n" for line in [BEGIN_MARKER, *lines, END_MARKER])
