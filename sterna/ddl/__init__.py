"""Dialect implementations: turning operations into DDL, online or as offline SQL text.

Importing this package registers the built-in dialects (SQLite, PostgreSQL, MySQL/MariaDB).
"""

from __future__ import annotations

from sterna.ddl.impl import DefaultImpl

__all__ = ["DefaultImpl"]
