"""``Script``: one migration script file, a :class:`~sterna.script.revision.Revision` with a path.

Its header (ids, docstring) is read without importing it; :attr:`Script.module` imports the file
the first time it is needed: when a command that runs migrations imports every script before its
first step (``ScriptDirectory.import_scripts``), or when the script is run.  The text forms
(:attr:`log_entry`, :meth:`cmd_format`, ``str()``) are those of Alembic's ``history``,
``heads``, ``branches`` and ``show`` output, line for line.  Where Alembic lists the members of
a set (branches, labels) in arbitrary order, they are sorted here so that the output is stable.

This module also answers ``sterna.script.base.ScriptDirectory`` (``alembic.script.base``).
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from sterna.errors_script import ScriptError
from sterna.script.headers import DEDENTS_DOCSTRINGS, ScriptHeader, docstring_as_compiled
from sterna.script.loader import load_module, module_from_code, source_code
from sterna.script.revision import Revision

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from types import ModuleType
    from typing import Any

    from sterna.script.bundle import CodeBundle


@contextmanager
def _syntax_error_named(path: str) -> Iterator[None]:
    """A script that does not compile is a ScriptError naming its file and line."""
    try:
        yield
    except SyntaxError as err:
        raise ScriptError(path, f"syntax error at line {err.lineno}: {err.msg}") from None


def _same_file(now: os.stat_result, listed: os.stat_result) -> bool:
    return (now.st_mtime_ns, now.st_size, now.st_ino) == (
        listed.st_mtime_ns,
        listed.st_size,
        listed.st_ino,
    )


def _comma(values: str | Iterable[str]) -> str:
    return values if isinstance(values, str) else ", ".join(values)


class Script(Revision):
    """A migration script in a version folder."""

    path: str
    """File system path of the script."""

    _db_current_indicator: bool | None = None
    """Set by commands to mark a revision that is current in the database (`` (current)``)."""

    _module: ModuleType | None = None

    def __init__(self, path: str, header: ScriptHeader, module: ModuleType | None = None) -> None:
        self.path = path
        self._docstring = header.docstring
        self._module = module
        super().__init__(
            header.revision,
            header.down_revision,
            dependencies=header.depends_on,
            branch_labels=header.branch_labels,
        )

    # ------------------------------------------------------------------ the module

    @property
    def module(self) -> ModuleType:
        """The script imported as a module (once, on first use; bytecode cached as usual)."""
        if self._module is None:
            with _syntax_error_named(self.path):
                self._module = load_module(self.path)
        return self._module

    @module.setter
    def module(self, value: ModuleType) -> None:
        self._module = value

    def import_through(self, bundle: CodeBundle, st: os.stat_result | None) -> None:
        """Import the script (unless it is) taking its code from ``bundle`` when it holds the
        code of the source ``st`` describes (the listing's stat), else as :attr:`module` does,
        adding the code to ``bundle``."""
        if self._module is not None:
            return
        code = bundle.code(self.path, st) if st is not None else None
        if code is None:
            with _syntax_error_named(self.path):
                code = source_code(self.path)
            if code is None:
                self.module  # noqa: B018 - imported by importlib
                return
            if st is not None and _same_file(os.stat(self.path), st):
                bundle.add(self.path, st, code)
        self._module = module_from_code(self.path, code)

    # ------------------------------------------------------------------ documentation

    @property
    def longdoc(self) -> str:
        """The whole module docstring (as ``__doc__`` holds it), stripped."""
        if not self._docstring:
            return ""
        return docstring_as_compiled(self._docstring).strip()

    @property
    def doc(self) -> str:
        """The first paragraph of the docstring: the message given to ``revision -m``."""
        text = self._docstring
        if not text:
            return ""
        if DEDENTS_DOCSTRINGS:
            text = docstring_as_compiled(text)
        return text.strip().partition("\n\n")[0]

    # ------------------------------------------------------------------ text forms

    @property
    def log_entry(self) -> str:
        """The verbose, multi-line form (``history -v``, ``show``)."""
        lines = [f"Rev: {self.revision}{self._flags(current=True)}"]
        kind = "Merges" if self.is_merge_point else "Parent"
        lines.append(f"{kind}: {self._format_down_revision()}")
        if self.dependency_ids:
            lines.append(f"Also depends on: {_comma(self.dependency_ids)}")
        if self.is_branch_point:
            lines.append(f"Branches into: {_comma(sorted(self.nextrev))}")
        if self.branch_labels:
            lines.append(f"Branch names: {_comma(sorted(self.branch_labels))}")
        lines.append(f"Path: {self.path}")
        body = "\n".join(f"    {para}" for para in self.longdoc.splitlines())
        return "\n".join(lines) + f"\n\n{body}\n"

    def _flags(self, current: bool) -> str:
        return "".join(
            (
                " (head)" if self.is_head else "",
                " (branchpoint)" if self.is_branch_point else "",
                " (mergepoint)" if self.is_merge_point else "",
                " (current)" if current and self._db_current_indicator else "",
            )
        )

    def __str__(self) -> str:
        return (
            f"{self._format_down_revision()} -> {self.revision}{self._flags(current=False)}, "
            f"{self.doc}"
        )

    def _head_only(
        self,
        include_branches: bool = False,
        include_doc: bool = False,
        include_parents: bool = False,
        tree_indicators: bool = True,
        head_indicators: bool = True,
    ) -> str:
        text = self.revision
        if include_parents:
            downs = self.down_revisions
            parents = ", ".join(downs) if downs else "<base>"
            deps = self.dependency_ids
            text = f"{parents} ({', '.join(deps)}) -> {text}" if deps else f"{parents} -> {text}"
        if include_branches and self.branch_labels:
            text += f" ({', '.join(sorted(self.branch_labels))})"
        nextrev = self.nextrev
        if head_indicators or tree_indicators:
            if not self._all_nextrev:
                text += " (head)"
            elif not nextrev:
                text += " (effective head)"
            if self._db_current_indicator:
                text += " (current)"
        if tree_indicators:
            if len(nextrev) > 1:
                text += " (branchpoint)"
            if len(self.down_revisions) > 1:
                text += " (mergepoint)"
        if include_doc:
            text += f", {self.doc}"
        return text

    def history_line(self) -> str:
        """This script as a plain ``history`` prints it."""
        return self._head_only(include_branches=True, include_doc=True, include_parents=True)

    def cmd_format(
        self,
        verbose: bool,
        include_branches: bool = False,
        include_doc: bool = False,
        include_parents: bool = False,
        tree_indicators: bool = True,
        head_indicators: bool = True,
    ) -> str:
        """One revision as the ``history``/``heads``/``branches``/``current`` commands print it."""
        if verbose:
            return self.log_entry
        return self._head_only(
            include_branches, include_doc, include_parents, tree_indicators, head_indicators
        )

    def _format_down_revision(self) -> str:
        if not self.down_revision:
            return "<base>"
        return _comma(self.down_revisions)

    def __repr__(self) -> str:
        return f"Script(revision={self.revision!r}, path={self.path!r})"


def __getattr__(name: str) -> Any:
    if name == "ScriptDirectory":
        from sterna.script.directory import ScriptDirectory

        return ScriptDirectory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
