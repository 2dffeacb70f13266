"""``from sterna import context``: env.py's view of the running :class:`EnvironmentContext`.

Every attribute is forwarded to the ``EnvironmentContext`` installed by the command that runs
env.py (``context.configure(...)``, ``context.config``, ``context.is_offline_mode()``...).  Used
outside such a run, access raises :class:`sterna.errors.ProxyNotActive`.  SQLAlchemy is not
imported by this module.
"""

from __future__ import annotations

from typing import Any

from sterna.runtime.proxy import ENVIRONMENT as _SLOT


def __getattr__(name: str) -> Any:
    return _SLOT.lookup(name, lazy_methods=False)


def __dir__() -> list[str]:
    return _SLOT.names()
