"""The exceptions of autogenerate (``sterna/autogenerate/``): comparison set-up, duplicate table
keys, plugins, rendering.  No SQLAlchemy.
"""

from __future__ import annotations

from sterna.errors_root import CommandError

__all__ = [
    "AutogenerateError",
    "AutogenerateSetupError",
    "DuplicateTableKeys",
    "PluginError",
    "RenderError",
]


class AutogenerateError(CommandError):
    """The models cannot be compared with the database as configured (no target metadata, an
    offline context, duplicate table keys across MetaData objects)."""


class DuplicateTableKeys(AutogenerateError, ValueError):
    """Several MetaData objects given as the models define tables with the same key; names each
    (a ``ValueError`` too, as Alembic raises)."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tuple(dict.fromkeys(tables))
        listed = ", ".join(repr(name) for name in self.tables)
        super().__init__(f"Duplicate table keys across multiple MetaData objects: {listed}")


class PluginError(AutogenerateError, ValueError):
    """A plugin (``alembic.runtime.plugins.Plugin``) named twice, or an ``autogenerate_plugins``
    expression that is malformed, matches no plugin, or would exclude Sterna's built-in
    comparison (a ``ValueError`` too, as Alembic raises for the first two)."""


class RenderError(CommandError):
    """An operation that cannot be written as Python source (no renderer is registered)."""


class AutogenerateSetupError(CommandError):
    """``revision --autogenerate`` / ``check`` cannot run as configured (no target_metadata in
    env.py, --sql given, the database not at the head revisions)."""
