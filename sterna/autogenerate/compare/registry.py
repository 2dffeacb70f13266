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

from collections.abc import Callable
from typing import Any, TypeVar

from sterna.util.dispatch import (
    DispatchPriority,
    DispatchResult,
    Entry,
    PriorityDispatcher,
    PriorityDispatchResult,
    run_entries,
)

__all__ = [
    "Comparators",
    "DispatchPriority",
    "DispatchResult",
    "PriorityDispatchResult",
    "comparators",
]

_F = TypeVar("_F", bound=Callable[..., Any])


class Comparators(PriorityDispatcher):
    """Registered comparison functions by (target, qualifier, priority): a
    :class:`~sterna.util.dispatch.PriorityDispatcher` that also holds Sterna's native ones."""

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

    def has_foreign(self, target: str, qualifier: str = "default") -> bool:
        """Whether a project function (not native) is registered for ``target``."""
        return any(not e.native for e in self.entries(target, qualifier))

    def run(
        self,
        target: str,
        qualifier: str,
        native_args: tuple[Any, ...],
        foreign_args: Callable[[], tuple[Any, ...]] | None = None,
    ) -> None:
        """Call every function for ``target``: native ones with ``native_args``, project ones
        with ``foreign_args()`` (computed once, on first need; defaults to ``native_args``)."""
        converted: list[tuple[Any, ...]] = []

        def call(entry: Entry) -> Any:
            if entry.native or foreign_args is None:
                return entry.fn(*native_args)
            if not converted:
                converted.append(foreign_args())
            return entry.fn(*converted[0])

        run_entries(self.entries(target, qualifier), call)

    def branch(self) -> Comparators:
        """An independent copy of this registry."""
        copy = Comparators()
        copy.populate_with(self)
        return copy


#: The registry autogenerate uses; projects extend it with ``dispatch_for``.
comparators = Comparators()
