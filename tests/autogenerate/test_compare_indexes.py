"""Indexes and unique constraints: columns, uniqueness, expressions, PostgreSQL WHERE/INCLUDE,
MySQL's unique-index duality and foreign-key indexes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    column,
    func,
    text,
)

from tests.autogenerate._compare_support import (
    alembic_diffs,
    create_all,
    diffs,
    roundtrip,
    summarize,
)


def _model(*items: Any) -> MetaData:
    metadata = MetaData()
    Table(
        "doc",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Column("b", Integer),
        Column("title", String(50)),
        *items,
    )
    return metadata


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((("a",), False), (("a", "b"), False)),
        ((("a",), False), (("a",), True)),
        ((("a", "b"), False), (("b", "a"), False)),
    ],
    ids=["columns", "unique", "column_order"],
)
def test_changed_index_is_dropped_and_created(
    db_url: str, before: tuple[tuple[str, ...], bool], after: tuple[tuple[str, ...], bool]
) -> None:
    def model(spec: tuple[tuple[str, ...], bool]) -> MetaData:
        return _model(Index("ix_doc", *spec[0], unique=spec[1]))

    create_all(db_url, model(before))
    expected = {("remove_index", "doc", "ix_doc"), ("add_index", "doc", "ix_doc")}
    assert summarize(diffs(db_url, model(after))) == expected
    assert summarize(alembic_diffs(db_url, model(after))) == expected
    roundtrip(db_url, model(before), model(after))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])  # MariaDB has none
def test_expression_indexes(db_url: str, backend: str) -> None:
    before = _model(Index("ix_doc_title", func.lower(column("title"))))
    create_all(db_url, before)
    assert diffs(db_url, _model(Index("ix_doc_title", func.lower(column("title"))))) == []
    after = _model(Index("ix_doc_title", func.upper(column("title"))))
    expected = {("remove_index", "doc", "ix_doc_title"), ("add_index", "doc", "ix_doc_title")}
    assert summarize(diffs(db_url, after)) == expected
    roundtrip(db_url, _model(Index("ix_doc_title", func.lower(column("title")))), after)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])  # MariaDB has none
def test_partial_indexes(db_url: str, backend: str) -> None:
    def partial(limit: int) -> Index:
        where = column("a") > limit
        return Index("ix_doc_b", "b", postgresql_where=where, sqlite_where=where)

    create_all(db_url, _model(partial(5)))
    assert diffs(db_url, _model(partial(5))) == []
    expected = {("remove_index", "doc", "ix_doc_b"), ("add_index", "doc", "ix_doc_b")}
    assert summarize(diffs(db_url, _model(partial(7)))) == expected
    roundtrip(db_url, _model(partial(5)), _model(partial(7)))


def test_postgresql_include_and_using(pg_url: str) -> None:
    create_all(pg_url, _model(Index("ix_doc_a", "a", postgresql_include=["b"])))
    assert diffs(pg_url, _model(Index("ix_doc_a", "a", postgresql_include=["b"]))) == []
    changed = summarize(diffs(pg_url, _model(Index("ix_doc_a", "a", postgresql_include=["title"]))))
    assert changed == {("remove_index", "doc", "ix_doc_a"), ("add_index", "doc", "ix_doc_a")}
    hashed = summarize(
        diffs(
            pg_url,
            _model(Index("ix_doc_a", "a", postgresql_include=["b"], postgresql_using="hash")),
        )
    )
    assert hashed == changed


def _gin(*elements: str) -> MetaData:
    from sqlalchemy.dialects.postgresql import ARRAY, JSONB

    metadata = MetaData()
    table = Table(
        "doc",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("tags", ARRAY(Integer)),
        Column("body", JSONB),
    )
    Index("ix_doc_gin", *(text(e) for e in elements), postgresql_using="gin", _table=table)
    return metadata


def test_postgresql_operator_class_of_an_index_element(pg_url: str) -> None:
    """An element written with an operator class (``tags array_ops``, ``(body->'x')
    jsonb_path_ops``) is compared without it (the catalog gives the column back without it):
    the unchanged index was dropped and re-created; a changed expression still is."""
    elements = ("tags array_ops", "(body->'x')jsonb_path_ops")
    create_all(pg_url, _gin(*elements))
    assert diffs(pg_url, _gin(*elements)) == []
    changed = summarize(diffs(pg_url, _gin("tags array_ops", "(body->'y')jsonb_path_ops")))
    assert changed == {("remove_index", "doc", "ix_doc_gin"), ("add_index", "doc", "ix_doc_gin")}


def test_unique_constraints_added_and_dropped(db_url: str, backend: str) -> None:
    before = _model(UniqueConstraint("a", name="uq_doc_a"))
    after = _model(UniqueConstraint("b", "title", name="uq_doc_b_title"))
    create_all(db_url, before)
    expected = {
        ("remove_constraint", "doc", ("a",))
        if backend != "mariadb"
        else ("remove_index", "doc", "uq_doc_a"),
        ("add_constraint", "doc", ("b", "title")),
    }
    assert summarize(diffs(db_url, after)) == expected
    if backend != "sqlite":  # dropping a constraint needs batch mode on SQLite
        roundtrip(db_url, _model(UniqueConstraint("a", name="uq_doc_a")), after)


def test_unnamed_unique_constraint_matches_by_columns(db_url: str) -> None:
    create_all(db_url, _model(UniqueConstraint("a", "b")))
    assert diffs(db_url, _model(UniqueConstraint("a", "b"))) == []
    assert alembic_diffs(db_url, _model(UniqueConstraint("a", "b"))) == []


def test_mysql_unique_index_and_constraint_are_one_thing(mysql_url: str) -> None:
    create_all(
        mysql_url, _model(UniqueConstraint("a", name="uq_a"), Index("ux_b", "b", unique=True))
    )
    swapped = _model(Index("uq_a", "a", unique=True), UniqueConstraint("b", name="ux_b"))
    assert diffs(mysql_url, swapped) == []


def test_mysql_keeps_foreign_key_indexes(mysql_url: str) -> None:
    metadata = MetaData()
    Table("parent", metadata, Column("id", Integer, primary_key=True))
    Table(
        "child",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("parent_id", ForeignKey("parent.id")),
        Column("other_id", Integer),
        Index("ix_child_parent_other", "parent_id", "other_id"),
    )
    create_all(mysql_url, metadata)
    same = MetaData()
    Table("parent", same, Column("id", Integer, primary_key=True))
    Table(
        "child",
        same,
        Column("id", Integer, primary_key=True),
        Column("parent_id", ForeignKey("parent.id")),
        Column("other_id", Integer),
    )
    # the remaining index serves the foreign key: MySQL would refuse to drop it
    assert diffs(mysql_url, same) == []


def test_include_name_for_indexes(db_url: str) -> None:
    create_all(db_url, _model(Index("ix_keep", "a"), Index("ix_managed_elsewhere", "b")))

    def include_name(name: Any, type_: str, parents: dict[str, Any]) -> bool:
        return not (type_ == "index" and str(name).endswith("elsewhere"))

    assert diffs(db_url, _model(Index("ix_keep", "a")), include_name=include_name) == []


@pytest.mark.parametrize("kind", ["index", "constraint"])
def test_postgresql_nulls_not_distinct(pg_url: str, kind: str) -> None:
    """``postgresql_nulls_not_distinct`` (PostgreSQL 15+) of a unique index or constraint is
    compared: a change drops and re-creates it; False is the default (not set)."""

    def model(flag: bool | None) -> MetaData:
        if kind == "index":
            item: Any = Index("nnd", "title", unique=True, postgresql_nulls_not_distinct=flag)
        else:
            item = UniqueConstraint("title", name="nnd", postgresql_nulls_not_distinct=flag)
        return _model(item)

    create_all(pg_url, model(True))
    assert diffs(pg_url, model(True)) == []
    assert [d[0] for d in diffs(pg_url, model(False))] == [f"remove_{kind}", f"add_{kind}"]
    assert [d[0] for d in diffs(pg_url, model(None))] == [f"remove_{kind}", f"add_{kind}"]
    assert [d[0] for d in alembic_diffs(pg_url, model(None))] == [f"remove_{kind}", f"add_{kind}"]


def test_postgresql_nulls_distinct_by_default(pg_url: str) -> None:
    """``postgresql_nulls_not_distinct=False`` is PostgreSQL's default: no difference."""
    create_all(pg_url, _model(UniqueConstraint("title", name="nnd"), Index("ix_a", "a")))
    same = _model(
        UniqueConstraint("title", name="nnd", postgresql_nulls_not_distinct=False),
        Index("ix_a", "a", postgresql_nulls_not_distinct=False),
    )
    assert diffs(pg_url, same) == []


def test_mariadb_changed_unique_constraint_is_dropped_as_a_constraint(mysql_url: str) -> None:
    """MariaDB keeps a unique constraint as a unique index; when the model's named
    ``UniqueConstraint`` changes its columns, the old one is dropped as the constraint the
    model declares (``drop_constraint(type_="unique")``), as Alembic reports it, not as an
    index; the downgrade re-creates it as a constraint."""
    create_all(mysql_url, _model(UniqueConstraint("a", name="uq_doc")))
    after = _model(UniqueConstraint("a", "b", name="uq_doc"))
    assert [d[0] for d in diffs(mysql_url, after)] == ["remove_constraint", "add_constraint"]
    assert [d[0] for d in alembic_diffs(mysql_url, after)] == [
        "remove_constraint",
        "add_constraint",
    ]
    script = roundtrip(mysql_url, _model(UniqueConstraint("a", name="uq_doc")), after)
    assert script.downgrade_ops is not None


def test_renamed_unique_constraint_is_dropped_and_added(db_url: str) -> None:
    """Two unique constraints on the same columns named differently (here only by case) are a
    rename: the old one dropped, the new one added, as Alembic reports it (they were paired by
    their columns and the rename went unseen)."""
    create_all(db_url, _model(UniqueConstraint("a", name="SomeCasingConvention")))
    renamed = _model(UniqueConstraint("a", name="somecasingconvention"))
    found = [(d[0], d[1].name) for d in diffs(db_url, renamed)]
    assert found == [(d[0], d[1].name) for d in alembic_diffs(db_url, renamed)]
    assert found[-1] == ("add_constraint", "somecasingconvention")
    assert found[0][1] == "SomeCasingConvention" and len(found) == 2
    assert diffs(db_url, _model(UniqueConstraint("a", name="SomeCasingConvention"))) == []
