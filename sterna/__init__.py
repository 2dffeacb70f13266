"""Sterna: schema migrations for SQLAlchemy, a drop-in for Alembic.

Importing the package is cheap: it never imports SQLAlchemy.  ``from sterna import op, context``
works because Python falls back to importing the submodules ``sterna.op`` and ``sterna.context``.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Set by the console script (:func:`sterna.cli.console_main`), which owns its process and
#: leaves it with ``os._exit``: a list of objects kept until then, never freed object by object
#: (freeing a revision graph of 5,000 scripts when a command returns is a third of a ``heads``
#: run).  While it is set, the process also collects no cyclic garbage until env.py runs
#: (:meth:`sterna.script.ScriptDirectory.run_env`).  ``None`` when Sterna is used as a
#: library: nothing is kept and garbage collection is left alone.
_kept_until_exit: list[object] | None = None
