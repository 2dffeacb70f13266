"""Whether a failed comparison of rendered code differs only in layout.

Alembic's render tests compare the text of a rendered operation with an expected string.  Sterna
writes the same code in the layout of ``ruff format`` (double quotes, its line breaks:
docs/architecture.md, "Generated code"), an intended difference.  An ``AssertionError`` of the
form ``'<code>' != '<code>'`` whose two sides parse as Python to the same tree is that difference.
"""

from __future__ import annotations

import ast
import re
import textwrap

_NOT_EQUAL = re.compile(
    r"^(?:AssertionError: )?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") != "
    r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*$",
    re.S,
)


def _tree(source: str) -> str | None:
    """The syntax tree of ``source``; a script body's comment lines (the generated-code
    markers name the tool) are left out and its indentation removed."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    try:
        return ast.dump(ast.parse(textwrap.dedent(code).strip()))
    except (SyntaxError, ValueError):
        return None


def same_code(message: str) -> bool:
    """True when ``message`` compares two strings that are the same Python code.  Only its
    first line is read: both sides are ``repr()``s, and pytest may add its own explanation of
    the assertion on the next lines."""
    lines = message.strip().splitlines()
    found = _NOT_EQUAL.match(lines[0]) if lines else None
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


def same_code_failure(message: str, text: str) -> bool:
    """:func:`same_code` of the failure's message, or of the ``AssertionError`` line of its
    traceback (JUnit's ``message`` attribute is cut short for long texts)."""
    if same_code(message):
        return True
    lines = [line.removeprefix("E").strip() for line in text.splitlines()]
    found = [line for line in lines if line.startswith("AssertionError: ")]
    return bool(found) and same_code(found[-1])
