"""A snapshot of the built revision graph, so that a run over unchanged scripts skips building it.

``<script_location>/__pycache__/sterna-graph.pickle`` holds the :class:`RevisionMap` (with its
``Script`` objects) of the version folders and the signature of what it was built from: each
folder, each script's file name, size, ``mtime_ns`` and inode in the order read, the options of
the listing, the interpreter, and the size and ``mtime_ns`` of this package's source files (the
classes pickled).  A run that lists the same files with the same stats loads the map instead of
reading the header caches and building the graph again; any difference, and any problem reading
the file, means building as usual.  Like the header cache it is an optimisation only, written
through a temporary file that is renamed into place, and skipped where the folder is not writable.

It is saved only when nothing can make it stale or change what building reports: no script was
modified in the last 2 seconds (a same-size edit in the same clock tick would keep the stats), no
file is reached twice (building warns about that), and sourceless projects (their scripts are
imported to read headers) never get one.  The pickle lives beside the project's ``.pyc`` files and
is trusted as they are.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from sterna.script.cache import CACHE_DIR, RACY_WINDOW_NS
from sterna.script.scan import FolderListing

if TYPE_CHECKING:
    from sterna.script.revision import RevisionMap

SNAPSHOT_FILE = "sterna-graph.pickle"
_MAGIC = b"STGRAPH1"
_LENGTH = 8  # bytes of the signature's length


def signature(listings: Sequence[FolderListing], recursive: bool) -> bytes | None:
    """What a graph built from ``listings`` depends on, as bytes; ``None`` when a snapshot must
    not be used or saved (a script too recently modified to trust its stats)."""
    trust_before = time.time_ns() - RACY_WINDOW_NS
    folders = []
    for listing in listings:
        files = tuple(
            (key, st.st_size, st.st_mtime_ns, st.st_ino)
            for key, st in zip(listing.keys, listing.stats, strict=True)
        )
        if any(st.st_mtime_ns >= trust_before for st in listing.stats):
            return None
        folders.append((listing.directory, files))
    key = (sys.version, _code_fingerprint(), recursive, tuple(folders))
    return marshal.dumps(key, 2)  # version 2: no back-references, the same bytes every time


def load(script_dir: str, expected: bytes) -> RevisionMap | None:
    """The snapshot of ``script_dir`` if it was built from what ``expected`` describes."""
    try:
        with open(_path(script_dir), "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    start = len(_MAGIC) + _LENGTH
    if data[: len(_MAGIC)] != _MAGIC:
        return None
    length = int.from_bytes(data[len(_MAGIC) : start], "little")
    if length != len(expected) or data[start : start + length] != expected:
        return None
    import pickle  # noqa: PLC0415 - only when there is a snapshot to read

    from sterna.script.revision import RevisionMap  # noqa: PLC0415

    try:
        with paused_gc():
            revision_map = pickle.loads(memoryview(data)[start + length :])
    except Exception:  # noqa: BLE001 - a damaged snapshot is rebuilt, whatever the damage
        return None
    return revision_map if isinstance(revision_map, RevisionMap) else None


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while thousands of objects that all stay alive are made:
    the collector would only walk them again and again (a fifth of the time of a load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def save(script_dir: str, expected: bytes, revision_map: RevisionMap) -> None:
    """Write the snapshot (silently nothing when the folder cannot be written)."""
    import pickle  # noqa: PLC0415

    payload = pickle.dumps(revision_map, protocol=pickle.HIGHEST_PROTOCOL)
    header = _MAGIC + len(expected).to_bytes(_LENGTH, "little")
    target = _path(script_dir)
    folder = os.path.dirname(target)
    tmp = f"{target}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + expected + payload)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _path(script_dir: str) -> str:
    return os.path.join(script_dir, CACHE_DIR, SNAPSHOT_FILE)


def _code_fingerprint() -> tuple[tuple[str, int, int], ...]:
    """Size and ``mtime_ns`` of the source files of this package: a snapshot taken by other
    code (another Sterna version, an edited checkout) is not used."""
    folder = os.path.dirname(os.path.abspath(__file__))
    try:
        with os.scandir(folder) as entries:
            files = [
                (entry.name, entry.stat()) for entry in entries if entry.name.endswith(".py")
            ]
    except OSError:
        return ()
    return tuple(sorted((name, st.st_size, st.st_mtime_ns) for name, st in files))
