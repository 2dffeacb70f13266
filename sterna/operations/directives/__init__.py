"""The built-in ``op.*`` directives, one mixin per family; ``Operations`` combines them.

Each directive only builds an operation object (``sterna.operations.ops``) and invokes it, so the
same op classes serve the runtime, offline SQL, autogenerate and the renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sterna.ddl.impl import DefaultImpl
    from sterna.operations.context_protocol import MigrationContextLike
    from sterna.operations.ops.base import MigrateOperation
    from sterna.operations.schemaobj import SchemaObjects


class DirectiveBase:
    """What the directive mixins use from ``AbstractOperations`` (declared for type checking
    only, so that the real methods are found through the MRO)."""

    if TYPE_CHECKING:
        migration_context: MigrationContextLike
        impl: DefaultImpl
        schema_obj: SchemaObjects

        def invoke(self, operation: MigrateOperation) -> Any: ...
