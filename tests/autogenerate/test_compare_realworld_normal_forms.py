"""CHECK constraints, partial-index conditions, index expressions and server defaults in the
shapes real model sets use: each is created with ``create_all`` and compared at once, on every
backend that accepts it, and must show no difference; a real change must still show.

The minimal models of the two reported defects (a function call as a ``BETWEEN`` operand, an
``Interval`` default on PostgreSQL) also go through the commands: ``revision --autogenerate``,
``upgrade head``, ``check``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import CheckConstraint, Column, Index, MetaData, Table

from tests.autogenerate._autogen_project import Project
from tests.autogenerate._compare_support import create_all, diffs, engine, summarize
from tests.conftest import BACKENDS, _fresh_database

ALL = frozenset(BACKENDS)
PG = frozenset({"postgresql"})
NOT_MARIADB = frozenset({"sqlite", "postgresql"})
NOT_SQLITE = frozenset({"postgresql", "mariadb"})

#: An expression: SQL text, or a function of the table that builds a SQLAlchemy expression.
Expr = str | Callable[[Table], Any]


@pytest.fixture(scope="module")
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """``(backend, url)``: one database per backend for the module (the backend is the test's
    indirect parameter); each test creates and drops its own tables."""
    backend = str(request.param)
    if backend == "sqlite":
        yield backend, f"sqlite:///{tmp_path_factory.mktemp('normal') / 'test.db'}"
    else:
        yield from ((backend, url) for url in _fresh_database(backend))


def _drop_all(url: str, metadata: MetaData) -> None:
    with engine(url) as eng, eng.begin() as conn:
        metadata.drop_all(conn)


def _found(url: str, metadata: MetaData, **opts: Any) -> set[tuple[Any, ...]]:
    """Create ``metadata``, compare it with the database it made, drop it again."""
    create_all(url, metadata)
    try:
        return summarize(diffs(url, metadata, **opts))
    finally:
        _drop_all(url, metadata)


def _changed(url: str, before: MetaData, after: MetaData, **opts: Any) -> set[tuple[Any, ...]]:
    """Create ``before``, compare ``after`` with it, drop it again."""
    create_all(url, before)
    try:
        return summarize(diffs(url, after, **opts))
    finally:
        _drop_all(url, before)


# -- CHECK constraints, partial-index conditions, index expressions -------------------------------


def _columns(backend: str) -> list[Column[Any]]:
    return [
        Column("id", sa.Integer, primary_key=True),
        Column("name", sa.String(50)),
        Column("email", sa.String(100)),
        Column("phone", sa.String(30)),
        Column("status", sa.String(20)),
        Column("code", sa.String(10)),
        Column("first_name", sa.String(50)),
        Column("last_name", sa.String(50)),
        Column("qty", sa.Integer),
        Column("price", sa.Numeric(10, 2)),
        Column("temp", sa.Numeric(6, 2)),
        Column("balance", sa.Integer),
        Column("is_active", sa.Boolean),
        Column("created_at", sa.DateTime),
        Column("updated_at", sa.DateTime),
        Column("deleted_at", sa.DateTime),
        Column("start_date", sa.Date),
        Column("end_date", sa.Date),
        Column("a", sa.Integer),
        Column("b", sa.Integer),
        Column("c", sa.Integer),
        Column("data", sa.dialects.postgresql.JSONB if backend == "postgresql" else sa.JSON),
    ]


@dataclass(frozen=True)
class Shape:
    """An expression in one place of a table: ``check`` (a named CHECK), ``where`` (the
    condition of a partial index) or ``index`` (the elements of an index).  ``exprs`` maps a
    backend (or ``*``) to the expression, or to a tuple of them for an index."""

    id: str
    kind: str
    exprs: dict[str, Any]
    backends: frozenset[str] = ALL

    def expr(self, backend: str) -> Any:
        return self.exprs.get(backend, self.exprs.get("*"))


def _element(expr: Expr, table: Table) -> Any:
    return sa.text(expr) if isinstance(expr, str) else expr(table)


def shape_metadata(shape: Shape, backend: str, expr: Any = None) -> MetaData:
    metadata = MetaData()
    table = Table("shape_t", metadata, *_columns(backend))
    expr = shape.expr(backend) if expr is None else expr
    if shape.kind == "check":
        condition = expr if isinstance(expr, str) else expr(table)
        table.append_constraint(CheckConstraint(condition, name="ck_shape"))
    elif shape.kind == "where":
        where = _element(expr, table)
        table.append_constraint(
            Index("ix_shape_where", table.c.name, postgresql_where=where, sqlite_where=where)
        )
    else:
        items = expr if isinstance(expr, tuple) else (expr,)
        table.append_constraint(Index("ix_shape_expr", *(_element(item, table) for item in items)))
    return metadata


def _c(name: str) -> Callable[[Table], Any]:
    return lambda t: t.c[name]


CHECKS = [
    Shape("in_strings", "check", {"*": "status IN ('draft', 'published', 'archived')"}),
    Shape("in_strings_expr", "check", {"*": lambda t: t.c.status.in_(["new", "done"])}),
    Shape("not_in_strings", "check", {"*": "status NOT IN ('banned', 'deleted')"}),
    Shape("in_numbers", "check", {"*": "qty IN (1, 2, 5, 10)"}),
    Shape("one_of_not_null", "check", {"*": "email IS NOT NULL OR phone IS NOT NULL"}),
    Shape(
        "both_or_neither",
        "check",
        {"*": "(a IS NULL AND b IS NULL) OR (a IS NOT NULL AND b IS NOT NULL)"},
    ),
    Shape("like", "check", {"*": "email LIKE '%@%'"}),
    Shape("not_like", "check", {"*": "code NOT LIKE '% %'"}),
    Shape("regex", "check", {"*": "email ~ '^[^@]+@[^@]+$'"}, PG),
    Shape("regex_ci", "check", {"*": "code ~* '^[a-z]{3}$'"}, PG),
    Shape("cast_text", "check", {"*": "CAST(qty AS VARCHAR(10)) <> '13'"}, NOT_MARIADB),
    Shape("pg_cast", "check", {"*": "(price)::integer >= 0"}, PG),
    Shape("length_positive", "check", {"*": "length(name) > 0"}),
    Shape(
        "char_length_between",
        "check",
        {"*": "char_length(name) BETWEEN 1 AND 32", "sqlite": "length(name) BETWEEN 1 AND 32"},
    ),
    Shape(
        "char_length_between_expr",
        "check",
        {
            "*": lambda t: sa.func.char_length(t.c.name).between(1, 32),
            "sqlite": lambda t: sa.func.length(t.c.name).between(1, 32),
        },
    ),
    Shape("between_columns", "check", {"*": "qty BETWEEN a AND b + 1"}),
    Shape("octet_length", "check", {"*": "octet_length(code) <= 40"}, NOT_SQLITE),
    Shape("trim_not_empty", "check", {"*": "trim(name) <> ''"}),
    Shape("lower_email", "check", {"*": "lower(email) = email"}),
    Shape("upper_code_and_length", "check", {"*": "upper(code) = code AND length(code) = 3"}),
    Shape("coalesce", "check", {"*": "coalesce(a, b) IS NOT NULL"}),
    Shape("decimal_range", "check", {"*": "price >= 0.00 AND price < 1000000.50"}),
    Shape("negative_decimal", "check", {"*": "temp > -273.15"}),
    Shape("negative_int", "check", {"*": "balance >= -100"}),
    Shape("arithmetic", "check", {"*": "qty * price <= 10000 AND a % 2 = 0"}),
    Shape("abs", "check", {"*": "abs(balance) < 1000000"}),
    Shape("bool_eq_true", "check", {"*": "is_active = true OR deleted_at IS NOT NULL"}),
    Shape("bool_is_true", "check", {"*": "is_active IS TRUE OR is_active IS FALSE"}),
    Shape("concat_pipes", "check", {"*": "(first_name || ' ' || last_name) <> ' '"}, NOT_MARIADB),
    Shape("concat_function", "check", {"*": "concat(first_name, last_name) <> ''"}, NOT_SQLITE),
    Shape("nested_parens", "check", {"*": "((a > 0) AND ((b > 0) OR (c > 0)))"}),
    Shape("dates_ordered", "check", {"*": "created_at < updated_at"}),
    Shape(
        "dates_ordered_or_null", "check", {"*": "updated_at IS NULL OR created_at <= updated_at"}
    ),
    Shape("date_range", "check", {"*": "start_date <= end_date"}),
    Shape("date_literal", "check", {"*": "start_date >= '2000-01-01'"}),
    Shape("not_equal_negated", "check", {"*": "NOT (a = b)"}),
    Shape(
        "case_when",
        "check",
        {"*": "CASE WHEN status = 'done' THEN end_date IS NOT NULL ELSE true END"},
    ),
    Shape("json_field", "check", {"*": "(data ->> 'kind') IN ('a', 'b')"}, PG),
    Shape("json_has_key", "check", {"*": "data ? 'kind'"}, PG),
    Shape("substr", "check", {"*": "substr(code, 1, 2) = 'AB'"}),
    Shape("not_less", "check", {"*": "NOT (a < b)"}),
    Shape("not_and", "check", {"*": "NOT (a = b AND c = 1)"}),
    Shape("not_or_null", "check", {"*": "NOT (a IS NULL OR b IN (1, 2))"}),
    Shape("not_between", "check", {"*": "qty NOT BETWEEN 10 AND 20"}),
    Shape("between_arithmetic", "check", {"*": "a + 1 BETWEEN b AND c * 2"}),
    Shape("in_one", "check", {"*": "status IN ('only')"}),
    Shape("not_in_one", "check", {"*": "status NOT IN ('never')"}),
    Shape("numeric_string", "check", {"*": "code <> '13'"}),
    Shape("typed_date_literal", "check", {"*": "start_date > DATE '2000-01-01'"}, NOT_SQLITE),
    Shape("trim_chars", "check", {"*": "trim(both 'x' from code) <> ''"}, NOT_SQLITE),
    Shape("mod_function", "check", {"*": "mod(qty, 2) = 0"}, NOT_SQLITE),
]

WHERES = [
    Shape("where_is_null", "where", {"*": "deleted_at IS NULL"}, NOT_MARIADB),
    Shape("where_in", "where", {"*": "status IN ('active', 'pending')"}, NOT_MARIADB),
    Shape("where_bool", "where", {"*": "is_active = true"}, NOT_MARIADB),
    Shape("where_and", "where", {"*": "email IS NOT NULL AND status <> 'banned'"}, NOT_MARIADB),
    Shape(
        "where_expr",
        "where",
        {"*": lambda t: sa.and_(t.c.qty > 0, t.c.deleted_at.is_(None))},
        NOT_MARIADB,
    ),
]

INDEXES = [
    Shape("index_lower", "index", {"*": "lower(email)"}, NOT_MARIADB),
    Shape("index_lower_expr", "index", {"*": lambda t: sa.func.lower(t.c.email)}, NOT_MARIADB),
    Shape(
        "index_two_lowers", "index", {"*": ("lower(first_name)", "lower(last_name)")}, NOT_MARIADB
    ),
    Shape("index_coalesce", "index", {"*": "coalesce(a, b)"}, NOT_MARIADB),
    Shape("index_json", "index", {"*": "(data ->> 'kind')"}, PG),
    Shape("index_mixed", "index", {"*": (_c("status"), "lower(code)")}, NOT_MARIADB),
]

SHAPES = CHECKS + WHERES + INDEXES
SHAPE = {shape.id: shape for shape in SHAPES}


def _on_backends(cases: Any, ids: Any) -> list[Any]:
    """``(backend, *case)`` for every backend that accepts the case (its ``backends``, or the
    ``backends`` of its first item): a backend a case does not apply to is left out, not
    skipped."""
    params = []
    for case, case_id in zip(cases, ids, strict=True):
        items = case if isinstance(case, tuple) else (case,)
        for backend in BACKENDS:
            if backend in items[0].backends:
                params.append(pytest.param(backend, *items, id=f"{backend}-{case_id}"))
    return params


@pytest.mark.parametrize(
    ("shared", "shape"),
    _on_backends(SHAPES, [s.id for s in SHAPES]),
    indirect=["shared"],
    scope="module",
)
def test_expression_shape_has_no_difference(shared: tuple[str, str], shape: Shape) -> None:
    backend, url = shared
    metadata = shape_metadata(shape, backend)
    create_all(url, metadata)
    try:
        assert _names_in_database(url, shape.kind) == {_SHAPE_NAMES[shape.kind]}
        assert summarize(diffs(url, metadata)) == set()
    finally:
        _drop_all(url, metadata)


_SHAPE_NAMES = {"check": "ck_shape", "where": "ix_shape_where", "index": "ix_shape_expr"}


def _names_in_database(url: str, kind: str) -> set[str]:
    """The names of the CHECKs (or indexes) of the shape's table, as the database has them."""
    with engine(url) as eng, eng.connect() as conn:
        inspector = sa.inspect(conn)
        if kind == "check":
            return {str(c["name"]) for c in inspector.get_check_constraints("shape_t")}
        if conn.dialect.name == "sqlite":  # the inspector leaves expression indexes out
            rows = conn.execute(
                sa.text(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'shape_t'"
                )
            )
            return {str(row[0]) for row in rows}
        return {str(i["name"]) for i in inspector.get_indexes("shape_t")}


CHANGES = [
    (
        SHAPE["char_length_between"],
        "char_length(name) BETWEEN 1 AND 64",
        "length(name) BETWEEN 1 AND 64",
    ),
    (
        SHAPE["char_length_between"],
        "char_length(email) BETWEEN 1 AND 32",
        "length(email) BETWEEN 1 AND 32",
    ),
    (SHAPE["not_less"], "NOT (a <= b)", None),
    (SHAPE["not_between"], "qty NOT BETWEEN 10 AND 21", None),
    (SHAPE["numeric_string"], "code <> '14'", None),
    (SHAPE["in_strings"], "status IN ('draft', 'published')", None),
    (SHAPE["negative_int"], "balance >= -10", None),
    (SHAPE["negative_decimal"], "temp > -273.16", None),
    (SHAPE["bool_is_true"], "is_active IS TRUE", None),
    (SHAPE["where_is_null"], "deleted_at IS NOT NULL", None),
    (SHAPE["index_lower"], "upper(email)", None),
]


@pytest.mark.parametrize(
    ("shared", "shape", "other", "sqlite_other"),
    _on_backends(CHANGES, [f"{c[0].id}->{c[1]}" for c in CHANGES]),
    indirect=["shared"],
    scope="module",
)
def test_expression_change_is_detected(
    shared: tuple[str, str], shape: Shape, other: str, sqlite_other: str | None
) -> None:
    backend, url = shared
    changed = sqlite_other if backend == "sqlite" and sqlite_other else other
    found = _changed(url, shape_metadata(shape, backend), shape_metadata(shape, backend, changed))
    kind = "constraint" if shape.kind == "check" else "index"
    assert {item[0] for item in found} == {f"add_{kind}", f"remove_{kind}"}


# -- server defaults ------------------------------------------------------------------------------


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


class Phase(enum.Enum):
    DRAFT = "draft"
    DONE = "done"


@dataclass(frozen=True)
class Default:
    """A column of ``type_`` with ``server_default`` (per backend, or ``*``)."""

    id: str
    type_: Any
    defaults: dict[str, Any]
    backends: frozenset[str] = ALL

    def default(self, backend: str) -> Any:
        return self.defaults.get(backend, self.defaults.get("*"))


def default_metadata(case: Default, backend: str, default: Any = None) -> MetaData:
    metadata = MetaData()
    type_ = case.type_() if isinstance(case.type_, type) else case.type_.copy()
    server_default = case.default(backend) if default is None else default
    Table(
        "default_t",
        metadata,
        Column("id", sa.Integer, primary_key=True),
        Column("v", type_, server_default=server_default),
    )
    return metadata


def _json(backend: str) -> Any:
    return sa.dialects.postgresql.JSONB if backend == "postgresql" else sa.JSON


DEFAULTS = [
    Default("string", sa.String(20), {"*": "active"}),
    Default("string_quote", sa.String(20), {"*": "it's"}),
    Default("empty_string", sa.String(20), {"*": ""}),
    Default("text_empty_string", sa.String(20), {"*": sa.text("''")}),
    Default("text_string", sa.String(20), {"*": sa.text("'pending'")}),
    Default("int_zero", sa.Integer, {"*": "0"}),
    Default("int_text", sa.Integer, {"*": sa.text("42")}),
    Default("int_negative", sa.Integer, {"*": "-1"}),
    Default("int_negative_text", sa.Integer, {"*": sa.text("-5")}),
    Default("bigint", sa.BigInteger, {"*": "9007199254740993"}),
    Default("decimal", sa.Numeric(10, 2), {"*": "0.00"}),
    Default("decimal_text", sa.Numeric(10, 2), {"*": sa.text("1.50")}),
    Default("decimal_negative", sa.Numeric(10, 2), {"*": "-2.5"}),
    Default("float", sa.Float, {"*": "0.5"}),
    Default("bool_true", sa.Boolean, {"*": sa.true()}),
    Default("bool_false", sa.Boolean, {"*": sa.false()}),
    Default("bool_one", sa.Boolean, {"*": "1", "postgresql": "true"}),
    Default("bool_zero_text", sa.Boolean, {"*": sa.text("0"), "postgresql": sa.text("false")}),
    Default("bool_text_true", sa.Boolean, {"*": sa.text("true")}),
    Default("now_func", sa.DateTime, {"*": sa.func.now()}),
    Default("now_text", sa.DateTime, {"*": sa.text("now()")}, NOT_SQLITE),
    Default("current_timestamp", sa.DateTime, {"*": sa.text("CURRENT_TIMESTAMP")}),
    Default("current_timestamp_parens", sa.DateTime, {"*": sa.text("(CURRENT_TIMESTAMP)")}),
    Default("current_timestamp_func", sa.DateTime, {"*": sa.func.current_timestamp()}),
    Default("timestamptz_now", sa.DateTime(timezone=True), {"*": sa.func.now()}, PG),
    Default("current_date", sa.Date, {"*": sa.text("CURRENT_DATE")}, NOT_MARIADB),
    Default("date_literal", sa.Date, {"*": "2000-01-01"}),
    Default("datetime_literal", sa.DateTime, {"*": "2000-01-01 00:00:00"}),
    Default("uuid_random", sa.Uuid, {"*": sa.text("gen_random_uuid()")}, PG),
    Default("json_object", "json", {"*": "{}"}),
    Default("json_array", "json", {"*": "[]"}),
    Default("json_text_object", "json", {"*": sa.text("'{}'")}),
    Default("enum_value", sa.Enum("draft", "done", name="phase_enum"), {"*": "draft"}),
    Default("enum_class", sa.Enum(Phase, name="phase_cls_enum"), {"*": "DRAFT"}),
    Default("str_enum_member", sa.String(10), {"*": Color.RED.value}),
    Default("str_enum_member_itself", sa.String(10), {"*": Color.GREEN}),
    Default("interval_zero", sa.Interval, {"*": "0"}, PG),
    Default("interval_day", sa.Interval, {"*": "1 day"}, PG),
    Default("interval_hours", sa.Interval, {"*": sa.text("'2 hours 30 minutes'")}, PG),
    Default("interval_clock", sa.Interval, {"*": "01:30:00"}, PG),
    Default("interval_mixed", sa.Interval, {"*": "1 year 2 months 3 days 04:05:06"}, PG),
    Default("interval_iso", sa.Interval, {"*": "P1DT2H"}, PG),
    Default("interval_cast", sa.Interval, {"*": sa.text("'7 days'::interval")}, PG),
    Default("interval_negative", sa.Interval, {"*": "-1 day"}, PG),
    Default("array_empty", sa.ARRAY(sa.Integer), {"*": sa.text("'{}'")}, PG),
]


DEFAULT = {case.id: case for case in DEFAULTS}


def _resolve(case: Default, backend: str) -> Default:
    if case.type_ == "json":
        return Default(case.id, _json(backend), case.defaults, case.backends)
    return case


@pytest.mark.parametrize(
    ("shared", "case"),
    _on_backends(DEFAULTS, [d.id for d in DEFAULTS]),
    indirect=["shared"],
    scope="module",
)
def test_server_default_has_no_difference(shared: tuple[str, str], case: Default) -> None:
    backend, url = shared
    metadata = default_metadata(_resolve(case, backend), backend)
    assert _found(url, metadata, compare_server_default=True) == set()


DEFAULT_CHANGES = [
    (DEFAULT["string"], "inactive"),
    (DEFAULT["empty_string"], " "),
    (DEFAULT["int_zero"], "1"),
    (DEFAULT["int_negative"], "1"),
    (DEFAULT["decimal"], "0.01"),
    (DEFAULT["bool_true"], sa.false()),
    (DEFAULT["now_func"], sa.text("CURRENT_DATE")),
    (DEFAULT["json_object"], "[]"),
    (DEFAULT["interval_zero"], "1 second"),
    (DEFAULT["interval_day"], "1 day 00:00:01"),
    (DEFAULT["interval_day"], "24:00:00"),
    (DEFAULT["interval_mixed"], "1 year 2 months 3 days 04:05:07"),
]


@pytest.mark.parametrize(
    ("shared", "case", "other"),
    _on_backends(DEFAULT_CHANGES, [f"{c[0].id}->{c[1]}" for c in DEFAULT_CHANGES]),
    indirect=["shared"],
    scope="module",
)
def test_server_default_change_is_detected(
    shared: tuple[str, str], case: Default, other: Any
) -> None:
    backend, url = shared
    case = _resolve(case, backend)
    found = _changed(
        url,
        default_metadata(case, backend),
        default_metadata(case, backend, other),
        compare_server_default=True,
    )
    assert {item[:3] for item in found} == {("modify_default", None, "default_t")}


# -- the reported minimal models, through the commands --------------------------------------------

BETWEEN_MODEL = """\
class Account(Base):
    __tablename__ = "account"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False)
    __table_args__ = (sa.CheckConstraint("{fn}(name) BETWEEN 1 AND 32", name="ck_name_len"),)
"""

INTERVAL_MODEL = """\
class Job(Base):
    __tablename__ = "job"
    id = sa.Column(sa.Integer, primary_key=True)
    timeout = sa.Column(sa.Interval, nullable=False, server_default="0")
"""


def _revision_upgrade_check(project: Project) -> None:
    project.autogenerate("init")
    project.ok("upgrade", "head")
    checked = project.sterna("check")
    assert checked.status == 0, checked.text
    assert "No new upgrade operations detected" in checked.text


def test_function_between_check_through_commands(tmp_path: Path, db_url: str, backend: str) -> None:
    project = Project(tmp_path, db_url)
    project.models(BETWEEN_MODEL.format(fn="length" if backend == "sqlite" else "char_length"))
    _revision_upgrade_check(project)


def test_interval_default_through_commands(tmp_path: Path, pg_url: str) -> None:
    project = Project(tmp_path, pg_url)
    project.models(INTERVAL_MODEL)
    env = project.backend / "alembic" / "env.py"
    env.write_text(
        env.read_text().replace(
            "connection=connection, target_metadata=target_metadata)",
            "connection=connection, target_metadata=target_metadata, compare_server_default=True)",
        )
    )
    assert "compare_server_default=True" in env.read_text()
    _revision_upgrade_check(project)
