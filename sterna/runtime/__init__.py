"""The runtime: what env.py and migration scripts talk to while a command runs.

* :mod:`sterna.runtime.environment` -- ``EnvironmentContext`` (env.py's ``context``)
* :mod:`sterna.runtime.migration` -- ``MigrationContext``: connection, step loop, transactions
* :mod:`sterna.runtime.versions` -- the ``alembic_version`` table
* :mod:`sterna.runtime.proxy` -- the objects behind the ``sterna.op`` / ``sterna.context`` modules

Importing this package is cheap and does not import SQLAlchemy; the submodules that need it are
imported by the commands that use a database.
"""

from __future__ import annotations
