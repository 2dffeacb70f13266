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

import re
import sys
from collections import namedtuple

from sterna.errors_script import ScriptError

#: ``str`` for one id, a tuple for several, ``None`` for none (lists are kept as tuples).
HeaderValue = str | tuple[str, ...] | None

HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")

_LEGACY_FILENAME = r"([a-f0-9]+)\.py$"

# ``typing`` is imported for the type checker only: importing it would cost every command line
# about 3 ms.  The records are built with ``collections.namedtuple`` at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import NamedTuple

    class _HeaderFields(NamedTuple):
        revision: str
        down_revision: HeaderValue
        branch_labels: HeaderValue
        depends_on: HeaderValue
        docstring: str | None

    class _DocFieldsFields(NamedTuple):
        message: str
        revision_id: str | None
        revises: str | None
        create_date: str | None
else:
    _HeaderFields = namedtuple("ScriptHeader", (*HEADER_NAMES, "docstring"))
    _DocFieldsFields = namedtuple("DocFields", ("message", "revision_id", "revises", "create_date"))


class ScriptHeader(_HeaderFields):
    """What a migration script declares about itself."""

    __slots__ = ()

    def to_json(self) -> list[object]:
        """A compact JSON-able form (tuples become lists), read back by :meth:`from_json`."""
        return [list(v) if type(v) is tuple else v for v in self]

    @classmethod
    def from_json(cls, data: object) -> ScriptHeader | None:
        """Rebuild a header from :meth:`to_json` output; ``None`` if it is not of that shape."""
        if type(data) is not list or len(data) != 5:
            return None
        revision, down, labels, deps, doc = data
        if type(revision) is not str or (doc is not None and type(doc) is not str):
            return None
        # scalars (the common case) are checked inline; lists become tuples of strings
        if type(down) is not str and down is not None:
            down = _strings(down)
        if labels is not None and type(labels) is not str:
            labels = _strings(labels)
        if deps is not None and type(deps) is not str:
            deps = _strings(deps)
        if down is _BAD or labels is _BAD or deps is _BAD:
            return None
        return cls(revision, down, labels, deps, doc)


_BAD: tuple[str, ...] = ("<bad>",)


def _strings(value: object) -> tuple[str, ...]:
    if type(value) is list and all(type(v) is str for v in value):
        return tuple(value)
    return _BAD


# --------------------------------------------------------------------------- public entry points


def parse_header(source: bytes, path: str) -> ScriptHeader:
    """Read the header of the script whose source bytes are ``source``.

    ``path`` names the file in errors and, for legacy scripts without a ``revision`` variable,
    supplies the revision id from a file name made only of hex digits.
    """
    from sterna.script._header_scan import decode_simple, fast_scan

    text = decode_simple(source)
    if text is not None:
        found = fast_scan(text)
        if found is not None:
            docstring, values = found
            return _build(path, docstring, values)
    return _parse_with_ast(source, path)


def _parse_with_ast(source: bytes, path: str) -> ScriptHeader:
    """The header read with :mod:`ast` (imported only when the fast scan is unsure)."""
    from sterna.script._header_ast import read_header_values

    docstring, values = read_header_values(source, path)
    return _build(path, docstring, values)


class DocFields(_DocFieldsFields):
    """What the template writes in a script's docstring (``None`` where a line is missing)."""

    __slots__ = ()


_DOC_FIELD_NAMES = {
    "Revision ID": "revision_id",
    "Revises": "revises",
    "Create Date": "create_date",
}


def docstring_fields(docstring: str | None) -> DocFields:
    """The message (first paragraph) and the ``Revision ID:``/``Revises:``/``Create Date:``
    lines of a script docstring."""
    text = (docstring or "").strip()
    found: dict[str, str | None] = dict.fromkeys(_DOC_FIELD_NAMES.values())
    for line in text.splitlines():
        label, sep, value = line.strip().partition(":")
        if sep and label in _DOC_FIELD_NAMES and found[_DOC_FIELD_NAMES[label]] is None:
            found[_DOC_FIELD_NAMES[label]] = value.strip()
    return DocFields(message=text.partition("\n\n")[0], **found)


#: whether this interpreter removes a docstring's common indentation (Python 3.13 and later)
DEDENTS_DOCSTRINGS = sys.version_info >= (3, 13)


def docstring_as_compiled(doc: str, version: tuple[int, int] | None = None) -> str:
    """``doc`` as the running interpreter stores it in ``__doc__``.

    Python 3.13 and later remove the common indentation of a docstring when compiling it: tabs
    are expanded, the first line loses its leading spaces and the other lines lose as many
    leading spaces as the least indented non-blank one of them has.  Headers keep the text as
    written in the file, so the directory applies this where Alembic would read ``__doc__``.
    """
    if (version < (3, 13)) if version is not None else not DEDENTS_DOCSTRINGS:
        return doc
    lines = doc.expandtabs(8).split("\n")
    lines[0] = lines[0].lstrip(" ")
    indents = [len(line) - len(line.lstrip(" ")) for line in lines[1:] if line.strip(" ")]
    margin = min(indents, default=0)
    if margin:
        lines[1:] = [line[margin:] for line in lines[1:]]
    return "\n".join(lines)


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
    match = re.match(_LEGACY_FILENAME, filename)
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
