"""The operation data model (``alembic.operations.ops``): one class per operation.

Operations are plain data with pure transforms (``reverse()``, ``to_diff_tuple()``,
``from_*``/``to_*`` constructors).  They never touch a connection: ``sterna.operations.base``
dispatches them to implementations, autogenerate produces them, the renderer writes them.
"""

from __future__ import annotations

from sterna.operations.ops.base import AlterTableOp, MigrateOperation
from sterna.operations.ops.columns import AddColumnOp, AlterColumnOp, DropColumnOp
from sterna.operations.ops.comments import CreateTableCommentOp, DropTableCommentOp
from sterna.operations.ops.constraints import (
    AddConstraintOp,
    CreateCheckConstraintOp,
    CreateExcludeConstraintOp,
    CreateForeignKeyOp,
    CreatePrimaryKeyOp,
    CreateUniqueConstraintOp,
    DropConstraintOp,
)
from sterna.operations.ops.containers import (
    DowngradeOps,
    MigrationScript,
    ModifyTableOps,
    OpContainer,
    UpgradeOps,
)
from sterna.operations.ops.data import BulkInsertOp, ExecuteSQLOp
from sterna.operations.ops.enums import (
    AddEnumValueOp,
    CreateEnumOp,
    DropEnumOp,
    DropEnumValueOp,
    RenameEnumValueOp,
)
from sterna.operations.ops.indexes import CreateIndexOp, DropIndexOp
from sterna.operations.ops.schemas import CreateSchemaOp, DropSchemaOp
from sterna.operations.ops.sequences import CreateSequenceOp, DropSequenceOp
from sterna.operations.ops.tables import CreateTableOp, DropTableOp, RenameTableOp

__all__ = [
    "AddColumnOp",
    "AddConstraintOp",
    "AddEnumValueOp",
    "AlterColumnOp",
    "AlterTableOp",
    "BulkInsertOp",
    "CreateCheckConstraintOp",
    "CreateEnumOp",
    "CreateExcludeConstraintOp",
    "CreateForeignKeyOp",
    "CreateIndexOp",
    "CreatePrimaryKeyOp",
    "CreateSchemaOp",
    "CreateSequenceOp",
    "CreateTableCommentOp",
    "CreateTableOp",
    "CreateUniqueConstraintOp",
    "DowngradeOps",
    "DropColumnOp",
    "DropConstraintOp",
    "DropEnumOp",
    "DropEnumValueOp",
    "DropIndexOp",
    "DropSchemaOp",
    "DropSequenceOp",
    "DropTableCommentOp",
    "DropTableOp",
    "ExecuteSQLOp",
    "MigrateOperation",
    "MigrationScript",
    "ModifyTableOps",
    "OpContainer",
    "RenameEnumValueOp",
    "RenameTableOp",
    "UpgradeOps",
]
