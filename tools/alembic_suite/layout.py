"""Whether a failed comparison of rendered code differs only in layout.

Alembic's render tests compare the text of a rendered operation with an expected string.  Sterna
writes the same code in the layout of ``ruff format`` (double quotes, its line breaks:
docs/architecture.md, "Generated code"), an intended difference.  An ``AssertionError`` of the
form ``'<code>' != '<code>'`` whose two sides parse as Python to the same tree is that difference.
"""

from __future__ import annotations

import ast
import re

_NOT_EQUAL = re.compile(
    r"^(?:AssertionError: )?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") != "
    r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*$",
    re.S,
)


def _tree(source: str) -> str | None:
    try:
        return ast.dump(ast.parse(source.strip()))
    except (SyntaxError, ValueError):
        return None


def same_code(message: str) -> bool:
    """True when ``message`` compares two strings that are the same Python code."""
    found = _NOT_EQUAL.match(message.strip())
    if found is None:
        return False
    try:
        left, right = (ast.literal_eval(side) for side in found.groups())
    except (SyntaxError, ValueError):
        return False
    if not isinstance(left, str) or not isinstance(right, str) or left == right:
        return False
    tree = _tree(left)
    return tree is not None and tree == _tree(right)
