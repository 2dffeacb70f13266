"""A snapshot of the built revision graph, so that a run over unchanged scripts skips building it.

``<script_location>/__pycache__/sterna-graph.marshal`` holds the :class:`RevisionMap` of the
version folders, written with :mod:`marshal` (which reads back several times faster than
:mod:`pickle` and is not slow to import): each ``Script`` as the dict of its instance attributes
less those equal to the class defaults (the dict becomes the ``__dict__`` of the script made
again), the graph's derived data, the whole-graph walk order with the text a plain ``history``
prints for it, and the signature of what it was built from: each folder, each script's file name,
size, ``mtime_ns`` and inode in the order read, the options of the listing, the interpreter, and
the size and ``mtime_ns`` of this package's source files (the classes whose attributes are stored).
A run that lists the same files with the same stats loads the map instead of reading the header
caches and building the graph again; any difference, and any problem reading the file, means
building as usual.  Like the header cache it is an optimisation only, written through a
temporary file that is renamed into place, and skipped where the folder is not writable.

It is saved only when nothing can make it stale or change what building reports: no script was
modified in the last 2 seconds (a same-size edit in the same clock tick would keep the stats), no
file is reached twice (building warns about that), and sourceless projects (their scripts are
imported to read headers) never get one.  A map whose scripts are not plain ``Script`` objects,
or hold values :mod:`marshal` cannot write, gets no snapshot either.  The file lives beside the
project's ``.pyc`` files and is trusted as they are.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time

from sterna.script.base import Script
from sterna.script.cache import CACHE_DIR, RACY_WINDOW_NS
from sterna.script.revision import Revision, RevisionMap
from sterna.script.revision_build import Graph
from sterna.script.scan import FolderListing

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

SNAPSHOT_FILE = "sterna-graph.marshal"
_MAGIC = b"STGRAPH5"
_LENGTH = 8  # bytes of the signature's length


def signature(listings: Sequence[FolderListing], recursive: bool) -> bytes | None:
    """What a graph built from ``listings`` depends on, as bytes; ``None`` when a snapshot must
    not be used or saved (a script too recently modified to trust its stats)."""
    trust_before = time.time_ns() - RACY_WINDOW_NS
    folders = []
    for listing in listings:
        stats = listing.stats
        mtimes = [st.st_mtime_ns for st in stats]
        if mtimes and max(mtimes) >= trust_before:
            return None
        sizes = [st.st_size for st in stats]
        inodes = [st.st_ino for st in stats]
        # columns, not a tuple per file: 5,000 fewer objects to make and free
        folders.append((listing.directory, tuple(listing.keys), sizes, mtimes, inodes))
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
    try:  # (the caller pauses the garbage collector where it may: ScriptDirectory)
        return _decode(marshal.loads(memoryview(data)[start + length :]))
    except Exception:  # a damaged snapshot is rebuilt, whatever the damage
        return None


def save(script_dir: str, expected: bytes, revision_map: RevisionMap) -> None:
    """Write the snapshot (silently nothing when the folder cannot be written, or the map
    cannot be written as rows)."""
    payload = _encode(revision_map)
    if payload is None:
        return
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


def _encode(revision_map: RevisionMap) -> bytes | None:
    """The map as ``(one dict of attributes per script, labels, topological order, heads,
    bases, real heads, real bases, the whole graph's walk order)``; ``None`` when it cannot be
    written that way.  A script's dict leaves out the attributes whose value is the class's
    own default, and becomes the ``__dict__`` of the script made again (far cheaper than
    setting attributes one by one)."""
    graph = revision_map._graph
    if not graph.revs:
        return None
    rows = []
    scripts: dict[str, Script] = {}
    for script in graph.revs.values():
        if type(script) is not Script:
            return None
        rows.append({k: v for k, v in vars(script).items() if not _is_default(k, v)})
        scripts[script.revision] = script
    labels = tuple((label, rev.revision) for label, rev in graph.labels.items())
    topo = tuple(sorted(graph.topo, key=graph.topo.__getitem__))
    try:
        walk = revision_map.full_walk()
        history = "\n".join(scripts[rev_id].history_line() for rev_id in walk)
        state = (
            tuple(rows),
            labels,
            topo,
            graph.heads,
            graph.bases,
            graph.real_heads,
            graph.real_bases,
            walk,
            history,
        )
    except Exception:  # a graph that cannot be walked whole gets no snapshot
        return None
    try:
        return marshal.dumps(state, 4)
    except ValueError:  # a value marshal cannot write (a module, an object of a subclass...)
        return None


def _is_default(name: str, value: object) -> bool:
    """Whether ``value`` is what ``Script`` answers for ``name`` without an instance value
    (immutable class defaults only: a mutable one would be shared between scripts)."""
    default = getattr(Script, name, _MISSING)
    return (
        type(default) in (tuple, frozenset, bool, type(None))
        and type(value) is type(default)
        and value == default
    )


_MISSING = object()


def _decode(state: Any) -> RevisionMap:
    """The map :func:`_encode` wrote (any malformed state raises)."""
    rows, labels, topo, heads, bases, real_heads, real_bases, full_walk, history = state
    new = object.__new__
    revs: dict[str, Revision] = {}
    for row in rows:
        if type(row) is not dict:
            raise ValueError("a snapshot row is not a dict")
        script = new(Script)
        script.__dict__ = row
        revs[script.revision] = script
    if revs.keys() != set(topo):
        raise ValueError("the topological order is not of the snapshot's revisions")
    revision_map: RevisionMap = new(RevisionMap)
    revision_map._install(
        Graph(
            revs=revs,
            labels={label: revs[rev_id] for label, rev_id in labels},
            order=dict(zip(revs, range(len(revs)), strict=True)),
            topo=dict(zip(topo, range(len(topo)), strict=True)),
            heads=heads,
            bases=bases,
            real_heads=real_heads,
            real_bases=real_bases,
        )
    )
    if type(full_walk) is not tuple or len(full_walk) != len(revs):
        raise ValueError("the stored walk order is not of the snapshot's revisions")
    revision_map._full_walk = full_walk
    if type(history) is not str:
        raise ValueError("the stored history is not text")
    revision_map.history_text = history
    return revision_map


def _path(script_dir: str) -> str:
    return os.path.join(script_dir, CACHE_DIR, SNAPSHOT_FILE)


def _code_fingerprint() -> tuple[tuple[str, int, int], ...]:
    """Size and ``mtime_ns`` of the source files of this package: a snapshot taken by other
    code (another Sterna version, an edited checkout) is not used."""
    folder = os.path.dirname(os.path.abspath(__file__))
    try:
        with os.scandir(folder) as entries:
            files = [(entry.name, entry.stat()) for entry in entries if entry.name.endswith(".py")]
    except OSError:
        return ()
    return tuple(sorted((name, st.st_size, st.st_mtime_ns) for name, st in files))
