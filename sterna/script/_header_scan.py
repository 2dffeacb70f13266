"""The fast reading of a script header: a conservative scan of the lines before the code.

It understands the shapes our and Alembic's templates write: an optional docstring in triple
quotes, comment and single-line import lines, and one plain or annotated assignment of a literal
(``None``, a string, a one-line tuple or list of strings) per header name.  Whenever something
else could bind a header name or hide one inside a string, it answers ``None`` ("not sure") and
:mod:`sterna.script.headers` falls back to :mod:`ast`.  Imported only when a file must be read
(on a header-cache miss), so its regular expressions cost nothing on a warm run.
"""

from __future__ import annotations

import codecs
import re

from sterna.script.headers import HEADER_NAMES

# A comment or blank line before the docstring.
_LEADING = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")
# A docstring in triple quotes with no backslash inside, then nothing but a comment on its line.
_DOCSTRING = re.compile(r"(\"\"\"|''')([^\\]*?)\1[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
_STRING = r"(?:'[^'\\\n]*'|\"[^\"\\\n]*\")"
_SEQUENCE = (
    rf"(?:\(\s*(?:{_STRING}\s*(?:,\s*{_STRING}\s*)*,?\s*)?\)"
    rf"|\[\s*(?:{_STRING}\s*(?:,\s*{_STRING}\s*)*,?\s*)?\])"
)
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
# Anything after the header lines that could (re)bind a header name makes the scan unsure: the
# name starting a line (assignment, annotation, target list), after a target-list or walrus
# character, or after a binding keyword; also module-level ``globals()`` tricks.  Mentions in
# prose ("Apply this revision.") or as attributes (``op.revision``) are not bindings.
_NAMES = r"(?:revision|down_revision|branch_labels|depends_on)\b"
_LATER_BINDING = re.compile(
    rf"^[ \t]*{_NAMES}"
    rf"|[,(\[*=][ \t]*{_NAMES}"
    rf"|\b(?:def|class|for|as|import|global|nonlocal|del|case|type|lambda)[ \t]+{_NAMES}"
    r"|^globals\(\)",
    re.MULTILINE,
)
_FIRST_LINE_END = re.compile(r"\n")


_CODING_COOKIE = re.compile(rb"(?:[^\n]*\n)?[ \t\f]*#[^\n]*?coding[:=][ \t]*([-\w.]+)")
_UTF8_NAMES = frozenset({b"utf-8", b"utf8"})


def decode_simple(source: bytes) -> str | None:
    """The text of ``source`` if it is plain UTF-8 without a coding cookie, else ``None``."""
    if source.startswith(codecs.BOM_UTF8):
        source = source[len(codecs.BOM_UTF8) :]
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


def fast_scan(text: str) -> tuple[str | None, dict[str, object]] | None:
    """Docstring and header values, or ``None`` when the simple scan cannot be sure."""
    pos = _LEADING.match(text).end()  # type: ignore[union-attr]
    docstring: str | None = None
    first = text[pos : pos + 1]
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
