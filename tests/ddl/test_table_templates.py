"""``CREATE TABLE`` from templates (``sterna.ddl.table_templates``) against the ordinary path.

The property: for generated tables (types with and without state, server defaults that are
strings, ``text()`` or look like placeholders, primary keys of any columns, foreign keys to other
tables and to the table itself, unique constraints, named through ``op.f()``, plainly or not at
all, naming conventions, hostile names), on every built-in dialect, ``op.create_table`` writes
offline what the ordinary path (the table built and compiled by SQLAlchemy) writes, or both
fail with the same error; and a second table of the same shape with other names too.
"""

from __future__ import annotations

import io
from typing import Any
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.sql.elements import conv

from sterna.operations import Operations, ops
from sterna.runtime.migration import MigrationContext
from tests.ddl.test_templates import DIALECTS, identifiers, output_of

TYPES = [
    lambda: sa.Integer(),
    lambda: sa.BigInteger(),
    lambda: sa.SmallInteger(),
    lambda: sa.String(length=32),
    lambda: sa.String(),
    lambda: sa.Text(),
    lambda: sa.Numeric(precision=12, scale=2),
    lambda: sa.Numeric(),
    lambda: sa.Boolean(),
    lambda: sa.Boolean(create_constraint=True),
    lambda: sa.DateTime(timezone=True),
    lambda: sa.DateTime(),
    lambda: sa.Date(),
    lambda: sa.Float(),
    lambda: sa.Unicode(20),
    lambda: sa.LargeBinary(),
    lambda: sa.JSON(),
    lambda: sa.Uuid(),
    lambda: sa.Enum("a", "b", name="ab"),
    lambda: sa.types.NullType(),
    lambda: sa.String(length=64),
]
DEFAULTS = [
    None,
    "new",
    "it's 100%",
    "sternaph0x",
    sa.text("true"),
    sa.text("CURRENT_TIMESTAMP"),
    sa.text("'12:30'"),
    sa.text("sternaqz1x"),
]
CONVENTIONS = [None, {"pk": "pk_%(table_name)s"}, {"uq": "uq_%(constraint_name)s"}, {"fk": "fk"}]
names = st.one_of(st.none(), identifiers, identifiers.map(conv))


@st.composite
def tables(draw: Any) -> dict[str, Any]:
    """A table's recipe as plain data (so that the same table can be built twice)."""
    columns = draw(st.lists(identifiers, min_size=1, max_size=5, unique=True))
    spec: dict[str, Any] = {
        "name": draw(identifiers),
        "schema": draw(st.none() | identifiers),
        "columns": [
            (
                c,
                draw(st.integers(0, len(TYPES) - 1)),
                draw(st.sampled_from([True, False, None])),
                draw(st.sampled_from(["auto", "auto", False, True])),
                draw(st.integers(0, len(DEFAULTS) - 1)),
            )
            for c in columns
        ],
        "pk": (draw(st.lists(st.sampled_from(columns), unique=True)), draw(names)),
        "unique": [
            (draw(st.lists(st.sampled_from(columns), min_size=1, unique=True)), draw(names))
            for _ in range(draw(st.integers(0, 2)))
        ],
        "fks": [
            (
                draw(st.sampled_from(columns)),
                draw(st.none() | identifiers),  # None: the table itself
                draw(identifiers),
                draw(st.sampled_from([None, "CASCADE", "SET NULL"])),
                draw(names),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        "convention": draw(st.integers(0, len(CONVENTIONS) - 1)),
        "flag": draw(st.booleans()),
    }
    return spec


def _items(spec: dict[str, Any], rename: str = "") -> tuple[str, list[Any]]:
    """The table's name and the columns and constraints ``op.create_table`` takes."""
    name = spec["name"] + rename
    items: list[Any] = []
    for column, type_, nullable, autoincrement, default in spec["columns"]:
        kw: dict[str, Any] = {"autoincrement": autoincrement, "server_default": DEFAULTS[default]}
        if nullable is not None:
            kw["nullable"] = nullable
        items.append(sa.Column(column + rename, TYPES[type_](), **kw))
    pk_columns, pk_name = spec["pk"]
    if pk_columns:
        items.append(sa.PrimaryKeyConstraint(*[c + rename for c in pk_columns], name=pk_name))
    for columns, uq_name in spec["unique"]:
        items.append(sa.UniqueConstraint(*[c + rename for c in columns], name=uq_name))
    for column, ref_table, ref_column, ondelete, fk_name in spec["fks"]:
        target = f"{ref_table}.{ref_column}" if ref_table else f"{name}.{column + rename}"
        items.append(
            sa.ForeignKeyConstraint([column + rename], [target], name=fk_name, ondelete=ondelete)
        )
    return name, items


def _context(dialect: str, dialect_opts: dict[str, Any], convention: int) -> MigrationContext:
    opts: dict[str, Any] = {"as_sql": True, "output_buffer": io.StringIO()}
    if CONVENTIONS[convention] is not None:
        opts["target_metadata"] = sa.MetaData(naming_convention=CONVENTIONS[convention])
    return MigrationContext.configure(dialect_name=dialect, opts=opts, dialect_opts=dialect_opts)


def _both(
    context: MigrationContext, reference: MigrationContext, spec: dict[str, Any], rename: str
) -> tuple[str, str]:
    """What ``op.create_table`` writes in ``context``, and what the ordinary path writes for the
    same table in ``reference`` (a context of its own: a PostgreSQL enum is created once in
    each)."""
    name, items = _items(spec, rename)
    schema, flag = spec["schema"], spec["flag"]
    written = output_of(
        context,
        lambda: Operations(context).create_table(name, *items, schema=schema, if_not_exists=flag),
    )
    name, items = _items(spec, rename)

    def ordinary() -> None:
        table = ops.CreateTableOp(name, items, schema=schema).to_table(reference)
        with patch("sterna.ddl.impl.write_table_from_template", return_value=False):
            reference.impl.create_table(table, if_not_exists=flag)

    return written, output_of(reference, ordinary)


_SHARED: dict[Any, tuple[MigrationContext, ...]] = {}


@pytest.mark.parametrize(("dialect", "dialect_opts"), DIALECTS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=tables())
def test_template_writes_what_the_compiler_writes(
    dialect: str, dialect_opts: dict[str, Any], spec: dict[str, Any]
) -> None:
    key = (dialect, tuple(dialect_opts.items()), spec["convention"])
    if key not in _SHARED:  # one template cache for all examples: shapes are met again
        _SHARED[key] = tuple(_context(dialect, dialect_opts, spec["convention"]) for _ in "ab")
    context, reference = _SHARED[key]
    for rename in ("", "_2"):  # the first of a shape, then another of the same shape
        written, ordinary = _both(context, reference, spec, rename)
        assert written == ordinary


@pytest.mark.parametrize(("dialect", "dialect_opts"), DIALECTS)
def test_autogenerate_shaped_tables_do_use_templates(
    dialect: str, dialect_opts: dict[str, Any]
) -> None:
    """The property above compares something: tables shaped like autogenerate's are written
    from one template."""
    context = _context(dialect, dialect_opts, 0)
    op = Operations(context)
    for i in range(3):
        op.create_table(
            f"product_{i}",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(length=32), nullable=False),
            sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
            sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
            sa.Column("status", sa.String(length=20), server_default="new", nullable=False),
            sa.Column(f"payment_{i}_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                [f"payment_{i}_id"], [f"payment_{i}.id"], name=op.f(f"fk_{i}"), ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_product_{i}")),
        )
        op.add_column(f"product_{i}", sa.Column(f"note_{i}", sa.String(200), nullable=True))
    templates = context.impl.statement_templates._by_shape
    assert len(templates) == 2 and None not in templates.values()
    output = context.impl.output_buffer.getvalue()  # type: ignore[union-attr]
    assert output.count("CREATE TABLE") == 3 and "REFERENCES payment_2 (id)" in output
    assert "ADD COLUMN note_2 VARCHAR(200)" in output


def test_a_type_with_its_own_compilation_keeps_the_ordinary_path() -> None:
    """A type from outside SQLAlchemy is compiled by its own code, never templated."""

    class Money(sa.types.UserDefinedType[Any]):
        cache_ok = True

        def get_col_spec(self, **kw: Any) -> str:
            return "MONEY"

    context = _context("postgresql", {}, 0)
    Operations(context).create_table("t", sa.Column("a", Money()))
    assert "a MONEY" in context.impl.output_buffer.getvalue()  # type: ignore[union-attr]
    assert not context.impl.statement_templates._by_shape


BASE: dict[str, Any] = {
    "name": "t",
    "schema": None,
    "columns": [("id", 0, False, "auto", 0), ("code", 3, True, "auto", 1)],
    "pk": (["id"], conv("pk_t")),
    "unique": [(["code"], None)],
    "fks": [("code", "other", "id", "CASCADE", conv("fk_t"))],
    "convention": 0,
    "flag": False,
}
VARIANTS: list[tuple[str, Any]] = [
    ("columns", [("id", 0, False, "auto", 0), ("code", 20, True, "auto", 1)]),  # String(64)
    ("columns", [("id", 0, False, "auto", 0), ("code", 3, False, "auto", 1)]),  # NOT NULL
    ("columns", [("id", 0, False, False, 0), ("code", 3, True, "auto", 1)]),  # autoincrement
    ("columns", [("id", 0, False, "auto", 0), ("code", 3, True, "auto", 2)]),  # default text
    ("columns", [("id", 0, False, "auto", 4), ("code", 3, True, "auto", 1)]),  # text() default
    ("columns", [("id", 0, False, "auto", 5), ("code", 3, True, "auto", 1)]),  # another text()
    ("columns", [("id", 1, False, "auto", 0), ("code", 3, True, "auto", 1)]),  # BigInteger
    ("pk", (["id", "code"], conv("pk_t"))),
    ("pk", (["id"], None)),
    ("unique", [(["code", "id"], None)]),
    ("unique", []),
    ("fks", [("code", "other", "id", "SET NULL", conv("fk_t"))]),
    ("fks", [("code", None, "id", "CASCADE", conv("fk_t"))]),  # to the table itself
    ("fks", [("code", "other", "code", "CASCADE", conv("fk_t"))]),  # a name shared otherwise
    ("schema", "s"),
    ("flag", True),
]


@pytest.mark.parametrize(("dialect", "dialect_opts"), DIALECTS)
def test_each_part_of_the_shape_is_in_its_key(dialect: str, dialect_opts: dict[str, Any]) -> None:
    """After a base table, tables that differ from it in one part each (a type's length, a
    default's text, a key's columns...) are written as the ordinary path writes them, not
    from the base table's template."""
    context, reference = (_context(dialect, dialect_opts, 0) for _ in "ab")
    for field, value in [("name", "t"), *VARIANTS]:
        spec = {**BASE, field: value}
        written, ordinary = _both(context, reference, spec, "")
        assert written == ordinary, field
    assert len(context.impl.statement_templates._by_shape) == len(VARIANTS) + 1


def _added(
    context: MigrationContext, spec: dict[str, Any], column: tuple[Any, ...], rename: str
) -> str:
    name, type_, nullable, autoincrement, default = column
    kw: dict[str, Any] = {"autoincrement": autoincrement, "server_default": DEFAULTS[default]}
    if nullable is not None:
        kw["nullable"] = nullable
    if spec["unique"]:
        kw["unique"] = True
    if name in spec["pk"][0]:
        kw["primary_key"] = True
    keys = [sa.ForeignKey(f"{fk[1] or 'x'}.{fk[2]}") for fk in spec["fks"] if fk[0] == name]
    new = sa.Column(name + rename, TYPES[type_](), *keys, **kw)
    table, schema = spec["name"] + rename, spec["schema"]
    return output_of(
        context,
        lambda: Operations(context).add_column(
            table, new, schema=schema, if_not_exists=spec["flag"]
        ),
    )


@pytest.mark.parametrize(("dialect", "dialect_opts"), DIALECTS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=tables())
def test_add_column_template_writes_what_the_compiler_writes(
    dialect: str, dialect_opts: dict[str, Any], spec: dict[str, Any]
) -> None:
    """``op.add_column`` of generated columns, shapes shared across examples, against the
    ordinary path."""
    key = ("add", dialect, tuple(dialect_opts.items()))
    if key not in _SHARED:
        _SHARED[key] = tuple(_context(dialect, dialect_opts, 0) for _ in "ab")
    context, reference = _SHARED[key]
    for column in spec["columns"]:
        for rename in ("", "_2"):
            written = _added(context, spec, column, rename)
            with patch("sterna.ddl.impl.write_add_column_from_template", return_value=False):
                ordinary = _added(reference, spec, column, rename)
            assert written == ordinary
