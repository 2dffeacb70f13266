"""The exceptions of the config layer (``sterna/config.py``, ``config_files.py``): a missing or
malformed configuration file or option.  No SQLAlchemy.
"""

from __future__ import annotations

from sterna.errors_root import CommandError

__all__ = [
    "ConfigError",
]


class ConfigError(CommandError):
    """A configuration file or option is missing or malformed."""
