"""Foreign keys (against Alembic), primary keys and CHECK constraints (beyond Alembic)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

from sterna.operations import ops as sa_ops
from sterna.operations.ops import (
    CreateCheckConstraintOp,
    CreateForeignKeyOp,
    CreatePrimaryKeyOp,
    DropConstraintOp,
    ModifyTableOps,
)
from tests.autogenerate._compare_support import (
    alembic_diffs,
    create_all,
    diffs,
    produce,
    roundtrip,
    summarize,
)


def _shop(with_fk: bool = True, **fk: Any) -> MetaData:
    metadata = MetaData()
    Table(
        "customer",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String(10), unique=True),
    )
    items: list[Any] = [
        Column("id", Integer, primary_key=True),
        Column("customer_id", Integer),
        Column("customer_code", String(10)),
    ]
    if with_fk:
        target = fk.pop("target", "id")
        items.append(
            ForeignKeyConstraint(
                [f"customer_{target}"], [f"customer.{target}"], name="fk_order_customer", **fk
            )
        )
    Table("order", metadata, *items)
    return metadata


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({}, {"ondelete": "CASCADE"}),
        ({"ondelete": "CASCADE"}, {}),
        ({"ondelete": "CASCADE"}, {"ondelete": "SET NULL"}),
        ({}, {"onupdate": "CASCADE"}),
        ({}, {"target": "code"}),
    ],
    ids=["add_cascade", "remove_cascade", "change", "onupdate", "target"],
)
def test_foreign_key_changes_like_alembic(
    db_url: str, backend: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    create_all(db_url, _shop(**dict(before)))
    target = after.get("target", "id")
    expected: set[tuple[Any, ...]] = {
        ("remove_fk", "order", ("customer_id",), "customer"),
        ("add_fk", "order", (f"customer_{target}",), "customer"),
    }
    found = summarize(diffs(db_url, _shop(**dict(after))))
    assert summarize(alembic_diffs(db_url, _shop(**dict(after)))) == expected
    if backend == "mariadb":
        # the index MySQL made for the old key is dropped with it and made again explicitly
        # for the new one, so that the downgrade can undo both
        expected |= {
            ("remove_index", "order", "fk_order_customer"),
            ("add_index", "order", "fk_order_customer"),
        }
    assert found == expected
    if backend != "sqlite":
        roundtrip(db_url, _shop(**dict(before)), _shop(**dict(after)))


def test_foreign_keys_added_and_dropped(db_url: str, backend: str) -> None:
    create_all(db_url, _shop(with_fk=False))
    expected: set[tuple[Any, ...]] = {("add_fk", "order", ("customer_id",), "customer")}
    assert summarize(alembic_diffs(db_url, _shop())) == expected
    if backend == "mariadb":
        expected.add(("add_index", "order", "fk_order_customer"))
    assert summarize(diffs(db_url, _shop())) == expected
    assert summarize(diffs(db_url, _shop(with_fk=False))) == set()
    if backend != "sqlite":
        script = roundtrip(db_url, _shop(with_fk=False), _shop(ondelete="RESTRICT"))
        assert script.upgrade_ops is not None
        (modify,) = script.upgrade_ops.ops
        assert isinstance(modify, ModifyTableOps)
        assert type(modify.ops[-1]) is CreateForeignKeyOp


def test_deferrable_foreign_keys_on_postgresql(pg_url: str) -> None:
    create_all(pg_url, _shop(deferrable=True, initially="DEFERRED"))
    assert diffs(pg_url, _shop(deferrable=True, initially="DEFERRED")) == []
    assert summarize(diffs(pg_url, _shop(deferrable=True))) == {
        ("remove_fk", "order", ("customer_id",), "customer"),
        ("add_fk", "order", ("customer_id",), "customer"),
    }


def test_initially_deferred_alone_is_deferrable_on_postgresql(pg_url: str) -> None:
    """``initially="DEFERRED"`` without ``deferrable``: PostgreSQL makes the key deferrable and
    reflects it so; the unchanged model is no difference (Alembic's suite,
    ``test_add_initially_deferrable_nochange_three``)."""
    create_all(pg_url, _shop(initially="DEFERRED"))
    assert diffs(pg_url, _shop(initially="DEFERRED")) == []
    assert alembic_diffs(pg_url, _shop(initially="DEFERRED")) == []
    assert {d[0] for d in diffs(pg_url, _shop())} == {"remove_fk", "add_fk"}


def _keyed(*columns: str) -> MetaData:
    metadata = MetaData()
    Table(
        "pair",
        metadata,
        Column("a", Integer, nullable=False, autoincrement=False),
        Column("b", Integer, nullable=False),
        PrimaryKeyConstraint(*columns),
    )
    return metadata


def test_primary_key_change(db_url: str, backend: str) -> None:
    create_all(db_url, _keyed("a"))
    assert diffs(db_url, _keyed("a")) == []
    script = produce(db_url, _keyed("a", "b"))
    assert script.upgrade_ops is not None
    (modify,) = script.upgrade_ops.ops
    assert isinstance(modify, ModifyTableOps)
    drop, create = modify.ops
    assert isinstance(drop, DropConstraintOp) and drop.constraint_type == "primary"
    assert isinstance(create, CreatePrimaryKeyOp) and create.columns == ["a", "b"]
    if backend != "sqlite":
        roundtrip(db_url, _keyed("a"), _keyed("a", "b"))


def _checked(*checks: CheckConstraint, flag_check: bool = False) -> MetaData:
    metadata = MetaData()
    Table(
        "account",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("balance", Integer),
        Column("kind", String(10)),
        Column("active", sa.Boolean(create_constraint=flag_check, name="ck_active_bool")),
        Column(
            "tier",
            sa.Enum("gold", "silver", name="tier", native_enum=False, create_constraint=flag_check),
        ),
        *checks,
    )
    return metadata


def test_check_constraints_by_name_and_expression(db_url: str, backend: str) -> None:
    before = _checked(
        CheckConstraint("balance >= 0", name="ck_balance"),
        CheckConstraint("kind IN ('a', 'b')", name="ck_kind"),
        flag_check=True,
    )
    create_all(db_url, before)
    after = _checked(
        CheckConstraint("balance >= -100", name="ck_balance"),
        CheckConstraint("kind IN ('a', 'b')", name="ck_kind"),
        CheckConstraint("balance < 1000000", name="ck_cap"),
        flag_check=True,
    )
    script = produce(db_url, after)
    assert script.upgrade_ops is not None
    (modify,) = script.upgrade_ops.ops
    assert isinstance(modify, ModifyTableOps)
    dropped = [op.constraint_name for op in modify.ops if isinstance(op, DropConstraintOp)]
    added = [op.constraint_name for op in modify.ops if isinstance(op, CreateCheckConstraintOp)]
    assert dropped == ["ck_balance"]
    assert sorted(added) == ["ck_balance", "ck_cap"]
    if backend != "sqlite":
        roundtrip(db_url, before, after)


def test_type_checks_are_never_reported(db_url: str) -> None:
    """The CHECKs that Boolean/Enum create are not constraints of the models."""
    create_all(db_url, _checked(flag_check=True))
    assert diffs(db_url, _checked(flag_check=False)) == []
    assert diffs(db_url, _checked(flag_check=True)) == []


def test_unnamed_check_matched_by_expression(db_url: str, backend: str) -> None:
    create_all(db_url, _checked(CheckConstraint("balance >= 0")))
    assert diffs(db_url, _checked(CheckConstraint("balance >= 0"))) == []
    found = diffs(db_url, _checked(CheckConstraint("balance > 0")))
    kinds = sorted(d[0] for d in found)
    # the old unnamed check has the name the database gave it, so it can be dropped
    assert (
        kinds == ["add_constraint", "remove_constraint"]
        if backend != "sqlite"
        else ["add_constraint"]
    )


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_unnamed_new_constraints_get_the_database_names(db_url: str, backend: str) -> None:
    """An unnamed unique constraint / foreign key added to an existing table gets the name the
    database would give it, so that the downgrade can drop it (SQLite: batch mode only)."""
    before = MetaData()
    Table("parent", before, Column("id", Integer, primary_key=True))
    Table(
        "kid",
        before,
        Column("id", Integer, primary_key=True),
        Column("pid", Integer),
        Column("code", String(5)),
    )
    after = MetaData()
    Table("parent", after, Column("id", Integer, primary_key=True))
    Table(
        "kid",
        after,
        Column("id", Integer, primary_key=True),
        Column("pid", Integer, ForeignKey("parent.id")),
        Column("code", String(5), unique=True),
    )
    script = roundtrip(db_url, before, after)
    assert script.upgrade_ops is not None
    (modify,) = script.upgrade_ops.ops
    assert isinstance(modify, ModifyTableOps)
    names = sorted(
        str(op.constraint_name)
        for op in modify.ops
        if isinstance(op, (CreateForeignKeyOp, sa_ops.CreateUniqueConstraintOp))
    )
    expected = {"postgresql": ["kid_code_key", "kid_pid_fkey"], "mariadb": ["code", "kid_ibfk_1"]}[
        backend
    ]
    assert names == expected


def test_enum_check_of_an_older_enum_is_not_a_constraint(db_url: str) -> None:
    """The CHECK an Enum created with its old values belongs to the type, not to the models'
    constraints: changing the values is a type change, never a dropped constraint."""

    def model(*values: str) -> MetaData:
        metadata = MetaData()
        Table(
            "t",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("kind", sa.Enum(*values, native_enum=False, create_constraint=True, length=10)),
        )
        return metadata

    create_all(db_url, model("a", "b"))
    found = diffs(db_url, model("a", "b", "c"))
    assert not [d for d in found if d[0] in ("remove_constraint", "add_constraint")]
