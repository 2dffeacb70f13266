"""Opening a revision script in the user's editor (the ``edit`` command)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from sterna.commands.environment import run_env
from sterna.errors_root import CommandError

FALLBACK_EDITORS = ("sensible-editor", "editor", "nano", "vim", "vi", "code")


def find_editor(environ: Mapping[str, str]) -> list[str]:
    """The editor command: ``$EDITOR``, else ``$VISUAL``, else the first common editor found.

    The variable may hold arguments too (``EDITOR="code --wait"``).
    """
    for variable in ("EDITOR", "VISUAL"):
        value = environ.get(variable, "").strip()
        if value:
            return shlex.split(value)
    for candidate in FALLBACK_EDITORS:
        found = shutil.which(candidate, path=environ.get("PATH"))
        if found:
            return [found]
    raise CommandError("No editor found; set the EDITOR environment variable")


def open_in_editor(path: str, environ: Mapping[str, str] | None = None) -> None:
    """Run the editor on ``path`` and wait for it; a failing editor is a CommandError."""
    command = find_editor(os.environ if environ is None else environ)
    try:
        completed = subprocess.run([*command, path], check=False)
    except OSError as exc:
        raise CommandError(f"Cannot run editor {command[0]!r}: {exc.strerror or exc}") from None
    if completed.returncode != 0:
        raise CommandError(
            f"Editor {shlex.join(command)} exited with status {completed.returncode} on {path}"
        )


def edit_revision(config: Any, script: Any, rev: str) -> None:
    """Open the script(s) ``rev`` names; ``"current"``: those the database is at (env.py runs
    to read them)."""
    if rev != "current":
        found = [sc for sc in script.get_revisions(rev) if sc is not None]
        if not found:
            raise CommandError(f"No revision files indicated by symbol {rev!r}")
        for sc in found:
            open_in_editor(sc.path)
        return

    def edit_current(heads: Any, context: Any) -> list[Any]:
        if not heads:
            raise CommandError("No current revisions")
        for sc in script.get_revisions(heads):
            if sc is not None:
                open_in_editor(sc.path)
        return []

    run_env(config, script, edit_current, dont_mutate=True)
