"""Reading a migration script's header without running the script.

A script's header is its module docstring and the four module-level names ``revision``,
``down_revision``, ``branch_labels`` and ``depends_on``.  :func:`parse_header` reads them from the
source text: first with a fast, conservative line scan that understands the shapes our and
Alembic's templates write (plain and annotated assignments of literals, one per line, before any
code), and with :mod:`ast` whenever the fast scan is not certain.  Nothing is ever executed, so a
header that is computed rather than written as a literal is an error naming the file and name.

Sourceless scripts (``.pyc`` without a ``.py``) have no text to read; for them alone
:func:`header_from_module` reads the attributes of the imported module.
"""

from __future__ import annotations

import ast
import codecs
import re
from dataclasses import dataclass
from types import ModuleType

from sterna.errors import ScriptError

#: ``str`` for one id, a tuple for several, ``None`` for none (lists are kept as tuples).
HeaderValue = str | tuple[str, ...] | None

HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")

_LEGACY_FILENAME = re.compile(r"([a-f0-9]+)\.py$")


@dataclass(frozen=True)
class ScriptHeader:
    """What a migration script declares about itself."""

    revision: str
    down_revision: HeaderValue
    branch_labels: HeaderValue
    depends_on: HeaderValue
    docstring: str | None

    def to_json(self) -> list[object]:
        """A compact JSON-able form, read back by :meth:`from_json`."""
        return [
            self.revision,
            _value_to_json(self.down_revision),
            _value_to_json(self.branch_labels),
            _value_to_json(self.depends_on),
            self.docstring,
        ]

    @classmethod
    def from_json(cls, data: object) -> ScriptHeader | None:
        """Rebuild a header from :meth:`to_json` output; ``None`` if it is not of that shape."""
        if not isinstance(data, list) or len(data) != 5:
            return None
        revision, down, labels, deps, doc = data
        if not isinstance(revision, str) or not (doc is None or isinstance(doc, str)):
            return None
        values = [_value_from_json(v) for v in (down, labels, deps)]
        if any(v is _BAD for v in values):
            return None
        return cls(revision, values[0], values[1], values[2], doc)  # type: ignore[arg-type]


_BAD = object()


def _value_to_json(value: HeaderValue) -> object:
    return list(value) if isinstance(value, tuple) else value


def _value_from_json(value: object) -> object:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return _BAD


# --------------------------------------------------------------------------- public entry points


def parse_header(source: bytes, path: str) -> ScriptHeader:
    """Read the header of the script whose source bytes are ``source``.

    ``path`` names the file in errors and, for legacy scripts without a ``revision`` variable,
    supplies the revision id from a file name made only of hex digits.
    """
    text = _decode_simple(source)
    if text is not None:
        found = _fast_scan(text)
        if found is not None:
            docstring, values = found
            return _build(path, docstring, values)
    return _parse_with_ast(source, path)


def header_from_module(module: ModuleType, path: str) -> ScriptHeader:
    """The header of an imported (sourceless) script module."""
    values: dict[str, object] = {}
    for name in HEADER_NAMES:
        if hasattr(module, name):
            values[name] = getattr(module, name)
    doc = module.__doc__
    return _build(path, doc if isinstance(doc, str) else None, values)


# --------------------------------------------------------------------------- building and checking


def _build(path: str, docstring: str | None, values: dict[str, object]) -> ScriptHeader:
    if "revision" in values:
        revision = values["revision"]
        if not isinstance(revision, str):
            raise ScriptError(path, f"'revision' must be a string, not {revision!r}")
    else:
        revision = _legacy_revision(path)
    if "down_revision" not in values:
        raise ScriptError(path, "the script declares no 'down_revision' variable")
    return ScriptHeader(
        revision=revision,
        down_revision=_check_value(path, "down_revision", values["down_revision"]),
        branch_labels=_check_value(path, "branch_labels", values.get("branch_labels")),
        depends_on=_check_value(path, "depends_on", values.get("depends_on")),
        docstring=docstring,
    )


def _legacy_revision(path: str) -> str:
    filename = path.replace("\\", "/").rsplit("/", 1)[-1]
    match = _LEGACY_FILENAME.match(filename)
    if match is None:
        raise ScriptError(
            path,
            f"Could not determine revision id from filename {filename}. "
            "Declare the 'revision' variable in the script.",
        )
    return match.group(1)


def _check_value(path: str, name: str, value: object) -> HeaderValue:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ScriptError(
        path, f"'{name}' must be a string, a tuple or list of strings, or None; got {value!r}"
    )


# --------------------------------------------------------------------------- the fast scan

# A comment or blank line before the docstring.
_LEADING = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")
# A docstring in triple quotes with no backslash inside, then nothing but a comment on its line.
_DOCSTRING = re.compile(r"(\"\"\"|''')([^\\]*?)\1[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
_STRING = r"(?:'[^'\\\n]*'|\"[^\"\\\n]*\")"
_SEQUENCE = rf"(?:\(\s*(?:{_STRING}\s*(?:,\s*{_STRING}\s*)*,?\s*)?\)" \
    rf"|\[\s*(?:{_STRING}\s*(?:,\s*{_STRING}\s*)*,?\s*)?\])"
# A whole header line: plain or annotated assignment of a literal, optional trailing comment.
_ASSIGNMENT = re.compile(
    r"(revision|down_revision|branch_labels|depends_on)[ \t]*(?::[^=\n#]*)?=[ \t]*"
    rf"(None|{_STRING}|{_SEQUENCE})[ \t]*(?:#[^\n]*)?"
)
_STRING_ITEM = re.compile(_STRING)
# Lines allowed between the docstring and the last header assignment.
_HARMLESS = re.compile(
    r"[ \t]*(?:#.*)?"
    r"|(?:import|from)[ \t](?!.*\b(?:revision|down_revision|branch_labels|depends_on)\b)"
    r"[^\\()'\";#]*(?:#.*)?"
)
# Any later line that might (re)bind a header name: makes the scan unsure.
_LATER_BINDING = re.compile(
    r"(?<![.\w'\"])(?:revision|down_revision|branch_labels|depends_on)\b|\bglobals\(\)"
)
_FIRST_LINE_END = re.compile(r"\n")


_CODING_COOKIE = re.compile(
    rb"(?:[^\n]*\n)?[ \t\f]*#[^\n]*?coding[:=][ \t]*([-\w.]+)"
)
_UTF8_NAMES = frozenset({b"utf-8", b"utf8"})


def _decode_simple(source: bytes) -> str | None:
    """The text of ``source`` if it is plain UTF-8 without a coding cookie, else ``None``."""
    if source.startswith(codecs.BOM_UTF8):
        source = source[len(codecs.BOM_UTF8):]
    if b"coding" in source[:300]:
        cookie = _CODING_COOKIE.match(source)
        if cookie is None or cookie.group(1).lower().replace(b"_", b"-") not in _UTF8_NAMES:
            return None  # a PEP 263 cookie naming another encoding: let ast decide
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _fast_scan(text: str) -> tuple[str | None, dict[str, object]] | None:
    """Docstring and header values, or ``None`` when the simple scan cannot be sure."""
    pos = _LEADING.match(text).end()  # type: ignore[union-attr]
    docstring: str | None = None
    first = text[pos:pos + 1]
    if first in ("'", '"'):
        doc_match = _DOCSTRING.match(text, pos)
        if doc_match is None:
            return None
        docstring = doc_match.group(2)
        pos = doc_match.end()
    elif _PREFIXED_STRING.match(text, pos) is not None:
        return None  # r"""...""", u'...', f"..." and friends: leave them to ast
    values: dict[str, object] = {}
    last_end = pos
    for line_start, line in _lines(text, pos):
        if not values.keys() ^ set(HEADER_NAMES):
            break
        match = _ASSIGNMENT.fullmatch(line)
        if match is not None:
            name = match.group(1)
            if name in values:
                return None
            values[name] = _literal(match.group(2))
            last_end = line_start + len(line)
        elif _HARMLESS.fullmatch(line) is None:
            break
    if _LATER_BINDING.search(text, last_end) is not None:
        return None
    return docstring, values


_PREFIXED_STRING = re.compile(r"[rRuUbBfF]{1,2}['\"]")


def _lines(text: str, pos: int) -> list[tuple[int, str]]:
    """The lines of ``text`` from ``pos`` on (up to the first ``def``/``class``), with offsets."""
    out: list[tuple[int, str]] = []
    end = len(text)
    while pos < end:
        match = _FIRST_LINE_END.search(text, pos)
        stop = match.start() if match else end
        line = text[pos:stop]
        if line.startswith(("def ", "class ", "async ", "@")):
            break
        out.append((pos, line))
        pos = stop + 1
    return out


def _literal(value: str) -> object:
    if value == "None":
        return None
    if value[0] in "'\"":
        return value[1:-1]
    items = [item[1:-1] for item in _STRING_ITEM.findall(value)]
    if value[0] == "[":
        return items
    inner = value[1:-1].strip()
    if len(items) == 1 and not inner.endswith(","):
        return items[0]  # ("abc") is a parenthesised string, not a tuple
    return tuple(items)


# --------------------------------------------------------------------------- the ast fallback


def _parse_with_ast(source: bytes, path: str) -> ScriptHeader:
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
    return _build(path, docstring, values)


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
