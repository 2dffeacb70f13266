"""Rendering that differed from Alembic's documented behaviour in Alembic's own
``tests/test_autogen_render.py`` (and its MySQL/PostgreSQL render tests).

Each rendered text is checked for what it means: the rendered code is run with a real ``op`` in
offline mode and gives the SQL of the operation itself (``rendered_sql`` / ``direct_sql``), or
the expectation is the call Alembic 1.20.1 renders for the same operation, compared as Python
syntax trees (Sterna's layout is ``ruff format``'s).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from sterna.operations import ops
from tests.autogenerate._render_support import body, direct_sql, render, rendered_sql


def _alembic_text(make: Callable[[Any], Any], dialect: str = "postgresql", **opts: Any) -> str:
    """What Alembic renders for the operation ``make(alembic.operations.ops)`` builds (its
    ``render_op_text``)."""
    from alembic.autogenerate import api as alembic_api
    from alembic.autogenerate import render as alembic_render
    from alembic.operations import ops as alembic_ops
    from alembic.runtime.migration import MigrationContext as AlembicContext

    prefixes = {"sqlalchemy_module_prefix": "sa.", "alembic_module_prefix": "op."}
    context = AlembicContext.configure(dialect_name=dialect, opts={**prefixes, **opts})
    autogen_context = alembic_api.AutogenContext(context)
    return str(alembic_render.render_op_text(autogen_context, make(alembic_ops)))


def _add_column(o: Any, column: sa.Column[Any]) -> Any:
    return o.AddColumnOp.from_column_and_tablename(None, "foo", column)


def _same_code(ours: str, theirs: str) -> None:
    assert ast.dump(ast.parse(ours.strip())) == ast.dump(ast.parse(theirs.strip())), (ours, theirs)


def _table(*items: Any, name: str = "t") -> sa.Table:
    return sa.Table(name, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), *items)


def test_system_column_is_written_with_system_true() -> None:
    """A system column (PostgreSQL's ``xmin``) keeps ``system=True``, so that the script's
    CREATE TABLE leaves it out as the models' does (without it PostgreSQL refuses the table:
    the name conflicts with a system column)."""
    operation = ops.CreateTableOp.from_table(_table(sa.Column("xmin", sa.Integer, system=True)))
    assert "system=True" in body([operation])
    sql = rendered_sql("postgresql", [operation])
    assert sql == direct_sql("postgresql", [operation])
    assert "xmin" not in sql[0]


def test_empty_column_comment_is_written() -> None:
    """``comment=""`` is a comment (PostgreSQL: ``COMMENT ON COLUMN ... IS ''``), not none."""
    column = sa.Column("x", sa.Integer, comment="")
    operation = ops.AddColumnOp.from_column_and_tablename(None, "t", column)
    assert 'comment=""' in body([operation])
    assert rendered_sql("postgresql", [operation]) == direct_sql("postgresql", [operation])


def test_primary_key_of_a_column_with_a_key() -> None:
    """``Column("x", key="y", primary_key=True)``: the table is rebuilt and rendered (it failed
    with ConstraintColumnNotFoundError) with the primary key naming the column ``x``."""
    table = sa.Table("t1", sa.MetaData(), sa.Column("x", sa.Integer, key="y", primary_key=True))
    operation = ops.CreateTableOp.from_table(table)
    _same_code(body([operation]), _alembic_text(lambda o: o.CreateTableOp.from_table(table)))
    assert rendered_sql("sqlite", [operation]) == direct_sql("sqlite", [operation])


def test_identity_is_written_as_alembic_writes_it_and_runs_without_warnings() -> None:
    """``always`` is always written (None is not False everywhere); the Oracle options that
    SQLAlchemy 2.1 keeps as ``oracle_on_null``/``oracle_order`` are written only so: the old
    names beside them made the script warn (SADeprecationWarning) when it ran."""
    identities = [
        sa.Identity(always=None),
        sa.Identity(always=False, start=42, oracle_on_null=True, oracle_order=False),
    ]
    for identity in identities:
        column = sa.Column("x", sa.Integer, identity, nullable=False)
        operation = ops.AddColumnOp.from_column_and_tablename(None, "foo", column)
        text = body([operation])
        alembic = _alembic_text(partial(_add_column, column=column))
        _same_code(text, alembic)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert rendered_sql("postgresql", [operation]) == direct_sql("postgresql", [operation])


def test_columns_in_index_dialect_options_are_written_by_name() -> None:
    """``postgresql_include=[t.c.code]`` is written ``["code"]`` (it was ``[sa.text("code")]``,
    which PostgreSQL's compiler cannot quote: the script failed)."""
    table = _table(sa.Column("active", sa.Boolean), sa.Column("code", sa.String(5)))
    index = sa.Index("ix_active", table.c.active, postgresql_include=[table.c.code])
    operation = ops.CreateIndexOp.from_index(index)
    assert 'postgresql_include=["code"]' in body([operation])
    sql = rendered_sql("postgresql", [operation])
    assert sql == direct_sql("postgresql", [operation])
    assert sql == ["CREATE INDEX ix_active ON t (active) INCLUDE (code)"]


def test_mysql_functional_index_parts_keep_their_parentheses() -> None:
    """MySQL takes an expression in an index only in its own parentheses
    (``CREATE INDEX ix ON t ((x > 5))``); the rendered ``sa.text`` carries them."""
    table = _table(sa.Column("x", sa.Integer), sa.Column("y", sa.Integer))
    for index in (
        sa.Index("ix", table.c.x > 5),
        sa.Index("ix", table.c.x, sa.func.coalesce(table.c.y, 0)),
        sa.Index("ix", -table.c.x),
        sa.Index("ix", table.c.x.desc()),
    ):
        operation = ops.CreateIndexOp.from_index(index)
        assert rendered_sql("mysql", [operation]) == direct_sql("mysql", [operation])


def test_render_item_none_leaves_a_create_table_item_out() -> None:
    """A ``render_item`` hook returning None leaves the column or constraint out of
    ``create_table`` (False asks for the default rendering); the server-default hook is asked
    only about columns that have a server default."""
    asked: list[tuple[str, Any]] = []

    def render_item(kind: str, obj: Any, autogen_context: Any) -> Any:
        asked.append((kind, obj))
        if kind == "column" and obj.name == "gone":
            return None
        if kind == "foreign_key":
            return None
        return False

    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("gone", sa.Integer),
        sa.Column("kept", sa.Integer, sa.ForeignKey("other.id"), server_default="1"),
    )
    operation = ops.CreateTableOp.from_table(table)
    source, _imports = render([operation], "sqlite", render_item=render_item)
    assert '"gone"' not in source and "ForeignKeyConstraint" not in source
    assert '"kept"' in source and "PrimaryKeyConstraint" in source
    assert [obj.arg for kind, obj in asked if kind == "server_default"] == ["1"]
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    alembic = _alembic_text(
        lambda o: o.CreateTableOp.from_table(table), "sqlite", render_item=render_item
    )
    _same_code(code, alembic)


def test_module_prefix_none_is_no_prefix() -> None:
    """``alembic_module_prefix=None`` / ``sqlalchemy_module_prefix=None`` write no prefix,
    as ``configure()`` documents (they fell back to ``op.`` / ``sa.``)."""
    operation = ops.AddColumnOp.from_column_and_tablename(None, "t", sa.Column("x", sa.Integer))
    source, _imports = render(
        [operation, ops.ExecuteSQLOp("drop table foo")],
        alembic_module_prefix=None,
        sqlalchemy_module_prefix=None,
    )
    assert 'add_column("t", Column("x", Integer(), nullable=True))' in source
    assert 'execute("drop table foo")' in source
    assert "op." not in source and "sa." not in source


def test_drop_constraint_schema_as_alembic_writes_it() -> None:
    """``schema=`` before ``type_=`` (Alembic's order), and a schema given as a string subclass
    with its own ``repr()`` written as that expression (``schema=settings.schema``)."""

    class Expression(str):
        def __repr__(self) -> str:
            return "settings.schema"

    def drop(o: Any, schema: str) -> Any:
        return o.DropConstraintOp("uq_code", "t", type_="unique", schema=schema)

    for schema in ("CamelSchema", Expression("CamelSchema")):
        ours = body([drop(ops, schema)])
        theirs = _alembic_text(partial(drop, schema=schema))
        assert ours.strip() == theirs.replace("'", '"')


def test_constraint_without_renderer_is_reported(caplog: Any) -> None:
    """A constraint kind Sterna cannot write is left out with a warning and a comment above
    the create_table (it was left out silently)."""

    class Custom(sa.schema.ColumnCollectionConstraint):
        pass

    table = _table(Custom("id"))
    text = body([ops.CreateTableOp.from_table(table)])
    assert text.startswith("# WARNING: Sterna cannot write Custom of table t"), text
    assert "Custom of table t" in caplog.text


def test_postgresql_expression_index_keeps_its_parentheses(pg_url: str) -> None:
    """PostgreSQL takes an operator expression in an index only in parentheses
    (``CREATE INDEX ix ON tbl ((c ->> 'foo'))``): the rendered ``sa.text`` carries them, and
    the rendered script's statement runs on the server."""
    table = sa.Table("tbl", sa.MetaData(), sa.Column("c", postgresql.JSONB))
    operation = ops.CreateIndexOp.from_index(sa.Index("my_idx", table.c.c["foo"].astext))
    sql = rendered_sql("postgresql", [operation])
    assert sql == direct_sql("postgresql", [operation])
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE tbl (c JSONB)"))
            conn.execute(sa.text(sql[0]))
    finally:
        engine.dispose()


def test_exclude_constraints_render_as_alembic_writes_them() -> None:
    """A literal column in an EXCLUDE is ``sa.literal_column`` (``sa.column("id + 2")`` was a
    quoted name: ``"id + 2"``); ``create_exclude_constraint`` writes its columns as
    ``sa.column(...)``; the drop of an exclusion constraint has no ``type_`` (``"exclude"``
    is not one ``drop_constraint`` knows: the script failed in both tools)."""
    literal_table = sa.Table("t1", sa.MetaData(), sa.Column("id", sa.String))
    literal_table.append_constraint(
        postgresql.ExcludeConstraint((sa.literal_column("id + 2"), "="), name="ex", using="gist")
    )
    table = sa.Table("t2", sa.MetaData(), sa.Column("x", sa.String))
    plain = postgresql.ExcludeConstraint(
        (table.c.x, ">"), name="ex_x", using="gist", where=sa.text("x != '2'")
    )
    table.append_constraint(plain)
    cases: list[tuple[Any, Callable[[Any], Any]]] = [
        (
            ops.CreateTableOp.from_table(literal_table),
            lambda o: o.CreateTableOp.from_table(literal_table),
        ),
        (ops.CreateTableOp.from_table(table), lambda o: o.CreateTableOp.from_table(table)),
        (
            ops.AddConstraintOp.from_constraint(plain),
            lambda o: o.AddConstraintOp.from_constraint(plain),
        ),
        (
            ops.DropConstraintOp.from_constraint(plain),
            lambda o: o.DropConstraintOp.from_constraint(plain),
        ),
    ]
    for operation, make in cases:
        _same_code(body([operation]), _alembic_text(make))
        assert rendered_sql("postgresql", [operation]) == direct_sql("postgresql", [operation])
    assert 'sa.literal_column("id + 2")' in body([cases[0][0]])
    # rendering and running copied the constraints without attaching the copies to the
    # models' tables (each render added one there)
    assert len(table.constraints) == len(literal_table.constraints) == 2


def test_exclude_operator_classes_are_written() -> None:
    """``ops={"x": "text_ops"}`` (an operator class per element) is kept in the script."""
    table = sa.Table("t", sa.MetaData(), sa.Column("x", sa.String))
    table.append_constraint(
        postgresql.ExcludeConstraint((table.c.x, "="), name="ex", ops={"x": "text_ops"})
    )
    operation = ops.CreateTableOp.from_table(table)
    sql = rendered_sql("postgresql", [operation])
    assert sql == direct_sql("postgresql", [operation])
    assert "x text_ops WITH =" in sql[0]


def test_execute_of_a_statement_that_needs_values_is_refused() -> None:
    """``execute(table.insert())`` would be written ``VALUES (:q)`` with nothing to bind (the
    script failed when run): NotImplementedError naming the parameter, as Alembic refuses it;
    a statement with its values is written as SQL."""
    table = sa.table("x", sa.column("q", sa.Integer))
    with pytest.raises(NotImplementedError, match="needs values for q"):
        body([ops.ExecuteSQLOp(table.insert())])
    assert body([ops.ExecuteSQLOp(table.insert().values(q=5))]) == (
        'op.execute("INSERT INTO x (q) VALUES (5)")\n'
    )


def test_create_check_constraint_keywords_in_alembics_order() -> None:
    """``schema=`` before the dialect options, as Alembic writes them."""

    def make(o: Any) -> Any:
        return o.CreateCheckConstraintOp(
            "ck_x_positive", "t", "x > 0", schema="s", postgresql_not_valid=True
        )

    _same_code(body([make(ops)]), _alembic_text(make))
