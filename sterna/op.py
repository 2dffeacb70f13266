"""``from sterna import op``: migration scripts' view of the running ``Operations`` facade.

``op.create_table(...)`` and every other directive are forwarded to the ``Operations`` object the
runtime installs while a step runs.  Methods are looked up when *called*, so a script may also do
``from sterna.op import create_table`` at import time; calling such a function outside a run
raises :class:`sterna.errors.ProxyNotActive`.  SQLAlchemy is not imported by this module.
"""

from __future__ import annotations

from typing import Any

from sterna.runtime.proxy import OPERATIONS as _SLOT


def __getattr__(name: str) -> Any:
    if name == "Operations":  # the facade's class, reachable from ``op`` as in Alembic
        from sterna.operations.base import Operations

        return Operations
    return _SLOT.lookup(name, lazy_methods=True, publish=globals())


def __dir__() -> list[str]:
    return _SLOT.names()
