"""The operation data model: constructors, ``reverse()`` and ``to_diff_tuple()``.

Where Alembic has the same operation, the diff tuples of Sterna's ops are compared with those of
Alembic's ops built from the same SQLAlchemy objects (described structurally, since the schema
objects themselves are distinct copies).
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import ops as alembic_ops
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from sterna.errors import IrreversibleOperation
from sterna.operations import ops


def _metadata() -> tuple[sa.Table, sa.Table, sa.Index]:
    metadata = sa.MetaData()
    order = sa.Table(
        "order",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("Select", sa.String(5), comment="c", unique=True),
        sa.Column("n", sa.Integer, sa.CheckConstraint("n > 0", name="ck_n")),
        sa.UniqueConstraint("n", "Select", name="uq x"),
        sa.CheckConstraint("n < 100", name="ck'x"),
        schema="s",
        comment="tc",
    )
    child = sa.Table(
        "child",
        metadata,
        sa.Column("oid", sa.Integer, sa.ForeignKey("s.order.id", name="fk", ondelete="CASCADE")),
    )
    index = sa.Index(
        "ix",
        order.c.n,
        sa.func.lower(order.c.Select),
        unique=True,
        postgresql_where=sa.text("n > 1"),
    )
    return order, child, index


def describe(obj: Any) -> Any:
    """A structural description of diff-tuple members, comparable across copies."""
    if isinstance(obj, (list, tuple)):
        return [describe(o) for o in obj]
    if isinstance(obj, dict):
        return {k: describe(v) for k, v in obj.items()}
    if isinstance(obj, sa.Table):
        return ("table", obj.name, obj.schema, [c.name for c in obj.columns])
    if isinstance(obj, sa.Column):
        return ("column", obj.name, repr(obj.type), obj.nullable)
    if isinstance(obj, sa.Index):
        ddl = str(CreateIndex(obj).compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
        return ("index", obj.name, " ".join(ddl.split()))
    if isinstance(obj, sa.ForeignKeyConstraint):
        return (
            "fk",
            obj.name,
            obj.parent.name,
            [e.target_fullname for e in obj.elements],
            obj.ondelete,
        )
    if isinstance(obj, sa.Constraint):
        cols = [c.name for c in obj.columns] if hasattr(obj, "columns") else []
        return (type(obj).__name__, obj.name, obj.table.name, cols)
    if isinstance(obj, sa.types.TypeEngine):
        return repr(obj)
    return obj


def _pairs() -> list[tuple[str, Any, Any]]:
    order, child, index = _metadata()
    fk = next(iter(child.foreign_key_constraints))
    uq = next(c for c in order.constraints if c.name == "uq x")
    ck = next(c for c in order.constraints if c.name == "ck'x")
    pairs = []
    for mod, label in ((ops, "sterna"), (alembic_ops, "alembic")):
        pairs.append(
            (
                label,
                "add_column",
                mod.AddColumnOp.from_column_and_tablename("s", "order", order.c.n),
            )
        )
        pairs.append(
            (
                label,
                "drop_column",
                mod.DropColumnOp.from_column_and_tablename("s", "order", order.c.n),
            )
        )
        pairs.append((label, "create_table", mod.CreateTableOp.from_table(order)))
        pairs.append((label, "drop_table", mod.DropTableOp.from_table(order)))
        pairs.append((label, "create_index", mod.CreateIndexOp.from_index(index)))
        pairs.append((label, "drop_index", mod.DropIndexOp.from_index(index)))
        pairs.append((label, "add_fk", mod.AddConstraintOp.from_constraint(fk)))
        pairs.append((label, "drop_fk", mod.DropConstraintOp.from_constraint(fk)))
        pairs.append((label, "add_uq", mod.AddConstraintOp.from_constraint(uq)))
        pairs.append((label, "drop_ck", mod.DropConstraintOp.from_constraint(ck)))
        pairs.append(
            (
                label,
                "table_comment",
                mod.CreateTableCommentOp("order", "new", schema="s", existing_comment="old"),
            )
        )
        pairs.append(
            (
                label,
                "drop_table_comment",
                mod.DropTableCommentOp("order", schema="s", existing_comment="old"),
            )
        )
        pairs.append((label, "execute", mod.ExecuteSQLOp("SELECT 1")))
        pairs.append(
            (
                label,
                "alter",
                mod.AlterColumnOp(
                    "order",
                    "n",
                    schema="s",
                    existing_type=sa.Integer(),
                    modify_type=sa.BigInteger(),
                    modify_nullable=False,
                    existing_nullable=True,
                    modify_server_default="5",
                    modify_comment="cc",
                    existing_comment="old",
                ),
            )
        )
    return pairs


CASES = sorted({name for _, name, _ in _pairs()})


@pytest.mark.parametrize("name", CASES)
def test_diff_tuples_match_alembic(name: str) -> None:
    found = {label: op for label, case, op in _pairs() if case == name}
    assert describe(found["sterna"].to_diff_tuple()) == describe(found["alembic"].to_diff_tuple())


@pytest.mark.parametrize("name", [c for c in CASES if c not in ("execute",)])
def test_reverse_matches_alembic(name: str) -> None:
    found = {label: op for label, case, op in _pairs() if case == name}
    ours, theirs = found["sterna"].reverse(), found["alembic"].reverse()
    assert type(ours).__name__ == type(theirs).__name__
    assert describe(ours.to_diff_tuple()) == describe(theirs.to_diff_tuple())


def test_create_table_round_trip_keeps_constraints_once() -> None:
    order, _, _ = _metadata()
    op = ops.CreateTableOp.from_table(order)
    first, second = op.to_table(), op.to_table()
    for table in (first, second):
        names = sorted(str(c.name) for c in table.constraints if c.name)
        assert names == ["ck'x", "uq x"]
        assert [c.name for c in table.c.n.constraints] == ["ck_n"]
        unique = [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
        assert sorted([c.name for c in col.columns] for col in unique) == [
            ["Select"],
            ["n", "Select"],
        ]
        assert table.comment == "tc" and table.schema == "s"
    assert first.metadata is not second.metadata
    back = op.reverse().reverse()
    assert describe(back.to_diff_tuple()) == describe(op.to_diff_tuple())


def test_alter_column_reverse_swaps_changes_and_renames_back() -> None:
    op = ops.AlterColumnOp(
        "t",
        "old",
        schema="s",
        existing_type=sa.Integer(),
        modify_type=sa.String(5),
        existing_nullable=True,
        modify_nullable=False,
        existing_server_default=None,
        modify_server_default="x",
        existing_comment=None,
        modify_comment="c",
        modify_name="new",
        postgresql_using="old::varchar",
        existing_autoincrement=True,
    )
    back = op.reverse()
    assert (back.column_name, back.modify_name) == ("new", "old")
    assert repr(back.modify_type) == "Integer()" and repr(back.existing_type) == "String(length=5)"
    assert (back.modify_nullable, back.existing_nullable) == (True, False)
    assert (back.modify_server_default, back.existing_server_default) == (None, "x")
    assert (back.modify_comment, back.existing_comment) == (None, "c")
    assert back.kw == {"autoincrement": True}
    assert back.has_changes() and op.has_changes()
    assert not ops.AlterColumnOp("t", "c", existing_type=sa.Integer()).has_changes()
    same = back.reverse()
    assert (same.column_name, same.modify_name, same.modify_nullable) == ("old", "new", False)


@pytest.mark.parametrize(
    "op",
    [
        ops.DropTableOp("t"),
        ops.DropColumnOp("t", "c"),
        ops.DropIndexOp("ix", "t"),
        ops.DropConstraintOp("c", "t", "unique"),
        ops.ExecuteSQLOp("DELETE FROM t"),
        ops.DropEnumOp("mood"),
        ops.BulkInsertOp(sa.table("t"), []),
    ],
)
def test_irreversible_without_definition(op: ops.MigrateOperation) -> None:
    with pytest.raises(IrreversibleOperation) as caught:
        op.reverse()
    assert isinstance(caught.value, ValueError)
    assert "cannot be reversed" in str(caught.value)


def test_beyond_alembic_reverse_and_diffs() -> None:
    seq = ops.CreateSequenceOp("s", schema="x", start=5, increment=2)
    assert seq.reverse().reverse().kw == {"start": 5, "increment": 2}
    assert seq.to_diff_tuple()[0] == "add_sequence"
    assert seq.to_sequence().start == 5
    assert ops.DropSequenceOp("s").to_diff_tuple()[0] == "remove_sequence"
    with pytest.raises(TypeError, match="unexpected options: bogus"):
        ops.CreateSequenceOp("s", bogus=1)
    schema = ops.CreateSchemaOp("a", if_not_exists=True)
    assert schema.reverse().to_diff_tuple() == ("remove_schema", "a")
    assert schema.reverse().if_exists is True
    enum = ops.CreateEnumOp("mood", ["a", "b"], schema="s")
    assert enum.to_diff_tuple() == ("add_enum", "s", "mood", ("a", "b"))
    dropped = enum.reverse()
    assert dropped.to_diff_tuple() == ("remove_enum", "s", "mood", ("a", "b"))
    assert dropped.reverse().values == ["a", "b"]
    add = ops.AddEnumValueOp("mood", "c", schema="s", after="b")
    assert add.to_diff_tuple() == ("add_enum_value", "s", "mood", "c")
    assert add.reverse().to_diff_tuple() == ("remove_enum_value", "s", "mood", "c")
    assert add.reverse().reverse().value == "c"
    rename = ops.RenameEnumValueOp("mood", "a", "z")
    assert rename.reverse().to_diff_tuple() == ("rename_enum_value", None, "mood", "z", "a")
    with pytest.raises(ValueError, match="before= or after="):
        ops.AddEnumValueOp("mood", "c", before="a", after="b")
    table = ops.RenameTableOp("a", "b", schema="s")
    assert table.reverse().to_diff_tuple() == ("rename_table", "s", "b", "a")


def _diff_shape(module: Any) -> list[Any]:
    alter = module.AlterColumnOp(
        "t", "b", modify_nullable=False, existing_nullable=True, modify_comment="new"
    )
    add = module.AddColumnOp("t", sa.Column("a", sa.Integer))
    upgrade = module.UpgradeOps([module.ModifyTableOps("t", [add, alter])])
    return [
        [d[0] for d in item] if isinstance(item, list) else item[0] for item in upgrade.as_diffs()
    ]


def test_as_diffs_keeps_an_altered_columns_list_as_alembic_does() -> None:
    """``UpgradeOps.as_diffs()`` (what ``check`` reports) gives an altered column as one list of
    its ``modify_*`` tuples, as Alembic's does: it was flattened into the surrounding list."""
    assert _diff_shape(ops) == _diff_shape(alembic_ops)
    assert _diff_shape(ops) == ["add_column", ["modify_nullable", "modify_comment"]]


def test_containers() -> None:
    add = ops.AddColumnOp("t", sa.Column("a", sa.Integer))
    alter = ops.AlterColumnOp("t", "b", modify_nullable=False, existing_nullable=True)
    create = ops.CreateTableOp("u", [sa.Column("x", sa.Integer)])
    upgrade = ops.UpgradeOps([create, ops.ModifyTableOps("t", [add, alter])])
    found = upgrade.as_diffs()
    assert [d[0] for d in found[:2]] == ["add_table", "add_column"]
    # an altered column stays one item, a list of its modify_* tuples (Alembic's shape)
    assert [d[0] for d in found[2]] == ["modify_nullable"] and found[2][0][-2:] == (True, False)
    downgrade = upgrade.reverse()
    assert isinstance(downgrade, ops.DowngradeOps)
    assert [type(o).__name__ for o in downgrade.ops] == ["ModifyTableOps", "DropTableOp"]
    inner = downgrade.ops[0]
    assert isinstance(inner, ops.ModifyTableOps)
    assert [type(o).__name__ for o in inner.ops] == ["AlterColumnOp", "DropColumnOp"]
    assert not upgrade.is_empty() and ops.UpgradeOps().is_empty()
    script = ops.MigrationScript("r1", upgrade, downgrade, message="m", imports={"x"})
    assert script.upgrade_ops is upgrade and script.downgrade_ops_list == [downgrade]
    script.upgrade_ops = [upgrade, ops.UpgradeOps(upgrade_token="other")]
    with pytest.raises(ValueError, match="upgrade_ops_list"):
        _ = script.upgrade_ops


def test_alembic_style_constructors_keep_keywords() -> None:
    index = ops.CreateIndexOp(
        "ix",
        "t",
        ["a", sa.text("lower(b)")],
        schema="s",
        unique=True,
        postgresql_where=sa.text("a > 1"),
    )
    assert index.kw.keys() == {"postgresql_where"}
    built = index.to_index()
    assert built.table is not None and built.table.schema == "s" and built.unique
    fk = ops.CreateForeignKeyOp(
        "fk", "a", "b", ["x"], ["id"], ondelete="CASCADE", source_schema="s1", referent_schema="s2"
    )
    constraint = fk.to_constraint()
    assert constraint.ondelete == "CASCADE"
    assert [e.target_fullname for e in constraint.elements] == ["s2.b.id"]
    assert (fk.table_name, fk.schema) == ("a", "s1")
    op = ops.CreateTableOp(
        "t", [sa.Column("a", sa.Integer)], schema="s", comment="c", mysql_engine="InnoDB"
    )
    table = op.to_table()
    assert (table.comment, dict(table.kwargs)) == ("c", {"mysql_engine": "InnoDB"})
    info = ops.AddColumnOp("t", sa.Column("a", sa.Integer)).info
    info["mark"] = 1
    assert ops.AddColumnOp("t", sa.Column("a", sa.Integer)).info == {}


def test_create_table_op_with_index_item_builds_repeatedly() -> None:
    op = ops.CreateTableOp(
        "t",
        [
            sa.Column("a", sa.Integer),
            sa.Column("b", sa.Integer),
            sa.Index("ix", "a", sa.text("b + 1"), unique=True),
        ],
    )
    for table in (op.to_table(), op.to_table()):
        (index,) = table.indexes
        assert index.table is table and index.unique
        dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
        ddl = " ".join(str(CreateIndex(index).compile(dialect=dialect)).split())
        assert ddl == "CREATE UNIQUE INDEX ix ON t (a, b + 1)"


def test_a_single_column_name_given_as_a_string_is_one_column() -> None:
    assert ops.CreateIndexOp("ix", "t", "name").columns == ["name"]
    assert ops.CreateUniqueConstraintOp("uq", "t", "name").columns == ["name"]
    assert ops.CreatePrimaryKeyOp("pk", "t", "id").columns == ["id"]
    fk = ops.CreateForeignKeyOp("fk", "t", "r", "rid", "id")
    assert (fk.local_cols, fk.remote_cols) == (["rid"], ["id"])


def test_drop_table_options_changed_on_the_op_show_in_table_and_reverse() -> None:
    """``table_kw`` (and comment/info/prefixes) of a DropTableOp are its own: editing them
    changes ``to_table()`` and ``reverse()``, as with Alembic's op."""
    for module in (ops, alembic_ops):
        table = sa.Table(
            "x", sa.MetaData(), sa.Column("q", sa.Integer), info={"a": 1}, prefixes=["TEMPORARY"]
        )
        op = module.DropTableOp.from_table(table)
        op.table_kw["postgresql_partition_by"] = "q"
        built = op.to_table()
        assert built.dialect_kwargs["postgresql_partition_by"] == "q", module
        assert (built.info, built._prefixes, list(built.c.keys())) == (
            {"a": 1},
            ["TEMPORARY"],
            ["q"],
        )
        rebuilt = op.reverse().to_table()
        assert rebuilt.dialect_kwargs["postgresql_partition_by"] == "q", module
