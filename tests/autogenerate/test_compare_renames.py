"""Likely renames: a dropped table/column paired with an added compatible one in the same
place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Numeric, String, Table

from sterna.autogenerate.renames import find_rename_candidates, types_compatible
from sterna.operations.ops import (
    AddColumnOp,
    AlterColumnOp,
    DropColumnOp,
    ModifyTableOps,
    RenameTableOp,
    UpgradeOps,
)
from tests.autogenerate._compare_support import apply, create_all, diffs, produce


def _supplier(*columns: Any, name: str = "supplier") -> MetaData:
    metadata = MetaData()
    Table(name, metadata, Column("id", Integer, primary_key=True), *columns)
    return metadata


def _upgrade(url: str, before: MetaData, after: MetaData) -> UpgradeOps:
    create_all(url, before)
    upgrade = produce(url, after).upgrade_ops
    assert upgrade is not None
    return upgrade


def test_column_renamed_in_place(db_url: str) -> None:
    before = _supplier(Column("name", String(40)), Column("since", DateTime))
    after = _supplier(Column("full_name", String(40)), Column("since", DateTime))
    upgrade = _upgrade(db_url, before, after)
    (candidate,) = find_rename_candidates(upgrade)
    assert (candidate.kind, candidate.table_name, candidate.old_name, candidate.new_name) == (
        "column",
        "supplier",
        "name",
        "full_name",
    )
    assert isinstance(candidate.drop_op, DropColumnOp)
    assert isinstance(candidate.add_op, AddColumnOp)
    rename = candidate.rename_op()
    assert isinstance(rename, AlterColumnOp)
    assert (rename.column_name, rename.modify_name) == ("name", "full_name")
    (modify,) = upgrade.ops
    assert isinstance(modify, ModifyTableOps)
    modify.ops = [rename]
    if not db_url.startswith("sqlite"):
        apply(db_url, upgrade)
        assert diffs(db_url, after) == []


def test_columns_paired_by_position(sqlite_url: str) -> None:
    before = _supplier(Column("a", Integer), Column("b", Integer), Column("c", String(5)))
    after = _supplier(Column("x", Integer), Column("y", Integer), Column("c", String(5)))
    pairs = {
        (c.old_name, c.new_name)
        for c in find_rename_candidates(_upgrade(sqlite_url, before, after))
    }
    assert pairs == {("a", "x"), ("b", "y")}


def test_no_candidate_when_incompatible_or_ambiguous(sqlite_url: str) -> None:
    before = _supplier(Column("price", Numeric(10, 2)), Column("name", String(40)))
    after = _supplier(Column("price", Numeric(10, 2)), Column("count", Integer))
    assert find_rename_candidates(_upgrade(sqlite_url, before, after)) == []
    before = _supplier(Column("a", String(5)), Column("b", String(5)), name="t2")
    after = _supplier(
        Column("x", Integer),
        Column("y", Integer),
        Column("a2", String(5)),
        Column("b2", String(5)),
        name="t2",
    )
    # neither position nor a single drop/add pair decides: no guess
    assert find_rename_candidates(_upgrade(sqlite_url, before, after)) == []


def test_nullability_must_match(sqlite_url: str) -> None:
    before = _supplier(Column("name", String(40), nullable=False))
    after = _supplier(Column("label", String(40), nullable=True))
    assert find_rename_candidates(_upgrade(sqlite_url, before, after)) == []


def test_table_renamed(sqlite_url: str) -> None:
    before = _supplier(Column("name", String(40)))
    after = _supplier(Column("name", String(40)), name="vendor")
    (candidate,) = find_rename_candidates(_upgrade(sqlite_url, before, after))
    assert (candidate.kind, candidate.old_name, candidate.new_name, candidate.table_name) == (
        "table",
        "supplier",
        "vendor",
        None,
    )
    rename = candidate.rename_op()
    assert isinstance(rename, RenameTableOp)
    assert (rename.table_name, rename.new_table_name) == ("supplier", "vendor")


def test_two_similar_tables_are_not_guessed(sqlite_url: str) -> None:
    before = _supplier(Column("name", String(40)))
    Table(
        "supplier_copy", before, Column("id", Integer, primary_key=True), Column("name", String(40))
    )
    after = _supplier(Column("name", String(40)), name="vendor")
    assert find_rename_candidates(_upgrade(sqlite_url, before, after)) == []


def test_types_compatible() -> None:
    from sqlalchemy.dialects import mysql

    assert types_compatible(mysql.INTEGER(display_width=11), Integer())
    assert types_compatible(String(20), String(20))
    assert not types_compatible(String(20), String(30))
    assert not types_compatible(String(20), Integer())
