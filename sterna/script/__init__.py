"""The script directory: migration scripts, their revision graph, and writing new ones.

``from sterna.script import ScriptDirectory, Script`` (``alembic.script``).  Importing this package
imports neither SQLAlchemy nor Mako.
"""

from __future__ import annotations

from sterna.script.base import Script
from sterna.script.directory import ScriptDirectory

__all__ = ["Script", "ScriptDirectory"]
