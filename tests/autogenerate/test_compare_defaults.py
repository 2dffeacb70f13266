"""Server default changes (``compare_server_default``: bool or callable)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, text

from sterna.autogenerate.compare.defaults import postgresql_boolean, postgresql_interval
from sterna.dialects.sql_text import normalize_default
from sterna.operations.ops import AlterColumnOp, ModifyTableOps
from tests.autogenerate._compare_support import (
    alembic_diffs,
    create_all,
    diffs,
    produce,
    roundtrip,
    summarize,
)


def _model(label: Any = None, count: Any = None, stamp: Any = None) -> MetaData:
    metadata = MetaData()
    Table(
        "thing",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("label", String(20), server_default=label),
        Column("count", Integer, server_default=count),
        Column("stamp", DateTime, server_default=stamp),
    )
    return metadata


def test_defaults_added_changed_removed(db_url: str, backend: str) -> None:
    before = _model(label="a", count="1")
    after = _model(label="b", count=None, stamp=func.now())
    create_all(db_url, before)
    assert diffs(db_url, after) == []  # off by default
    expected = {("modify_default", None, "thing", c) for c in ("label", "count", "stamp")}
    assert summarize(diffs(db_url, after, compare_server_default=True)) == expected
    assert summarize(alembic_diffs(db_url, after, compare_server_default=True)) == expected
    script = produce(db_url, after, compare_server_default=True)
    assert script.upgrade_ops is not None
    (modify,) = script.upgrade_ops.ops
    assert isinstance(modify, ModifyTableOps)
    alters = {op.column_name: op for op in modify.ops if isinstance(op, AlterColumnOp)}
    assert alters["count"].modify_server_default is None
    assert "1" in str(alters["count"].existing_server_default.arg.text)
    label_default = alters["label"].modify_server_default
    assert label_default is after.tables["thing"].c.label.server_default


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])  # SQLite: batch mode only
def test_defaults_round_trip(db_url: str, backend: str) -> None:
    roundtrip(
        db_url,
        _model(label="a", count="1"),
        _model(label="it's", count=text("2"), stamp=func.now()),
        compare_server_default=True,
    )


def test_equal_defaults_in_other_spellings(db_url: str, backend: str) -> None:
    create_all(db_url, _model(label="0", count=text("7"), stamp=text("CURRENT_TIMESTAMP")))
    same = _model(label=text("'0'"), count="7", stamp=func.current_timestamp())
    assert diffs(db_url, same, compare_server_default=True) == []


def test_compare_server_default_callable(db_url: str) -> None:
    create_all(db_url, _model(label="a", count="1"))
    calls: list[tuple[Any, ...]] = []

    def decide(
        context: Any,
        inspected_column: Any,
        metadata_column: Any,
        inspected_default: Any,
        metadata_default: Any,
        rendered_metadata_default: Any,
    ) -> bool | None:
        calls.append((metadata_column.name, inspected_default, rendered_metadata_default))
        assert inspected_column.name == metadata_column.name
        if metadata_column.name == "label":
            return True
        return None

    found = summarize(diffs(db_url, _model(label="a", count="2"), compare_server_default=decide))
    assert found == {
        ("modify_default", None, "thing", "label"),
        ("modify_default", None, "thing", "count"),
    }
    by_column = {name: (inspected, rendered) for name, inspected, rendered in calls}
    assert by_column["label"][1] == "'a'"
    assert normalize_default(by_column["label"][0], "postgresql") == "'a'"
    assert by_column["stamp"] == (None, None)


@pytest.mark.parametrize(
    ("reflected", "model", "dialect"),
    [
        ("'x'::character varying", "'x'", "postgresql"),
        ("'0'::numeric", "0", "postgresql"),
        ("now()", "CURRENT_TIMESTAMP", "postgresql"),
        ("0.00", "'0'", "mysql"),
        ("current_timestamp()", "now()", "mysql"),
        ("1", "true", "mysql"),
        ("(0)", "'0'", "sqlite"),
        ("'it''s'", "'it''s'", "sqlite"),
        ("NULL::character varying", None, "postgresql"),
    ],
)
def test_default_normal_forms_equal(reflected: str, model: str | None, dialect: str) -> None:
    assert normalize_default(reflected, dialect) == normalize_default(model, dialect)


@pytest.mark.parametrize(
    ("reflected", "model", "dialect"),
    [
        ("'x'::text", "'y'", "postgresql"),
        ("'0'", "'00a'", "mysql"),
        ("current_timestamp(6)", "current_timestamp()", "mysql"),
        ("1", "2", "sqlite"),
        ("'Abc'", "'abc'", "sqlite"),
    ],
)
def test_default_normal_forms_differ(reflected: str, model: str, dialect: str) -> None:
    assert normalize_default(reflected, dialect) != normalize_default(model, dialect)


@pytest.mark.parametrize(
    ("written", "reflected"),
    [
        ("0", "00:00:00"),
        ("2 hours 30 minutes", "02:30:00"),
        ("1 year 2 months 3 days 04:05:06", "1 year 2 mons 3 days 04:05:06"),
        ("P1DT2H", "1 day 02:00:00"),
        ("-1 day", "-1 days"),
        ("1.5 days", "1 day 12:00:00"),
        ("@ 1 hour ago", "-01:00:00"),
        ("30m", "00:30:00"),
        ("1 week", "7 days"),
        ("3600", "01:00:00"),
    ],
)
def test_postgresql_interval_equal(written: str, reflected: str) -> None:
    assert postgresql_interval(written) is not None
    assert postgresql_interval(written) == postgresql_interval(reflected)


@pytest.mark.parametrize(
    ("one", "other"),
    [("1 day", "24:00:00"), ("1 month", "30 days"), ("0", "00:00:01"), ("1 hour", "1 minute")],
)
def test_postgresql_interval_differ(one: str, other: str) -> None:
    assert postgresql_interval(one) != postgresql_interval(other)


def test_postgresql_interval_and_boolean_unknown_text() -> None:
    assert postgresql_interval("soon") is None
    assert postgresql_interval("1 fortnight") is None
    assert postgresql_boolean("maybe") is None
    assert (
        postgresql_boolean(" Yes ")
        == postgresql_boolean("t")
        == normalize_default("true", "postgresql")
    )
