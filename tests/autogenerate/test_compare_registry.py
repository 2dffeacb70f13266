"""The comparator registry a project extends (``alembic.autogenerate.comparators``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from sterna.autogenerate.compare import comparators
from sterna.autogenerate.compare.registry import Comparators, DispatchPriority, DispatchResult
from sterna.operations.ops import MigrateOperation, ModifyTableOps
from tests.autogenerate._compare_support import create_all, produce


class NoteOp(MigrateOperation):
    """A project's own operation (reversible)."""

    def __init__(self, sqltext: str) -> None:
        self.sqltext = sqltext

    def reverse(self) -> NoteOp:
        return NoteOp(f"undo {self.sqltext}")


@pytest.fixture
def registry() -> Iterator[Comparators]:
    """The global registry, restored after the test."""
    saved = comparators.branch()
    yield comparators
    comparators._registry.clear()
    comparators.populate_with(saved)


def _model(with_note: bool) -> MetaData:
    metadata = MetaData()
    items: list[Any] = [Column("id", Integer, primary_key=True)]
    if with_note:
        items.append(Column("note", String(20)))
    Table("memo", metadata, *items)
    return metadata


def test_project_comparators_get_sqlalchemy_objects(
    db_url: str, backend: str, registry: Comparators
) -> None:
    create_all(db_url, _model(with_note=True))
    calls: list[tuple[str, Any]] = []

    @registry.dispatch_for("schema")
    def on_schema(autogen_context: Any, upgrade_ops: Any, schemas: list[Any]) -> None:
        calls.append(("schema", tuple(schemas)))
        upgrade_ops.ops.append(NoteOp("SELECT 1"))

    @registry.dispatch_for("table")
    def on_table(
        autogen_context: Any,
        modify_ops: ModifyTableOps,
        schema: Any,
        name: str,
        conn_table: Any,
        metadata_table: Any,
    ) -> None:
        calls.append(("table", (name, type(conn_table).__name__, sorted(conn_table.c.keys()))))
        modify_ops.ops.append(NoteOp(f"-- {name}"))

    @registry.dispatch_for("column")
    def on_column(
        autogen_context: Any,
        alter: Any,
        schema: Any,
        table: str,
        column: str,
        conn_column: Any,
        metadata_column: Any,
    ) -> None:
        calls.append(("column", (column, type(conn_column).__name__)))

    upgrade = produce(db_url, _model(with_note=True)).upgrade_ops
    assert upgrade is not None
    assert ("schema", (None,)) in calls
    assert ("table", ("memo", "Table", ["id", "note"])) in calls
    assert ("column", ("note", "Column")) in calls
    flat: list[MigrateOperation] = []
    for op in upgrade.ops:
        flat.extend(op.ops if isinstance(op, ModifyTableOps) else [op])
    assert sorted(op.sqltext for op in flat if isinstance(op, NoteOp)) == ["-- memo", "SELECT 1"]


def test_qualifier_limits_to_one_dialect(db_url: str, backend: str, registry: Comparators) -> None:
    create_all(db_url, _model(with_note=False))
    seen: list[str] = []

    @registry.dispatch_for("schema", qualifier="postgresql")
    def pg_only(autogen_context: Any, upgrade_ops: Any, schemas: Any) -> None:
        seen.append("postgresql")

    produce(db_url, _model(with_note=False))
    assert seen == (["postgresql"] if backend == "postgresql" else [])


def test_priorities_and_stop() -> None:
    registry = Comparators()
    order: list[str] = []

    @registry.dispatch_for("schema", priority=DispatchPriority.LAST)
    def last(*args: Any) -> None:
        order.append("last")

    @registry.dispatch_for("schema", subgroup="g")
    def stopper(*args: Any) -> DispatchResult:
        order.append("stopper")
        return DispatchResult.STOP

    @registry.dispatch_for("schema", subgroup="g", priority=DispatchPriority.LAST)
    def skipped(*args: Any) -> None:
        order.append("skipped")

    @registry.dispatch_for("schema", priority=DispatchPriority.FIRST)
    def first(*args: Any) -> None:
        order.append("first")

    registry.dispatch("schema")(None, None, None)
    assert order == ["first", "stopper", "last"]
    copy = registry.branch()
    copy.dispatch_for("schema")(lambda *a: order.append("copy"))
    order.clear()
    registry.dispatch("schema")(None, None, None)
    assert "copy" not in order
