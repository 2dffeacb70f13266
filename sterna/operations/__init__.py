"""Migration operations (``alembic.operations``): the ``Operations`` facade scripts call as
``op``, the operation data model in :mod:`sterna.operations.ops`, and the extension API
(``Operations.register_operation`` / ``Operations.implementation_for``).

``BatchOperations`` (batch mode) lives in ``sterna.operations.batch`` and is imported on first
use of the name.
"""

from __future__ import annotations

import importlib
from typing import Any

from sterna.operations import ops
from sterna.operations.base import AbstractOperations, Operations
from sterna.operations.ops import MigrateOperation, MigrationScript

__all__ = [
    "AbstractOperations",
    "BatchOperations",
    "MigrateOperation",
    "MigrationScript",
    "Operations",
    "ops",
]


def __getattr__(name: str) -> Any:
    if name == "BatchOperations":
        try:
            batch = importlib.import_module("sterna.operations.batch")
        except ModuleNotFoundError as exc:
            if exc.name != "sterna.operations.batch":
                raise
            raise AttributeError("BatchOperations is not available (no batch module)") from exc
        return batch.BatchOperations
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
