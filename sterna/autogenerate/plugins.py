"""Plugins (``alembic.runtime.plugins`` under the alias): named sets of autogenerate comparators.

A :class:`Plugin` is a name and its own comparator registry.  An extension creates one in its
``setup(plugin)`` function -- called for every module published under the ``alembic.plugins``
entry point, or by :meth:`Plugin.setup_plugin_from_module` -- and adds comparison functions with
:meth:`Plugin.add_autogenerate_comparator`; ``setup`` may register anything else too
(``Operations.register_operation``...).  A plugin's comparators run only in environments that
select it: ``context.configure(autogenerate_plugins=[...])`` lists plugin names, ``*`` standing
for one or more dotted parts (``"acme.*"``) and a leading ``~`` excluding what it matches;
the default is ``["alembic.autogenerate.*"]``.  An expression that matches no plugin is an error.

Sterna's own comparison answers to Alembic's names for its built-in plugins
(``alembic.autogenerate.tables``...), so existing lists resolve, but it always runs: an
expression that would exclude part of it is an error rather than silently ignored.  Alembic's
opt-in ``alembic.ext.checkconstraint_byname`` (once ``alembic.autogenerate.checkconstraint_byname``)
is a mode of Sterna's CHECK comparison (:func:`check_constraint_mode`): selecting it compares
CHECK constraints by name only, as Alembic's plugin does; excluding it with ``~`` turns CHECK
comparison off; otherwise Sterna compares them its own way (by name, else by expression, see
``compare/constraints.py``).  Functions
registered directly on ``alembic.autogenerate.comparators`` run in every environment, as in
Alembic.  Entry points are read once, the first time plugins are selected or this module is
imported while the alias is on (so that their ``import alembic...`` lines reach Sterna).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from types import ModuleType
from typing import Any, Literal

from sterna import compat
from sterna.errors_autogenerate import PluginError
from sterna.util.dispatch import DispatchPriority, PriorityDispatcher
from sterna.util.messaging import warn_deprecated

__all__ = [
    "BUILT_IN",
    "CHECKS_BY_NAME",
    "DEFAULT_SELECTION",
    "ENTRY_POINT_GROUP",
    "Plugin",
    "check_constraint_mode",
    "load_entry_points",
]

log = logging.getLogger("alembic.runtime.plugins")

ENTRY_POINT_GROUP = "alembic.plugins"

#: Alembic's names for its built-in comparison; Sterna's built-in comparison stands for them.
BUILT_IN = (
    "alembic.autogenerate.schemas",
    "alembic.autogenerate.tables",
    "alembic.autogenerate.types",
    "alembic.autogenerate.constraints",
    "alembic.autogenerate.defaults",
    "alembic.autogenerate.comments",
)

#: Alembic's opt-in plugin comparing CHECK constraints by name: a mode of Sterna's own comparison.
CHECKS_BY_NAME = "alembic.ext.checkconstraint_byname"

#: Names an environment may select or exclude that no ``alembic.autogenerate.*`` matches.
OPT_IN = (CHECKS_BY_NAME,)

#: How CHECK constraints are compared: Sterna's own way, by name only, or not at all.
CheckMode = Literal["full", "by_name", "off"]

#: What an environment selects when ``autogenerate_plugins`` is not given.
DEFAULT_SELECTION = ("alembic.autogenerate.*",)

#: Names Alembic renamed; an environment written for the old name gets the new one.
_RENAMED = {"alembic.autogenerate.checkconstraint_byname": "alembic.ext.checkconstraint_byname"}

_PLUGINS: dict[str, Plugin] = {}
_loaded_entry_points = False


class Plugin:
    """A named plugin: its registry of autogenerate comparators, selected per environment."""

    def __init__(self, name: str) -> None:
        if name in _PLUGINS:
            raise PluginError(f"a plugin named {name!r} is already registered")
        log.info("setup plugin %s", name)
        self.name = name
        self.autogenerate_comparators = PriorityDispatcher()
        _PLUGINS[name] = self

    def remove(self) -> None:
        """Unregister this plugin (environments no longer find it)."""
        _PLUGINS.pop(self.name, None)

    def add_autogenerate_comparator(
        self,
        fn: Callable[..., Any],
        compare_target: str,
        compare_element: str | None = None,
        *,
        qualifier: str = "default",
        priority: DispatchPriority = DispatchPriority.MEDIUM,
    ) -> None:
        """Register ``fn`` for ``compare_target`` (``"schema"``, ``"table"``, ``"column"``);
        ``compare_element`` is the subgroup a ``STOP`` result ends, ``qualifier`` a dialect
        name or ``"default"``; functions run FIRST to LAST priority."""
        self.autogenerate_comparators.dispatch_for(
            compare_target, priority=priority, qualifier=qualifier, subgroup=compare_element
        )(fn)

    @classmethod
    def populate_autogenerate_priority_dispatch(
        cls, comparators: PriorityDispatcher, include_plugins: Sequence[str]
    ) -> None:
        """Add to ``comparators`` the comparators of every plugin ``include_plugins`` selects."""
        load_entry_points()
        for plugin in select(include_plugins):
            log.info("setting up autogenerate plugin %s", plugin.name)
            comparators.populate_with(plugin.autogenerate_comparators)

    @classmethod
    def setup_plugin_from_module(cls, module: ModuleType, name: str) -> None:
        """Create the plugin ``name`` and pass it to ``module.setup()``."""
        module.setup(cls(name))


def pattern(expression: str) -> re.Pattern[str]:
    """The regular expression for one plugin expression (``*`` is one or more dotted parts)."""
    parts = []
    for token in expression.split("."):
        if token == "*":
            parts.append(r"[^\s]+?")
        elif token.isidentifier():
            parts.append(re.escape(token))
        else:
            raise PluginError(f"autogenerate_plugins: invalid plugin expression {expression!r}")
    return re.compile(r"\.".join(parts) + r"\Z")


def _parse(
    expressions: Iterable[str],
) -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]]]:
    """The include and exclude patterns of ``expressions``, by expression as written (a
    renamed plugin's old name stands for its new one)."""
    include: dict[str, re.Pattern[str]] = {}
    exclude: dict[str, re.Pattern[str]] = {}
    for expression in expressions:
        target = exclude if expression.startswith("~") else include
        written = expression.removeprefix("~")
        target[expression] = pattern(_RENAMED.get(written, written))
    return include, exclude


def select(expressions: Iterable[str]) -> list[Plugin]:
    """The registered plugins the expressions include and do not exclude, in registration
    order; an expression matching nothing, or excluding a built-in name, is a PluginError."""
    include, exclude = _parse(expressions)
    for expression, regex in exclude.items():
        hit = [name for name in BUILT_IN if regex.match(name)]
        if hit:
            raise PluginError(
                f"autogenerate_plugins: {expression!r} would exclude {', '.join(hit)}; Sterna's "
                "built-in comparison always runs"
            )
    matched: set[str] = set()
    chosen: list[Plugin] = []
    names = dict.fromkeys([*BUILT_IN, *OPT_IN, *_PLUGINS])
    for name in names:
        hits = {e for e, regex in include.items() if regex.match(name)}
        matched |= hits
        if hits and name in _PLUGINS and not any(r.match(name) for r in exclude.values()):
            chosen.append(_PLUGINS[name])
    missing = [e for e in include if e not in matched]
    if missing:
        raise PluginError(f"autogenerate_plugins: no plugin found for {', '.join(missing)}")
    return chosen


def check_constraint_mode(expressions: Iterable[str]) -> CheckMode:
    """``"by_name"`` when the expressions select :data:`CHECKS_BY_NAME`, ``"off"`` when one
    excludes it, else ``"full"`` (Sterna's comparison by name, else by expression)."""
    include, exclude = _parse(expressions)
    if any(regex.match(CHECKS_BY_NAME) for regex in exclude.values()):
        return "off"
    if any(regex.match(CHECKS_BY_NAME) for regex in include.values()):
        return "by_name"
    return "full"


def load_entry_points() -> None:
    """Set up every plugin published under the ``alembic.plugins`` entry point (once)."""
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry_point.load()
        if isinstance(loaded, ModuleType):
            Plugin.setup_plugin_from_module(loaded, entry_point.name)
            continue
        warn_deprecated(
            f"plugin entry point {entry_point.name!r} names a collection of modules; it should "
            "name one module with a setup() function"
        )
        for module in loaded:
            Plugin.setup_plugin_from_module(module, entry_point.name)


if compat.is_active():
    load_entry_points()
