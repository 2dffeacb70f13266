"""Containers of operations, as autogenerate produces and the renderer consumes them."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from sterna.operations.ops.base import MigrateOperation


class OpContainer(MigrateOperation):
    """An ordered list of operations."""

    def __init__(self, ops: Sequence[MigrateOperation] = ()) -> None:
        self.ops: list[MigrateOperation] = list(ops)

    def is_empty(self) -> bool:
        return not self.ops

    def as_diffs(self) -> list[Any]:
        """Every nested operation's diff, in order: nested containers are flattened, but the
        list an ``AlterColumnOp`` gives (one ``modify_*`` tuple per changed aspect) stays one
        item, as in ``compare_metadata``'s result."""
        return list(_flatten_diffs(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ops={self.ops!r})"


def _flatten_diffs(container: OpContainer) -> Iterator[Any]:
    for op in container.ops:
        if isinstance(op, OpContainer):
            yield from _flatten_diffs(op)
            continue
        yield op.to_diff_tuple()


class ModifyTableOps(OpContainer):
    """The operations that change one table (autogenerate groups them per table)."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"implementation", "batch_change"})

    def __init__(
        self, table_name: str, ops: Sequence[MigrateOperation], *, schema: str | None = None
    ) -> None:
        super().__init__(ops)
        self.table_name = table_name
        self.schema = schema

    def reverse(self) -> ModifyTableOps:
        return ModifyTableOps(
            self.table_name, [op.reverse() for op in reversed(self.ops)], schema=self.schema
        )


class UpgradeOps(OpContainer):
    """The body of ``upgrade()``; ``upgrade_token`` names the template variable it fills."""

    contract_omits = frozenset({"phase", "implementation", "batch_change"})

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), upgrade_token: str = "upgrades"
    ) -> None:
        super().__init__(ops)
        self.upgrade_token = upgrade_token

    def reverse_into(self, downgrade_ops: DowngradeOps) -> DowngradeOps:
        downgrade_ops.ops[:] = [op.reverse() for op in reversed(self.ops)]
        return downgrade_ops

    def reverse(self) -> DowngradeOps:
        return self.reverse_into(DowngradeOps(ops=[]))


class DowngradeOps(OpContainer):
    """The body of ``downgrade()``."""

    contract_omits = frozenset({"phase", "implementation", "batch_change"})

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), downgrade_token: str = "downgrades"
    ) -> None:
        super().__init__(ops)
        self.downgrade_token = downgrade_token

    def reverse(self) -> UpgradeOps:
        return UpgradeOps(ops=[op.reverse() for op in reversed(self.ops)])


class MigrationScript(MigrateOperation):
    """A revision file to be written: identity, message and upgrade/downgrade bodies.

    ``upgrade_ops``/``downgrade_ops`` are the single containers; with several version tokens
    (multiple databases) the ``*_list`` forms hold one container per token.
    """

    contract_omits = frozenset(
        {"phase", "reverse", "implementation", "renderer", "summary", "batch_change"}
    )

    def __init__(
        self,
        rev_id: str | None,
        upgrade_ops: UpgradeOps | Sequence[UpgradeOps],
        downgrade_ops: DowngradeOps | Sequence[DowngradeOps],
        *,
        message: str | None = None,
        imports: set[str] | None = None,
        head: str | None = None,
        splice: bool | None = None,
        branch_label: Any = None,
        version_path: str | os.PathLike[str] | None = None,
        depends_on: Any = None,
    ) -> None:
        self.rev_id = rev_id
        self.message = message
        self.imports: set[str] = set(imports) if imports is not None else set()
        self.head = head
        self.splice = splice
        self.branch_label = branch_label
        self.version_path = version_path
        self.depends_on = depends_on
        self._upgrade_ops: list[UpgradeOps] = []
        self._downgrade_ops: list[DowngradeOps] = []
        self.upgrade_ops = upgrade_ops
        self.downgrade_ops = downgrade_ops

    @property
    def upgrade_ops(self) -> UpgradeOps | None:
        """The one ``UpgradeOps``; an error when there are several (use ``upgrade_ops_list``)."""
        found: UpgradeOps | None = _single(self._upgrade_ops, "upgrade_ops")
        return found

    @upgrade_ops.setter
    def upgrade_ops(self, value: UpgradeOps | Sequence[UpgradeOps]) -> None:
        self._upgrade_ops = [value] if isinstance(value, UpgradeOps) else list(value)

    @property
    def downgrade_ops(self) -> DowngradeOps | None:
        found: DowngradeOps | None = _single(self._downgrade_ops, "downgrade_ops")
        return found

    @downgrade_ops.setter
    def downgrade_ops(self, value: DowngradeOps | Sequence[DowngradeOps]) -> None:
        self._downgrade_ops = [value] if isinstance(value, DowngradeOps) else list(value)

    @property
    def upgrade_ops_list(self) -> list[UpgradeOps]:
        return self._upgrade_ops

    @property
    def downgrade_ops_list(self) -> list[DowngradeOps]:
        return self._downgrade_ops

    def __repr__(self) -> str:
        return f"MigrationScript(rev_id={self.rev_id!r}, message={self.message!r})"


def _single(items: list[Any], name: str) -> Any:
    if not items:
        return None
    if len(items) > 1:
        raise ValueError(
            f"this MigrationScript has {len(items)} {name} (one per version token); use {name}_list"
        )
    return items[0]
