"""A dialect implementation with overridden hooks, registered for a test and removed after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine

from sterna.ddl.impl import DefaultImpl


@contextmanager
def hook_impl(url: str, **methods: Any) -> Iterator[type[DefaultImpl]]:
    """Register, for the dialect of ``url``, a subclass of Sterna's implementation of that
    dialect with ``methods`` overridden (as a third-party package would, by ``__dialect__``);
    the registry is restored afterwards."""
    engine = create_engine(url)
    try:
        base = DefaultImpl.get_by_dialect(engine.dialect)  # imports the built-in module first
        name = engine.dialect.name
    finally:
        engine.dispose()
    saved = dict(DefaultImpl._registry)
    try:
        cls = type("HookImpl", (base,), {"__dialect__": name, **methods})
        assert DefaultImpl._registry[name] is cls
        yield cls
    finally:
        DefaultImpl._registry.clear()
        DefaultImpl._registry.update(saved)
