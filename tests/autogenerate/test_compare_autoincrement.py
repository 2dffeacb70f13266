"""``alter_column``'s ``autoincrement`` on an altered column: True for the table's autoincrement
column or ``autoincrement=True``, False for ``autoincrement=False``, left out otherwise (checked
against Alembic's ``produce_migrations`` on the same database)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, insert, select

from sterna.operations.ops import AlterColumnOp
from tests.autogenerate._compare_support import apply, create_all, engine, flatten, produce


def _columns(case: str, type_: Any) -> list[Column[Any]]:
    """Table ``a`` for each case: its ``x`` column changes from Integer to BigInteger."""
    return {
        "pk_implicit": [Column("x", type_, primary_key=True)],
        "pk_false": [Column("x", type_, primary_key=True, autoincrement=False)],
        "nonpk_implicit": [Column("id", Integer, primary_key=True), Column("x", type_)],
        "nonpk_false": [
            Column("id", Integer, primary_key=True),
            Column("x", type_, autoincrement=False),
        ],
        "nonpk_true": [
            Column("id", Integer, primary_key=True, autoincrement=False),
            Column("x", type_, autoincrement=True),
        ],
    }[case]


CASES = ("pk_implicit", "pk_false", "nonpk_implicit", "nonpk_false", "nonpk_true")


def _model(type_: Any, case: str) -> MetaData:
    metadata = MetaData()
    Table("a", metadata, *_columns(case, type_))
    return metadata


def _alembic_kw(url: str, metadata: MetaData) -> dict[str, Any]:
    from alembic.autogenerate import produce_migrations
    from alembic.operations.ops import AlterColumnOp as AlembicAlterColumnOp
    from alembic.operations.ops import ModifyTableOps
    from alembic.runtime.migration import MigrationContext

    with engine(url) as eng, eng.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), metadata)
    assert script.upgrade_ops is not None
    table_ops = script.upgrade_ops.ops[0]
    assert isinstance(table_ops, ModifyTableOps)
    op = table_ops.ops[0]
    assert isinstance(op, AlembicAlterColumnOp)
    return dict(op.kw)


def _sterna_alter(url: str, metadata: MetaData) -> AlterColumnOp:
    upgrade = produce(url, metadata).upgrade_ops
    assert upgrade is not None
    found = [op for op in flatten(upgrade) if isinstance(op, AlterColumnOp)]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("case", CASES)
def test_autoincrement_of_an_altered_column_as_alembic(db_url: str, case: str) -> None:
    create_all(db_url, _model(Integer, case))
    after = _model(BigInteger, case)
    ours = _sterna_alter(db_url, after).kw.get("autoincrement")
    assert ours == _alembic_kw(db_url, after).get("autoincrement")
    expected = {"pk_implicit": True, "pk_false": False, "nonpk_false": False, "nonpk_true": True}
    assert ours == expected.get(case)


# (not SQLite: it changes a column's type through batch mode only)
@pytest.mark.parametrize("url_fixture", ["pg_url", "mysql_url"])
def test_altered_autoincrement_key_still_generates_ids(
    request: pytest.FixtureRequest, url_fixture: str
) -> None:
    db_url = request.getfixturevalue(url_fixture)
    create_all(db_url, _model(Integer, "pk_implicit"))
    after = _model(BigInteger, "pk_implicit")
    apply(db_url, produce(db_url, after).upgrade_ops)
    table = after.tables["a"]
    with engine(db_url) as eng, eng.begin() as conn:
        conn.execute(insert(table), [{}, {}])
        assert list(conn.scalars(select(table.c.x).order_by(table.c.x))) == [1, 2]


def _composite(type_: Any) -> MetaData:
    metadata = MetaData()
    Table(
        "a",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("x", type_, primary_key=True, autoincrement=True),
    )
    return metadata


@pytest.mark.parametrize("url_fixture", ["pg_url", "mysql_url"])
def test_composite_key_with_an_autoincrement_column_is_unchanged(
    request: pytest.FixtureRequest, url_fixture: str
) -> None:
    """``CREATE TABLE`` writes a composite key's autoincrement column first (``PRIMARY KEY (x,
    id)``); the model's key is the same, not dropped and re-created (Alembic's suite,
    ``test_alter_column_autoincrement_compositepk_explicit_true``)."""
    db_url = request.getfixturevalue(url_fixture)
    create_all(db_url, _composite(Integer))
    upgrade = produce(db_url, _composite(Integer)).upgrade_ops
    assert upgrade is not None and upgrade.is_empty()
    found = produce(db_url, _composite(BigInteger)).upgrade_ops
    assert found is not None
    assert [type(op).__name__ for op in flatten(found)] == ["AlterColumnOp"]
    assert _sterna_alter(db_url, _composite(BigInteger)).kw["autoincrement"] is True
