"""The ``alembic`` import alias: while Sterna runs a project, ``import alembic`` is Sterna.

Existing projects import Alembic's public paths in their ``env.py`` and scripts (``from alembic
import op, context``, ``from alembic.operations import ops``...).  Around a run the command layer
enters :func:`alembic_alias`, which

* sets aside any ``alembic`` / ``alembic.*`` entries already in ``sys.modules`` (the real Alembic
  may be installed and imported by the user's own process),
* puts a finder in front of ``sys.meta_path`` that answers every ``alembic.*`` name with the Sterna
  module listed in :data:`MODULES` -- the very same module object, so classes, registries
  (``Operations.register_operation``) and module state are shared -- and refuses any other
  ``alembic.*`` name with :class:`~sterna.errors.AliasNotProvided`,

and on leaving removes the finder and every ``alembic*`` entry it produced, puts the set-aside
modules back and undoes the attributes the import system set on Sterna packages for renamed
paths.  Runs may nest (a command called from env.py); only the outermost one installs and removes
the alias.  The alias is process-wide while active, like any import.

Tools that import ``alembic`` themselves (Flask-Migrate, pytest-alembic) run outside any such
block.  :func:`use_as_alembic` is the explicit switch for them: called once, early, it turns the
alias on for the rest of the process (importing :mod:`sterna.as_alembic` calls it, for
``pytest -p sterna.as_alembic``).  Nothing turns it on by itself, and it refuses a process that
has already imported the real Alembic.

The top-level ``alembic`` module is a small stand-in package of its own rather than ``sterna``
itself, so that ``alembic.<child>`` attributes never land on the ``sterna`` package.  Importing
this module is cheap: it imports neither SQLAlchemy nor ``importlib.abc``.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, cast

from sterna.errors_compat import AliasNotProvided, RealAlembicAlreadyImported

if TYPE_CHECKING:
    from importlib.abc import Loader

__all__ = ["ALEMBIC_API_VERSION", "MODULES", "alembic_alias", "is_active", "use_as_alembic"]

ALIAS = "alembic"
_MISSING = object()

#: The Alembic release whose public API and behaviour Sterna mirrors; ``alembic.__version__``
#: under the alias (libraries gate features on it).  Sterna's own is ``alembic.__sterna_version__``.
ALEMBIC_API_VERSION = "1.20.1"

#: Alembic module path -> the Sterna module behind it.  ``None`` is the stand-in top package.
MODULES: dict[str, str | None] = {
    "alembic": None,
    "alembic.command": "sterna.command",
    "alembic.config": "sterna.config",
    "alembic.context": "sterna.context",
    "alembic.op": "sterna.op",
    "alembic.environment": "sterna.runtime.environment",
    "alembic.migration": "sterna.runtime.migration",
    "alembic.autogenerate": "sterna.autogenerate",
    "alembic.autogenerate.api": "sterna.autogenerate.api",
    "alembic.autogenerate.compare": "sterna.autogenerate.compare",
    "alembic.autogenerate.render": "sterna.autogenerate.render",
    "alembic.autogenerate.rewriter": "sterna.autogenerate.rewriter",
    "alembic.ddl": "sterna.ddl",
    "alembic.ddl.base": "sterna.ddl.elements",
    "alembic.ddl.impl": "sterna.ddl.impl",
    "alembic.ddl.mysql": "sterna.ddl.mysql",
    "alembic.ddl.postgresql": "sterna.ddl.postgresql",
    "alembic.ddl.sqlite": "sterna.ddl.sqlite",
    "alembic.operations": "sterna.operations",
    "alembic.operations.base": "sterna.operations.base",
    "alembic.operations.batch": "sterna.operations.batch",
    "alembic.operations.ops": "sterna.operations.ops",
    "alembic.operations.schemaobj": "sterna.operations.schemaobj",
    "alembic.operations.toimpl": "sterna.operations.toimpl",
    "alembic.runtime": "sterna.runtime",
    "alembic.runtime.environment": "sterna.runtime.environment",
    "alembic.runtime.migration": "sterna.runtime.migration",
    "alembic.runtime.plugins": "sterna.autogenerate.plugins",
    "alembic.script": "sterna.script",
    "alembic.script.base": "sterna.script.base",
    "alembic.script.revision": "sterna.script.revision",
    "alembic.script.write_hooks": "sterna.hooks",
    "alembic.util": "sterna.compat_util",
    "alembic.util.exc": "sterna.util.exc",
    "alembic.util.messaging": "sterna.util.messaging",
}

#: Names an Alembic module defines that Sterna keeps in a higher layer than the module behind
#: it (alias module -> name -> the Sterna module holding it): served while the alias is on.
_MOVED_NAMES: dict[str, dict[str, str]] = {
    # the op lives in the operations layer, which imports ddl
    "alembic.ddl.postgresql": {"CreateExcludeConstraintOp": "sterna.operations.ops"},
}

#: Modules a package-like alias must carry as attributes, as Alembic's ``__init__`` imports them.
_EAGER_CHILDREN = {"alembic": ("context", "op")}


def _renamed_children() -> dict[str, frozenset[str]]:
    """Alias package -> its listed children whose Sterna module is not the Sterna package's
    submodule of the same name (``alembic.runtime.plugins`` is ``sterna.autogenerate.plugins``).

    ``from alembic.runtime import plugins`` looks the child up by the package's own name
    (``sterna.runtime.plugins``), so those children are served by a module ``__getattr__``."""
    found: dict[str, set[str]] = {}
    for name, target in MODULES.items():
        parent, _, child = name.rpartition(".")
        parent_target = MODULES.get(parent)
        if parent_target is not None and target != f"{parent_target}.{child}":
            found.setdefault(parent, set()).add(child)
    return {parent: frozenset(children) for parent, children in found.items()}


_RENAMED_CHILDREN = _renamed_children()


def _is_alias_name(name: str) -> bool:
    return name == ALIAS or name.startswith(ALIAS + ".")


class _AliasLoader:
    """Loads one ``alembic.*`` name by putting the Sterna module in its ``sys.modules`` slot.

    The import system re-reads ``sys.modules[name]`` after ``exec_module``, so the name ends up
    bound to the existing Sterna module and the placeholder it created is dropped.
    """

    def __init__(self, target: str | None) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module: a placeholder, or the stand-in top package

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        if self.target is None:
            _fill_top_package(module)
            return
        try:
            real = importlib.import_module(self.target)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (self.target + ".").startswith(exc.name + "."):
                raise AliasNotProvided(name, f"{self.target} is not available") from exc
            raise
        _STATE.remember_parent_attribute(name)
        if name in _RENAMED_CHILDREN or name in _MOVED_NAMES:
            _STATE.install_child_lookup(name, real)
        sys.modules[name] = real


def _fill_top_package(module: ModuleType) -> None:
    import sterna

    module.__version__ = ALEMBIC_API_VERSION  # type: ignore[attr-defined]
    module.__sterna_version__ = sterna.__version__  # type: ignore[attr-defined]
    module.__doc__ = "Sterna standing in for Alembic (see sterna.compat)."
    for child in _EAGER_CHILDREN["alembic"]:
        setattr(module, child, importlib.import_module(f"{ALIAS}.{child}"))


class _AliasFinder:
    """The ``sys.meta_path`` entry answering every ``alembic.*`` name while the alias is on."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if not _is_alias_name(fullname):
            return None
        if fullname not in MODULES:
            raise AliasNotProvided(fullname, "Sterna provides no equivalent of this module")
        loader = cast("Loader", _AliasLoader(MODULES[fullname]))
        return importlib.machinery.ModuleSpec(fullname, loader, is_package=True)

    def invalidate_caches(self) -> None:
        """Nothing is cached (part of the finder protocol)."""


class _AliasState:
    """The process-wide alias: nesting depth and the real Alembic modules set aside."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.depth = 0
        self.saved: dict[str, ModuleType] = {}
        self.finder: _AliasFinder | None = None
        #: (Sterna parent module, child name) -> the attribute it had before the import system
        #: bound the aliased child on it (``_MISSING`` when it had none)
        self.parent_attributes: dict[tuple[ModuleType, str], object] = {}
        #: set by :func:`use_as_alembic`: one level of ``depth`` that is never left
        self.permanent = False

    def remember_parent_attribute(self, name: str) -> None:
        """Note what the Sterna module behind ``name``'s parent holds under the child's name,
        before the import system binds the aliased child there."""
        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name)
        if parent is None or not parent.__name__.startswith("sterna"):
            return
        self.parent_attributes.setdefault((parent, child), vars(parent).get(child, _MISSING))

    def install_child_lookup(self, alias_name: str, package: ModuleType) -> None:
        """Give the Sterna module behind ``alias_name`` a module ``__getattr__`` that serves
        its renamed alias children and its moved names (``_MOVED_NAMES``) while the alias is on
        (undone on leaving, like the child attributes); any ``__getattr__`` the module had
        answers every other name."""
        previous = vars(package).get("__getattr__", _MISSING)
        if getattr(previous, "_sterna_alias_lookup", False):
            return
        self.parent_attributes.setdefault((package, "__getattr__"), previous)
        vars(package)["__getattr__"] = _child_lookup(alias_name, package, previous)

    def enter(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.saved = _pop_alias_modules()
                self.finder = _AliasFinder()
                sys.meta_path.insert(0, self.finder)
            self.depth += 1

    def exit(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth > 0:
                return
            if self.finder in sys.meta_path:
                sys.meta_path.remove(self.finder)
            self.finder = None
            _pop_alias_modules()
            _restore_parent_attributes(self.parent_attributes)
            self.parent_attributes = {}
            sys.modules.update(self.saved)
            self.saved = {}


_STATE = _AliasState()


def _child_lookup(
    alias_name: str, package: ModuleType, previous: object
) -> Callable[[str], object]:
    children = _RENAMED_CHILDREN.get(alias_name, frozenset())
    moved = _MOVED_NAMES.get(alias_name, {})

    def lookup(attribute: str) -> object:
        if attribute in children and is_active():
            return importlib.import_module(f"{alias_name}.{attribute}")
        if attribute in moved and is_active():
            return getattr(importlib.import_module(moved[attribute]), attribute)
        if callable(previous):
            return previous(attribute)
        raise AttributeError(f"module {package.__name__!r} has no attribute {attribute!r}")

    lookup._sterna_alias_lookup = True  # type: ignore[attr-defined]
    return lookup


def _pop_alias_modules() -> dict[str, ModuleType]:
    names = [name for name in list(sys.modules) if _is_alias_name(name)]
    return {name: sys.modules.pop(name) for name in names}


def _restore_parent_attributes(saved: dict[tuple[ModuleType, str], object]) -> None:
    """Undo ``setattr(parent, child, module)`` done by the import system on Sterna modules for
    paths whose Sterna name differs (``alembic.script.write_hooks`` is ``sterna.hooks``): each
    attribute gets back what the module had (``compat_util.exc`` stays), or, where it had
    nothing, the real Sterna submodule of that name if one was imported meanwhile."""
    for (parent, child), previous in saved.items():
        if previous is not _MISSING:
            setattr(parent, child, previous)
            continue
        canonical = sys.modules.get(f"{parent.__name__}.{child}")
        if canonical is not None:
            setattr(parent, child, canonical)
        elif child in vars(parent):
            delattr(parent, child)


@contextmanager
def alembic_alias() -> Iterator[None]:
    """Make ``alembic`` and its public submodules resolve to Sterna for the ``with`` block."""
    _STATE.enter()
    try:
        yield
    finally:
        _STATE.exit()


def use_as_alembic() -> None:
    """The switch: from now on, in this process, ``import alembic`` is Sterna.

    For tools that import ``alembic`` themselves (Flask-Migrate, pytest-alembic, scripts that
    call ``alembic.command`` directly): call it before they are imported, e.g. at the top of the
    Flask app module.  It stays on until the process ends; a second call does nothing.  It raises
    :class:`~sterna.errors.RealAlembicAlreadyImported` when the real Alembic is already imported
    here, since whatever holds its objects would go on using them.  Other processes are never
    affected, so the real Alembic installed beside Sterna keeps working there.
    """
    with _STATE.lock:
        if _STATE.permanent:
            return
        where = _real_alembic_imported()
        if where is not None:
            raise RealAlembicAlreadyImported(where)
        _STATE.enter()
        _STATE.permanent = True


def _real_alembic_imported() -> str | None:
    """Where an ``alembic*`` module that is not the alias's comes from, if one is imported (in
    ``sys.modules`` or set aside by a running :func:`alembic_alias`)."""
    current = [(name, sys.modules[name]) for name in list(sys.modules) if _is_alias_name(name)]
    for name, module in sorted([*current, *_STATE.saved.items()], key=lambda item: item[0]):
        if module is None or module.__name__.startswith("sterna"):
            continue
        spec = getattr(module, "__spec__", None)
        if isinstance(getattr(spec, "loader", None), _AliasLoader):
            continue
        return f"{name} from {getattr(module, '__file__', None) or 'an unknown location'}"
    return None


def is_active() -> bool:
    """Whether the alias is on (inside :func:`alembic_alias`, or after :func:`use_as_alembic`)."""
    return _STATE.depth > 0
