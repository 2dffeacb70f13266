"""Importing a migration script or ``env.py`` as a module, only when migrations are to be run
(the commands that run them import every script first: ``ScriptDirectory.import_scripts``).

Each file gets a module name of its own (derived from its full path), so two scripts with the same
file name in different version folders never share a module.  Modules are not put in
``sys.modules``, as Alembic does not either.  A module carries what an import gives it
(``__file__``, ``__cached__``, ``__loader__``, ``__spec__``), so tracebacks and ``inspect`` work.

Source files are compiled through a bytecode file in ``__pycache__``, read and written here rather
than by :mod:`importlib`: a run imports thousands of scripts, and the generic import machinery
costs several times what reading a valid ``.pyc`` does.  The ``.pyc`` is the one the interpreter
itself uses (same path, same timestamp-based header), so Python and Sterna share it.  It is
written even when ``PYTHONDONTWRITEBYTECODE`` is set: history scripts rarely change and are
imported on every run, and Sterna keeps its header cache in the same folder anyway.  A folder that
cannot be written simply gets no bytecode.  Hash-based ``.pyc`` files, ``PYTHONPYCACHEPREFIX`` and
sourceless ``.pyc`` files go through :mod:`importlib` unchanged.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import marshal
import os
import re
import sys
import time
import zlib
from types import CodeType, ModuleType

from sterna.errors_script import ScriptError

_NON_WORD = re.compile(r"\W")
_POSIX = os.sep == "/" and os.altsep is None
_MAGIC = importlib.util.MAGIC_NUMBER
_HEADER_SIZE = 16  # magic, flags, mtime, size (PEP 552)
_PYCACHE = "__pycache__"
_TIMESTAMP_FLAGS = b"\x00\x00\x00\x00"
#: sources modified this recently are compiled but their bytecode is not written
RACY_WINDOW_NS = 2_000_000_000


def module_name_for(path: str) -> str:
    """A module name unique to the file at ``path``."""
    tail = path[path.rfind("/") + 1 :] if _POSIX else os.path.basename(path)
    stem = tail.replace(".", "_")
    if not (stem.isascii() and f"_{stem}".isidentifier()):  # else only letters, digits and _
        stem = _NON_WORD.sub("_", tail)
    plain = _POSIX and path[:1] == "/" and "/." not in path and "//" not in path and path[-1] != "/"
    full = path if plain else os.path.abspath(path)  # abspath: a normalised copy of a plain one
    digest = zlib.crc32(full.encode("utf-8", "surrogateescape"))
    return f"sterna_script_{stem}_{digest:08x}"


def load_module(
    path: str, name: str | None = None, *, always_cache_bytecode: bool = True
) -> ModuleType:
    """Import the file at ``path`` (``.py``, or ``.pyc``/``.pyo``) as a fresh module.

    Its bytecode is cached in ``__pycache__`` even under ``PYTHONDONTWRITEBYTECODE``, unless
    ``always_cache_bytecode`` is false.  Errors raised while the module runs propagate
    unchanged; a missing file is a ScriptError.
    """
    module_name = name or module_name_for(path)
    code = source_code(path, always_cache_bytecode=always_cache_bytecode)
    if code is None:
        return _import_with_importlib(path, module_name)
    return module_from_code(path, code, module_name)


def source_code(path: str, *, always_cache_bytecode: bool = True) -> CodeType | None:
    """The code of the source file ``path``, from its ``.pyc`` when valid (else compiled, and
    the ``.pyc`` written as :func:`load_module` says); ``None`` where :mod:`importlib` must
    import the file (see :func:`reads_own_bytecode`)."""
    if not reads_own_bytecode(path):
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ScriptError(path, "file not found") from None
    cached = bytecode_path(path)
    code = _read_bytecode(cached, path, st)
    if code is None:
        write = always_cache_bytecode or not sys.dont_write_bytecode
        code = _compile_source(path, cached, st, write)  # None: a hash-based .pyc
    return code


def reads_own_bytecode(path: str) -> bool:
    """False where Sterna leaves the import to :mod:`importlib`: a ``.pyc``/``.pyo`` file, a
    ``PYTHONPYCACHEPREFIX``, an interpreter without a cache tag."""
    return not (
        path.endswith((".pyc", ".pyo"))
        or sys.pycache_prefix is not None
        or sys.implementation.cache_tag is None
    )


def module_from_code(path: str, code: CodeType, name: str | None = None) -> ModuleType:
    """A fresh module for the file at ``path``, made by running ``code`` (its compiled source)."""
    found, cached = script_names(path)
    module = _new_module(name or found, path, cached)
    exec(code, module.__dict__)
    return module


#: per folder (a plain absolute path's text up to its last "/"): the CRC-32 of that text, and
#: its ``__pycache__`` folder with the bytecode suffix, for :func:`script_names`
_FOLDERS: dict[str, tuple[int, str, str]] = {}


def script_names(path: str) -> tuple[str, str]:
    """``(module_name_for(path), bytecode_path(path))``, what depends on the folder only worked
    out once per folder (a deploy imports thousands of scripts from a few folders)."""
    cut = path.rfind("/") + 1
    tail = path[cut:]
    if not (_POSIX and cut > 1 and path[:1] == "/" and tail[:1] not in ("", ".")):
        return module_name_for(path), bytecode_path(path)
    head = path[:cut]
    folder = _FOLDERS.get(head)
    if folder is None:
        if "/." in head or "//" in head:  # not plain: the generic computations
            return module_name_for(path), bytecode_path(path)
        crc = zlib.crc32(head.encode("utf-8", "surrogateescape"))
        folder = _FOLDERS[head] = (crc, f"{head}{_PYCACHE}/", _bytecode_suffix())
    stem = tail.replace(".", "_")
    if not (stem.isascii() and f"_{stem}".isidentifier()):
        stem = _NON_WORD.sub("_", tail)
    digest = zlib.crc32(tail.encode("utf-8", "surrogateescape"), folder[0])
    cached = f"{folder[1]}{tail.rpartition('.')[0] or tail}{folder[2]}"
    return f"sterna_script_{stem}_{digest:08x}", cached


def bytecode_path(path: str) -> str:
    """Where this interpreter caches the bytecode of the source file ``path`` (PEP 3147)."""
    if _POSIX and "/" in path[1:] and "//" not in path:  # the common case, split directly
        head, _, tail = path.rpartition("/")
        return f"{head}/__pycache__/{tail.rpartition('.')[0] or tail}{_bytecode_suffix()}"
    head, tail = os.path.split(path)
    stem = tail.rpartition(".")[0] or tail
    return os.path.join(head, "__pycache__", f"{stem}{_bytecode_suffix()}")


def _bytecode_suffix() -> str:
    """``.<cache tag>[.opt-N].pyc`` for this interpreter (its optimisation level)."""
    level = sys.flags.optimize
    return f".{sys.implementation.cache_tag}{f'.opt-{level}' if level else ''}.pyc"


def _read_bytecode(cached: str, path: str, st: os.stat_result) -> CodeType | None:
    """The code in ``cached`` if it is a valid timestamp ``.pyc`` of the source ``st`` describes."""
    try:
        with open(cached, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if (
        len(data) < _HEADER_SIZE
        or data[:4] != _MAGIC
        or data[4:8] != _TIMESTAMP_FLAGS
        or int.from_bytes(data[8:12], "little") != int(st.st_mtime) & 0xFFFFFFFF
        or int.from_bytes(data[12:16], "little") != st.st_size & 0xFFFFFFFF
    ):
        return None
    try:
        code = marshal.loads(memoryview(data)[_HEADER_SIZE:])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, CodeType) or code.co_filename != path:
        return None  # moved or copied: compile again so tracebacks name the right file
    return code


def _compile_source(path: str, cached: str, st: os.stat_result, write: bool) -> CodeType | None:
    """Compile the source and (with ``write``) cache its bytecode; ``None`` when a hash-based
    .pyc is in use.

    When the interpreter would not have written bytecode itself, a source modified within
    :data:`RACY_WINDOW_NS` is not cached: a second edit of the same size within the same second
    would otherwise go unnoticed (Python accepts that risk for its own imports; we do not add it
    where the user asked for no bytecode at all).
    """
    with contextlib.suppress(OSError), open(cached, "rb") as fh:
        head = fh.read(8)
        if len(head) == 8 and head[:4] == _MAGIC and head[4:8] != _TIMESTAMP_FLAGS:
            return None
    try:
        with open(path, "rb") as fh:
            source = fh.read()
    except FileNotFoundError:
        raise ScriptError(path, "file not found") from None
    code = compile(source, path, "exec", dont_inherit=True)
    racy = st.st_mtime_ns >= time.time_ns() - RACY_WINDOW_NS
    if not write or (racy and sys.dont_write_bytecode):
        return code
    header = (
        _MAGIC
        + _TIMESTAMP_FLAGS
        + (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
        + (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
    )
    _write_atomically(cached, header + marshal.dumps(code), st.st_mode)
    return code


def _write_atomically(target: str, data: bytes, source_mode: int) -> None:
    """Write ``target`` through a temporary file; give up silently on any OS error."""
    folder = os.path.dirname(target)
    tmp = f"{target}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    mode = (source_mode & 0o666) | 0o200  # as importlib: readable like the source, writable
    try:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _new_module(name: str, path: str, cached: str) -> ModuleType:
    """An empty module with the attributes an import of ``path`` would give it."""
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.machinery.ModuleSpec(name, loader, origin=path)
    spec.has_location = True
    spec.cached = cached
    module = ModuleType(name)
    module.__file__ = path
    module.__cached__ = cached  # type: ignore[attr-defined]
    module.__loader__ = loader
    module.__spec__ = spec
    module.__package__ = ""
    return module


def _import_with_importlib(path: str, module_name: str) -> ModuleType:
    loader: importlib.machinery.SourceFileLoader | importlib.machinery.SourcelessFileLoader
    if path.endswith((".pyc", ".pyo")):
        loader = importlib.machinery.SourcelessFileLoader(module_name, path)
    else:
        loader = importlib.machinery.SourceFileLoader(module_name, path)
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    if spec is None:  # pragma: no cover - only for paths importlib cannot handle at all
        raise ScriptError(path, "cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        loader.exec_module(module)
    except FileNotFoundError as err:
        if err.filename is not None and os.path.abspath(err.filename) == os.path.abspath(path):
            raise ScriptError(path, "file not found") from None
        raise
    return module


def python_file_or_bytecode(path: str) -> str | None:
    """``path`` if it exists, else its cached or legacy bytecode (sourceless), else None."""
    if os.path.exists(path):
        return path
    try:
        cached = importlib.util.cache_from_source(path)
    except NotImplementedError:  # pragma: no cover - interpreters without a cache tag
        cached = None
    if cached is not None and os.path.exists(cached):
        return cached
    base = os.path.splitext(path)[0]
    for suffix in importlib.machinery.BYTECODE_SUFFIXES:
        if os.path.exists(base + suffix):
            return base + suffix
    return None
