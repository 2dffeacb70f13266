"""Tables added and dropped, dependency order, filters, the version table, several MetaData."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from sterna.autogenerate.api import AutogenContext
from sterna.errors import AutogenerateError
from sterna.operations.ops import (
    CreateIndexOp,
    CreateTableOp,
    DropIndexOp,
    DropTableOp,
    ModifyTableOps,
)
from tests.autogenerate._compare_support import (
    alembic_diffs,
    context,
    counting,
    create_all,
    diffs,
    engine,
    produce,
    roundtrip,
    summarize,
)
from tests.conftest import run_sterna
from tests.runtime.test_preflight import write_project


def _base() -> MetaData:
    metadata = MetaData()
    Table("account", metadata, Column("id", Integer, primary_key=True), Column("name", String(40)))
    Table(
        "obsolete",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("tag", String(10), index=True),
        Column("code", String(5), unique=True),
    )
    return metadata


def _next() -> MetaData:
    metadata = MetaData()
    Table("account", metadata, Column("id", Integer, primary_key=True), Column("name", String(40)))
    Table(
        "invoice",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("account_id", Integer, ForeignKey("account.id")),
        Column("ref", String(20), index=True),
        Column("code", String(5), unique=True),
        UniqueConstraint("account_id", "ref", name="uq_invoice_account_ref"),
        Index("ux_invoice_code_ref", "code", "ref", unique=True),
    )
    return metadata


def test_added_and_dropped_tables_like_alembic(db_url: str, backend: str) -> None:
    create_all(db_url, _base())
    ours = summarize(diffs(db_url, _next()))
    expected = {
        ("add_table", None, "invoice"),
        ("add_index", "invoice", "ix_invoice_ref"),
        ("add_index", "invoice", "ux_invoice_code_ref"),
        ("remove_index", "obsolete", "ix_obsolete_tag"),
        ("remove_table", None, "obsolete"),
    }
    if backend == "mariadb":  # a unique constraint is a unique index there
        expected.add(("remove_index", "obsolete", "code"))
    assert ours == expected
    assert ours == summarize(alembic_diffs(db_url, _next()))


def test_added_and_dropped_tables_round_trip(db_url: str) -> None:
    script = roundtrip(db_url, _base(), _next())
    upgrade = script.upgrade_ops
    assert upgrade is not None
    kinds = [type(op) for op in upgrade.ops]
    assert kinds == [CreateTableOp, ModifyTableOps, ModifyTableOps, DropTableOp]
    first, second, third, _ = upgrade.ops
    assert isinstance(second, ModifyTableOps) and isinstance(second.ops[0], CreateIndexOp)
    assert isinstance(third, ModifyTableOps) and isinstance(third.ops[0], DropIndexOp)


def _chain(metadata: MetaData) -> None:
    # declared so that alphabetical order is the wrong creation order
    Table(
        "a_leaf",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("mid_id", ForeignKey("m_mid.id")),
    )
    Table(
        "m_mid",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("root_id", ForeignKey("z_root.id")),
    )
    Table(
        "z_root",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("self_id", ForeignKey("z_root.id")),
    )


def test_creates_in_dependency_order_and_drops_in_reverse(db_url: str) -> None:
    empty = MetaData()
    full = MetaData()
    _chain(full)
    script = roundtrip(db_url, empty, full)
    assert script.upgrade_ops is not None and script.downgrade_ops is not None
    created = [op.table_name for op in script.upgrade_ops.ops if isinstance(op, CreateTableOp)]
    assert created == ["z_root", "m_mid", "a_leaf"]
    create_all(db_url, full)
    back = produce(db_url, empty).upgrade_ops
    assert back is not None
    dropped = [op.table_name for op in back.ops if isinstance(op, DropTableOp)]
    assert dropped == ["a_leaf", "m_mid", "z_root"]


def test_version_table_is_never_compared(db_url: str) -> None:
    metadata = MetaData()
    Table("alembic_version", metadata, Column("version_num", String(32), primary_key=True))
    Table("custom_versions", metadata, Column("v", String(32), primary_key=True))
    create_all(db_url, metadata)
    custom = diffs(db_url, MetaData(), version_table="custom_versions")
    assert {d[1].name for d in custom} == {"alembic_version"}
    assert {d[1].name for d in diffs(db_url, MetaData())} == {"custom_versions"}


def test_include_name_applies_before_reflection(db_url: str) -> None:
    metadata = MetaData()
    for name in ("kept", "secret_one", "secret_two"):
        Table(
            name,
            metadata,
            Column("id", Integer, primary_key=True),
            Column("x", String(5), index=True),
        )
    create_all(db_url, metadata)
    seen_names: list[tuple[Any, ...]] = []

    def include_name(name: Any, type_: str, parents: dict[str, Any]) -> bool:
        seen_names.append((name, type_))
        return not (type_ == "table" and str(name).startswith("secret"))

    with engine(db_url) as eng, eng.connect() as conn, counting(eng) as statements:
        parameters: list[Any] = []

        def capture(conn_: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
            parameters.append(params)

        from sqlalchemy import event

        event.listen(eng, "before_cursor_execute", capture)
        from sterna.autogenerate.api import compare_metadata

        found = compare_metadata(context(conn, include_name=include_name), MetaData())
    assert {d[1].name for d in found if d[0] == "remove_table"} == {"kept"}
    assert ("secret_one", "table") in seen_names
    assert ("kept", "column") not in seen_names  # the table is dropped: no column comparison
    assert statements, "reflection ran"
    assert not any("secret" in repr(p) for p in parameters[1:])


def test_include_object_hook_sees_both_sides(db_url: str) -> None:
    create_all(db_url, _base())
    calls: list[tuple[str, str, bool, bool]] = []

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        calls.append((type_, str(name), reflected, compare_to is not None))
        return name != "obsolete"

    found = summarize(diffs(db_url, _next(), include_object=include_object))
    assert ("remove_table", None, "obsolete") not in found
    assert ("add_table", None, "invoice") in found
    assert ("table", "obsolete", True, False) in calls
    assert ("table", "invoice", False, False) in calls
    assert ("table", "account", False, True) in calls
    assert ("column", "name", False, True) in calls


def test_several_metadata_objects(db_url: str) -> None:
    first, second = MetaData(), MetaData()
    Table("one", first, Column("id", Integer, primary_key=True))
    Table("two", second, Column("id", Integer, primary_key=True))
    create_all(db_url, first)
    assert summarize(diffs(db_url, [first, second])) == {("add_table", None, "two")}
    Table("one", second, Column("id", Integer, primary_key=True))
    Table("two", first, Column("id", Integer, primary_key=True))
    with pytest.raises(AutogenerateError, match="Duplicate table keys") as raised:
        diffs(db_url, [first, second])
    # every duplicate named, and a ValueError as Alembic's is
    assert isinstance(raised.value, ValueError)
    assert "'one'" in str(raised.value) and "'two'" in str(raised.value)


def test_autogen_context_needs_metadata(sqlite_url: str, tmp_path: Path) -> None:
    """Without target_metadata, autogenerate from an environment fails naming env.py;
    a context made for rendering alone (no script directory) is accepted, as by Alembic."""
    with engine(sqlite_url) as eng, eng.connect() as conn:
        assert AutogenContext(context(conn)).metadata is None
        ctx = AutogenContext(context(conn), autogenerate=False)
        assert ctx.metadata is None and ctx.imports == set()
    root = write_project(tmp_path, sqlite_url)
    env = root / "migrations" / "env.py"
    source = env.read_text()
    env.write_text(source.replace("target_metadata = MetaData()", "target_metadata = None"))
    proc = run_sterna("revision", "--autogenerate", "-m", "x", cwd=root)
    assert proc.returncode == 1
    assert "env.py passes no target_metadata to context.configure()" in proc.stderr, proc.stderr
    assert not list((root / "migrations" / "versions").glob("*.py"))  # no script written


def test_index_on_existing_table_only(db_url: str) -> None:
    before = MetaData()
    Table("t", before, Column("id", Integer, primary_key=True), Column("a", Integer))
    after = MetaData()
    Table(
        "t",
        after,
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Index("ix_t_a", "a"),
    )
    script = roundtrip(db_url, before, after)
    assert script.upgrade_ops is not None
    assert summarize(script.upgrade_ops.as_diffs()) == {("add_index", "t", "ix_t_a")}
