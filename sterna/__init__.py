"""Sterna: schema migrations for SQLAlchemy, a drop-in for Alembic.

Importing the package is cheap: it never imports SQLAlchemy.  ``from sterna import op, context``
works because Python falls back to importing the submodules ``sterna.op`` and ``sterna.context``.
"""

from __future__ import annotations

__version__ = "0.1.0"
