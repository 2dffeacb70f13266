"""Batch mode: ``with op.batch_alter_table("t") as batch_op: ...``.

The directives of :class:`BatchOperations` name no table: they build the usual operation
objects for the batch's table and queue them.  When the ``with`` block ends without an error the
queue is applied, in order:

* ``recreate="auto"`` (the default): the dialect implementation's
  ``requires_recreate_in_batch(BatchPlan)`` decides.  Sterna's: an operation the dialect's
  ``ALTER TABLE`` cannot do (its ``batch_rebuild_reason``; on SQLite anything but adding a
  plain column, creating/dropping an index, renaming a column) makes the table be rebuilt
  (``impl.rebuild_table``, :mod:`sterna.ddl.recreate`); on other backends every operation runs
  as an ordinary ``ALTER``.
* ``recreate="always"``: the table is rebuilt on every backend.
* ``recreate="never"``: ordinary ``ALTER`` statements only; an operation that needs a rebuild
  on the dialect (on SQLite) is an error before anything runs.

On a connection that is not in a transaction (operations run outside a migration), the queue
is applied in a transaction of its own, committed when it succeeds, so nothing is left open
behind the block; inside a transaction it is part of that transaction.

``batch_op.execute()`` (and any operation batch mode does not know, such as a project's own)
runs at its place in the queue: the operations before it are applied first, those after it
afterwards -- so a column can be added, filled by an ``UPDATE`` and then made NOT NULL in one
block.  (Alembic runs ``execute`` immediately, before the queued operations.)

Offline (``--sql``) a rebuild needs ``copy_from``, the table as it is before the batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Column, MetaData, Table

from sterna.ddl.recreate_changes import (
    POSITION_KW,
    Change,
    RebuildRequest,
)
from sterna.errors_ddl import OperationError
from sterna.errors_operations import BatchRecreateRequired
from sterna.operations.base import AbstractOperations
from sterna.operations.batch_change import is_batch_schema_op, to_change
from sterna.operations.directives.batch import BatchDirectives
from sterna.operations.ops.base import MigrateOperation

RECREATE_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class BatchSettings:
    """``batch_alter_table``'s arguments."""

    table_name: str
    schema: str | None = None
    recreate: str = "auto"
    partial_reordering: tuple[tuple[str, ...], ...] = ()
    copy_from: Table | None = None
    table_args: tuple[Any, ...] = ()
    table_kwargs: Mapping[str, Any] = field(default_factory=dict)
    reflect_args: tuple[Any, ...] = ()
    reflect_kwargs: Mapping[str, Any] = field(default_factory=dict)
    naming_convention: Mapping[str, Any] | None = None

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.table_name}" if self.schema else self.table_name


@dataclass(frozen=True)
class BatchPlan:
    """What ``DefaultImpl.requires_recreate_in_batch(batch_op)`` is asked about: the batch's
    table and the queued schema operations (``batch``) that would run together."""

    table_name: str
    schema: str | None
    recreate: str
    batch: tuple[MigrateOperation, ...]
    impl: Any

    @property
    def dialect(self) -> Any:
        return self.impl.dialect


@contextmanager
def batch_alter_table(
    operations: AbstractOperations,
    table_name: str,
    schema: str | None = None,
    recreate: str = "auto",
    partial_reordering: Sequence[Sequence[str]] | None = None,
    copy_from: Table | None = None,
    table_args: Sequence[Any] = (),
    table_kwargs: Mapping[str, Any] | None = None,
    reflect_args: Sequence[Any] = (),
    reflect_kwargs: Mapping[str, Any] | None = None,
    naming_convention: Mapping[str, Any] | None = None,
) -> Iterator[BatchOperations]:
    """Queue the block's operations on ``table_name`` and apply them when it ends."""
    label = f"{schema}.{table_name}" if schema else table_name
    if recreate not in RECREATE_MODES:
        raise OperationError(
            f"batch_alter_table({label!r}): recreate must be one of "
            f"{', '.join(map(repr, RECREATE_MODES))}, not {recreate!r}"
        )
    if partial_reordering and recreate != "always":
        raise BatchRecreateRequired(label, "partial_reordering requires recreate='always'")
    settings = BatchSettings(
        table_name,
        schema,
        recreate,
        tuple(tuple(names) for names in partial_reordering or ()),
        copy_from,
        tuple(table_args),
        dict(table_kwargs or {}),
        tuple(reflect_args),
        dict(reflect_kwargs or {}),
        dict(naming_convention) if naming_convention else None,
    )
    batch = BatchOperations(operations, settings)
    yield batch
    batch.flush()


class BatchOperations(BatchDirectives, AbstractOperations):
    """The ``batch_op`` of ``with op.batch_alter_table(...) as batch_op`` (see the module
    docstring)."""

    def __init__(self, operations: AbstractOperations, settings: BatchSettings) -> None:
        super().__init__(operations.migration_context, impl=operations.impl)
        self.settings = settings
        self.queue: list[MigrateOperation] = []
        self._applied: list[Change] = []
        self._flushing = False

    @property
    def table_name(self) -> str:
        """The name of the batch's table."""
        return self.settings.table_name

    @property
    def schema(self) -> str | None:
        """The schema of the batch's table (None: the default schema)."""
        return self.settings.schema

    def invoke(self, operation: MigrateOperation) -> Any:
        """Queue ``operation``; it runs when the ``with`` block ends.  (While the queue is
        being applied -- an implementation that invokes further operations -- it runs at
        once.)"""
        if self._flushing:
            return AbstractOperations.invoke(self, operation)
        self.queue.append(operation)
        return None

    # -- applying the queue --------------------------------------------------------------------

    def flush(self) -> None:
        """Apply the queued operations (see the module docstring); the queue is emptied."""
        queue, self.queue = self.queue, []
        self._flushing = True
        try:
            with _own_transaction(self.impl.connection):
                self._apply(queue)
        finally:
            self._flushing = False

    def _apply(self, queue: list[MigrateOperation]) -> None:
        segments = _segments(queue)
        if not segments and self.settings.recreate == "always":
            segments = [[]]  # a rebuild with no change: partial_reordering, table_args...
        rebuild = [
            not isinstance(segment, MigrateOperation) and self._needs_rebuild(segment)
            for segment in segments
        ]
        for segment, needed in zip(segments, rebuild, strict=True):
            if not isinstance(segment, MigrateOperation) and not needed:
                self._check_possible(segment)
        for segment, needed in zip(segments, rebuild, strict=True):
            if isinstance(segment, MigrateOperation):
                AbstractOperations.invoke(self, segment)
            elif needed:
                self._rebuild(segment)
            else:
                for operation in segment:
                    AbstractOperations.invoke(self, _without_position(operation))
                self._applied.extend(self._changes(segment))

    def _needs_rebuild(self, segment: list[MigrateOperation]) -> bool:
        """``always``: yes; ``never``: no; ``auto``: the dialect implementation's
        ``requires_recreate_in_batch`` decides (by default: whether ``batch_rebuild_reason``
        gives a reason for one of the operations; on SQLite, what its ALTER cannot do)."""
        mode = self.settings.recreate
        if mode != "auto":
            return mode == "always"
        plan = BatchPlan(self.table_name, self.schema, mode, tuple(segment), self.impl)
        return bool(self.impl.requires_recreate_in_batch(plan))

    def _check_possible(self, segment: list[MigrateOperation]) -> None:
        """Refuse, before anything runs, what cannot be done without a rebuild (a segment
        that is not rebuilt).  With ``recreate="never"``, what the dialect's ALTER cannot do
        (``batch_rebuild_reason``) is refused too."""
        never = self.settings.recreate == "never"
        for operation in segment:
            reason = self.impl.batch_rebuild_reason(operation) if never else None
            if reason is not None:
                remedy = "which recreate='never' forbids; use recreate='auto' or 'always'"
            else:
                remedy = "pass recreate='always'"
            positioned = [k for k in POSITION_KW if _kw(operation).get(k) is not None]
            if positioned:
                raise BatchRecreateRequired(
                    self.settings.label,
                    f"{_describe(operation)} with {positioned[0]} "
                    f"needs the table to be rebuilt; {remedy}",
                )
            if reason is not None:
                raise BatchRecreateRequired(
                    self.settings.label,
                    f"{_describe(operation)} needs the table to be rebuilt {reason}, {remedy}",
                )

    def _rebuild(self, segment: list[MigrateOperation]) -> None:
        changes = self._changes(segment)
        settings = self.settings
        copy_from = settings.copy_from
        prior: tuple[Change, ...] = ()
        if copy_from is not None and self._applied:
            prior = tuple(self._applied)
        request = RebuildRequest(
            settings.table_name,
            settings.schema,
            tuple(changes),
            settings.partial_reordering,
            copy_from,
            settings.table_args,
            settings.table_kwargs,
            settings.reflect_args,
            settings.reflect_kwargs,
            settings.naming_convention,
            prior,
        )
        self.impl.rebuild_table(request)
        self._applied.extend(changes)

    def _changes(self, segment: list[MigrateOperation]) -> list[Change]:
        return [to_change(operation, self._schema_context()) for operation in segment]

    def _schema_context(self) -> Any:
        """The context handed to ``to_constraint``/``to_index``: the batch's naming convention
        when given, else the migration's target metadata's."""
        convention = self.settings.naming_convention
        if not convention:
            return self.migration_context
        return SimpleNamespace(opts={"target_metadata": MetaData(naming_convention=convention)})


@contextmanager
def _own_transaction(connection: Any) -> Iterator[None]:
    """A transaction of the block's own around it, committed when it succeeds, when
    ``connection`` is a connection that is not in a transaction; nothing otherwise (offline, a
    mock connection, or inside the caller's transaction)."""
    in_transaction = getattr(connection, "in_transaction", None)
    if in_transaction is None or in_transaction():
        yield
        return
    with connection.begin():
        yield


def _segments(queue: list[MigrateOperation]) -> list[list[MigrateOperation] | MigrateOperation]:
    """Runs of schema operations, separated by the operations that run as they are."""
    result: list[list[MigrateOperation] | MigrateOperation] = []
    for operation in queue:
        if is_batch_schema_op(operation):
            if not result or not isinstance(result[-1], list):
                result.append([])
            last = result[-1]
            assert isinstance(last, list)
            last.append(operation)
        else:
            result.append(operation)
    return result


def _kw(operation: MigrateOperation) -> dict[str, Any]:
    found = getattr(operation, "kw", None)
    return found if isinstance(found, dict) else {}


def _without_position(operation: MigrateOperation) -> MigrateOperation:
    """The operation without the batch-only ``insert_before``/``insert_after`` keywords."""
    kw = _kw(operation)
    if not any(k in kw for k in POSITION_KW):
        return operation
    clone = copy(operation)
    clone.kw = {k: v for k, v in kw.items() if k not in POSITION_KW}  # type: ignore[attr-defined]
    return clone


def _describe(operation: MigrateOperation) -> str:
    name = type(operation).__name__
    for attr in ("column_name", "constraint_name", "index_name"):
        value = getattr(operation, attr, None)
        if value is not None:
            return f"{name}({value!r})"
    column = getattr(operation, "column", None)
    if isinstance(column, Column):
        return f"{name}({column.name!r})"
    return name
