"""Sequence operations (beyond Alembic): create and drop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, Sequence

from sterna.operations.ops.base import MigrateOperation

#: Keyword arguments of ``sqlalchemy.Sequence`` carried by ``CreateSequenceOp.kw``.
SEQUENCE_OPTIONS = (
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
    "data_type",
)


@dataclass(eq=False, init=False)
class CreateSequenceOp(MigrateOperation):
    """``CREATE SEQUENCE``; ``kw`` holds the ``sqlalchemy.Sequence`` options (start, ...)."""

    table_phase = 10
    top_phase = 0
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    sequence_name: str
    schema: str | None = None
    if_not_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        sequence_name: str,
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        unknown = sorted(set(kw) - set(SEQUENCE_OPTIONS))
        if unknown:
            raise TypeError(f"create_sequence() got unexpected options: {', '.join(unknown)}")
        self.sequence_name = sequence_name
        self.schema = schema
        self.if_not_exists = if_not_exists
        self.kw = kw

    @classmethod
    def from_sequence(cls, sequence: Sequence) -> CreateSequenceOp:
        kw = {}
        for key in SEQUENCE_OPTIONS:
            value = getattr(sequence, key, None)
            if value is not None and value is not False:
                kw[key] = value
        return cls(sequence.name, schema=sequence.schema, **kw)

    def to_sequence(self) -> Sequence:
        return Sequence(self.sequence_name, schema=self.schema, metadata=MetaData(), **self.kw)

    def reverse(self) -> DropSequenceOp:
        return DropSequenceOp(
            self.sequence_name, schema=self.schema, if_exists=self.if_not_exists, _reverse=self
        )

    def to_diff_tuple(self) -> tuple[str, Sequence]:
        return ("add_sequence", self.to_sequence())


@dataclass(eq=False, init=False)
class DropSequenceOp(MigrateOperation):
    """``DROP SEQUENCE``; ``_reverse`` keeps the options so the drop can be undone."""

    table_phase = 10
    top_phase = 2
    contract_omits = frozenset({"batch_change"})  # runs as it is in a batch block

    sequence_name: str
    schema: str | None = None
    if_exists: bool | None = None
    _reverse: CreateSequenceOp | None = None

    def __init__(
        self,
        sequence_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: CreateSequenceOp | None = None,
    ) -> None:
        self.sequence_name = sequence_name
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse

    @classmethod
    def from_sequence(cls, sequence: Sequence) -> DropSequenceOp:
        create = CreateSequenceOp.from_sequence(sequence)
        return cls(sequence.name, schema=sequence.schema, _reverse=create)

    def to_sequence(self) -> Sequence:
        if self._reverse is not None:
            return self._reverse.to_sequence()
        return Sequence(self.sequence_name, schema=self.schema, metadata=MetaData())

    def reverse(self) -> CreateSequenceOp:
        """Recreates the sequence, with its options when known (its current value is lost)."""
        kw = dict(self._reverse.kw) if self._reverse is not None else {}
        return CreateSequenceOp(
            self.sequence_name, schema=self.schema, if_not_exists=self.if_exists, **kw
        )

    def to_diff_tuple(self) -> tuple[str, Sequence]:
        return ("remove_sequence", self.to_sequence())
