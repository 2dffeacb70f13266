"""Finding the migration scripts of the version locations and reading their headers.

The files considered, and their order, are Alembic's: in each version location, the file names
ending in ``.py`` (not starting with ``__init__`` or ``.#``) in sorted order, then (with
``recursive_version_locations``) each sub-folder in sorted order, depth first, never descending
into ``__pycache__``.  With ``sourceless`` the ``.pyc``/``.pyo`` files without a ``.py`` beside
them count too, and so do ``__pycache__`` bytecode files (of this interpreter) whose source is
gone.  A file reached twice (overlapping version locations) is read once, with a warning.

Each folder is listed with one :func:`os.scandir`; headers come from the folder's
:class:`~sterna.script.cache.HeaderCache` when the file is unchanged, else from the file.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections import namedtuple

from sterna.errors_script import ScriptError
from sterna.script.cache import CACHE_DIR, HeaderCache
from sterna.script.headers import ScriptHeader, header_from_module, parse_header
from sterna.script.loader import load_module

_EXCLUDED_PREFIXES = ("__init__", ".#")
_BYTECODE = (".pyc", ".pyo")


# ``typing`` is imported for the type checker only: importing it would cost every command line
# about 3 ms.  The records are built with ``collections.namedtuple`` at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType
    from typing import NamedTuple

    class _FoundFields(NamedTuple):
        path: str
        header: ScriptHeader
        module: ModuleType | None = None

    class _ListingFields(NamedTuple):
        files: dict[str, os.DirEntry[str]]
        subdirs: list[str]

    class _FolderFields(NamedTuple):
        directory: str
        keys: list[str]  # file names (``__pycache__/<name>`` for orphan bytecode)
        entries: list[os.DirEntry[str]]
        stats: list[os.stat_result]
else:
    _FoundFields = namedtuple("FoundScript", "path header module", defaults=(None,))
    _ListingFields = namedtuple("_Listing", "files subdirs")
    _FolderFields = namedtuple("FolderListing", "directory keys entries stats")


class FoundScript(_FoundFields):
    """One script file and its header (and its module when reading it required an import)."""

    __slots__ = ()


class _Listing(_ListingFields):
    """The script files and the subfolders of one folder, by name."""

    __slots__ = ()


class FolderListing(_FolderFields):
    """The script files of one folder, in order, with their cache keys and stats."""

    __slots__ = ()


def find_scripts(
    locations: Iterable[str], *, recursive: bool = False, sourceless: bool = False
) -> list[FoundScript]:
    """All scripts of the existing ``locations`` (absolute folder paths), in Alembic's order."""
    return read_scripts(list_scripts(locations, recursive=recursive, sourceless=sourceless))


def list_scripts(
    locations: Iterable[str], *, recursive: bool = False, sourceless: bool = False
) -> list[FolderListing]:
    """The script files of the existing ``locations``, folder by folder, in Alembic's order;
    nothing is read but the folders and the files' stats."""
    listings: list[FolderListing] = []
    for location in locations:
        if not os.path.isdir(location):
            continue
        _list_tree(os.path.realpath(location), recursive, sourceless, listings)
    return listings


def read_scripts(listings: Iterable[FolderListing]) -> list[FoundScript]:
    """The headers of the listed files (from each folder's cache where it is valid)."""
    found: list[FoundScript] = []
    seen: set[str] = set()
    for listing in listings:
        _read_folder(listing, seen, found)
    return found


def _list_tree(
    directory: str, recursive: bool, sourceless: bool, listings: list[FolderListing]
) -> None:
    listing = _list(directory)
    listings.append(_select(directory, listing, sourceless))
    if recursive:
        for name in sorted(listing.subdirs):
            _list_tree(os.path.join(directory, name), recursive, sourceless, listings)


def _list(directory: str) -> _Listing:
    files: dict[str, os.DirEntry[str]] = {}
    subdirs: list[str] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir():
                if not entry.name.endswith(CACHE_DIR):
                    subdirs.append(entry.name)
            else:
                files[entry.name] = entry
    return _Listing(files, subdirs)


def _select(directory: str, listing: _Listing, sourceless: bool) -> FolderListing:
    files = listing.files
    names = [
        name
        for name in sorted(files)
        if (name.endswith(".py") and not name.startswith(_EXCLUDED_PREFIXES))
        or (sourceless and _is_bytecode_script(name, files))
    ]
    entries = [files[name] for name in names]
    keys = names
    if sourceless:
        orphans = _orphan_bytecode(directory, files)
        keys = names + [f"{CACHE_DIR}/{name}" for name, _ in orphans]
        entries += [entry for _, entry in orphans]
    return FolderListing(directory, keys, entries, _stat_all(keys, entries, directory))


def has_duplicates(listings: Iterable[FolderListing]) -> bool:
    """Whether some file is reached twice (overlapping locations, or symlinks to one file)."""
    seen: set[str] = set()
    for listing in listings:
        for entry in listing.entries:
            path = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
            if path in seen:
                return True
            seen.add(path)
    return False


def _read_folder(listing: FolderListing, seen: set[str], found: list[FoundScript]) -> None:
    keys, entries, stats = listing.keys, listing.entries, listing.stats
    cache = HeaderCache.load(listing.directory)
    headers = cache.lookup_all(keys, stats)
    for key, entry, st, header in zip(keys, entries, stats, headers, strict=True):
        path = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
        if path in seen:
            _warn_twice(path)
            continue
        seen.add(path)
        found.append(
            FoundScript(path, header) if header is not None else _read(cache, key, st, path)
        )
    cache.save()


def _stat_all(
    keys: list[str], entries: list[os.DirEntry[str]], directory: str
) -> list[os.stat_result]:
    """The stats of ``entries`` (symlinks followed).  Where the system allows, each file is
    looked up by its path relative to the open folder (its key) rather than by its whole path:
    the kernel then walks one path component instead of all of them (a fifth of the cost of
    listing)."""
    try:
        if not _STAT_DIR_FD:
            return [entry.stat() for entry in entries]
        fd = os.open(directory, os.O_RDONLY)
        try:
            return [os.stat(key, dir_fd=fd) for key in keys]
        finally:
            os.close(fd)
    except OSError as err:
        where = os.path.join(directory, err.filename) if err.filename else directory
        raise ScriptError(str(where), f"cannot be read: {err.strerror}") from None


_STAT_DIR_FD = os.stat in os.supports_dir_fd


def _is_bytecode_script(name: str, files: dict[str, os.DirEntry[str]]) -> bool:
    """A ``.pyc``/``.pyo`` file that stands for a script whose source is not beside it."""
    if not name.endswith(_BYTECODE) or name.startswith(_EXCLUDED_PREFIXES):
        return False
    source = name[:-1]
    if source in files:
        return False  # prefer the source, which has the docstring in its own encoding
    return not (name.endswith(".pyo") and source + "c" in files)


def _orphan_bytecode(
    directory: str, files: dict[str, os.DirEntry[str]]
) -> list[tuple[str, os.DirEntry[str]]]:
    """``__pycache__`` bytecode of this interpreter whose source file no longer exists."""
    tag = sys.implementation.cache_tag
    if tag is None:  # pragma: no cover - interpreters without bytecode caching
        return []
    stems = {name.split(".", 1)[0] for name in files}
    suffixes = tuple(f".{tag}{suffix}" for suffix in _BYTECODE) + tuple(
        f".{tag}.opt-{level}.pyc" for level in (1, 2)
    )
    out: list[tuple[str, os.DirEntry[str]]] = []
    try:
        with os.scandir(os.path.join(directory, CACHE_DIR)) as entries:
            for entry in entries:
                name = entry.name
                if (
                    name.endswith(suffixes)
                    and not name.startswith(_EXCLUDED_PREFIXES)
                    and name.split(".", 1)[0] not in stems
                    and entry.is_file()
                ):
                    out.append((name, entry))
    except OSError:
        return []
    return sorted(out)


def _warn_twice(path: str) -> None:
    warnings.warn(
        f"Script {path} is reached through more than one version location; "
        "reading it once. Make version_locations distinct.",
        UserWarning,
        stacklevel=5,
    )


def _read(cache: HeaderCache, key: str, st: os.stat_result, path: str) -> FoundScript:
    """Read the header of a file the cache has no valid entry for, and cache it."""
    module: ModuleType | None = None
    if path.endswith(_BYTECODE):
        module = load_module(path)
        header = header_from_module(module, path)
    else:
        try:
            with open(path, "rb") as fh:
                source = fh.read()
        except OSError as err:
            raise ScriptError(path, f"cannot be read: {err.strerror}") from None
        header = parse_header(source, path)
    cache.put(key, st, header)
    return FoundScript(path, header, module)
