"""Autogenerate (``alembic.autogenerate``): compare the database with the models, write the
operations that reconcile them as Python source.

Public names, loaded on first use so that importing one part does not load the others:
``compare_metadata``, ``produce_migrations``, ``AutogenContext`` and ``comparators`` (comparison,
:mod:`sterna.autogenerate.api` and :mod:`sterna.autogenerate.compare`), ``render_python_code``,
``render_op_text`` and ``renderers`` (:mod:`sterna.autogenerate.render`), ``Rewriter`` and the
``rewriter`` module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sterna.autogenerate import rewriter as rewriter
    from sterna.autogenerate.api import AutogenContext as AutogenContext
    from sterna.autogenerate.api import compare_metadata as compare_metadata
    from sterna.autogenerate.api import produce_migrations as produce_migrations
    from sterna.autogenerate.compare import comparators as comparators
    from sterna.autogenerate.render import render_op_text as render_op_text
    from sterna.autogenerate.render import render_python_code as render_python_code
    from sterna.autogenerate.render import renderers as renderers
    from sterna.autogenerate.rewriter import Rewriter as Rewriter

__all__ = [
    "AutogenContext",
    "Rewriter",
    "comparators",
    "compare_metadata",
    "produce_migrations",
    "render_op_text",
    "render_python_code",
    "renderers",
    "rewriter",
]

_LAZY = {
    "AutogenContext": ("sterna.autogenerate.api", "AutogenContext"),
    "compare_metadata": ("sterna.autogenerate.api", "compare_metadata"),
    "produce_migrations": ("sterna.autogenerate.api", "produce_migrations"),
    "comparators": ("sterna.autogenerate.compare", "comparators"),
    "render_op_text": ("sterna.autogenerate.render", "render_op_text"),
    "render_python_code": ("sterna.autogenerate.render", "render_python_code"),
    "renderers": ("sterna.autogenerate.render", "renderers"),
    "Rewriter": ("sterna.autogenerate.rewriter", "Rewriter"),
    "rewriter": ("sterna.autogenerate.rewriter", None),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'sterna.autogenerate' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
