"""Importing a migration script or ``env.py`` as a module, only when it is to be run.

Source files go through :class:`importlib.machinery.SourceFileLoader`, so their bytecode is cached
in ``__pycache__`` like any import; sourceless ``.pyc`` files through ``SourcelessFileLoader``.
Each file gets a module name of its own (derived from its full path), so two scripts with the same
file name in different version folders never share a module.  Modules are not put in
``sys.modules``, as Alembic does not either.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import zlib
from types import ModuleType

from sterna.errors import ScriptError

_NON_WORD = re.compile(r"\W")


def module_name_for(path: str) -> str:
    """A module name unique to the file at ``path``."""
    stem = _NON_WORD.sub("_", os.path.basename(path))
    digest = zlib.crc32(os.path.abspath(path).encode("utf-8", "surrogateescape"))
    return f"sterna_script_{stem}_{digest:08x}"


def load_module(path: str, name: str | None = None) -> ModuleType:
    """Import the file at ``path`` (``.py``, or ``.pyc``/``.pyo``) as a fresh module.

    Errors raised while the module runs propagate unchanged; a missing file is a ScriptError.
    """
    module_name = name or module_name_for(path)
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
