"""Priority dispatch: lists of functions registered per target, run in priority order.

``alembic.util.PriorityDispatcher`` (and ``DispatchPriority``, ``PriorityDispatchResult``) under
the alias.  A function is registered for a *target* (a string), a *qualifier* (a dialect name, or
``"default"`` for every dialect), a :class:`DispatchPriority` and an optional *subgroup*; calling
what :meth:`PriorityDispatcher.dispatch` returns runs every function of the target, the FIRST
batch before the MEDIUM before the LAST, within a batch the dialect's own before the default
ones, each in registration order.  A function returning :attr:`DispatchResult.STOP` skips the
functions after it in the same subgroup.  The autogenerate comparator registry
(:mod:`sterna.autogenerate.compare.registry`) is one of these.  Stdlib only.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["DispatchPriority", "DispatchResult", "PriorityDispatchResult", "PriorityDispatcher"]

_F = TypeVar("_F", bound=Callable[..., Any])


class DispatchPriority(enum.IntEnum):
    """Which of three batches a function runs in (first to last)."""

    FIRST = 50
    MEDIUM = 25
    LAST = 10


class DispatchResult(enum.Enum):
    """What a dispatched function may return: STOP skips the rest of its subgroup (any other
    return value continues)."""

    CONTINUE = enum.auto()
    STOP = enum.auto()


#: Alembic's name for :class:`DispatchResult`.
PriorityDispatchResult = DispatchResult


@dataclass(frozen=True)
class Entry:
    """One registered function; ``native`` marks Sterna's own comparators (see the registry)."""

    fn: Callable[..., Any]
    subgroup: str | None
    native: bool


class PriorityDispatcher:
    """Registered functions by (target, qualifier, priority)."""

    def __init__(self) -> None:
        self._registry: dict[tuple[str, str, int], list[Entry]] = defaultdict(list)
        self._resolved: dict[tuple[str, str], list[Entry]] = {}

    def dispatch_for(
        self,
        target: str,
        *,
        priority: DispatchPriority = DispatchPriority.MEDIUM,
        qualifier: str = "default",
        subgroup: str | None = None,
    ) -> Callable[[_F], _F]:
        """Decorator registering ``fn`` for ``target``."""
        return self._decorator(target, priority, qualifier, subgroup, native=False)

    def _decorator(
        self,
        target: str,
        priority: DispatchPriority,
        qualifier: str,
        subgroup: str | None,
        native: bool,
    ) -> Callable[[_F], _F]:
        def register(fn: _F) -> _F:
            self._registry[(target, qualifier, int(priority))].append(Entry(fn, subgroup, native))
            self._resolved.clear()
            return fn

        return register

    def entries(self, target: str, qualifier: str) -> list[Entry]:
        """The functions for ``target`` in the order they run."""
        cached = self._resolved.get((target, qualifier))
        if cached is not None:
            return cached
        qualifiers = [qualifier, "default"] if qualifier != "default" else ["default"]
        found: list[Entry] = []
        for priority in DispatchPriority:
            for name in qualifiers:
                found.extend(self._registry.get((target, name, int(priority)), ()))
        self._resolved[(target, qualifier)] = found
        return found

    def dispatch(self, target: str, *, qualifier: str = "default") -> Callable[..., None]:
        """A callable running every function for ``target`` with the arguments it is given."""

        def run_all(*args: Any, **kw: Any) -> None:
            run_entries(self.entries(target, qualifier), lambda entry: entry.fn(*args, **kw))

        return run_all

    def branch(self) -> PriorityDispatcher:
        """An independent copy of this dispatcher (of the same class)."""
        copy = type(self)()
        copy.populate_with(self)
        return copy

    def populate_with(self, other: PriorityDispatcher) -> None:
        """Add every function of ``other`` to this dispatcher (after its own)."""
        for key, entries in other._registry.items():
            self._registry[key].extend(entries)
        self._resolved.clear()


def run_entries(entries: Iterable[Entry], call: Callable[[Entry], Any]) -> None:
    """``call`` each entry in turn, skipping the rest of a subgroup once one returned STOP."""
    stopped: set[str | None] = set()
    for entry in entries:
        if entry.subgroup in stopped:
            continue
        if call(entry) is DispatchResult.STOP:
            stopped.add(entry.subgroup)
