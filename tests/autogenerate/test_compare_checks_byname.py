"""CHECK comparison modes chosen through ``autogenerate_plugins``: selecting Alembic's opt-in
``alembic.ext.checkconstraint_byname`` (or its 1.19.0/1.19.1 name) compares CHECK constraints by
name only, as Alembic's plugin does (checked against Alembic on the same database); excluding it
with ``~`` turns CHECK comparison off; not naming it keeps Sterna's own comparison."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import CheckConstraint, Column, Enum, Integer, MetaData, Table

from sterna.autogenerate.plugins import check_constraint_mode
from tests.autogenerate._compare_support import alembic_diffs, create_all, diffs

BY_NAME = ["alembic.autogenerate.*", "alembic.ext.checkconstraint_byname"]
LEGACY = ["alembic.autogenerate.*", "alembic.autogenerate.checkconstraint_byname"]
EXCLUDED = ["alembic.autogenerate.*", "~alembic.autogenerate.checkconstraint_byname"]


def _model(*items: Any) -> MetaData:
    metadata = MetaData()
    Table(
        "t",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("x", Integer),
        Column("y", Integer),
        *items,
    )
    return metadata


def _checks(found: list[Any]) -> set[tuple[str, object]]:
    return {
        (d[0], d[1].name)
        for d in found
        if d[0] in ("add_constraint", "remove_constraint") and isinstance(d[1], CheckConstraint)
    }


def _both(url: str, after: MetaData, plugins: list[str]) -> tuple[set[Any], set[Any]]:
    """CHECK diffs of Sterna and of Alembic (the reference) for the same database."""
    return (
        _checks(diffs(url, after, autogenerate_plugins=plugins)),
        _checks(alembic_diffs(url, after, autogenerate_plugins=plugins)),
    )


def test_mode_follows_the_plugin_expressions() -> None:
    assert check_constraint_mode(["alembic.autogenerate.*"]) == "full"
    assert check_constraint_mode(BY_NAME) == "by_name"
    assert check_constraint_mode(LEGACY) == "by_name"
    assert check_constraint_mode(["alembic.ext.*"]) == "by_name"
    assert check_constraint_mode(EXCLUDED) == "off"
    assert check_constraint_mode([*BY_NAME, "~alembic.ext.checkconstraint_byname"]) == "off"


@pytest.mark.parametrize("plugins", [BY_NAME, LEGACY], ids=["current", "legacy"])
def test_by_name_adds_and_drops_named_checks_only(db_url: str, plugins: list[str]) -> None:
    create_all(
        db_url,
        _model(CheckConstraint("x > 0", name="ck_old"), CheckConstraint("y > 0", name="ck_kept")),
    )
    after = _model(
        CheckConstraint("y > 5", name="ck_kept"),  # expression changed: same name
        CheckConstraint("x > 1", name="ck_new"),
        CheckConstraint("x < 100"),
    )
    sterna, alembic = _both(db_url, after, plugins)
    assert sterna == {("add_constraint", "ck_new"), ("remove_constraint", "ck_old")}
    assert sterna == alembic


def test_by_name_takes_a_named_type_check_part(db_url: str) -> None:
    create_all(db_url, _model())
    flag = Enum("a", "b", native_enum=False, create_constraint=True, name="ck_flag")
    after = _model()
    after.tables["t"].append_column(Column("flag", flag))
    sterna, alembic = _both(db_url, after, BY_NAME)
    assert sterna == {("add_constraint", "ck_flag")}
    assert sterna == alembic


def test_by_name_unnamed_database_check_matches_nothing(db_url: str, backend: str) -> None:
    create_all(db_url, _model(CheckConstraint("x > 0")))
    sterna, alembic = _both(db_url, _model(CheckConstraint("x > 0")), BY_NAME)
    assert sterna == alembic
    # SQLite keeps no name for it; the servers name it, and it then matches nothing
    assert len(sterna) == (0 if backend == "sqlite" else 1)


def test_by_name_include_name_sees_database_checks(db_url: str) -> None:
    create_all(db_url, _model(CheckConstraint("x > 0", name="ck_old")))
    seen: list[str | None] = []

    def include_name(name: str | None, type_: str, parents: Any) -> bool:
        if type_ == "check_constraint":
            seen.append(name)
            return False
        return True

    found = diffs(db_url, _model(), autogenerate_plugins=BY_NAME, include_name=include_name)
    assert _checks(found) == set()
    assert seen == ["ck_old"]


def test_excluding_the_plugin_turns_check_comparison_off(db_url: str) -> None:
    create_all(db_url, _model(CheckConstraint("x > 0", name="ck_old")))
    after = _model(CheckConstraint("x > 1", name="ck_new"))
    sterna, alembic = _both(db_url, after, EXCLUDED)
    assert sterna == alembic == set()
    # without naming the plugin, Sterna compares CHECKs its own way (beyond Alembic)
    assert _checks(diffs(db_url, after)) == {
        ("add_constraint", "ck_new"),
        ("remove_constraint", "ck_old"),
    }
