"""Laying out generated Python source: a small tree of expressions and a line breaker.

Renderers build expressions as trees (:class:`Atom`, :class:`Group`, :class:`Prefixed`) instead of
strings, and :func:`layout` turns a tree into lines that fit ``WIDTH`` columns, breaking the way
``ruff format`` (and black) would, so that a generated script is left unchanged by those tools:

* an expression that fits on its line stays on one line;
* otherwise a bracketed group opens its bracket at the end of the line, then (for a call) puts
  its arguments on the next line if they fit there together, without a trailing comma; else
  (and always for a list, tuple or dict display of several items) one item per line, each
  followed by a comma; a group of one item holds it alone, without a comma; items are broken
  the same way, recursively;
* text that cannot be broken (a long string) is written as it is.

String literals use double quotes unless the text holds a double quote (as ``ruff format``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The line length generated code is laid out for (ruff's and black's default).
WIDTH = 88
INDENT = 4


@dataclass(frozen=True)
class Atom:
    """Text that is never broken: a name, a literal, a call without arguments."""

    text: str


@dataclass(frozen=True)
class Group:
    """A bracketed, comma-separated sequence: a call (``head`` is the callee), a list, a tuple,
    a dict (items are :class:`Prefixed` with a ``key: `` prefix) or a set."""

    head: str
    items: tuple[Node, ...]
    open: str = "("
    close: str = ")"

    @property
    def one_tuple(self) -> bool:
        """A one-element tuple display, which needs its comma."""
        return self.open == "(" and not self.head and len(self.items) == 1


@dataclass(frozen=True)
class Prefixed:
    """An item with text in front of it: ``name=value`` or ``key: value``."""

    prefix: str
    value: Node


Node = Atom | Group | Prefixed


# -- building --------------------------------------------------------------------------------------


def call(head: str, *args: Node | None, **kwargs: Node | None) -> Group:
    """``head(args..., key=value...)``; None arguments are left out."""
    items: list[Node] = [a for a in args if a is not None]
    items.extend(Prefixed(f"{k}=", v) for k, v in kwargs.items() if v is not None)
    return Group(head, tuple(items))


def call_items(head: str, args: Iterable[Node], kwargs: Iterable[tuple[str, Node]]) -> Group:
    """Like :func:`call`, with keyword arguments given in order as pairs."""
    items: list[Node] = list(args)
    items.extend(Prefixed(f"{k}=", v) for k, v in kwargs)
    return Group(head, tuple(items))


def list_of(items: Iterable[Node]) -> Group:
    return Group("", tuple(items), "[", "]")


def py_str(text: str) -> str:
    """A string literal, double-quoted unless the text holds a double quote.  A ``str``
    subclass (a ``str`` enum member, ``quoted_name``) is written as its string value, which is
    what SQLAlchemy puts in DDL; its own ``repr()`` is not source."""
    text = str.__str__(text)
    body = repr(text)
    if body.startswith("'") and '"' not in text:
        return '"' + body[1:-1].replace("\\'", "'") + '"'
    return body


def literal(value: Any) -> Node:
    """A Python value as source: strings, numbers, booleans, None and containers of them;
    anything else as its ``repr()``.  Members of ``str``/``int``/``float`` subclasses (enums)
    are written as their plain value."""
    if isinstance(value, str):
        return Atom(py_str(value))
    if isinstance(value, (int, float)) and type(value) not in (int, float, bool):
        return Atom(_number_repr(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        return _collection(value)
    if isinstance(value, Mapping):
        entries = [Prefixed(f"{flat(literal(k))}: ", literal(v)) for k, v in value.items()]
        return Group("", tuple(entries), "{", "}")
    return Atom(repr(value))


def _number_repr(value: int | float) -> str:
    if isinstance(value, int):
        return int.__repr__(value)
    return float.__repr__(value)


def _collection(value: Sequence[Any] | set[Any] | frozenset[Any]) -> Node:
    if isinstance(value, (set, frozenset)):
        items = sorted(value, key=repr)
        if not items:
            return Atom("set()")
        return Group("", tuple(literal(v) for v in items), "{", "}")
    nodes = tuple(literal(v) for v in value)
    if isinstance(value, tuple):
        return Group("", nodes)
    return Group("", nodes, "[", "]")


# -- flat text ---------------------------------------------------------------------------------


def flat(node: Node) -> str:
    """The expression on one line."""
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Prefixed):
        return node.prefix + flat(node.value)
    inner = ", ".join(flat(item) for item in node.items)
    if node.one_tuple:
        inner += ","
    return f"{node.head}{node.open}{inner}{node.close}"


# -- breaking into lines -----------------------------------------------------------------------


def layout(node: Node, indent: int = 0, prefix: str = "", suffix: str = "") -> list[str]:
    """``prefix + node + suffix`` as lines of at most ``WIDTH`` columns where possible, the
    first one indented by ``indent`` spaces."""
    pad = " " * indent
    one_line = prefix + flat(node) + suffix
    if indent + len(one_line) <= WIDTH:
        return [pad + one_line]
    if isinstance(node, Prefixed):
        return layout(node.value, indent, prefix + node.prefix, suffix)
    if isinstance(node, Atom) or not node.items:
        return [pad + one_line]
    head = f"{pad}{prefix}{node.head}{node.open}"
    tail = f"{pad}{node.close}{suffix}"
    inner = indent + INDENT
    if len(node.items) == 1 and not node.one_tuple:
        return [head, *layout(node.items[0], inner), tail]
    together = ", ".join(flat(item) for item in node.items)
    if node.one_tuple:
        together += ","
    if node.head and inner + len(together) <= WIDTH:
        return [head, " " * inner + together, tail]
    body: list[str] = []
    for item in node.items:
        body.extend(layout(item, inner, "", ","))
    return [head, *body, tail]


def indent_lines(lines: Iterable[str], indent: int) -> list[str]:
    """``lines`` shifted right by ``indent`` spaces (empty lines stay empty)."""
    pad = " " * indent
    return [pad + line if line.strip() else "" for line in lines]
