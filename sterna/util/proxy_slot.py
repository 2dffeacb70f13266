"""The slot behind a proxy module (``sterna.op``, ``sterna.context``), and ``op``'s slot.

A migration run *installs* an object (the ``Operations`` facade, the ``EnvironmentContext``) in a
:class:`ProxySlot`; the proxy module forwards attribute access to whatever is installed.  Slots are
stacks, so a run started from inside another one (a tool calling a command from a migration)
restores the outer object when it ends.  :data:`OPERATIONS` lives here, below ``operations`` and
``runtime``, so that ``Operations.context`` installs into it and the runtime does too (the
runtime's :mod:`sterna.runtime.proxy` re-exports it).  This module never imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sterna.errors_util import ProxyAttributeNotActive, ProxyNotActive


class ProxySlot:
    """A stack of installed objects, the top one being what the proxy module forwards to."""

    def __init__(
        self,
        module_name: str,
        when: str,
        methods: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        self.module_name = module_name
        self.when = when
        #: the method names of the objects installed here, asked for lazily (outside a run,
        #: they are forwarders that fail when called; anything else fails at once)
        self._methods = methods
        self._stack: list[object] = []
        self._forwarders: dict[str, Callable[..., Any]] = {}

    @property
    def current(self) -> object | None:
        return self._stack[-1] if self._stack else None

    def install(self, obj: object) -> None:
        self._stack.append(obj)

    def uninstall(self, obj: object) -> None:
        """Remove ``obj`` (normally the top); a missing object is ignored."""
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index] is obj:
                del self._stack[index]
                return

    @contextmanager
    def installed(self, obj: object) -> Iterator[None]:
        self.install(obj)
        try:
            yield
        finally:
            self.uninstall(obj)

    def require(self, name: str) -> object:
        obj = self.current
        if obj is None:
            raise ProxyNotActive(self.module_name, name, self.when)
        return obj

    def forwarder(self, name: str) -> Callable[..., Any]:
        """A function calling ``<installed object>.name(...)``, resolved at call time."""
        found = self._forwarders.get(name)
        if found is not None:
            return found
        stack = self._stack
        require = self.require

        def forward(*args: Any, **kw: Any) -> Any:
            return getattr(stack[-1] if stack else require(name), name)(*args, **kw)

        forward.__name__ = forward.__qualname__ = name
        forward.__doc__ = f"Forwards to {self.module_name}.{name} of the running migration."
        self._forwarders[name] = forward
        return forward

    def lookup(
        self, name: str, *, lazy_methods: bool, publish: dict[str, Any] | None = None
    ) -> Any:
        """Module ``__getattr__`` logic shared by the proxy modules.

        Methods are returned as forwarders that resolve the installed object when called, so a
        name imported once (``from sterna.op import create_table``) keeps working in later runs.
        Other attributes are read from the installed object.  With nothing installed,
        ``lazy_methods`` returns a forwarder (which raises when called) instead of raising now.
        A forwarder found on the installed object's class is also stored in ``publish`` (the
        proxy module's namespace), so that later reads of the name skip ``__getattr__``: a
        script reads ``op.<directive>`` for every operation it runs.
        """
        if name.startswith("_"):
            raise AttributeError(f"module {self.module_name!r} has no attribute {name!r}")
        obj = self.current
        if obj is None:
            if lazy_methods or (self._methods is not None and name in self._methods()):
                return self.forwarder(name)
            raise ProxyAttributeNotActive(self.module_name, name, self.when)
        class_attr = getattr(type(obj), name, None)
        if class_attr is not None and callable(class_attr) and not isinstance(class_attr, type):
            found = self.forwarder(name)
            if publish is not None:
                publish[name] = found
            return found
        try:
            return getattr(obj, name)
        except AttributeError:
            raise AttributeError(
                f"{self.module_name}.{name}: {type(obj).__name__} has no attribute {name!r}"
            ) from None

    def names(self) -> list[str]:
        obj = self.current
        if obj is None:  # the forwarders that exist outside a run
            return sorted(self._methods()) if self._methods is not None else []
        return sorted(n for n in dir(obj) if not n.startswith("_"))


OPERATIONS = ProxySlot("op", "while migrations run (inside upgrade() or downgrade())")
