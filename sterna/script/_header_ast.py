"""The exact, slower reading of a script header with :mod:`ast`: used when the fast line scan of
:mod:`sterna.script.headers` cannot be sure.  Module-level assignments of literals are read;
a header name bound any other way (computed, conditional, imported, looped over) is an error
naming the file, the name and the line, since the script is never executed to find out.
"""

from __future__ import annotations

import ast

from sterna.errors import ScriptError
from sterna.script.headers import HEADER_NAMES


def read_header_values(source: bytes, path: str) -> tuple[str | None, dict[str, object]]:
    """The docstring and the literal values of the header names bound at module level."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as err:
        raise ScriptError(path, f"syntax error at line {err.lineno}: {err.msg}") from None
    except ValueError as err:  # e.g. null bytes in the source
        raise ScriptError(path, f"cannot be parsed: {err}") from None
    docstring = ast.get_docstring(tree, clean=False)
    values: dict[str, object] = {}
    for statement in tree.body:
        _collect(statement, values, path, conditional=False)
    return docstring, values


def _collect(node: ast.stmt, values: dict[str, object], path: str, conditional: bool) -> None:
    """Record header assignments made by a module-level statement."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        if node.name in HEADER_NAMES:
            _not_literal(path, node.name, node.lineno)
        return
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            _assign(target, node.value, values, path, conditional)
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt):
            _collect(child, values, path, conditional=True)
        elif isinstance(child, ast.ExceptHandler):
            for inner in child.body:
                _collect(inner, values, path, conditional=True)
    for bound in _other_bindings(node):
        if bound.id in HEADER_NAMES:
            _not_literal(path, bound.id, bound.lineno)


def _assign(
    target: ast.expr,
    value: ast.expr | None,
    values: dict[str, object],
    path: str,
    conditional: bool,
) -> None:
    if isinstance(target, ast.Name):
        if target.id not in HEADER_NAMES or value is None:
            return
        if conditional:
            _not_literal(path, target.id, target.lineno)
        try:
            values[target.id] = ast.literal_eval(value)
        except ValueError:
            _not_literal(path, target.id, target.lineno)
    elif isinstance(target, (ast.Tuple, ast.List)):
        pairs = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
        for index, element in enumerate(target.elts):
            if pairs is not None and len(pairs) == len(target.elts):
                _assign(element, pairs[index], values, path, conditional)
            elif isinstance(element, ast.Name) and element.id in HEADER_NAMES:
                _not_literal(path, element.id, element.lineno)


def _other_bindings(node: ast.stmt) -> list[ast.Name]:
    """Names bound by a statement other than by plain assignment (augmented, for, with, ...)."""
    names: list[ast.Name] = []
    targets: list[ast.expr] = []
    if isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
        targets.append(node.target)
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets.extend(i.optional_vars for i in node.items if i.optional_vars is not None)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            names.append(ast.Name(id=bound, lineno=node.lineno))
    for target in targets:
        names.extend(n for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _not_literal(path: str, name: str, lineno: int) -> None:
    raise ScriptError(
        path,
        f"'{name}' (line {lineno}) is not a literal value; Sterna reads script headers "
        "without running them, so write it as a string, a tuple of strings or None",
    )
