"""The import hook of the Sterna run: the harness from the sdist, everything else from Sterna.

:func:`install` turns Sterna's ``alembic`` alias on for the whole process and puts
:class:`HarnessFinder` in front of it.  The finder serves

* ``alembic.testing`` and its submodules from the sdist (the harness under test is Alembic's own);
* ``alembic.util.sqla_compat`` and ``alembic.util.compat`` (SQLAlchemy/Python version shims the
  harness and ``tests/requirements.py`` need) from a private copy of the sdist's ``alembic.util``
  loaded as ``_alembic_sdist_util``;
* in lenient mode, a placeholder module for an ``alembic.*`` module Sterna does not provide, but
  only when the import is a module-level statement of a file of the suite: the file still loads
  and only the tests that *use* the name fail (with :class:`NotInSterna`).  Likewise, a
  module-level ``from alembic.x import name`` of a name the Sterna module lacks binds a
  placeholder.  Imports inside a test run Sterna's alias unchanged.

Harness adaptations (kept to what the harness itself does, never what a test does):

* the harness modules' ``util`` falls back to the sdist's ``alembic.util`` for helpers Sterna
  has no reason to offer (``rmtree``, ``pyc_file_from_path``...);
* the harness's ``alembic.op._proxy = ops`` (how it points ``op`` at a fixture's context)
  installs ``ops`` in Sterna's ``op`` slot;
* ``write_script()`` re-reads a rewritten script through a fresh ``ScriptDirectory`` where it
  calls the internal ``Script._from_path``;
* ``AutogenFixtureTest`` runs the public ``produce_migrations`` where it calls the internal
  ``_produce_net_changes``;
* where Sterna lacks ``alembic.ddl.base._fk_spec`` (the harness reads a foreign key's parts
  with it), :func:`fk_spec` (written here, on SQLAlchemy's public API) stands in;
* ``staging_env()`` removes a ``scratch/scripts`` a failed test left behind instead of failing
  every later test of the file on it.
"""

from __future__ import annotations

import copy
import importlib
import importlib.machinery
import importlib.util
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

PRIVATE_UTIL = "_alembic_sdist_util"
HARNESS_PREFIX = "alembic.testing"
SHIMS = ("alembic.util.sqla_compat", "alembic.util.compat")


class NotInSterna(ImportError):
    """A test used an ``alembic.*`` name that Sterna does not provide."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not provided by Sterna's alembic alias")
        self.name = name


class _PlaceholderMeta(type):
    """Placeholders are classes (so a test class may derive from one); any use of one raises."""

    def __getattr__(cls, attr: str) -> Any:
        own = cls.__dict__.get("_alembic_name")
        if own is None or attr.startswith("__"):
            raise AttributeError(attr)
        return placeholder(f"{own}.{attr}")

    def __call__(cls, *args: Any, **kw: Any) -> Any:
        raise NotInSterna(_placeholder_name(cls))


def _placeholder_name(cls: type) -> str:
    for klass in cls.__mro__:
        name = klass.__dict__.get("_alembic_name")
        if isinstance(name, str):
            return name
    return cls.__name__


def placeholder(name: str) -> type:
    """A stand-in for the missing ``alembic`` name ``name``."""
    return _PlaceholderMeta(name.rpartition(".")[2], (), {"_alembic_name": name})


class _State:
    sdist: Path = Path()
    lenient: bool = True
    missing: set[str] = set()
    alias: AbstractContextManager[None] | None = None


STATE = _State()


def _suite_frame(frame: FrameType | None, *, through_import: bool = True) -> bool:
    """Whether ``frame`` (or, ``through_import``, the first frame outside the import machinery)
    is a suite file's module level."""
    while through_import and frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith("<frozen") or filename == __file__):
            break
        frame = frame.f_back
    if frame is None or frame.f_code.co_name != "<module>":
        return False
    path = Path(frame.f_code.co_filename)
    return path.is_relative_to(STATE.sdist / "tests") or path.is_relative_to(
        STATE.sdist / "alembic" / "testing"
    )


class _ModuleLoader:
    """Puts an existing module (or a placeholder module) in the imported name's slot."""

    def __init__(self, make: Callable[[str], ModuleType]) -> None:
        self.make = make

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        sys.modules[module.__name__] = self.make(module.__name__)


class _HarnessLoader:
    """The sdist's own loader for a harness module, plus the harness adaptations."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self.inner.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        adapt_harness_module(module)


def _shim_module(name: str) -> ModuleType:
    return importlib.import_module(PRIVATE_UTIL + name[len("alembic.util") :])


def _placeholder_module(name: str) -> ModuleType:
    STATE.missing.add(name)
    module = ModuleType(name, f"Placeholder: Sterna provides no {name}.")
    module.__path__ = []
    module.__getattr__ = lambda attr: placeholder(f"{name}.{attr}")  # type: ignore[method-assign]
    return module


class HarnessFinder:
    """``sys.meta_path`` entry in front of Sterna's alias (see the module docstring)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == HARNESS_PREFIX or fullname.startswith(HARNESS_PREFIX + "."):
            return self._harness_spec(fullname, path)
        if fullname in SHIMS:
            return _spec(fullname, _ModuleLoader(_shim_module))
        if (
            STATE.lenient
            and fullname.startswith("alembic.")
            and _missing_module(fullname)
            and _suite_frame(sys._getframe(1))
        ):
            return _spec(fullname, _ModuleLoader(_placeholder_module))
        return None

    def _harness_spec(
        self, fullname: str, path: Sequence[str] | None
    ) -> importlib.machinery.ModuleSpec | None:
        search = [str(STATE.sdist / "alembic")] if fullname == HARNESS_PREFIX else path
        spec = importlib.machinery.PathFinder.find_spec(fullname, search)
        if spec is not None and spec.loader is not None:
            spec.loader = _HarnessLoader(spec.loader)  # type: ignore[assignment]
        return spec

    def invalidate_caches(self) -> None:
        """Nothing cached."""


def _spec(fullname: str, loader: Any) -> importlib.machinery.ModuleSpec:
    return importlib.machinery.ModuleSpec(fullname, loader, is_package=True)


def _missing_module(fullname: str) -> bool:
    from sterna.compat import MODULES

    return fullname not in MODULES


def adapt_harness_module(module: ModuleType) -> None:
    """Point a harness module's ``util`` at the harness view of ``alembic.util``, its
    ``alembic`` at the op-slot shim and its ``autogenerate`` at :class:`_AutogenerateForHarness`."""
    import sterna.autogenerate
    import sterna.compat_util

    for key, value in list(vars(module).items()):
        if isinstance(value, _PlaceholderMeta) and value.__dict__.get("_alembic_name") in STANDINS:
            setattr(module, key, STANDINS[value.__dict__["_alembic_name"]])
    if module.__name__ == "alembic.testing.env":
        _tolerate_stale_staging(module)
        vars(module)["Script"] = _ScriptForHarness(vars(module)["Script"])
    for key, value in list(vars(module).items()):
        if value is sterna.compat_util:
            setattr(module, key, HARNESS_UTIL)
        elif value is sterna.autogenerate:
            setattr(module, key, _AutogenerateForHarness(value))
        elif key == "alembic" and isinstance(value, ModuleType):
            setattr(module, key, _AlembicForHarness(value))


def _tolerate_stale_staging(env: ModuleType) -> None:
    """``staging_env()`` asserts that ``scratch/scripts`` does not exist: after one test failed
    under Sterna before its cleanup, every later test of the file would fail there.  The
    adapted one removes a stale folder first (under Alembic the assertion never fires)."""
    original = vars(env)["staging_env"]

    def staging_env(create: bool = True, *args: Any, **kw: Any) -> Any:
        if create:
            stale = Path(vars(env)["_get_staging_directory"]()) / "scripts"
            if stale.exists():
                shutil.rmtree(stale)
        return original(create, *args, **kw)

    vars(env)["staging_env"] = staging_env


class _ScriptForHarness:
    """``Script`` for the harness's ``write_script()``, which re-reads a rewritten script with
    Alembic's internal ``Script._from_path(scriptdir, path)``: here a copy of the
    ``ScriptDirectory`` without its cached graph reads the folder again (public API) and the
    script at ``path`` is taken from it."""

    def __init__(self, real: type) -> None:
        self._real = real

    def _from_path(self, scriptdir: Any, path: str) -> Any:
        fresh = copy.copy(scriptdir)
        fresh.__dict__.pop("revision_map", None)
        wanted = os.path.realpath(path)
        for script in fresh.walk_revisions():
            if os.path.realpath(script.path) == wanted:
                return script
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _AutogenerateForHarness:
    """``alembic.autogenerate`` for the harness: its ``AutogenFixtureTest._fixture`` calls the
    internal ``_produce_net_changes(autogen_context, upgrade_ops)``; here that is the public
    ``produce_migrations`` on the same context and metadata, its upgrade ops appended."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def _produce_net_changes(self, autogen_context: Any, upgrade_ops: Any) -> None:
        script = self._real.produce_migrations(
            autogen_context.migration_context, autogen_context.metadata
        )
        upgrade_ops.ops.extend(script.upgrade_ops.ops)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def fk_spec(constraint: Any) -> tuple[Any, ...]:
    """The harness's ``_fk_spec(fk)`` tuple from SQLAlchemy's public ``ForeignKeyConstraint`` API:
    (source schema, source table, source columns, target schema, target table, target columns,
    onupdate, ondelete, deferrable, initially)."""
    targets = [element.target_fullname.split(".") for element in constraint.elements]
    first = targets[0]
    return (
        constraint.parent.schema,
        constraint.parent.name,
        [element.parent.name for element in constraint.elements],
        ".".join(first[:-2]) or None,
        first[-2],
        [
            _target_name(element, parts[-1])
            for element, parts in zip(constraint.elements, targets, strict=True)
        ],
        constraint.onupdate,
        constraint.ondelete,
        constraint.deferrable,
        constraint.initially,
    )


def _target_name(element: Any, token: str) -> str:
    """The name of the column a foreign key element refers to (``ForeignKey("t.tid")`` for
    ``Column("id", key="tid")`` is ``id``), or the token when its table is not known."""
    from sqlalchemy.exc import NoReferenceError

    try:
        return str(element.column.name)
    except NoReferenceError:
        return token


#: internal helpers the harness imports, written here, used where Sterna has no such name
STANDINS: dict[str, Callable[..., Any]] = {"alembic.ddl.base._fk_spec": fk_spec}


class _HarnessUtil(ModuleType):
    """``alembic.util`` as the harness sees it: Sterna's, then the sdist's helpers."""

    def __getattr__(self, name: str) -> Any:
        import sterna.compat_util

        try:
            return getattr(sterna.compat_util, name)
        except AttributeError:
            return getattr(importlib.import_module(PRIVATE_UTIL), name)


HARNESS_UTIL = _HarnessUtil("alembic.util (harness view)")


class _OpForHarness:
    """``alembic.op`` for the harness: ``_proxy = ops`` installs ``ops`` in Sterna's op slot."""

    def __init__(self) -> None:
        object.__setattr__(self, "_installed", None)

    def __setattr__(self, name: str, value: Any) -> None:
        from sterna.runtime.proxy import OPERATIONS

        if name != "_proxy":
            raise AttributeError(f"the harness sets only op._proxy, not op.{name}")
        previous = object.__getattribute__(self, "_installed")
        if previous is not None:
            OPERATIONS.uninstall(previous)
        OPERATIONS.install(value)
        object.__setattr__(self, "_installed", value)

    def __getattr__(self, name: str) -> Any:
        return getattr(sys.modules["alembic.op"], name)


class _AlembicForHarness:
    def __init__(self, real: ModuleType) -> None:
        self._real = real
        self.op = _OpForHarness()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _lenient_getattr(alias: str, module: ModuleType) -> None:
    """Give a Sterna module a ``__getattr__`` that answers a suite file's module-level
    ``from alembic.x import missing`` with a placeholder (any other lookup is unchanged; the
    caller must be the suite's frame itself, so ``from alembic import util`` still imports)."""
    original = vars(module).get("__getattr__")

    def __getattr__(name: str) -> Any:
        if original is not None:
            try:
                return original(name)
            except AttributeError:
                pass
        if f"{alias}.{name}" in SHIMS:  # Sterna's module is named sterna.compat_util, so
            return importlib.import_module(f"{alias}.{name}")  # the import system misses it
        caller = sys._getframe(1)
        if name.startswith("__") or not _suite_frame(caller, through_import=False):
            raise AttributeError(f"module {alias!r} has no attribute {name!r}")
        STATE.missing.add(f"{alias}.{name}")
        return placeholder(f"{alias}.{name}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]


def _load_private_util(sdist: Path) -> None:
    folder = sdist / "alembic" / "util"
    spec = importlib.util.spec_from_file_location(
        PRIVATE_UTIL, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[PRIVATE_UTIL] = module
    spec.loader.exec_module(module)


def install(sdist: Path, *, lenient: bool) -> None:
    """Turn the alias on for good (never left), with the harness finder in front of it."""
    from sterna.compat import MODULES, alembic_alias

    STATE.sdist = sdist.resolve()
    STATE.lenient = lenient
    STATE.alias = alembic_alias()  # kept: a dropped generator would leave the alias
    STATE.alias.__enter__()
    _load_private_util(STATE.sdist)
    sys.meta_path.insert(0, HarnessFinder())
    if lenient:
        done: set[int] = set()
        for name in MODULES:
            module = importlib.import_module(name)
            if id(module) not in done:
                done.add(id(module))
                _lenient_getattr(name, module)
