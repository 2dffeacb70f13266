"""Each DDL, batch and runtime rule of one dialect lives in that dialect's implementation class.

The ast check fails when a comparison of a dialect name with a string (``dialect.name ==
"sqlite"``, ``dialect_name in ("mysql", "mariadb")``, ``!=``, ``not in``) appears in
``sterna/ddl`` outside the modules that are one dialect's own, or anywhere in
``sterna/operations`` and ``sterna/runtime``: such a rule belongs in ``sterna/ddl/sqlite.py``,
``postgresql.py`` or ``mysql.py`` as an override of a ``DefaultImpl`` method or attribute (see
``docs/dialects.md``).  The other tests check that a third-party implementation gets the generic
behaviour of each moved rule, and the built-in ones their own.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Dialect

import sterna
from sterna.ddl.impl import DefaultImpl
from sterna.dialects.sql_lexer import QUOTED, STRING, LexerFlags, dialect_tokenize
from sterna.operations import ops
from sterna.runtime.migration import MigrationContext

PACKAGE = Path(sterna.__file__).parent

#: the modules of sterna/ddl that are one dialect's own (relative to sterna/ddl)
DIALECT_MODULES = {
    "sqlite.py",  # SQLiteImpl
    "recreate_sqlite.py",  # SQLite's own table rebuild
    "recreate_sqlite_catalog.py",  # what it reads of the database
    "postgresql.py",  # PostgresqlImpl
    "pg_enums.py",  # PostgreSQL's named enum types
    "pg_identity.py",  # PostgreSQL's identity columns
    "mysql.py",  # MySQLImpl, MariaDBImpl
}

#: the folders checked, relative to the package
CHECKED = ("ddl", "operations", "runtime")

BUILTIN_NAMES = ("sqlite", "postgresql", "mysql", "mariadb")


def _is_dialect_name(node: ast.expr) -> bool:
    """``<...dialect...>.name`` or a variable/attribute called ``dialect_name``."""
    if isinstance(node, ast.Attribute):
        if node.attr == "dialect_name":
            return True
        return node.attr == "name" and "dialect" in ast.unparse(node.value).lower()
    return isinstance(node, ast.Name) and node.id == "dialect_name"


def _is_text(node: ast.expr) -> bool:
    """A string constant, or a tuple/list/set of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and all(_is_text(element) for element in node.elts)
    return False


def dialect_name_checks(source: str) -> list[int]:
    """The lines of ``source`` that compare a dialect name with a string."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
            if not isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
                continue
            if (_is_dialect_name(left) and _is_text(right)) or (
                _is_dialect_name(right) and _is_text(left)
            ):
                found.append(node.lineno)
    return found


def _checked_files() -> Iterator[Path]:
    for folder in CHECKED:
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            if folder == "ddl" and path.relative_to(PACKAGE / "ddl").as_posix() in DIALECT_MODULES:
                continue
            yield path


def test_no_dialect_name_check_outside_the_dialect_modules() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in _checked_files()
        for line in dialect_name_checks(path.read_text("utf-8"))
    ]
    assert not offenders, (
        "dialect-name comparisons outside the dialect modules (move the rule into the "
        f"dialect's DefaultImpl subclass, see docs/dialects.md): {offenders}"
    )


def test_the_dialect_modules_listed_exist() -> None:
    missing = [name for name in DIALECT_MODULES if not (PACKAGE / "ddl" / name).is_file()]
    assert not missing


@pytest.mark.parametrize(
    "source",
    [
        "x = impl.dialect.name == 'sqlite'",
        "x = 'postgresql' != model.dialect.name",
        "x = dialect_name in ('mysql', 'mariadb')",
        "x = self.dialect_name not in ['sqlite']",
        "if a < b and dialect.name == 'mysql': pass",
    ],
)
def test_the_check_sees_a_dialect_name_comparison(source: str) -> None:
    assert dialect_name_checks(source) == [1]


@pytest.mark.parametrize(
    "source",
    [
        "x = column.name == 'id'",
        "x = dialect.name == other.name",
        "x = registry.get(dialect.name)",
        "x = f'{dialect.name}'",
    ],
)
def test_the_check_leaves_other_comparisons_alone(source: str) -> None:
    assert dialect_name_checks(source) == []


# -- a third-party implementation gets the generic behaviour -------------------------------------


class _ThirdPartyDialect(SQLiteDialect_pysqlite):
    """A SQLAlchemy dialect of another name, compiling as SQLite does."""

    name = "sterna_test_thirdparty"


class ThirdPartyImpl(DefaultImpl):
    __dialect__ = "sterna_test_thirdparty"
    transactional_ddl = False
    _ran: ClassVar[list[str]] = []


@pytest.fixture
def registered() -> Iterator[type[DefaultImpl]]:
    """ThirdPartyImpl registered for its dialect name for the test only (the built-in ones
    registered first, so that the registry put back holds them)."""
    for name in BUILTIN_NAMES:
        DefaultImpl.get_by_name(name)
    saved = dict(DefaultImpl._registry)
    DefaultImpl._registry[ThirdPartyImpl.__dialect__] = ThirdPartyImpl
    try:
        yield ThirdPartyImpl
    finally:
        DefaultImpl._registry.clear()
        DefaultImpl._registry.update(saved)


def _dialect(name: str) -> Dialect:
    if name == ThirdPartyImpl.__dialect__:
        return _ThirdPartyDialect()
    return sa.engine.make_url(f"{name}://").get_dialect()()


def _impl(dialect: Dialect, connection: Any = None) -> DefaultImpl:
    impl_cls = DefaultImpl.get_by_dialect(dialect)
    return impl_cls(dialect, connection, connection is None, None, io.StringIO(), {})


def test_a_third_party_impl_is_found_for_its_dialect(registered: type[DefaultImpl]) -> None:
    assert DefaultImpl.get_by_dialect(_ThirdPartyDialect()) is registered


def test_the_lexer_flags_come_from_the_profile(registered: type[DefaultImpl]) -> None:
    """MySQL reads ``"x"`` as a string, SQLite ``[x]`` as an identifier; a third-party
    dialect (and PostgreSQL) reads neither way; flags given directly are used as they are."""
    assert [t.kind for t in dialect_tokenize('"x"', "mysql")] == [STRING]
    assert [t.kind for t in dialect_tokenize('"x"', "mariadb")] == [STRING]
    assert [t.kind for t in dialect_tokenize("[x]", "sqlite")] == [QUOTED]
    assert [t.kind for t in dialect_tokenize('"x"', registered.__dialect__)] == [QUOTED]
    assert [t.kind for t in dialect_tokenize("[x]", registered.__dialect__)][0] != QUOTED
    assert [t.kind for t in dialect_tokenize("[x]", LexerFlags(bracket_identifiers=True))] == [
        QUOTED
    ]


def test_a_third_party_impl_alters_in_place_in_batch(registered: type[DefaultImpl]) -> None:
    """No operation needs a rebuild by default (``recreate="auto"`` then never rebuilds);
    SQLite's ALTER cannot add a NOT NULL column without a default."""
    add = ops.AddColumnOp("t", sa.Column("c", sa.Integer, nullable=False))
    other = _impl(_ThirdPartyDialect())
    assert other.batch_rebuild_reason(add) is None
    assert other.requires_recreate_in_batch(_Plan([add])) is False
    lite = _impl(_dialect("sqlite"))
    assert lite.batch_rebuild_reason(add) is not None
    assert lite.requires_recreate_in_batch(_Plan([add])) is True


class _Plan:
    def __init__(self, batch: list[Any]) -> None:
        self.batch = batch


@pytest.mark.parametrize(
    ("name", "casts"),
    [(ThirdPartyImpl.__dialect__, True), ("postgresql", True), ("sqlite", False), ("mysql", False)],
)
def test_the_batch_copy_cast(registered: type[DefaultImpl], name: str, casts: bool) -> None:
    """A copied column whose type changes is CAST, except where the insert converts it."""
    column: sa.Column[Any] = sa.Column("c", sa.Integer)
    transfer: dict[str, Any] = {"name": "c", "expr": column}
    _impl(_dialect(name)).cast_for_batch_migrate(column, transfer, sa.String(10))
    assert (transfer["expr"] is not column) is casts


def test_a_third_party_impl_runs_without_driver_transactions(
    registered: type[DefaultImpl], tmp_path: Path
) -> None:
    """The runtime emits its own BEGIN on SQLite's driver (pysqlite opens none before DDL),
    and on no other dialect, even one whose driver could."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.connect() as conn:
        sqlite_context = MigrationContext.configure(connection=conn)
        assert sqlite_context.transactional_ddl is True
        conn.dialect = _ThirdPartyDialect()  # the same driver behind another dialect name
        other = MigrationContext.configure(connection=conn)
        assert type(other.impl) is registered
        assert other.transactional_ddl is False
    engine.dispose()


def test_a_third_party_impl_rebuilds_with_the_generic_statements(
    registered: type[DefaultImpl],
) -> None:
    """Offline, a batch rebuild on a third-party dialect is the generic one: the rename is part
    of the copy, no ``PRAGMA legacy_alter_table`` around the final rename (SQLite's own rules,
    which the same SQL compiler gets on SQLite), no sequence or AUTO_INCREMENT statements."""
    sql = _offline_rebuild(_ThirdPartyDialect())
    assert "ALTER TABLE _sterna_tmp_t RENAME TO t" in sql
    assert "SELECT id, c FROM t" in sql
    assert "PRAGMA" not in sql and "setval" not in sql and "AUTO_INCREMENT" not in sql
    assert "RENAME COLUMN" not in sql
    on_sqlite = _offline_rebuild(_dialect("sqlite"))
    assert "ALTER TABLE t RENAME COLUMN c TO d" in on_sqlite
    assert "PRAGMA legacy_alter_table=ON" in on_sqlite


def _offline_rebuild(dialect: Dialect) -> str:
    """The offline SQL of a batch that renames column ``c`` of ``t(id, c)`` to ``d``."""
    from sterna.operations import Operations

    buf = io.StringIO()
    context = MigrationContext.configure(
        dialect=dialect, opts={"as_sql": True, "output_buffer": buf}
    )
    id_column = sa.Column("id", sa.Integer, primary_key=True)
    table = sa.Table("t", sa.MetaData(), id_column, sa.Column("c", sa.Integer))
    with Operations(context).batch_alter_table("t", copy_from=table, recreate="always") as b:
        b.alter_column("c", new_column_name="d")
    return buf.getvalue()
