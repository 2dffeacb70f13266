"""The objects behind the module proxies ``sterna.op`` and ``sterna.context``.

A migration run *installs* an object (the ``Operations`` facade, the ``EnvironmentContext``) in a
:class:`ProxySlot`; the proxy modules forward attribute access to whatever is installed.  Slots are
stacks, so a run started from inside another one (a tool calling a command from a migration)
restores the outer object when it ends.  :class:`ProxySlot` and ``op``'s slot
:data:`OPERATIONS` live in :mod:`sterna.util.proxy_slot` (``Operations.context`` installs into
it too); this module adds ``context``'s slot.  It never imports SQLAlchemy.
"""

from __future__ import annotations

from functools import cache

from sterna.util.proxy_slot import OPERATIONS, ProxySlot

__all__ = ["ENVIRONMENT", "OPERATIONS", "ProxySlot"]


@cache
def _environment_methods() -> frozenset[str]:
    """The public methods of ``EnvironmentContext`` (what Alembic's ``context`` module offers
    as functions even outside a run); imported only when asked, it imports SQLAlchemy."""
    from sterna.runtime.environment import EnvironmentContext

    return frozenset(
        name
        for name in dir(EnvironmentContext)
        if not name.startswith("_")
        and callable(getattr(EnvironmentContext, name))
        and not isinstance(getattr(EnvironmentContext, name), type)
    )


ENVIRONMENT = ProxySlot(
    "context",
    "while a command runs env.py (no EnvironmentContext is installed)",
    methods=_environment_methods,
)
