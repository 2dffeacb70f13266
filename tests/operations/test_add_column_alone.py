"""``op.add_column`` of a column that brings nothing along skips the stub table (issue 15).

A column with no key, constraint, index, comment or constraint-making type needs a table only
for the compiler; ``toimpl.add_column`` then leaves it unattached, and ``DefaultImpl.add_column``
puts it on a stub table only when the statement is compiled rather than written from its
template.  The SQL must be what the stub-table path writes (checked with the shortcut switched
off) and what Alembic 1.20.1 writes, on every dialect, for columns that take the template and
columns that cannot (a client default, a computed column, an identity, a ``TypeDecorator``,
``ARRAY``).  Columns that bring something (an index, a unique key, a foreign key, a Boolean's
CHECK, a comment) keep the stub table, so that what they bring is added too.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from sterna.operations import Operations, toimpl
from sterna.runtime.migration import MigrationContext


class Upper(sa.types.TypeDecorator[str]):
    impl = sa.String(20)
    cache_ok = True


class Flag(sa.types.TypeDecorator[bool]):  # its Boolean's CHECK comes with it
    impl = sa.Boolean(create_constraint=True)
    cache_ok = True


PLAIN: list[Callable[[], sa.Column[Any]]] = [
    lambda: sa.Column("note", sa.String(200), nullable=True),
    lambda: sa.Column("score", sa.Integer(), nullable=False, server_default="0"),
    lambda: sa.Column("amount", sa.Numeric(12, 2)),
    lambda: sa.Column("at", sa.DateTime(True), server_default=sa.text("CURRENT_TIMESTAMP")),
    lambda: sa.Column("n", sa.Integer(), autoincrement=True),
    lambda: sa.Column("d", sa.Integer(), default=5),  # client default: the ordinary path
    lambda: sa.Column("c", sa.Integer(), sa.Computed("1 + 1")),
    lambda: sa.Column("u", Upper()),
    lambda: sa.Column("q", sa.Text(), server_default=sa.text("'a'")),
]
BRINGING: list[Callable[[], sa.Column[Any]]] = [
    lambda: sa.Column("ix", sa.Integer(), index=True),
    lambda: sa.Column("uq", sa.Integer(), unique=True),
    lambda: sa.Column("ref", sa.Integer(), sa.ForeignKey("other.id")),
    lambda: sa.Column("flag", sa.Boolean(create_constraint=True)),
    lambda: sa.Column("said", sa.Integer(), comment="a comment"),
    lambda: sa.Column("wrapped", Flag()),
    lambda: sa.Column(  # the PostgreSQL variant brings its CHECK there
        "v",
        sa.String(5).with_variant(
            sa.Enum("a", native_enum=False, create_constraint=True), "postgresql"
        ),
    ),
]
DIALECTS = ["sqlite", "postgresql", "mysql", "mariadb"]


def _offline_sql(
    context_class: Any, operations_class: Any, dialect: str, columns: list[sa.Column[Any]]
) -> str:
    buf = io.StringIO()
    context = context_class.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf}
    )
    op = operations_class(context)
    for column in columns:
        op.add_column("t", column)
    return str(buf.getvalue())


def _sterna_sql(dialect: str, columns: list[sa.Column[Any]]) -> str:
    return _offline_sql(MigrationContext, Operations, dialect, columns)


def _alembic_sql(dialect: str, columns: list[sa.Column[Any]]) -> str:
    from alembic.operations import Operations as AlembicOperations
    from alembic.runtime.migration import MigrationContext as AlembicContext

    return _offline_sql(AlembicContext, AlembicOperations, dialect, columns)


def _columns(makers: list[Callable[[], sa.Column[Any]]]) -> list[sa.Column[Any]]:
    return [make() for make in makers]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_plain_columns_write_what_the_stub_table_path_writes(
    dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # twice each, so that the second of a shape is written from the template
    shortcut = _sterna_sql(dialect, _columns(PLAIN + PLAIN))
    monkeypatch.setattr(toimpl, "brings_nothing", lambda column: False)
    stub_path = _sterna_sql(dialect, _columns(PLAIN + PLAIN))
    assert shortcut == stub_path
    assert shortcut.count("ADD") == 2 * len(PLAIN)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_plain_columns_write_what_alembic_writes(dialect: str) -> None:
    assert _sterna_sql(dialect, _columns(PLAIN + PLAIN)) == _alembic_sql(
        dialect, _columns(PLAIN + PLAIN)
    )


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "mariadb"])  # SQLite: batch mode
def test_columns_that_bring_something_keep_it(dialect: str) -> None:
    sql = _sterna_sql(dialect, _columns(BRINGING))
    assert sql == _alembic_sql(dialect, _columns(BRINGING))
    assert "CREATE INDEX ix_t_ix ON t (ix)" in sql
    assert "UNIQUE" in sql and "REFERENCES other" in sql.replace("`", "")
    if dialect != "postgresql":
        assert "CHECK (flag IN (0, 1))" in sql.replace("`", "")
        assert "CHECK (wrapped IN (0, 1))" in sql.replace("`", "")
    else:
        assert "CHECK (v IN ('a'))" in sql
    assert "a comment" in sql


def test_the_shortcut_leaves_only_plain_columns_unattached() -> None:
    plain, indexed = sa.Column("a", sa.Integer()), sa.Column("b", sa.Integer(), index=True)
    array: sa.Column[Any] = sa.Column("tags", postgresql.ARRAY(sa.String()))
    _sterna_sql("postgresql", [plain, indexed, array])
    assert plain.table is None  # written from the template: never needed a table
    assert indexed.table is not None and indexed.table.name == "t"
    assert array.table is not None  # compiled: placed on a stub table to be compiled


def test_online_the_ordinary_path_adds_the_column(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            op = Operations(MigrationContext.configure(connection=connection))
            op.add_column("t", sa.Column("d", sa.Integer(), default=5))
            op.add_column("t", sa.Column("e", sa.String(10), server_default="x"))
            op.add_column("t", sa.Column("f", sa.String(10), server_default="y"))
        names = [c["name"] for c in sa.inspect(engine).get_columns("t")]
        assert names == ["id", "d", "e", "f"]
    finally:
        engine.dispose()
