"""A changed index or unique constraint: ``include_object`` is asked once, about the model's
object, with the database's as ``compare_to``, and a False leaves the change out (Alembic's
suite, ``IncludeHooksTest.test_change_index`` / ``test_change_unique``).  Sterna asked about
the drop and the add separately, each with ``compare_to=None``, so such a hook kept them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.autogenerate._compare_support import create_all, diffs


def _models(first: tuple[str, ...], second: tuple[str, ...]) -> sa.MetaData:
    metadata = sa.MetaData()
    table = sa.Table(
        "t",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.Integer),
        sa.Column("y", sa.Integer),
        sa.Column("z", sa.Integer),
    )
    sa.Index("ix1", *[table.c[c] for c in first])
    sa.Index("ix2", *[table.c[c] for c in second])
    return metadata


def test_changed_index_left_out_by_include_object(db_url: str) -> None:
    create_all(db_url, _models(("x",), ("y",)))
    asked: list[tuple[str, bool, str | None]] = []

    def include_object(obj: Any, name: Any, type_: str, reflected: bool, other: Any) -> bool:
        if type_ == "index":
            asked.append((name, reflected, getattr(other, "name", None)))
        return not (type_ == "index" and name == "ix1" and isinstance(other, sa.Index))

    found = diffs(db_url, _models(("x", "y"), ("x", "z")), include_object=include_object)
    assert [(d[0], d[1].name) for d in found] == [("remove_index", "ix2"), ("add_index", "ix2")]
    assert ("ix1", False, "ix1") in asked and ("ix2", False, "ix2") in asked
