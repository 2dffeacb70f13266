"""The persistent header cache: one JSON file per version directory.

``<dir>/__pycache__/sterna-headers.json`` maps each script's file name to the ``(size, mtime_ns,
inode)`` it had when it was read and the :class:`~sterna.script.headers.ScriptHeader` read from it.
An entry is used only while all three still match, so an edited, replaced or renamed file is read
again; entries of files that are gone are dropped when the cache is next written.

A file modified within :data:`RACY_WINDOW_NS` of the moment it was read is not written to the cache:
a second edit of the same size inside one tick of the file system's clock would keep the same
``mtime_ns``, so such "racily clean" entries are read again until they are old enough to be trusted.

The cache is an optimisation only: an unreadable, corrupt or foreign file is ignored (and replaced),
and a directory that cannot be written simply gets no cache.  Writes go to a temporary file that is
renamed into place, so readers never see half a cache.

An entry may carry a fifth element, the script's checksum (:mod:`sterna.script.checksum`), added
the first time the history table or validation asks for it (:func:`cached_checksum`): it is
valid exactly as long as the header beside it, so an applied script is parsed for its checksum
once, not at every deploy.  The caches opened for checksums stay open for the process and are
written by :func:`save_checksums`.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable

from sterna.script.headers import ScriptHeader

# ``typing`` is imported for the type checker only: the read commands never import it
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeGuard

CACHE_DIR = "__pycache__"
CACHE_FILE = "sterna-headers.json"
FORMAT = "sterna-headers"
FORMAT_VERSION = 1
RACY_WINDOW_NS = 2_000_000_000
_POSIX = os.sep == "/" and os.altsep is None

_Key = tuple[int, int, int]


def _matches(entry: object, st: os.stat_result) -> TypeGuard[list[object]]:
    """Whether ``entry`` is well formed and was recorded for the file as ``st`` describes it
    (size, mtime, inode); its value may still be missing (a checksum is the fifth field)."""
    return (
        type(entry) is list
        and 4 <= len(entry) <= 5
        and entry[1] == st.st_mtime_ns
        and entry[0] == st.st_size
        and entry[2] == st.st_ino
    )


def _key(st: os.stat_result) -> _Key:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class HeaderCache:
    """The cached headers of one directory: :meth:`load`, :meth:`lookup_all`, :meth:`put`,
    :meth:`save`."""

    def __init__(self, directory: str, entries: dict[str, list[object]], stale: bool) -> None:
        self.directory = directory
        self._entries = entries
        self._seen: set[str] = set()
        self._dirty = stale
        self._prune = True
        self._trust_before_ns = time.time_ns() - RACY_WINDOW_NS

    @property
    def path(self) -> str:
        return os.path.join(self.directory, CACHE_DIR, CACHE_FILE)

    @classmethod
    def load(cls, directory: str) -> HeaderCache:
        """The cache of ``directory``; empty (and due to be rewritten) if unusable."""
        path = os.path.join(directory, CACHE_DIR, CACHE_FILE)
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return cls(directory, {}, stale=False)
        entries = _decode(raw)
        if entries is None:
            return cls(directory, {}, stale=True)
        return cls(directory, entries, stale=False)

    def lookup_all(
        self, names: list[str], stats: list[os.stat_result]
    ) -> list[ScriptHeader | None]:
        """The cached headers of ``names`` (``None`` where a file changed since it was cached
        or was never cached), given each file's current stat."""
        self._seen.update(names)
        get = self._entries.get
        from_json = ScriptHeader.from_json
        out: list[ScriptHeader | None] = []
        append = out.append
        for name, st in zip(names, stats, strict=True):
            entry = get(name)
            if _matches(entry, st):
                header = from_json(entry[3])
                if header is None:
                    self._drop(name)
                append(header)
            else:
                if entry is not None and (type(entry) is not list or not 4 <= len(entry) <= 5):
                    self._drop(name)
                append(None)
        return out

    def _drop(self, name: str) -> None:
        del self._entries[name]
        self._dirty = True

    def put(self, name: str, st: os.stat_result, header: ScriptHeader) -> None:
        """Record the header just read from ``name`` (whose stat was taken before reading)."""
        self._seen.add(name)
        entry: list[object] = [*_key(st), header.to_json()]
        if st.st_mtime_ns >= self._trust_before_ns:
            # too recent to trust its mtime: keep it out of the persisted cache
            if self._entries.pop(name, None) is not None:
                self._dirty = True
            return
        self._entries[name] = entry
        self._dirty = True

    def checksum(
        self,
        name: str,
        st: os.stat_result,
        compute: Callable[[str], str | None],
        current: Callable[[str], bool] | None = None,
    ) -> str | None:
        """The checksum of ``name`` (whose stat was taken before): the cached one while its
        entry matches ``st`` (and ``current`` accepts its form), else ``compute(path)``, kept
        in the entry when there is a valid one."""
        entry = self._entries.get(name)
        if not _matches(entry, st):
            return compute(os.path.join(self.directory, name))
        cached = entry[4] if len(entry) == 5 else None
        if type(cached) is str and (current is None or current(cached)):
            return cached
        value = compute(os.path.join(self.directory, name))
        if value is not None:
            # the entry passed the racily-clean rule when it was put: its key can be trusted
            entry[4:] = [value]
            self._dirty = True
        return value

    def save(self) -> None:
        """Write the cache if it changed; drop entries of files not seen since :meth:`load`
        (not in a cache opened for checksums, which looks up a few files only)."""
        gone = [name for name in self._entries if self._prune and name not in self._seen]
        for name in gone:
            del self._entries[name]
        if not (self._dirty or gone):
            return
        if not self._entries and not os.path.exists(self.path):
            return
        import json  # not needed by a run the graph snapshot serves

        payload = {"format": FORMAT, "version": FORMAT_VERSION, "entries": self._entries}
        _write_atomically(
            os.path.join(self.directory, CACHE_DIR),
            CACHE_FILE,
            json.dumps(payload, separators=(",", ":")).encode("utf-8"),
        )
        self._dirty = False


_OPEN: dict[str, HeaderCache] = {}


def cached_checksum(
    path: str,
    compute: Callable[[str], str | None],
    current: Callable[[str], bool] | None = None,
    st: os.stat_result | None = None,
) -> str | None:
    """The checksum of the script at ``path`` from its folder's cache (when ``current``
    accepts the cached value's form), else ``compute(path)`` (kept in the cache, written by
    :func:`save_checksums`).  ``st``: the file's stat when the caller has it (taken when the
    script was listed), else it is taken here.  ``None`` when the file is gone."""
    directory, name = os.path.split(path)
    if st is None:
        try:
            st = os.stat(path)
        except OSError:
            return None
    return _opened(directory).checksum(name, st, compute, current)


def _opened(directory: str) -> HeaderCache:
    """The cache of ``directory`` opened for checksums (once per process)."""
    cache = _OPEN.get(directory)
    if cache is None:
        cache = _OPEN[directory] = HeaderCache.load(directory)
        cache._prune = False
    return cache


def cached_values(
    paths: list[str], stats: list[os.stat_result | None], current: Callable[[str], bool]
) -> list[str | None]:
    """What :func:`cached_checksum` would return from the cache for each script, without
    computing anything: the cached value where the entry matches the file as ``stats`` describe
    it and ``current`` accepts the value, else ``None`` (also where no stat is given).  Look-ups
    only, for validation's thousands of applied scripts."""
    out: list[str | None] = []
    append = out.append
    folder: str | None = None  # the text before the last separator of the paths in a row
    entries: dict[str, list[object]] = {}
    for path, st in zip(paths, stats, strict=True):
        cut = path.rfind("/") + 1 if _POSIX else 0
        if cut and path[:cut] == folder:
            name = path[cut:]  # os.path.split's tail; its head depends on path[:cut] only
        else:
            directory, name = os.path.split(path)
            entries = _opened(directory)._entries
            folder = path[:cut] if cut else None
        entry = entries.get(name)
        if st is None or not _matches(entry, st) or len(entry) != 5:
            append(None)
            continue
        value = entry[4]
        append(value if type(value) is str and current(value) else None)
    return out


def save_checksums() -> None:
    """Write the caches whose entries got checksums since they were opened."""
    for cache in _OPEN.values():
        cache.save()


def _decode(raw: bytes) -> dict[str, list[object]] | None:
    """The entries of a cache file, or ``None`` when it is not a cache this version wrote."""
    import json

    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or data.get("version") != FORMAT_VERSION
        or not isinstance(data.get("entries"), dict)
    ):
        return None
    entries: dict[str, list[object]] = data["entries"]
    return entries  # each entry is checked when it is looked up


def _write_atomically(folder: str, filename: str, data: bytes) -> None:
    """Write ``folder/filename`` through a temporary file; give up silently on any OS error."""
    tmp = os.path.join(folder, f"{filename}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, os.path.join(folder, filename))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
