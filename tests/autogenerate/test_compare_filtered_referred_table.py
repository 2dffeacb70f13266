"""A reflected foreign key whose referred table an ``include_name`` hook leaves out: the
``include_object`` hook can still read ``fk.referred_table`` and its columns (a stand-in typed
as the referring columns), where it failed with NoReferencedTableError (Alembic's suite,
``AutogenPlaceholderTableTest``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.autogenerate._compare_support import create_all, diffs


def test_include_object_reads_the_referred_table_of_a_filtered_table(db_url: str) -> None:
    database = sa.MetaData()
    sa.Table(
        "parent",
        database,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("code", sa.String(20), unique=True),
    )
    child_columns: list[sa.Column[Any]] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.BigInteger),
        sa.Column("parent_code", sa.String(20)),
    ]
    sa.Table(
        "child",
        database,
        *[c._copy() for c in child_columns],
        sa.ForeignKeyConstraint(["parent_id"], ["parent.id"], name="fk_id"),
        sa.ForeignKeyConstraint(["parent_code"], ["parent.code"], name="fk_code"),
    )
    create_all(db_url, database)
    models = sa.MetaData()
    sa.Table("child", models, *[c._copy() for c in child_columns])
    seen: dict[str, Any] = {}

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        return not (type_ == "table" and name == "parent")

    def include_object(obj: Any, name: Any, type_: str, reflected: bool, other: Any) -> bool:
        if type_ == "foreign_key_constraint" and reflected:
            seen.update({c.name: c.type._type_affinity for c in obj.referred_table.c})
        return True

    found = diffs(db_url, models, include_name=include_name, include_object=include_object)
    # (MariaDB also drops the indexes it made for the keys)
    assert sorted(d[0] for d in found if d[0].endswith("_fk")) == ["remove_fk", "remove_fk"]
    assert seen == {"id": sa.Integer, "code": sa.String}
