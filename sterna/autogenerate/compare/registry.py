"""The comparator registry (``alembic.autogenerate.comparators``).

A comparison function is registered for a *target* and runs, in priority order, whenever the
comparison reaches that target:

* ``"schema"``: ``fn(autogen_context, upgrade_ops, schemas)`` once per run;
* ``"table"``: ``fn(autogen_context, modify_table_ops, schema, table_name, conn_table,
  metadata_table)`` once per table (``conn_table`` or ``metadata_table`` is None for a table
  that is only in the models or only in the database);
* ``"column"``: ``fn(autogen_context, alter_column_op, schema, table_name, column_name,
  conn_column, metadata_column)`` once per column present on both sides.

A project adds its own with ``@comparators.dispatch_for("table")`` exactly as with Alembic; its
functions receive SQLAlchemy ``Table``/``Column`` objects for the database side, built from the
snapshot only when such a function exists.  Sterna's built-in comparators are registered as
*native*: they read the snapshot records directly.  ``qualifier`` restricts a function to one
dialect; returning :attr:`DispatchResult.STOP` skips the remaining functions of the same
``subgroup``.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


class DispatchPriority(enum.IntEnum):
    """Which of three batches a function runs in (first to last)."""

    FIRST = 50
    MEDIUM = 25
    LAST = 10


class DispatchResult(enum.Enum):
    """What a comparison function may return: STOP skips the rest of its subgroup."""

    CONTINUE = enum.auto()
    STOP = enum.auto()


#: Alembic's name for :class:`DispatchResult`.
PriorityDispatchResult = DispatchResult


@dataclass(frozen=True)
class _Entry:
    fn: Callable[..., Any]
    subgroup: str | None
    native: bool


class Comparators:
    """Registered comparison functions by (target, qualifier, priority)."""

    def __init__(self) -> None:
        self._registry: dict[tuple[str, str, int], list[_Entry]] = defaultdict(list)
        self._resolved: dict[tuple[str, str], list[_Entry]] = {}

    def dispatch_for(
        self,
        target: str,
        *,
        priority: DispatchPriority = DispatchPriority.MEDIUM,
        qualifier: str = "default",
        subgroup: str | None = None,
    ) -> Callable[[_F], _F]:
        """Decorator registering a project's comparison function for ``target``."""
        return self._decorator(target, priority, qualifier, subgroup, native=False)

    def dispatch_native(
        self,
        target: str,
        *,
        priority: DispatchPriority = DispatchPriority.MEDIUM,
        qualifier: str = "default",
        subgroup: str | None = None,
    ) -> Callable[[_F], _F]:
        """Decorator registering a function that takes snapshot records for the database side
        (``TableInfo``/``ColumnInfo``) instead of SQLAlchemy objects."""
        return self._decorator(target, priority, qualifier, subgroup, native=True)

    def _decorator(
        self, target: str, priority: DispatchPriority, qualifier: str, subgroup: str | None,
        native: bool,
    ) -> Callable[[_F], _F]:
        def register(fn: _F) -> _F:
            self._registry[(target, qualifier, int(priority))].append(
                _Entry(fn, subgroup, native)
            )
            self._resolved.clear()
            return fn

        return register

    def _entries(self, target: str, qualifier: str) -> list[_Entry]:
        cached = self._resolved.get((target, qualifier))
        if cached is not None:
            return cached
        qualifiers = [qualifier, "default"] if qualifier != "default" else ["default"]
        found: list[_Entry] = []
        for priority in DispatchPriority:
            for name in qualifiers:
                found.extend(self._registry.get((target, name, int(priority)), ()))
        self._resolved[(target, qualifier)] = found
        return found

    def has_foreign(self, target: str, qualifier: str = "default") -> bool:
        """Whether a project function (not native) is registered for ``target``."""
        return any(not e.native for e in self._entries(target, qualifier))

    def run(
        self,
        target: str,
        qualifier: str,
        native_args: tuple[Any, ...],
        foreign_args: Callable[[], tuple[Any, ...]] | None = None,
    ) -> None:
        """Call every function for ``target``: native ones with ``native_args``, project ones
        with ``foreign_args()`` (computed once, on first need; defaults to ``native_args``)."""
        stopped: set[str | None] = set()
        converted: tuple[Any, ...] | None = None
        for entry in self._entries(target, qualifier):
            if entry.subgroup in stopped:
                continue
            if entry.native or foreign_args is None:
                args = native_args
            else:
                if converted is None:
                    converted = foreign_args()
                args = converted
            if entry.fn(*args) is DispatchResult.STOP:
                stopped.add(entry.subgroup)

    def dispatch(self, target: str, *, qualifier: str = "default") -> Callable[..., None]:
        """A callable running every function for ``target`` with the arguments it is given."""

        def run_all(*args: Any) -> None:
            self.run(target, qualifier, args)

        return run_all

    def branch(self) -> Comparators:
        """An independent copy of this registry."""
        copy = Comparators()
        copy.populate_with(self)
        return copy

    def populate_with(self, other: Comparators) -> None:
        """Add every function of ``other`` to this registry."""
        for key, entries in other._registry.items():
            self._registry[key].extend(entries)
        self._resolved.clear()


#: The registry autogenerate uses; projects extend it with ``dispatch_for``.
comparators = Comparators()
