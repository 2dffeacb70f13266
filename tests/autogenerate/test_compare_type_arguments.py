"""Type arguments are compared where the model gives them, as Alembic does: ``String()`` in the
model matches ``VARCHAR(30)`` in the database, ``String(40)`` does not; the same for
``Numeric()``.  And ``include_name`` sees a table's own ``schema_qualified_table_name``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, Numeric, String, Table, create_engine, text

from sterna.autogenerate.api import compare_metadata
from sterna.runtime.migration import MigrationContext


def diffs(url: str, model: MetaData, **opts: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(30), "
                    "amount NUMERIC(10, 2))"
                )
            )
            return list(compare_metadata(MigrationContext.configure(conn, opts=opts), model))
    finally:
        engine.dispose()


def model(name_type: Any, amount_type: Any) -> MetaData:
    metadata = MetaData()
    Table(
        "t",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("name", name_type),
        Column("amount", amount_type),
    )
    return metadata


def changed_columns(found: list[Any]) -> set[str]:
    out = set()
    for diff in found:
        for item in diff if isinstance(diff, list) else [diff]:
            if item[0] == "modify_type":
                out.add(item[3])
    return out


def test_arguments_the_model_leaves_out_are_not_compared(db_url: str) -> None:
    if db_url.startswith("mysql"):  # MySQL needs a length to make the model's VARCHAR
        assert changed_columns(diffs(db_url, model(String(30), Numeric()))) == set()
        return
    assert changed_columns(diffs(db_url, model(String(), Numeric()))) == set()


def test_arguments_the_model_gives_are_compared(db_url: str) -> None:
    found = changed_columns(diffs(db_url, model(String(40), Numeric(12, 2))))
    assert found == {"name", "amount"}


def test_include_name_sees_the_tables_qualified_name(sqlite_url: str) -> None:
    seen: list[tuple[str, str, dict[str, Any]]] = []

    def include_name(name: str, type_: str, parents: dict[str, Any]) -> bool:
        seen.append((name, type_, dict(parents)))
        return True

    diffs(sqlite_url, model(String(30), Numeric(10, 2)), include_name=include_name)
    tables = [parents for name, type_, parents in seen if type_ == "table"]
    # (called for the model's table too: docs/autogenerate-compare.md, "include_name on both
    # sides")
    assert tables and all(
        parents == {"schema_name": None, "schema_qualified_table_name": "t"} for parents in tables
    )
