"""Importing this module is :func:`sterna.compat.use_as_alembic`: ``import alembic`` is Sterna
for the rest of the process.

It exists for tools that import ``alembic`` before any code of the project runs, where a call
cannot be placed early enough.  pytest loads pytest-alembic (which imports ``alembic``) before
any ``conftest.py``, but loads ``-p`` plugins before both, so a project tested with
pytest-alembic adds ``-p sterna.as_alembic`` to its pytest options (``addopts`` in its pytest
configuration, or ``PYTEST_ADDOPTS``).  Nothing else imports this module.
"""

from __future__ import annotations

from sterna.compat import use_as_alembic

use_as_alembic()
