"""``Rewriter``: per-operation rewrites of the revision directives, chaining, and the walk into
``ModifyTableOps`` and every upgrade/downgrade container."""

from __future__ import annotations

from typing import Any, cast

import pytest
import sqlalchemy as sa

from sterna.autogenerate import Rewriter, rewriter
from sterna.operations import ops


def script(*upgrade: ops.MigrateOperation) -> ops.MigrationScript:
    up = ops.UpgradeOps(ops=list(upgrade))
    return ops.MigrationScript("abc", up, up.reverse(), message="m")


def add(name: str, nullable: bool = False) -> ops.AddColumnOp:
    return ops.AddColumnOp("t", sa.Column(name, sa.Integer(), nullable=nullable))


def test_public_names() -> None:
    assert rewriter.Rewriter is Rewriter


def test_rewrites_operations_inside_table_containers() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def nullable_first(context: Any, revision: Any, op: ops.AddColumnOp) -> Any:
        op.column.nullable = True
        return op

    directives = [script(ops.ModifyTableOps("t", [add("a"), add("b")]))]
    writer(None, ("head",), directives)
    upgrade = directives[0].upgrade_ops
    assert upgrade is not None
    modify = upgrade.ops[0]
    assert isinstance(modify, ops.ModifyTableOps)
    assert [cast(ops.AddColumnOp, op).column.nullable for op in modify.ops] == [True, True]


def test_a_rewrite_may_return_several_operations_or_none() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def add_then_alter(context: Any, revision: Any, op: ops.AddColumnOp) -> Any:
        if op.column.name == "drop_me":
            return []
        op.column.nullable = True
        alter = ops.AlterColumnOp(
            op.table_name, op.column.name, modify_nullable=False, existing_type=op.column.type
        )
        return [op, alter]

    directives = [script(ops.ModifyTableOps("t", [add("a"), add("drop_me")]))]
    writer(None, None, directives)
    upgrade = directives[0].upgrade_ops
    assert upgrade is not None
    modify = upgrade.ops[0]
    assert isinstance(modify, ops.ModifyTableOps)
    assert [type(op).__name__ for op in modify.ops] == ["AddColumnOp", "AlterColumnOp"]


def test_returned_operations_are_not_rewritten_again_by_the_same_rewriter() -> None:
    writer = Rewriter()
    calls: list[str] = []

    @writer.rewrites(ops.AddColumnOp)
    def again(context: Any, revision: Any, op: ops.AddColumnOp) -> Any:
        calls.append(op.column.name)
        return [op, add(op.column.name + "_copy")]

    directives = [script(add("a"))]
    writer(None, None, directives)
    assert calls == ["a"]
    upgrade = directives[0].upgrade_ops
    assert upgrade is not None
    assert [cast(ops.AddColumnOp, op).column.name for op in upgrade.ops] == ["a", "a_copy"]


def test_downgrades_are_walked_too_and_subclasses_match() -> None:
    writer = Rewriter()
    seen: list[str] = []

    @writer.rewrites(ops.AlterTableOp)
    def any_table_op(context: Any, revision: Any, op: Any) -> Any:
        seen.append(type(op).__name__)
        return op

    writer(None, None, [script(add("a"))])
    assert sorted(seen) == ["AddColumnOp", "DropColumnOp"]


def test_chained_rewriters_run_in_order() -> None:
    first, second = Rewriter(), Rewriter()
    order: list[str] = []

    @first.rewrites(ops.AddColumnOp)
    def one(context: Any, revision: Any, op: Any) -> Any:
        order.append("first")
        op.column.comment = "first"
        return op

    @second.rewrites(ops.AddColumnOp)
    def two(context: Any, revision: Any, op: Any) -> Any:
        order.append(f"second saw {op.column.comment}")
        return op

    directives = [script(add("a"))]
    first.chain(second)(None, None, directives)
    assert order == ["first", "second saw first"]


def test_the_script_itself_can_be_rewritten() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.MigrationScript)
    def rename(context: Any, revision: Any, directive: ops.MigrationScript) -> Any:
        directive.message = "rewritten"
        return directive

    directives = [script(add("a"))]
    writer(None, None, directives)
    assert directives[0].message == "rewritten"


def test_a_container_rewrite_must_return_one_container() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.UpgradeOps)
    def split(context: Any, revision: Any, container: Any) -> Any:
        return [container, ops.UpgradeOps()]

    with pytest.raises(ValueError, match="exactly one container"):
        writer(None, None, [script(add("a"))])


def test_rewriting_leaves_the_table_info_alone() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.CreateTableOp)
    def keep(context: Any, revision: Any, op: Any) -> Any:
        return op

    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    directives = [script(ops.CreateTableOp.from_table(table))]
    writer(None, None, directives)
    upgrade = directives[0].upgrade_ops
    assert upgrade is not None
    assert upgrade.ops[0].info == {}
