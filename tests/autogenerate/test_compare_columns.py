"""Columns added, dropped and altered (nullability, comments), as Alembic reports them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from sterna.operations.ops import AddColumnOp, AlterColumnOp, DropColumnOp, ModifyTableOps
from tests.autogenerate._compare_support import (
    alembic_diffs,
    create_all,
    diffs,
    flatten,
    produce,
    roundtrip,
    summarize,
)


def _people(*extra: Any, nullable_name: bool = True, comments: bool = False) -> MetaData:
    metadata = MetaData()
    Table(
        "people",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "name", String(40), nullable=nullable_name, comment="full name" if comments else None
        ),
        *extra,
        comment="everyone" if comments else None,
    )
    return metadata


def test_columns_added_and_dropped(db_url: str) -> None:
    before = _people(Column("nickname", String(20)), Column("age", Integer))
    after = _people(Column("email", String(80)), Column("age", Integer))
    create_all(db_url, before)
    ours = summarize(diffs(db_url, after))
    assert ours == {
        ("add_column", None, "people", "email"),
        ("remove_column", None, "people", "nickname"),
    }
    assert ours == summarize(alembic_diffs(db_url, after))


def test_columns_round_trip(db_url: str) -> None:
    before = _people(Column("nickname", String(20)))
    after = _people(Column("email", String(80)), Column("bio", Text))
    script = roundtrip(db_url, before, after)
    assert script.upgrade_ops is not None
    (modify,) = script.upgrade_ops.ops
    assert isinstance(modify, ModifyTableOps)
    assert [type(op) for op in modify.ops] == [AddColumnOp, AddColumnOp, DropColumnOp]
    positions = [op.info["sterna.position"] for op in modify.ops]
    assert positions == [2, 3, 2]


def test_nullability_change(db_url: str, backend: str) -> None:
    before = _people(nullable_name=True)
    after = _people(nullable_name=False)
    if backend == "sqlite":  # ALTER COLUMN needs batch mode there: compare only
        create_all(db_url, before)
        script = produce(db_url, after)
    else:
        script = roundtrip(db_url, before, after)
        create_all(db_url, before)
    assert script.upgrade_ops is not None
    (modify,) = script.upgrade_ops.ops
    assert isinstance(modify, ModifyTableOps)
    (alter,) = modify.ops
    assert isinstance(alter, AlterColumnOp)
    assert (alter.column_name, alter.modify_nullable, alter.existing_nullable) == (
        "name",
        False,
        True,
    )
    assert str(alter.existing_type) == "VARCHAR(40)"
    expected = {("modify_nullable", None, "people", "name")}
    assert summarize(diffs(db_url, after)) == expected
    assert summarize(alembic_diffs(db_url, after)) == expected


def test_comments(db_url: str, backend: str) -> None:
    if backend == "sqlite":
        create_all(db_url, _people())
        assert diffs(db_url, _people(comments=True)) == []  # SQLite keeps no comments
        return
    script = roundtrip(db_url, _people(), _people(comments=True))
    create_all(db_url, _people())
    expected = {
        ("modify_comment", None, "people", "name"),
        ("add_table_comment", "people"),
    }
    assert summarize(diffs(db_url, _people(comments=True))) == expected
    assert summarize(alembic_diffs(db_url, _people(comments=True))) == expected
    assert script.downgrade_ops is not None


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])  # SQLite keeps no comments
def test_comment_removed(db_url: str, backend: str) -> None:
    roundtrip(db_url, _people(comments=True), _people())
    create_all(db_url, _people(comments=True))
    expected = {
        ("modify_comment", None, "people", "name"),
        ("remove_table_comment", "people"),
    }
    assert summarize(diffs(db_url, _people())) == expected
    assert summarize(alembic_diffs(db_url, _people())) == expected


def test_include_name_for_columns(db_url: str) -> None:
    create_all(db_url, _people(Column("legacy", Integer)))

    def include_name(name: str | None, type_: str, parents: dict[str, Any]) -> bool:
        if type_ == "column":
            assert parents["table_name"] == "people"
            assert parents["schema_qualified_table_name"] == "people"
            return name != "legacy"
        return True

    assert diffs(db_url, _people(), include_name=include_name) == []
    assert summarize(diffs(db_url, _people())) == {("remove_column", None, "people", "legacy")}


def _plain(diff: Any) -> Any:
    """A diff with its type and default objects as text, so two tools' diffs compare."""
    if isinstance(diff, list):
        return [_plain(item) for item in diff]
    if isinstance(diff, dict):
        return {k: _plain(v) for k, v in diff.items()}
    if isinstance(diff, tuple):
        return tuple(_plain(item) for item in diff)
    if diff is None or isinstance(diff, (bool, str)):
        return diff
    arg = getattr(diff, "arg", None)
    return f"default {getattr(arg, 'text', arg)}" if arg is not None else repr(diff)


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_a_changed_comments_diff_is_alembics(server: str, request: pytest.FixtureRequest) -> None:
    """``as_diffs()`` gives an altered column as one list of ``modify_*`` tuples, and its
    ``existing_server_default`` is ``False`` when neither side has a default (a reflected one
    when the database has it), as in Alembic's diffs (the comment tests of Alembic's suite)."""
    url = request.getfixturevalue("pg_url" if server == "postgresql" else "mysql_url")
    with_default = Column("kind", String(10), server_default="x")
    create_all(url, _people(with_default))
    after = _people(Column("kind", String(10), server_default="x", comment="k"), comments=True)
    upgrade = produce(url, after).upgrade_ops
    assert upgrade is not None
    ours = [d for d in upgrade.as_diffs() if isinstance(d, list)]
    theirs = [d for d in alembic_diffs(url, after) if isinstance(d, list)]
    assert len(ours) == 2 and _plain(ours) == _plain(theirs)
    assert ours[0][0][4]["existing_server_default"] is False


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_an_emptied_comment_is_removed(server: str, request: pytest.FixtureRequest) -> None:
    """A model comment changed to ``""`` removes the comment: ``modify_comment`` is ``None``,
    as in Alembic (an empty comment and none are the same to the database)."""
    url = request.getfixturevalue("pg_url" if server == "postgresql" else "mysql_url")
    create_all(url, _people(comments=True))
    after = _people(comments=True)
    after.tables["people"].c.name.comment = ""
    upgrade = produce(url, after).upgrade_ops
    assert upgrade is not None
    ops = [op for op in flatten(upgrade) if isinstance(op, AlterColumnOp)]
    assert len(ops) == 1 and ops[0].modify_comment is None
    assert [d[5:] for d in ops[0].to_diff_tuple()] == [("full name", None)]
    theirs = [d for d in alembic_diffs(url, after) if isinstance(d, list)]
    assert [d[0][5:] for d in theirs] == [("full name", None)]
