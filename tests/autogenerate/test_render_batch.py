"""render_as_batch: the operations on one table inside a ``batch_alter_table`` block."""

from __future__ import annotations

import sqlalchemy as sa

from sterna.operations import ops
from tests.autogenerate._render_support import (
    body,
    formatted,
    render,
    rendered_sql,
    run_source,
    same_statements,
)


def modify(*operations: ops.MigrateOperation, schema: str | None = None) -> ops.ModifyTableOps:
    return ops.ModifyTableOps("suppliers", list(operations), schema=schema)


def test_batch_blocks_hold_the_table_operations_without_the_table_name() -> None:
    text = body(
        [
            modify(
                ops.AddColumnOp("suppliers", sa.Column("email", sa.String(120), nullable=True)),
                ops.AlterColumnOp(
                    "suppliers", "name", modify_nullable=True, existing_type=sa.String(50)
                ),
                ops.DropColumnOp("suppliers", "fax"),
                ops.CreateIndexOp("ix_email", "suppliers", ["email"], unique=True),
                ops.DropIndexOp("ix_old", "suppliers"),
                ops.CreateUniqueConstraintOp("uq_name", "suppliers", ["name"]),
                ops.CreateForeignKeyOp(
                    "fk_country",
                    "suppliers",
                    "countries",
                    ["country_id"],
                    ["id"],
                    ondelete="CASCADE",
                ),
                ops.DropConstraintOp("ck_old", "suppliers", type_="check"),
                ops.CreateTableCommentOp("suppliers", "Who sells to us"),
            ),
            modify(ops.DropColumnOp("suppliers", "x", schema="crm"), schema="crm"),
            ops.DropTableOp("old"),
        ],
        render_as_batch=True,
    )
    assert text == formatted("""\
with op.batch_alter_table("suppliers") as batch_op:
    batch_op.add_column(sa.Column("email", sa.String(length=120), nullable=True))
    batch_op.alter_column("name", existing_type=sa.String(length=50), nullable=True)
    batch_op.drop_column("fax")
    batch_op.create_index("ix_email", ["email"], unique=True)
    batch_op.drop_index("ix_old")
    batch_op.create_unique_constraint("uq_name", ["name"])
    batch_op.create_foreign_key(
        "fk_country", "countries", ["country_id"], ["id"], ondelete="CASCADE"
    )
    batch_op.drop_constraint("ck_old", type_="check")
    batch_op.create_table_comment("Who sells to us")

with op.batch_alter_table("suppliers", schema="crm") as batch_op:
    batch_op.drop_column("x")

op.drop_table("old")
""")


def test_convention_names_use_batch_op_f_in_a_block() -> None:
    from sqlalchemy.sql.elements import conv

    text = body(
        [modify(ops.CreateIndexOp(conv("ix_suppliers_email"), "suppliers", ["email"]))],
        render_as_batch=True,
    )
    expected = 'batch_op.create_index(batch_op.f("ix_suppliers_email"), ["email"], unique=False)'
    assert expected in text


def test_without_render_as_batch_the_operations_are_flat() -> None:
    text = body([modify(ops.DropColumnOp("suppliers", "fax"))])
    assert text == 'op.drop_column("suppliers", "fax")\n'


def test_batch_code_runs_as_the_plain_operations_do_on_postgresql() -> None:
    operations = [
        modify(
            ops.AddColumnOp("suppliers", sa.Column("email", sa.String(120), nullable=True)),
            ops.CreateIndexOp("ix_email", "suppliers", ["email"], unique=True),
            ops.DropColumnOp("suppliers", "fax"),
        )
    ]
    plain = rendered_sql("postgresql", operations)

    source, imports = render(operations, "postgresql", render_as_batch=True)
    assert "batch_op" in source
    assert same_statements(run_source("postgresql", source, sorted(imports)), plain)
