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
from typing import Any


class MigrateOperation:
    """Base class of every operation, built-in or defined by a project.

    A project's own operation subclasses this, registers a facade method with
    ``Operations.register_operation`` and an implementation with
    ``Operations.implementation_for``.
    """

    @cached_property
    def info(self) -> dict[Any, Any]:
        """A dictionary for user code to attach data to the operation (created on first use)."""
        return {}

    def reverse(self) -> MigrateOperation:
        """The operation that undoes this one."""
        from sterna.errors import IrreversibleOperation

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
