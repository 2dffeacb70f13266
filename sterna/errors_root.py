"""The root of Sterna's exception tree: :class:`CommandError`, which every layer may import.

Every error a user can cause derives from it; the CLI prints ``FAILED: <message>`` and exits
non-zero.  Each layer keeps its own subclasses in ``sterna/errors_<layer>.py``; the whole tree,
drawn, is :mod:`sterna.errors` (which re-exports every class).  No SQLAlchemy.
"""

from __future__ import annotations

__all__ = [
    "CommandError",
]


class CommandError(Exception):
    """Root of all user-facing errors (``alembic.util.exc.CommandError``)."""

    #: what the database is left in, in words, when the layer that knows added it (a failed
    #: step's once its transaction has ended; a script the pre-flight refused)
    state: str | None = None

    def add_state(self, state: str) -> None:
        """Append what the database is left in to the message; the first one given stands."""
        if self.state is None:
            self.state = state
            self.args = (f"{self.args[0]}; {state}" if self.args else state,)
