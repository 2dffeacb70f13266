"""Everything Sterna knows about one dialect, in one class per dialect (issue 13).

``profile_for(dialect_or_name)`` is the one lookup: a :class:`DialectProfile` subclass per
dialect (SQLite, PostgreSQL, MySQL, MariaDB), the generic profile for any other dialect.
A package registers its own dialect by defining a subclass with a ``name``.  This layer sits
just above ``util``: it imports SQLAlchemy and the standard library, nothing of Sterna above it.
"""

from __future__ import annotations

from sterna.dialects.profile import DialectProfile, named_by, profile_for

__all__ = ["DialectProfile", "named_by", "profile_for"]
