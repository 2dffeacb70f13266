"""The exceptions of the commands (``sterna/command.py``, ``sterna/commands/``).  No SQLAlchemy."""

from __future__ import annotations

from sterna.errors_config import ConfigError
from sterna.errors_root import CommandError

__all__ = [
    "HistoryValidationError",
    "TemplateError",
]


class TemplateError(ConfigError):
    """An init template is unknown, or the target folder cannot be used."""


class HistoryValidationError(CommandError):
    """An applied script differs from the checksum the history table recorded, is gone, or
    failed part way (``validate``; ``upgrade``/``downgrade`` before their first statement)."""
