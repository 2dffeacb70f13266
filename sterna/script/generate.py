"""Preparing a new revision script: every check, the file name and the rendered text, before any
file or folder is created.

:func:`plan_new_revision` resolves ``--head`` (``head``, ``label@head``, ids, several for a merge),
refuses what Alembic refuses (several heads, a non-head without ``--splice``, an unknown
``--depends-on``, a version path outside the version locations) and, unlike Alembic, also a
``--rev-id`` that already exists.  It renders ``script.py.mako``, reads the header back from the
rendered text and checks it, so that a broken template leaves nothing behind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sterna.errors_config import ConfigError
from sterna.errors_script import NewRevisionError, RevisionError, ScriptError
from sterna.script import template
from sterna.script.headers import ScriptHeader, parse_header
from sterna.script.translate import translate_errors

if TYPE_CHECKING:
    from sterna.script.directory import ScriptDirectory
    from sterna.script.revision import Revision

#: A new revision id is a safe file-name token: ASCII letters, digits, ``_`` and ``.`` (not
#: first).  ``-``, ``+``, ``@`` and ``:`` are the identifier grammar's (``ae10-2``, ``b@head``).
_ILLEGAL_ID_CHARS = frozenset("@-+:")
_SAFE_REV_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.]*")
_REV_ID_RULE = (
    "use only ASCII letters, digits, '_' and '.' (not first), e.g. 1a2b3c4d5e6f, 0001_init "
    "or 2024_01_01_1200"
)
_RESERVED_IDS = frozenset({"head", "heads", "base", "current"})
_MULTIPLE_HEADS = (
    "Multiple heads are present; please specify the head revision on which the new revision "
    "should be based, or perform a merge."
)


@dataclass(frozen=True)
class NewRevision:
    """What the caller asks for (the arguments of ``generate_revision``)."""

    revid: str
    message: str | None
    head: str | Sequence[str]
    splice: bool
    branch_labels: str | Sequence[str] | None
    version_path: str | None
    file_template: str
    depends_on: str | Sequence[str] | None
    template_args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedScript:
    """A checked, rendered new script, ready to be written."""

    path: str
    content: bytes
    header: ScriptHeader
    folders_to_create: tuple[str, ...]


def _to_tuple(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def verify_rev_id(revid: str) -> None:
    """Refuse ids that are not a safe file-name token (they name the new file) or that the
    identifier grammar would read as something else (those with Alembic's words)."""
    illegal = sorted(_ILLEGAL_ID_CHARS.intersection(revid))
    if illegal:
        raise NewRevisionError(
            f"Character(s) '{', '.join(illegal)}' not allowed in revision identifier '{revid}'"
        )
    if _SAFE_REV_ID.fullmatch(revid) is None:
        raise NewRevisionError(
            f"Revision identifier {revid!r} (--rev-id) is not allowed: {_REV_ID_RULE}; "
            "nothing was written"
        )
    if revid in _RESERVED_IDS:
        raise NewRevisionError(f"'{revid}' cannot be used as a revision identifier")


def plan_new_revision(scripts: ScriptDirectory, request: NewRevision) -> PlannedScript:
    """Check ``request`` against ``scripts`` and render the new script (nothing is written)."""
    verify_rev_id(request.revid)
    heads = _resolve_heads(scripts, request.head)
    existing = _existing(scripts, request.revid)
    if existing is not None:
        raise NewRevisionError(
            f"Revision {request.revid} already exists in {getattr(existing, 'path', '?')}; "
            "choose another --rev-id"
        )
    create_date = template.make_create_date(scripts.timezone)
    folder = _version_folder(scripts, heads, request.version_path)
    name = template.script_filename(
        request.file_template,
        request.revid,
        request.message,
        create_date,
        scripts.truncate_slug_length,
    )
    path = _path_inside(folder, name, request.file_template)
    if not request.splice:
        for head in heads:
            if head is not None and not head.is_head:
                raise NewRevisionError(
                    f"Revision {head.revision} is not a head revision; please specify "
                    "--splice to create a new branch from this revision"
                )
    values = template.template_values(
        up_revision=request.revid,
        down_revision=template.tuple_rev_as_scalar(
            tuple(h.revision for h in heads if h is not None)
        ),
        branch_labels=_to_tuple(request.branch_labels),
        depends_on=template.tuple_rev_as_scalar(_resolve_depends_on(scripts, request.depends_on)),
        create_date=create_date,
        message=request.message,
        extra=request.template_args,
    )
    content = template.render(
        os.path.join(scripts.dir, "script.py.mako"), values, scripts.output_encoding
    )
    header = _check_rendered(content, path, request, os.path.join(scripts.dir, "script.py.mako"))
    return PlannedScript(path, content, header, _folders_to_create(scripts, folder, path))


def _resolve_heads(
    scripts: ScriptDirectory, head: str | Sequence[str]
) -> tuple[Revision | None, ...]:
    with translate_errors(multiple_heads=_MULTIPLE_HEADS):
        heads = tuple(scripts.revision_map.get_revisions(head))
    if len(set(heads)) != len(heads):
        raise NewRevisionError("Duplicate head revisions specified")
    return heads


def _existing(scripts: ScriptDirectory, revid: str) -> Revision | None:
    """The revision whose id is exactly ``revid``, if any."""
    try:
        found = scripts.revision_map.get_revision(revid)
    except RevisionError:  # ambiguous prefix or no match: then no exact id either
        return None
    return found if found is not None and found.revision == revid else None


def _version_folder(
    scripts: ScriptDirectory, heads: tuple[Revision | None, ...], version_path: str | None
) -> str:
    locations = scripts._version_locations
    if version_path is None:
        if len(locations) == 1:
            return locations[0]
        for head in heads:
            path = getattr(head, "path", None)
            if path is not None:
                return _containing_location(locations, path)
        raise NewRevisionError("Multiple version locations present, please specify --version-path")
    wanted = os.path.abspath(version_path)
    for location in locations:
        if os.path.abspath(location) == wanted or _same_folder(location, wanted):
            return location
    raise NewRevisionError(f"Path {version_path} is not represented in current version locations")


def _path_inside(folder: str, name: str, file_template: str) -> str:
    """``folder/name``, refused when ``name`` (from ``file_template``) would leave ``folder``."""
    parts = name.replace("\\", "/").split("/")
    path = os.path.join(folder, name)
    root = os.path.normpath(os.path.abspath(folder))
    target = os.path.normpath(os.path.abspath(path))
    if os.path.isabs(name) or ".." in parts or not target.startswith(root + os.sep):
        raise ConfigError(
            f"file_template {file_template!r} gives the file name {name!r}, which is outside "
            f"the version folder {folder}; nothing was written"
        )
    return path


def _same_folder(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _containing_location(locations: list[str], path: str) -> str:
    """The version location holding ``path`` (possibly in a sub-folder of it)."""
    real = os.path.realpath(path)
    best: str | None = None
    for location in locations:
        root = os.path.realpath(location)
        if real.startswith(root + os.sep) and (best is None or len(root) > len(best)):
            best = location
    return best if best is not None else os.path.dirname(path)


def _resolve_depends_on(
    scripts: ScriptDirectory, depends_on: str | Sequence[str] | None
) -> list[str] | None:
    """``--depends-on`` values as full ids; branch labels are kept as labels."""
    if not depends_on:
        return None
    resolved: list[str] = []
    for dep in [depends_on] if isinstance(depends_on, str) else list(depends_on):
        with translate_errors():
            rev = scripts.revision_map.get_revision(dep)
        if rev is None:
            raise NewRevisionError(f"--depends-on {dep!r} does not name a revision")
        resolved.append(dep if dep in rev.branch_labels else rev.revision)
    return resolved


def _check_rendered(
    content: bytes, path: str, request: NewRevision, template_path: str
) -> ScriptHeader:
    try:  # compiled, not parsed into Python AST objects: a big script's tree costs megabytes
        compile(content, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as err:
        where = f" (line {err.lineno})" if isinstance(err, SyntaxError) and err.lineno else ""
        problem = err.msg if isinstance(err, SyntaxError) else str(err)
        raise ScriptError(
            template_path,
            f"the rendered script is not valid Python{where}: {problem}; nothing was written",
        ) from None
    try:
        header = parse_header(content, path)
    except ScriptError as err:
        raise ScriptError(
            template_path, f"the rendered script cannot be read back: {err.problem}"
        ) from None
    if header.revision != request.revid:
        raise ScriptError(
            template_path,
            f"the rendered script declares revision {header.revision!r}, not {request.revid!r}",
        )
    if request.branch_labels and not header.branch_labels:
        raise NewRevisionError(
            f"revision {request.revid}: branch labels {request.branch_labels} were asked for, "
            f"but {template_path} writes no branch_labels into {path} (add the line "
            "'branch_labels = ${repr(branch_labels)}' to the template); nothing was written"
        )
    return header


def _folders_to_create(scripts: ScriptDirectory, folder: str, path: str) -> tuple[str, ...]:
    """Missing folders to make, in order: the version folder when version locations are
    configured, and the folder the file goes in (``file_template`` may add sub-folders)."""
    wanted = ([folder] if scripts.version_locations else []) + [os.path.dirname(path)]
    out: list[str] = []
    for item in wanted:
        if item not in out and not os.path.isdir(item):
            out.append(item)
    return tuple(out)
