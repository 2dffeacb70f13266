"""Dialect implementations: turning operations into DDL, online or as offline SQL text.

Each built-in dialect module (SQLite, PostgreSQL, MySQL/MariaDB) registers its implementation
when `DefaultImpl.get_by_dialect` first meets that dialect (it imports that module only);
`sterna.ddl.dialects` imports all of them.
"""

from __future__ import annotations

from sterna.ddl.impl import DefaultImpl

__all__ = ["DefaultImpl"]
