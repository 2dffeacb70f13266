"""Foreign keys between columns that have a ``key`` other than their name
(``Column("id_1", key="tid1")``, ``ForeignKey("some_table.tid1")``): the database knows the
names, so the comparison and the operations use the names (Alembic's suite,
``AutogenerateForeignKeysTest.test_add_fk_colkeys`` / ``test_no_change_colkeys``)."""

from __future__ import annotations

import sqlalchemy as sa

from sterna.operations import ops
from tests.autogenerate._compare_support import create_all, diffs, flatten, produce, roundtrip


def _models(with_fk: bool) -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "some_table",
        metadata,
        sa.Column("id_1", sa.String(10), key="tid1", primary_key=True),
        sa.Column("id_2", sa.String(10), key="tid2", primary_key=True),
    )
    items: list[sa.schema.SchemaItem] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("other_id_1", sa.String(10), key="oid1"),
        sa.Column("other_id_2", sa.String(10), key="oid2"),
    ]
    if with_fk:
        items.append(
            sa.ForeignKeyConstraint(
                ["oid1", "oid2"], ["some_table.tid1", "some_table.tid2"], name="fk_user_some"
            )
        )
    sa.Table("user", metadata, *items)
    return metadata


def test_unchanged_foreign_key_over_column_keys_is_not_reported(db_url: str) -> None:
    """It was reported removed and added again on every run (referred keys vs names)."""
    create_all(db_url, _models(with_fk=True))
    assert diffs(db_url, _models(with_fk=True)) == []


def test_added_foreign_key_over_column_keys_refers_to_the_names(db_url: str, backend: str) -> None:
    """The operation names the referred columns (``REFERENCES some_table (id_1, id_2)``; it
    wrote the keys ``tid1, tid2``, columns the table does not have), and the migration runs
    up and down on the real database (SQLite: in batch mode, which it needs for a new key)."""
    opts = {"render_as_batch": True} if backend == "sqlite" else {}
    create_all(db_url, _models(with_fk=False))
    upgrade = produce(db_url, _models(with_fk=True), **opts).upgrade_ops
    assert upgrade is not None
    found = flatten(upgrade)
    keys = [op for op in found if isinstance(op, ops.CreateForeignKeyOp)]
    assert [op.remote_cols for op in keys] == [["id_1", "id_2"]]
    if backend != "sqlite":
        roundtrip(db_url, _models(with_fk=False), _models(with_fk=True))
