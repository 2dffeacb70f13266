"""The checksum of a revision script: what it runs, not how it is written.

The script is parsed with :mod:`ast`; the module docstring and the docstrings of classes and
functions are removed (comments are not in the tree at all); the tree is then written out in a
canonical text of our own -- node type names, and the fields that hold a value, in the order the
node declares them, constants with their type -- and hashed with SHA-256.  So reformatting (ruff,
black), comments, blank lines, quotes, docstrings and the header's ``Create Date`` leave the
checksum unchanged; any change to a statement, a name, an argument or a literal changes it.

Not :func:`ast.dump`: its text changes between Python versions (3.13 leaves out empty fields,
new versions add fields such as ``type_params``), which would flag every applied script as edited
after an interpreter upgrade.  Fields that are ``None`` or empty are left out here, so a field a
newer Python adds with an empty default does not change the checksum either.

No SQLAlchemy, no Mako: the read-only commands may use this module.
"""

from __future__ import annotations

import ast
import hashlib

#: Prefix of the stored value, so that another algorithm can be introduced later.
ALGORITHM = "ast-sha256"

_DOC_OWNERS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def source_checksum(source: str | bytes, filename: str = "<script>") -> str:
    """The checksum of a script's source (``SyntaxError`` when it does not parse)."""
    tree = ast.parse(source, filename)
    parts: list[str] = []
    _write(tree, parts)
    digest = hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()
    return f"{ALGORITHM}:{digest}"


def file_checksum(path: str) -> str:
    """The checksum of the script at ``path`` (``OSError``/``SyntaxError`` pass through)."""
    with open(path, "rb") as stream:
        source = stream.read()
    return source_checksum(source, path)


def file_sha256(path: str) -> str | None:
    """SHA-256 of the file's bytes (hex), ``None`` when it cannot be read: recorded beside the
    checksum, so that validation can tell an untouched file without parsing it."""
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return None


def _body_without_docstring(node: ast.AST, body: list[ast.stmt]) -> list[ast.stmt]:
    if not isinstance(node, _DOC_OWNERS) or not body:
        return body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def _write(node: ast.AST, parts: list[str]) -> None:
    parts.append(type(node).__name__)
    parts.append("(")
    for name in node._fields:
        value = getattr(node, name, None)
        if name == "body" and isinstance(value, list):
            value = _body_without_docstring(node, value)
        if value is None or (isinstance(value, list) and not value) or name == "type_comment":
            continue
        parts.append(name)
        parts.append("=")
        _write_value(value, parts)
        parts.append(",")
    parts.append(")")


def _write_value(value: object, parts: list[str]) -> None:
    if isinstance(value, ast.AST):
        _write(value, parts)
    elif isinstance(value, list):
        parts.append("[")
        for item in value:
            _write_value(item, parts)
            parts.append(",")
        parts.append("]")
    else:
        parts.append(f"{type(value).__name__}:{value!r}")
