"""The corpus harness's own parts, on small hand-made inputs: the mutation plan and its matcher,
and the schema dump's diff."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.corpus import mutations, schema_dump

SCRIPT = """
def upgrade():
    op.create_table("corpus_added_table", sa.Column("id", sa.Integer()))
    with op.batch_alter_table("parent") as batch_op:
        batch_op.add_column(sa.Column("corpus_added", sa.String(length=40)))
        batch_op.alter_column("note", new_column_name="corpus_renamed")


def downgrade():
    op.drop_table("child")
"""


def _models() -> sa.MetaData:
    md = sa.MetaData()
    parent = sa.Table(
        "parent",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("note", sa.String(80)),
    )
    sa.Table(
        "child",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.ForeignKey(parent.c.id, name="fk_child_parent")),
        sa.Column("label", sa.String(20)),
        sa.Column("size", sa.Integer, index=True),
    )
    return md


def test_missing_ops_reads_op_and_batch_calls_and_only_the_upgrade() -> None:
    expected = [
        mutations.Mutation(
            "add_table",
            "corpus_added_table",
            expected=(mutations.ExpectedOp("create_table", ("corpus_added_table",)),),
        ),
        mutations.Mutation(
            "add_column",
            "parent",
            "corpus_added",
            expected=(mutations.ExpectedOp("add_column", ("parent", "corpus_added")),),
        ),
        mutations.Mutation(
            "rename_column",
            "parent",
            "note",
            expected=(mutations.ExpectedOp("alter_column", ("parent", "note"), "new_column_name"),),
        ),
        mutations.Mutation(
            "drop_table", "child", expected=(mutations.ExpectedOp("drop_table", ("child",)),)
        ),
        mutations.Mutation(
            "nullability",
            "parent",
            "name",
            expected=(mutations.ExpectedOp("alter_column", ("parent", "name"), "nullable"),),
        ),
    ]
    assert mutations.missing_ops(SCRIPT, expected) == [
        "drop_table: drop_table(child)",
        "nullability: alter_column(parent, name nullable=)",
    ]


def test_plan_is_deterministic_and_apply_changes_the_models() -> None:
    md = _models()
    plan = mutations.plan([md], "sqlite", "sterna")
    kinds = {m.kind: m for m in plan}
    assert kinds["drop_table"].table == "child"  # the last table nothing refers to
    assert [
        (m.kind, m.table, m.column) for m in mutations.plan([_models()], "sqlite", "sterna")
    ] == [(m.kind, m.table, m.column) for m in plan]
    assert "rename_column" not in {m.kind for m in mutations.plan([_models()], "sqlite", "alembic")}
    assert "enum_value" not in kinds  # no enum here, and not PostgreSQL
    mutations.apply([md], plan)
    assert "child" not in md.tables and mutations.ADDED_TABLE in md.tables
    assert mutations.ADDED_COLUMN in md.tables["parent"].c


def test_dump_diff_names_the_differing_column(tmp_path: Path) -> None:
    urls = []
    for name, length in (("one", 20), ("two", 30)):
        url = f"sqlite:///{tmp_path / name}.db"
        md = sa.MetaData()
        sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("s", sa.String(length)),
            sa.Index("ix_t_s", "s"),
        )
        engine = sa.create_engine(url)
        md.create_all(engine)
        engine.dispose()
        urls.append(url)
    left, right = (schema_dump.dump(u) for u in urls)
    assert schema_dump.diff(left, left, "a", "b") == ""
    text = schema_dump.diff(left, right, "a", "b")
    assert '-tables.t.columns[s].type: "VARCHAR(20)"' in text.splitlines()
    assert '+tables.t.columns[s].type: "VARCHAR(30)"' in text.splitlines()
    assert "tables.t.indexes[ix_t_s].columns" not in schema_dump.short_diff(text)
