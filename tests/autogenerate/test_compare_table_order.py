"""``table_order``: the foreign keys split out of ``create_table`` and the table order, checked
against SQLAlchemy's ``sort_tables_and_constraints`` (what ``create_all`` uses) on random
schemas."""

from __future__ import annotations

import random
import warnings

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table
from sqlalchemy.sql.ddl import sort_tables_and_constraints

from sterna.autogenerate.compare.schemas import TableKey
from sterna.autogenerate.compare.table_order import TablePlan, on_a_cycle, plan_tables


def _random_metadata(seed: int) -> MetaData:
    rng = random.Random(seed)
    metadata = MetaData()
    names = [f"t{n:02d}" for n in range(rng.randint(2, 9))]
    for name in names:
        columns = [Column("id", Integer, primary_key=True)]
        for n, target in enumerate(rng.sample(names, rng.randint(0, min(3, len(names))))):
            use_alter = rng.random() < 0.15
            columns.append(
                Column(
                    f"c{n}",
                    ForeignKey(
                        f"{target}.id",
                        use_alter=use_alter,
                        name=f"fk_{name}_{n}" if use_alter else None,
                    ),
                )
            )
        Table(name, metadata, *columns)
    return metadata


def _plan(metadata: MetaData) -> TablePlan:
    tables: dict[TableKey, Table] = {(None, t.name): t for t in metadata.tables.values()}
    return plan_tables(tables, lambda key, fk: (None, fk.elements[0].column.table.name))


@pytest.mark.parametrize("seed", range(60))
def test_split_and_order_match_create_all(seed: int) -> None:
    metadata = _random_metadata(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sort_tables_and_constraints(  # type: ignore[no-untyped-call]
            list(metadata.tables.values())
        )
    expected = {
        id(fk)
        for fk in reference[-1][1]
        if fk.use_alter or fk.referred_table is not fk.parent  # self-references stay inline
    }
    plan = _plan(metadata)
    assert {id(link.constraint) for link in plan.split} == expected
    position = {key[1]: n for n, key in enumerate(plan.order)}
    assert sorted(position) == sorted(metadata.tables)
    for table in metadata.tables.values():
        for fk in table.foreign_key_constraints:
            if id(fk) not in expected:  # an inline key needs its table first
                assert position[fk.referred_table.name] <= position[table.name]
    assert _plan(metadata).order == plan.order  # deterministic


def test_a_table_between_two_cycles_is_not_on_a_cycle() -> None:
    edges: dict[TableKey, set[TableKey]] = {
        (None, "a"): {(None, "b")},
        (None, "b"): {(None, "a"), (None, "c")},
        (None, "c"): {(None, "d")},
        (None, "d"): {(None, "e")},
        (None, "e"): {(None, "d")},
        (None, "f"): {(None, "a")},
    }
    assert on_a_cycle(edges) == {(None, "a"), (None, "b"), (None, "d"), (None, "e")}
