"""The exact, slower reading of a script header with :mod:`ast`: used when the fast line scan of
:mod:`sterna.script.headers` cannot be sure.  Module-level assignments of literals are read;
a header name bound any other way (computed, conditional, imported, looped over) is an error
naming the file, the name and the line, since the script is never executed to find out.
"""

from __future__ import annotations

import ast

from sterna.errors_script import ScriptError
from sterna.script.headers import HEADER_NAMES


def read_header_values(source: bytes, path: str) -> tuple[str | None, dict[str, object]]:
    """The docstring and the literal values of the header names bound at module level."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as err:
        raise ScriptError(path, f"syntax error at line {err.lineno}: {err.msg}") from None
    except ValueError as err:  # e.g. null bytes in the source
        raise ScriptError(path, f"cannot be parsed: {err}") from None
    values: dict[str, object] = {}
    literal: set[int] = set()  # ids of the Name nodes read as literal assignments
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                _record(target, statement.value, values, literal, path)
        elif isinstance(statement, ast.AnnAssign):
            _record(statement.target, statement.value, values, literal, path)
    others = [
        (bound[1], getattr(node, "col_offset", 0), bound[0])
        for node in _module_scope(tree)
        if (bound := _bound_name(node)) is not None
        and bound[0] in HEADER_NAMES
        and id(node) not in literal
    ]
    if others:
        line, _col, name = min(others)
        _not_literal(path, name, line)
    return ast.get_docstring(tree, clean=False), values


def _record(
    target: ast.expr,
    value: ast.expr | None,
    values: dict[str, object],
    literal: set[int],
    path: str,
) -> None:
    """Read ``target = value`` (a top-level, unconditional assignment) if it sets a header."""
    if isinstance(target, ast.Name):
        if target.id not in HEADER_NAMES:
            return
        literal.add(id(target))
        if value is None:  # a bare annotation binds nothing
            return
        try:
            values[target.id] = ast.literal_eval(value)
        except ValueError:
            _not_literal(path, target.id, target.lineno)
    elif (
        isinstance(target, (ast.Tuple, ast.List))
        and isinstance(value, (ast.Tuple, ast.List))
        and len(target.elts) == len(value.elts)
    ):
        for element, item in zip(target.elts, value.elts, strict=True):
            _record(element, item, values, literal, path)


def _module_scope(tree: ast.Module) -> list[ast.AST]:
    """Every node whose bindings land in the module namespace (function, lambda and class
    bodies and comprehension variables excluded; their decorators, defaults and bases kept)."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
        elif isinstance(node, ast.ClassDef):
            stack.extend(node.decorator_list)
            stack.extend(node.bases)
            stack.extend(k.value for k in node.keywords)
        elif isinstance(node, ast.Lambda):
            continue
        elif isinstance(node, ast.comprehension):
            stack.append(node.iter)
            stack.extend(node.ifs)
        else:
            stack.extend(ast.iter_child_nodes(node))
    return out


def _bound_name(node: ast.AST) -> tuple[str, int] | None:
    """The name ``node`` binds (or deletes) in its scope, with its line, if any."""
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return node.id, line
    if isinstance(node, ast.alias):
        return node.asname or node.name.split(".")[0], line
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name, line
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        return node.name, line
    if isinstance(node, ast.MatchMapping) and node.rest:
        return node.rest, line
    return None


def _not_literal(path: str, name: str, lineno: int) -> None:
    raise ScriptError(
        path,
        f"'{name}' (line {lineno}) is not a literal value; Sterna reads script headers "
        "without running them, so write it as a string, a tuple of strings or None",
    )
