"""Comparison of the models with the database: one module per kind of object, each registered
in :data:`comparators` (the registry a project extends, Alembic's
``alembic.autogenerate.comparators``).

:func:`run_comparison` reads the database once into a snapshot (bulk reflection, tables the
``include_name`` hook excludes are never read), runs the ``"schema"`` comparators -- which run
the ``"table"`` and ``"column"`` ones -- and puts the top-level operations in order: new enum
types, enum values and sequences first, then tables, then the types and sequences to drop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sterna.autogenerate.compare import (  # noqa: F401  (registration)
    columns,
    comments,
    constraints,
    defaults,
    enums,
    identity,
    indexes,
    sequences,
    tables,
    types,
)
from sterna.autogenerate.compare.registry import (
    Comparators,
    DispatchPriority,
    DispatchResult,
    PriorityDispatchResult,
    comparators,
)
from sterna.autogenerate.compare.schemas import compared_schemas, include_conn_table
from sterna.operations.ops import UpgradeOps
from sterna.util.progress import reporter_for

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext

__all__ = [
    "Comparators",
    "DispatchPriority",
    "DispatchResult",
    "PriorityDispatchResult",
    "comparators",
    "run_comparison",
]


def run_comparison(ctx: AutogenContext, upgrade_ops: UpgradeOps) -> None:
    """Fill ``upgrade_ops`` with the operations that bring the database to the models."""
    from sterna.autogenerate.compare.hooks import column_reflect_hook
    from sterna.autogenerate.reflect import reflect
    from sterna.dialects import profile_for
    from sterna.errors_autogenerate import AutogenerateError

    if ctx.connection is None or ctx.dialect is None:
        raise AutogenerateError("autogenerate needs a database connection")
    schemas = compared_schemas(ctx)
    # what is being reflected and compared, on a terminal when the command line asks for it
    with reporter_for(getattr(ctx.migration_context, "config", None)).live():
        ctx.snapshot = reflect(
            ctx.connection,
            schemas,
            include_table=lambda schema, name: include_conn_table(ctx, schema, name),
            with_enums=profile_for(ctx.dialect).has_enum_types,
            with_sequences=bool(ctx.dialect.supports_sequences),
            column_hook=column_reflect_hook(ctx),
        )
        ctx.comparators.run("schema", ctx.dialect.name, (ctx, upgrade_ops, schemas))
    order_top_level(upgrade_ops)


def order_top_level(upgrade_ops: UpgradeOps) -> None:
    """Types and sequences to create first, those to drop last (stable otherwise): the phase
    each operation class declares (``MigrateOperation.phase_at_top``)."""
    upgrade_ops.ops.sort(key=lambda op: op.phase_at_top())
