"""Dialect implementations: turning operations into DDL, online or as offline SQL text.

The built-in dialects (SQLite, PostgreSQL, MySQL/MariaDB) register themselves when
`DefaultImpl.get_by_dialect` first runs (it imports `sterna.ddl.dialects`).
"""

from __future__ import annotations

from sterna.ddl.impl import DefaultImpl

__all__ = ["DefaultImpl"]
