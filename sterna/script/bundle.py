"""The bytecode of every script of a project in one file, for the commands that import them all.

The commands that run migrations import every script first (Alembic's order, the pre-flight):
with thousands of scripts, opening and reading one ``.pyc`` each costs more than running the
module code.  ``<script_location>/__pycache__/sterna-code.<cache tag>.marshal`` holds, for each
script path, the ``st_mtime_ns``, ``st_size`` and ``st_ino`` of the source it was compiled from
and its code object.  An entry is used only when the stat the revision graph's listing took of
the file has the same three values and the code names that path as its file; anything else (a
new, edited, moved or replaced script, a damaged or foreign file, another interpreter) means
the script's own ``.pyc`` or source as usual, and the bundle is written again after the run's
imports.  Like the snapshot of the graph it is an optimisation only: written through a
temporary file renamed into place, skipped where the folder cannot be written, never holding a
source modified within :data:`~sterna.script.cache.RACY_WINDOW_NS` (a same-size edit in the
same clock tick would keep the stat), and trusted as the project's ``.pyc`` files are.
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import sys
import time
from types import CodeType

from sterna.script.cache import CACHE_DIR, RACY_WINDOW_NS, _write_atomically

_MAGIC = b"STCODE01" + importlib.util.MAGIC_NUMBER

#: one script's entry: the source's (st_mtime_ns, st_size, st_ino) and its code
_Entry = tuple[int, int, int, CodeType]


def bundle_file() -> str:
    """The bundle's file name for this interpreter (its cache tag and optimisation level)."""
    level = sys.flags.optimize
    return f"sterna-code.{sys.implementation.cache_tag}{f'.opt-{level}' if level else ''}.marshal"


class CodeBundle:
    """The bundle of one script directory: :meth:`code` looks a script up, :meth:`add` notes
    one compiled or read the usual way, :meth:`save` writes the bundle when it changed."""

    def __init__(self, script_dir: str) -> None:
        self.folder = os.path.join(script_dir, CACHE_DIR)
        self._stored = _read(os.path.join(self.folder, bundle_file()))
        self._kept: dict[str, _Entry] = {}
        self._changed = False

    def code(self, path: str, st: os.stat_result) -> CodeType | None:
        """The code of the script at ``path`` if the bundle holds it for the source ``st``
        describes."""
        entry = self._stored.get(path)
        # each entry is checked here, when it is used, rather than all when read: a foreign or
        # damaged one is a miss (and the bundle is written again)
        if (
            type(entry) is not tuple
            or len(entry) != 4
            or entry[:3] != (st.st_mtime_ns, st.st_size, st.st_ino)
            or type(entry[3]) is not CodeType
            or entry[3].co_filename != path
        ):
            self._changed = True
            return None
        code: CodeType = entry[3]
        self._kept[path] = (entry[0], entry[1], entry[2], code)
        return code

    def add(self, path: str, st: os.stat_result, code: CodeType) -> None:
        """Keep ``code``, compiled from the source ``st`` describes, for the next run."""
        self._kept[path] = (st.st_mtime_ns, st.st_size, st.st_ino, code)

    def save(self) -> None:
        """Write the scripts met this run (not those gone since), when anything differed."""
        if not self._changed and len(self._kept) == len(self._stored):
            return
        trust_before = time.time_ns() - RACY_WINDOW_NS
        entries = {path: e for path, e in self._kept.items() if e[0] < trust_before}
        _write_atomically(self.folder, bundle_file(), _MAGIC + marshal.dumps(entries))


def _read(path: str) -> dict[str, object]:
    """The entries of the bundle at ``path``; none when it is missing, foreign or damaged."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return {}
    if data[: len(_MAGIC)] != _MAGIC:
        return {}
    try:
        entries = marshal.loads(memoryview(data)[len(_MAGIC) :])
    except (EOFError, ValueError, TypeError):
        return {}
    if type(entries) is not dict:
        return {}
    return entries  # each entry is checked when it is looked up (CodeBundle.code)
