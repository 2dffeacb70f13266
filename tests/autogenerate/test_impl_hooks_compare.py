"""The comparison asks the dialect implementation's hooks (``compare_type``,
``compare_server_default``, ``compare_indexes``, ``compare_unique_constraint``,
``compare_check_constraint``, ``correct_for_autogen_constraints``,
``correct_for_autogen_foreignkeys``, ``autogen_column_reflect``,
``adjust_reflected_dialect_options``): each test first shows Sterna's own verdict on a real
database, then that an implementation overriding the hook changes it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from sterna.ddl.impl import ComparisonResult, DefaultImpl
from tests.autogenerate._compare_support import create_all, diffs, engine
from tests.autogenerate._impl_hooks_support import hook_impl


def kinds(found: list[Any]) -> list[str]:
    """The diff kinds (``modify_*`` entries of an altered column flattened), in order."""
    names: list[str] = []
    for diff in found:
        for item in diff if isinstance(diff, list) else [diff]:
            names.append(item[0])
    return names


def _item(metadata: sa.MetaData, name_type: Any = None, *extra: Any) -> sa.Table:
    return sa.Table(
        "item",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", name_type if name_type is not None else sa.String(20)),
        sa.Column("qty", sa.Integer),
        *extra,
    )


# -- types and defaults ---------------------------------------------------------------------------


def test_compare_type_override_decides(db_url: str) -> None:
    metadata = sa.MetaData()
    _item(metadata)
    create_all(db_url, metadata)
    assert diffs(db_url, metadata) == []
    seen: list[tuple[str, str]] = []

    def compare_type(self: Any, inspector_column: Any, metadata_column: Any) -> bool:
        seen.append((inspector_column.name, metadata_column.name))
        return bool(metadata_column.name == "name")

    with hook_impl(db_url, compare_type=compare_type):
        found = diffs(db_url, metadata)
        assert kinds(diffs(db_url, metadata, compare_type=lambda *a: None)) == ["modify_type"]
        assert diffs(db_url, metadata, compare_type=lambda *a: False) == []
        assert diffs(db_url, metadata, compare_type=False) == []
    assert kinds(found) == ["modify_type"]
    assert found[0][0][3] == "name"
    assert {("name", "name"), ("qty", "qty")} <= set(seen)


def test_compare_type_override_can_delegate_to_sterna(sqlite_url: str) -> None:
    """An override calling the default gets Sterna's verdict (the reflected column carries
    its snapshot record)."""
    metadata = sa.MetaData()
    _item(metadata)
    create_all(sqlite_url, metadata)
    wider = sa.MetaData()
    _item(wider, sa.String(40))
    verdicts: list[bool] = []

    def compare_type(self: Any, inspector_column: Any, metadata_column: Any) -> bool:
        verdict = DefaultImpl.compare_type(self, inspector_column, metadata_column)
        verdicts.append(verdict)
        return verdict

    with hook_impl(sqlite_url, compare_type=compare_type):
        assert kinds(diffs(sqlite_url, wider)) == ["modify_type"]
        assert diffs(sqlite_url, metadata) == []
    assert True in verdicts and False in verdicts


def test_compare_server_default_override_decides(db_url: str) -> None:
    metadata = sa.MetaData()
    _item(metadata, None)
    metadata.tables["item"].c.qty.server_default = sa.DefaultClause("5")
    create_all(db_url, metadata)
    assert diffs(db_url, metadata, compare_server_default=True) == []
    seen: list[tuple[Any, ...]] = []

    def compare_server_default(
        self: Any,
        inspector_column: Any,
        metadata_column: Any,
        rendered_metadata_default: Any,
        rendered_inspector_default: Any,
    ) -> bool:
        seen.append((metadata_column.name, rendered_metadata_default, rendered_inspector_default))
        return bool(metadata_column.name == "qty")

    with hook_impl(db_url, compare_server_default=compare_server_default):
        found = diffs(db_url, metadata, compare_server_default=True)
        assert diffs(db_url, metadata, compare_server_default=lambda *a: False) == []
        assert diffs(db_url, metadata) == []  # the option stays off by default
    assert kinds(found) == ["modify_default"]
    qty = next(s for s in seen if s[0] == "qty")
    assert "5" in str(qty[1]) and "5" in str(qty[2])


def test_default_compare_server_default_skips_a_serial_key(pg_url: str) -> None:
    """The default hook, called as a project's implementation or a test calls it
    (``context.impl.compare_server_default``), finds a serial key's reflected ``nextval(...)``
    no difference, as the comparison itself does (Alembic's suite, ``test_primary_key_skip``);
    a plain column with that default still differs."""
    from sqlalchemy import inspect

    from sterna.runtime.migration import MigrationContext

    metadata = sa.MetaData()
    table = _item(metadata, None)
    create_all(pg_url, metadata)
    with engine(pg_url) as eng, eng.connect() as conn:
        reflected = inspect(conn).get_columns("item")[0]["default"]
        impl = MigrationContext.configure(conn).impl
        assert str(reflected).startswith("nextval(")
        unused: Any = None  # the inspected column, which the default hook does not read
        assert impl.compare_server_default(unused, table.c.id, "", reflected) is False
        assert impl.compare_server_default(unused, table.c.qty, "", reflected) is True


# -- indexes, unique constraints, checks ----------------------------------------------------------


def _indexed(metadata: sa.MetaData, *columns: str) -> sa.Table:
    return _item(metadata, None, sa.Index("ix_item_qty", *columns))


def test_compare_indexes_override_decides(db_url: str) -> None:
    metadata = sa.MetaData()
    _indexed(metadata, "qty")
    create_all(db_url, metadata)
    wider = sa.MetaData()
    _indexed(wider, "qty", "name")
    assert diffs(db_url, metadata) == []
    assert kinds(diffs(db_url, wider)) == ["remove_index", "add_index"]
    seen: list[str] = []

    def different(self: Any, metadata_index: Any, reflected_index: Any) -> ComparisonResult:
        seen.append(reflected_index.name)
        return ComparisonResult.Different("told so")

    def skip(self: Any, metadata_index: Any, reflected_index: Any) -> ComparisonResult:
        return ComparisonResult.Skip("cannot tell")

    with hook_impl(db_url, compare_indexes=different):
        assert kinds(diffs(db_url, metadata)) == ["remove_index", "add_index"]
    with hook_impl(db_url, compare_indexes=skip):
        assert diffs(db_url, wider) == []
    assert seen == ["ix_item_qty"]


def test_compare_unique_constraint_override_decides(db_url: str) -> None:
    metadata = sa.MetaData()
    _item(metadata, None, sa.UniqueConstraint("qty", name="uq_item_qty"))
    create_all(db_url, metadata)
    assert diffs(db_url, metadata) == []
    seen: list[tuple[str, ...]] = []

    def compare_unique_constraint(
        self: Any, metadata_constraint: Any, reflected_constraint: Any
    ) -> ComparisonResult:
        seen.append(tuple(c.name for c in metadata_constraint.columns))
        return ComparisonResult.Different("told so")

    with hook_impl(db_url, compare_unique_constraint=compare_unique_constraint):
        found = kinds(diffs(db_url, metadata))
    # MySQL/MariaDB keep a unique constraint as a unique index
    assert found[-1] == "add_constraint" and found[0] in ("remove_constraint", "remove_index")
    assert len(found) == 2 and seen == [("qty",)]


def test_compare_check_constraint_override_decides(db_url: str) -> None:
    metadata = sa.MetaData()
    _item(metadata, None, sa.CheckConstraint("qty > 0", name="ck_item_qty"))
    create_all(db_url, metadata)
    assert diffs(db_url, metadata) == []

    def compare_check_constraint(
        self: Any, metadata_constraint: Any, reflected_constraint: Any
    ) -> ComparisonResult:
        assert reflected_constraint.name == "ck_item_qty"
        return ComparisonResult.Different("told so")

    with hook_impl(db_url, compare_check_constraint=compare_check_constraint):
        assert kinds(diffs(db_url, metadata)) == ["remove_constraint", "add_constraint"]


def test_correct_for_autogen_constraints_hides_objects(db_url: str) -> None:
    metadata = sa.MetaData()
    _indexed(metadata, "qty")
    create_all(db_url, metadata)
    bare = sa.MetaData()
    _item(bare)
    assert kinds(diffs(db_url, bare)) == ["remove_index"]
    seen: list[tuple[int, int, int, int]] = []

    def correct(
        self: Any,
        conn_uniques: set[Any],
        conn_indexes: set[Any],
        metadata_unique_constraints: set[Any],
        metadata_indexes: set[Any],
    ) -> None:
        seen.append(
            (
                len(conn_uniques),
                len(conn_indexes),
                len(metadata_unique_constraints),
                len(metadata_indexes),
            )
        )
        for index in list(conn_indexes):
            if index.name == "ix_item_qty":
                conn_indexes.remove(index)

    with hook_impl(db_url, correct_for_autogen_constraints=correct):
        assert diffs(db_url, bare) == []
    assert seen == [(0, 1, 0, 0)]


def test_correct_for_autogen_foreignkeys_adjusts_keys(db_url: str) -> None:
    def tables(ondelete: str | None) -> sa.MetaData:
        metadata = sa.MetaData()
        sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True))
        sa.Table(
            "child",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.Integer),
            sa.ForeignKeyConstraint(
                ["parent_id"], ["parent.id"], name="fk_child_parent", ondelete=ondelete
            ),
        )
        return metadata

    create_all(db_url, tables("CASCADE"))
    plain = tables(None)
    found = kinds(diffs(db_url, plain))
    assert "remove_fk" in found and "add_fk" in found

    seen: list[tuple[list[str], int]] = []

    def correct(self: Any, conn_fks: set[Any], metadata_fks: set[Any]) -> None:
        seen.append(([str(fk.name) for fk in conn_fks], len(metadata_fks)))
        for fk in conn_fks:
            fk.ondelete = None

    with hook_impl(db_url, correct_for_autogen_foreignkeys=correct):
        assert diffs(db_url, plain) == []
    assert sorted(seen) == [([], 0), (["fk_child_parent"], 1)]  # per table: parent, child


# -- reflection -----------------------------------------------------------------------------------


def test_autogen_column_reflect_changes_the_reflected_column(db_url: str) -> None:
    metadata = sa.MetaData()
    _item(metadata)
    create_all(db_url, metadata)
    wider = sa.MetaData()
    _item(wider, sa.String(40))
    assert kinds(diffs(db_url, wider)) == ["modify_type"]
    seen: list[tuple[str, str]] = []

    def autogen_column_reflect(self: Any, inspector: Any, table: Any, column_info: Any) -> None:
        assert isinstance(inspector, sa.engine.Inspector)
        seen.append((table.name, column_info["name"]))
        if column_info["name"] == "name":
            column_info["type"] = sa.String(40)

    with hook_impl(db_url, autogen_column_reflect=autogen_column_reflect):
        assert diffs(db_url, wider) == []
    assert seen == [("item", "id"), ("item", "name"), ("item", "qty")]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_adjust_reflected_dialect_options(db_url: str, backend: str) -> None:
    """A partial index (``<dialect>_where``) against a model index without the condition:
    different for Sterna, equal once the implementation leaves the reflected option out."""
    where_kw: dict[str, Any] = {f"{backend}_where": sa.text("qty > 0")}
    metadata = sa.MetaData()
    _item(metadata, None, sa.Index("ix_item_qty", "qty", **where_kw))
    create_all(db_url, metadata)
    plain = sa.MetaData()
    _indexed(plain, "qty")
    assert kinds(diffs(db_url, plain)) == ["remove_index", "add_index"]
    seen: list[tuple[str, str, list[str]]] = []

    def adjust(self: Any, reflected_object: Any, kind: str) -> dict[str, Any]:
        options = dict(reflected_object.get("dialect_options", {}))
        seen.append((kind, reflected_object["name"], sorted(options)))
        options.pop(f"{backend}_where", None)
        return options

    with hook_impl(db_url, adjust_reflected_dialect_options=adjust):
        assert diffs(db_url, plain) == []
    assert seen and seen[0][:2] == ("index", "ix_item_qty")
    assert f"{backend}_where" in seen[0][2]
