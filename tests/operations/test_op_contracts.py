"""Every operation class Sterna ships provides its whole contract (``docs/architecture.md``,
operations): an ordering phase, a reverse, an implementation, a renderer, a console summary and,
when a batch block rebuilds the table for it, a batch change -- or says that it does without
one (``contract_omits``).  A forgotten entry used to fail quietly (a default phase, a
``TypeError`` in a batch block at run time); here it fails the suite."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

import sterna.autogenerate.render_ops
import sterna.operations.ops
from sterna.autogenerate.compare import order_top_level
from sterna.autogenerate.compare.tables import order_table_ops
from sterna.autogenerate.render import renderers
from sterna.autogenerate.render_summary import summaries
from sterna.operations import ops
from sterna.operations.base import AbstractOperations
from sterna.operations.batch_change import batch_change_of
from sterna.operations.ops.base import CONTRACT_PARTS, MigrateOperation

#: Bases that only share code with the operations built on them: never invoked themselves.
_BASES = {"MigrateOperation", "AlterTableOp", "AddConstraintOp", "_ColumnListConstraintOp"}
_BASES |= {"OpContainer"}


def _shipped(root: type = MigrateOperation) -> list[type[MigrateOperation]]:
    """Every operation class defined in the ``sterna`` package (walking the subclasses)."""
    assert sterna.autogenerate.render_ops  # imported for CommentOp, a render-only operation
    found: dict[str, type[MigrateOperation]] = {}
    pending: list[type[MigrateOperation]] = list(root.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("sterna.") and cls.__name__ not in _BASES:
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[key] for key in sorted(found)]


def _has_phase(cls: type[MigrateOperation]) -> bool:
    return cls.table_phase is not None and cls.top_phase is not None


def _has_reverse(cls: type[MigrateOperation]) -> bool:
    return cls.reverse is not MigrateOperation.reverse


_PROVIDED: dict[str, Any] = {
    "phase": _has_phase,
    "reverse": _has_reverse,
    "implementation": lambda cls: AbstractOperations.implementation_of(cls) is not None,
    "renderer": renderers.has,
    "summary": summaries.has,
    "batch_change": lambda cls: batch_change_of(cls) is not None,
}


def contract_gaps(cls: type[MigrateOperation]) -> list[str]:
    """What ``cls`` neither provides nor declares it does without; and what it declares
    it does without yet provides (a stale declaration)."""
    omits = cls.contract_omits
    gaps = [f"unknown part {part!r} in contract_omits" for part in omits - set(CONTRACT_PARTS)]
    for part in CONTRACT_PARTS:
        provided = bool(_PROVIDED[part](cls))
        if not provided and part not in omits:
            gaps.append(f"no {part}")
        if provided and part in omits:
            gaps.append(f"{part} provided but declared omitted")
    return gaps


def test_every_operation_class_is_found() -> None:
    names = {cls.__name__ for cls in _shipped()}
    # a sample of each family, so that discovery itself cannot silently find nothing
    assert {"AddColumnOp", "DropConstraintOp", "CreateExcludeConstraintOp"} <= names
    assert {"ExecuteSQLOp", "ModifyTableOps", "MigrationScript", "CommentOp"} <= names
    assert len(names) >= 32


@pytest.mark.parametrize("cls", _shipped(), ids=lambda cls: cls.__name__)
def test_operation_provides_its_contract(cls: type[MigrateOperation]) -> None:
    assert contract_gaps(cls) == [], f"{cls.__name__}: {', '.join(contract_gaps(cls))}"


def test_every_model_operation_is_exported() -> None:
    model = [c for c in _shipped() if c.__module__.startswith("sterna.operations.ops.")]
    missing = [c.__name__ for c in model if getattr(ops, c.__name__, None) is not c]
    assert missing == []
    assert all(c.__name__ in sterna.operations.ops.__all__ for c in model)


class _Forgotten(MigrateOperation):
    """An operation that declares nothing: every part is reported."""


class _Stale(MigrateOperation):
    """An operation that says it has no reverse, yet has one."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"reverse", "implementation", "renderer", "summary", "nothing"})

    def reverse(self) -> MigrateOperation:
        return self


def test_an_undeclared_operation_is_reported() -> None:
    assert contract_gaps(_Forgotten) == [f"no {part}" for part in CONTRACT_PARTS]


def test_a_stale_omission_is_reported() -> None:
    assert contract_gaps(_Stale) == [
        "unknown part 'nothing' in contract_omits",
        "reverse provided but declared omitted",
        "no batch_change",
    ]


def test_table_phase_orders_one_tables_changes() -> None:
    """Foreign keys dropped first, then other constraints and indexes, the primary key; columns
    added, altered, dropped; primary key, indexes/uniques, foreign keys created; comments."""
    pk = ops.CreatePrimaryKeyOp("pk_t", "t", ["id"])
    fk = ops.CreateForeignKeyOp("fk_t", "t", "p", ["p_id"], ["id"])
    steps = [
        ops.CreateTableCommentOp("t", "c"),
        fk,
        ops.CreateIndexOp("ix_t", "t", ["a"]),
        pk,
        ops.DropColumnOp("t", "old"),
        ops.AlterColumnOp("t", "a", modify_nullable=False),
        ops.AddColumnOp("t", sa.Column("b", sa.Integer())),
        ops.DropConstraintOp("pk_old", "t", "primary"),
        ops.DropIndexOp("ix_old", "t"),
        ops.DropConstraintOp("fk_old", "t", "foreignkey"),
    ]
    modify = ops.ModifyTableOps("t", list(steps))
    order_table_ops(modify)
    assert modify.ops == list(reversed(steps))


def test_top_phase_creates_types_first_and_drops_them_last() -> None:
    table = ops.CreateTableOp("t", [sa.Column("id", sa.Integer())])
    create_enum = ops.CreateEnumOp("mood", ["ok"])
    drop_sequence = ops.DropSequenceOp("s")
    upgrade = ops.UpgradeOps([drop_sequence, table, create_enum])
    order_top_level(upgrade)
    assert upgrade.ops == [create_enum, table, drop_sequence]
