"""Writing new migration scripts: the file name, the create date, and rendering ``script.py.mako``.

Mako is imported here only, and only when a script is rendered.  A rendered script is written to a
temporary file in the target folder and renamed into place, so a failed render or write never
leaves a partial script behind for the next scan to trip over.
"""

from __future__ import annotations

import datetime
import os
import re
from typing import Any

from sterna.errors_config import ConfigError
from sterna.errors_script import ScriptTemplateError
from sterna.script._locations import DEFAULT_FILE_TEMPLATE
from sterna.util.messaging import format_as_comma

__all__ = ["DEFAULT_FILE_TEMPLATE", "render", "script_filename", "write_script"]
_SLUG_WORD = re.compile(r"\w+")
#: What a message cannot hold verbatim inside a ``"""..."""`` (or ``'''...'''``) docstring: a
#: backslash, a run of three quotes, quotes at the very end (they would run into the closing
#: ones), and control characters other than newline and tab (NUL is not allowed in source;
#: ``\r`` and the Unicode line separators would be read as line ends).
_DOCSTRING_UNSAFE = re.compile(
    r"""\\|"{3,}|'{3,}|["']+\Z|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]"""
)


# --------------------------------------------------------------------------- names and dates


def make_slug(message: str | None, truncate_slug_length: int) -> str:
    """The file-name slug of ``message``: its words, lower-cased, joined by ``_``.

    A slug longer than ``truncate_slug_length`` is cut back to the last whole word within the
    limit and marked with a trailing ``_``.
    """
    slug = "_".join(_SLUG_WORD.findall(message or "")).lower()
    if len(slug) > truncate_slug_length:
        slug = slug[:truncate_slug_length].rsplit("_", 1)[0] + "_"
    return slug


def script_filename(
    file_template: str,
    rev_id: str,
    message: str | None,
    create_date: datetime.datetime,
    truncate_slug_length: int,
) -> str:
    """The file name (possibly with sub-folders) ``file_template`` gives a new script."""
    tokens: dict[str, object] = {
        "rev": rev_id,
        "slug": make_slug(message, truncate_slug_length),
        "epoch": int(create_date.timestamp()),
        "year": create_date.year,
        "month": create_date.month,
        "day": create_date.day,
        "hour": create_date.hour,
        "minute": create_date.minute,
        "second": create_date.second,
    }
    try:
        name = file_template % tokens
    except KeyError as err:
        known = ", ".join(sorted(tokens))
        raise ConfigError(
            f"file_template {file_template!r} uses the unknown token {err.args[0]!r}; "
            f"known tokens: {known}"
        ) from None
    except (ValueError, TypeError) as err:
        raise ConfigError(f"file_template {file_template!r} is malformed: {err}") from None
    return name + ".py"


def make_create_date(timezone: str | None) -> datetime.datetime:
    """Now: local naive time, or aware time in ``timezone`` (an IANA name, any capitalisation)."""
    if timezone is None:
        return datetime.datetime.now()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    tzinfo = None
    for candidate in (timezone, timezone.upper()):
        try:
            tzinfo = ZoneInfo(candidate)
            break
        except (ZoneInfoNotFoundError, ValueError):
            continue
    if tzinfo is None:
        raise ConfigError(f"Can't locate timezone: {timezone}")
    return datetime.datetime.now(tz=datetime.timezone.utc).astimezone(tzinfo)


# --------------------------------------------------------------------------- template values


def docstring_text(message: str) -> str:
    """``message`` escaped so that, written between triple quotes, Python reads it back as
    exactly ``message``; an ordinary message (no backslash, control character, triple quote or
    trailing quote) is returned unchanged."""
    return _DOCSTRING_UNSAFE.sub(_escape, message)


def _escape(match: re.Match[str]) -> str:
    found = match.group()
    if found[0] in "\\\"'":
        return "".join("\\" + char for char in found)
    code = ord(found)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def tuple_rev_as_scalar(revs: tuple[str, ...] | list[str] | None) -> object:
    """One id as a string, several as the sequence itself, none as ``None`` (as scripts write)."""
    if not revs:
        return None
    if len(revs) == 1:
        return revs[0]
    return revs


def template_values(
    *,
    up_revision: str,
    down_revision: object,
    branch_labels: tuple[str, ...] | None,
    depends_on: object,
    create_date: datetime.datetime,
    message: str | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Everything ``script.py.mako`` sees: Alembic's variables plus ``extra`` (template_args)."""
    # no "upgrades"/"downgrades" unless autogenerate (or template_args) gives them: the template
    # sees Mako's UNDEFINED, which is false, as in Alembic (``${upgrades if upgrades else
    # "pass"}``; an old template's ``${downgrade if downgrades else 'pass'}`` never evaluates
    # its misspelt name)
    values: dict[str, Any] = {"imports": ""}
    values.update(extra)
    values.update(
        up_revision=str(up_revision),
        down_revision=down_revision,
        branch_labels=branch_labels,
        depends_on=depends_on,
        create_date=create_date,
        comma=format_as_comma,
        message=docstring_text(message) if message is not None else "empty message",
    )
    return values


# --------------------------------------------------------------------------- rendering and writing


def render(template_path: str, values: dict[str, Any], output_encoding: str = "utf-8") -> bytes:
    """Render the Mako template at ``template_path``; any failure is one line naming the file."""
    try:
        from mako.template import Template  # type: ignore[import-untyped]

        template = Template(filename=template_path)
        text: str = template.render_unicode(**values)
    except Exception as err:  # any template failure is the template's fault
        raise ScriptTemplateError(template_path, _describe(err)) from err
    try:
        return text.encode(output_encoding)
    except (LookupError, UnicodeEncodeError) as err:
        raise ScriptTemplateError(
            template_path, f"rendered text cannot be encoded as {output_encoding!r}: {err}"
        ) from err


def _describe(err: BaseException) -> str:
    """A one-line account of a template error, with the template line where Mako knows it."""
    first = (str(err).strip().splitlines() or [""])[0]
    where = ""
    try:
        from mako.exceptions import RichTraceback  # type: ignore[import-untyped]

        trace = RichTraceback(error=err, traceback=err.__traceback__)
        lineno = trace.lineno
        if lineno:
            where = f" (template line {lineno})"
    except Exception:  # best effort only
        where = ""
    kind = type(err).__name__
    return (
        f"template rendering failed{where}: {kind}: {first}"
        if first
        else (f"template rendering failed{where}: {kind}")
    )


def write_script(dest: str, content: bytes, overwrite: bool = False) -> None:
    """Write ``dest`` atomically; an existing file is an error unless ``overwrite``."""
    folder = os.path.dirname(dest) or "."
    if not overwrite and os.path.exists(dest):
        raise ScriptTemplateError(dest, "a file of that name already exists")
    tmp = os.path.join(folder, f".{os.path.basename(dest)}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:
        raise ScriptTemplateError(dest, f"cannot be written: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        if not overwrite and os.path.exists(dest):
            raise ScriptTemplateError(dest, "a file of that name already exists")
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
