"""Counting the statements a dialect executes, for the history of steps that commit as a whole.

The dialect's three execution methods (``do_execute``, ``do_executemany``,
``do_execute_no_params``) are wrapped on the dialect *instance* for the run (SQLAlchemy calls
them for every statement it sends), and put back when the run ends.  A statement is passed on
to ``note`` once the driver has executed it: one that fails is never noted.  This costs one
function call per statement; SQLAlchemy's ``do_execute`` events cost several times as much
(their dispatch runs for every statement, about 1% of a long SQLite run), and need a
``handle_error`` listener to take a failed statement back, which switches the engine's whole
event path on.

``watch``, when set, is given each statement before the driver executes it: the run's deferred
version-table change (:mod:`sterna.runtime.version_writes`) is written first when a statement
names the version table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: a statement the driver executed: (statement, parameters or None, execution context or None)
Note = Callable[[str, Any, Any], None]
#: a statement about to be executed
Watch = Callable[[str], None]


class CountedDialect:
    """The wrapping of one dialect's execution methods, undone by :meth:`restore`."""

    def __init__(self, dialect: Any, note: Note) -> None:
        self.dialect = dialect
        #: given each statement before it is executed, while set
        self.watch: Watch | None = None
        self._saved: list[tuple[str, Any]] = []  # (name, the instance's own attribute or None)
        own = vars(dialect)
        for name, wrap in (
            ("do_execute", _with_parameters),
            ("do_executemany", _with_parameters),
            ("do_execute_no_params", _without_parameters),
        ):
            self._saved.append((name, own.get(name)))
            setattr(dialect, name, wrap(getattr(dialect, name), note, self))

    def restore(self) -> None:
        for name, previous in self._saved:
            if previous is None:
                delattr(self.dialect, name)
            else:
                setattr(self.dialect, name, previous)
        self._saved = []


def _with_parameters(
    original: Callable[..., Any], note: Note, counted: CountedDialect
) -> Callable[..., Any]:
    def execute(cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        watch = counted.watch
        if watch is not None:
            watch(statement)
        original(cursor, statement, parameters, context)
        note(statement, parameters, context)

    return execute


def _without_parameters(
    original: Callable[..., Any], note: Note, counted: CountedDialect
) -> Callable[..., Any]:
    def execute(cursor: Any, statement: str, context: Any = None) -> None:
        watch = counted.watch
        if watch is not None:
            watch(statement)
        original(cursor, statement, context)
        note(statement, None, context)

    return execute
