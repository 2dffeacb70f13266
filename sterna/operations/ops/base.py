"""The root of the operation data model.

An operation is plain data: it names what should change (a table, a column, a constraint...) and
offers pure transforms -- ``reverse()`` for the downgrade and ``to_diff_tuple()`` for
autogenerate's diff format.  It never holds a connection and never renders itself: the
``Operations`` facade dispatches it to an implementation, the renderer to Python source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

#: The parts of an operation's contract (``docs/architecture.md``, operations): ``phase`` (the
#: class attributes below), ``reverse`` (the method), ``implementation``
#: (``Operations.implementation_for``), ``renderer`` (``autogenerate.renderers``), ``summary``
#: (``autogenerate.render_summary.summaries``), ``batch_change``
#: (``operations.batch_change.batch_change_for``).
CONTRACT_PARTS = ("phase", "reverse", "implementation", "renderer", "summary", "batch_change")
#: Where an operation without a declared phase sorts (inside a table's changes; at the top).
DEFAULT_TABLE_PHASE = 10
DEFAULT_TOP_PHASE = 1


class MigrateOperation:
    """Base class of every operation, built-in or defined by a project.

    A project's own operation subclasses this, registers a facade method with
    ``Operations.register_operation`` and an implementation with
    ``Operations.implementation_for``.

    The ordering phase is declared here: autogenerate sorts one table's operations by
    :meth:`phase_in_table` (drops of foreign keys 0, of other constraints and indexes 1, added
    columns 3, altered 4, dropped 5, primary key 6, indexes/uniques/checks 7, foreign keys 8,
    table comments 9, anything else 10) and the top-level operations by :meth:`phase_at_top`
    (0 before the tables, 1 with them, 2 after).  ``contract_omits`` names the parts of
    :data:`CONTRACT_PARTS` a class deliberately does without (``"reverse"`` for an operation
    that cannot be undone, ``"implementation"`` for a container, ``"batch_change"`` for an
    operation that a batch block runs as it is).
    """

    table_phase: ClassVar[int | None] = None
    top_phase: ClassVar[int | None] = None
    #: what the operation changes, in the plain words a dialect's in-place rules read
    #: (``ImplHooks.batch_rebuild_reason``; the ddl layer never imports the operation classes):
    #: ``"add_column"``, ``"alter_column"``, ``"create_index"``, ``"drop_index"``,
    #: ``"table_comment"``; None for anything else
    change_kind: ClassVar[str | None] = None
    contract_omits: ClassVar[frozenset[str]] = frozenset()

    def phase_in_table(self) -> int:
        """Where this operation sorts among one table's changes (stable within a phase)."""
        return DEFAULT_TABLE_PHASE if self.table_phase is None else self.table_phase

    def phase_at_top(self) -> int:
        """Where this operation sorts among an upgrade's top-level operations."""
        return DEFAULT_TOP_PHASE if self.top_phase is None else self.top_phase

    @cached_property
    def info(self) -> dict[Any, Any]:
        """A dictionary for user code to attach data to the operation (created on first use)."""
        return {}

    def reverse(self) -> MigrateOperation:
        """The operation that undoes this one."""
        from sterna.errors_operations import IrreversibleOperation

        raise IrreversibleOperation(type(self).__name__, "no reverse operation is defined")

    def to_diff_tuple(self) -> Any:
        """This operation in autogenerate's diff format."""
        raise NotImplementedError(f"{type(self).__name__} has no diff tuple form")


@dataclass(eq=False, init=False)
class AlterTableOp(MigrateOperation):
    """Base of operations that change one existing table."""

    table_name: str
    schema: str | None

    def __init__(self, table_name: str, *, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


def as_names(columns: str | Iterable[str]) -> list[str]:
    """A list of column names; a single name given as a plain string is one name, not letters."""
    if isinstance(columns, str):
        return [columns]
    return list(columns)
