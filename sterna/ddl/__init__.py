"""Dialect implementations: turning operations into DDL, online or as offline SQL text.

Each dialect's implementation class is named by its profile (`sterna.dialects`); its module
(SQLite, PostgreSQL, MySQL/MariaDB for the built-in ones) is imported when
`DefaultImpl.get_by_dialect` first meets that dialect.
"""

from __future__ import annotations

from sterna.ddl.impl import DefaultImpl

__all__ = ["DefaultImpl"]
