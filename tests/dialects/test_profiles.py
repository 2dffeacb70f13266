"""The dialect profiles (issue 13): one class per dialect, found one way.

The autogenerate package asks ``profile_for(dialect)`` what a dialect does; it never compares
a dialect's name with a string itself.  The check is ast-based: the ``.name`` of a dialect
(``dialect.name``, ``ctx.dialect.name``...), a ``dialect_name`` variable or attribute, and any
local variable assigned from one of them, compared with a string or a collection of strings
(``==``, ``!=``, ``in``, ``not in``).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Integer,
    MetaData,
    Table,
    UniqueConstraint,
    create_engine,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite

import sterna
from sterna.autogenerate.api import produce_migrations
from sterna.dialects import DialectProfile, profile_for
from sterna.dialects.mysql import MariaDBProfile, MySQLProfile
from sterna.dialects.postgresql import PostgresqlProfile
from sterna.dialects.sqlite import SQLiteProfile
from sterna.operations.ops import CreateCheckConstraintOp, CreateUniqueConstraintOp, ModifyTableOps
from sterna.runtime.migration import MigrationContext

PACKAGE = Path(sterna.__file__).parent
_NAME_VARIABLES = frozenset({"dialect_name"})


def _is_dialect_name(node: ast.AST, tainted: set[str]) -> bool:
    """Whether ``node`` is an expression holding a dialect's name."""
    if isinstance(node, ast.Name):
        return node.id in _NAME_VARIABLES or node.id in tainted
    if isinstance(node, ast.Attribute):
        if node.attr in _NAME_VARIABLES:
            return True
        if node.attr == "name":
            owner = node.value
            return (isinstance(owner, ast.Name) and owner.id == "dialect") or (
                isinstance(owner, ast.Attribute) and owner.attr == "dialect"
            )
    if isinstance(node, ast.IfExp):
        return _is_dialect_name(node.body, tainted) or _is_dialect_name(node.orelse, tainted)
    return False


def _is_strings(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and all(_is_strings(e) for e in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        return node.func.id in ("frozenset", "set", "tuple") and _is_strings(node.args[0])
    return False


def _tainted(scope: ast.AST) -> set[str]:
    """Local names assigned from a dialect's name in ``scope`` (a function or module)."""
    names: set[str] = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and _is_dialect_name(node.value, names):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and isinstance(node.target, ast.Name)
            and _is_dialect_name(node.value, names)
        ):
            names.add(node.target.id)
    return names


def _comparisons(tree: ast.Module) -> list[int]:
    """The line of every comparison of a dialect's name with a string in ``tree``."""
    lines: set[int] = set()
    scopes: list[ast.AST] = [tree]
    scopes += [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in scopes:
        tainted = _tainted(scope)
        for node in ast.walk(scope):
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            if any(_is_dialect_name(o, tainted) for o in operands) and any(
                _is_strings(o) for o in operands
            ):
                lines.add(node.lineno)
    return sorted(lines)


def dialect_name_checks(folder: Path) -> dict[str, list[int]]:
    """``{path relative to the package: [line, ...]}`` for every module under ``folder``."""
    found: dict[str, list[int]] = {}
    for path in sorted(folder.rglob("*.py")):
        lines = _comparisons(ast.parse(path.read_text("utf-8")))
        if lines:
            found[str(path.relative_to(PACKAGE))] = lines
    return found


def test_autogenerate_compares_no_dialect_name() -> None:
    offenders = dialect_name_checks(PACKAGE / "autogenerate")
    listed = [f"sterna/{path}:{line}" for path, lines in offenders.items() for line in lines]
    assert not listed, (
        "dialect names compared outside sterna/dialects (ask profile_for(dialect) instead): "
        + ", ".join(listed)
    )


@pytest.mark.parametrize(
    "source",
    [
        "def f(ctx):\n    return ctx.dialect.name == 'sqlite'\n",
        "def f(dialect):\n    return dialect.name in ('mysql', 'mariadb')\n",
        "def f(dialect_name):\n    return dialect_name not in {'postgresql'}\n",
        "def f(snapshot):\n    return 'mysql' != snapshot.dialect_name\n",
        "def f(ctx):\n    d = ctx.dialect.name\n    if d == 'postgresql':\n        return 1\n",
        "def f(ctx):\n    d = ctx.snapshot.dialect_name if ctx.snapshot else ''\n"
        "    return d in frozenset({'mysql'})\n",
    ],
)
def test_the_check_sees_a_comparison(source: str) -> None:
    assert _comparisons(ast.parse(source)) != []


@pytest.mark.parametrize(
    "source",
    [
        "def f(ctx, wanted):\n    return wanted != ctx.dialect.name\n",  # a user's ddl_if rule
        "def f(table):\n    return table.name == 'users'\n",
        "def f(ctx):\n    return ctx.comparators.run('table', ctx.dialect.name)\n",
    ],
)
def test_the_check_lets_other_comparisons_be(source: str) -> None:
    assert _comparisons(ast.parse(source)) == []


# -- the lookup ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sqlite", SQLiteProfile),
        ("postgresql", PostgresqlProfile),
        ("mysql", MySQLProfile),
        ("mariadb", MariaDBProfile),
    ],
)
def test_each_builtin_name_finds_its_class(name: str, expected: type[DialectProfile]) -> None:
    profile = profile_for(name)
    assert type(profile) is expected
    assert profile.name == name
    assert profile_for(name) is profile  # one instance per class


def test_a_dialect_object_finds_the_class_of_its_name() -> None:
    assert type(profile_for(sqlite.dialect())) is SQLiteProfile
    pg = postgresql.dialect()  # type: ignore[no-untyped-call]  # (not annotated in SQLAlchemy)
    assert type(profile_for(pg)) is PostgresqlProfile
    assert type(profile_for(mysql.dialect())) is MySQLProfile


def test_a_mysql_dialect_talking_to_mariadb_gets_the_mariadb_profile() -> None:
    """SQLAlchemy names a ``mysql://`` connection to a MariaDB server ``mysql`` and sets
    ``is_mariadb``: the rules that tell them apart follow ``is_mariadb``, as before."""
    dialect = mysql.dialect()
    dialect.is_mariadb = True
    assert type(profile_for(dialect)) is MariaDBProfile
    assert type(profile_for(create_engine("mariadb+pymysql://u@h/db").dialect)) is MariaDBProfile


def test_an_unknown_name_gets_the_generic_profile() -> None:
    profile = profile_for("nosuchdb")
    assert type(profile) is DialectProfile
    assert profile_for("nosuchdb") is profile_for("otherdb")


def test_a_subclass_defined_elsewhere_registers_and_is_found() -> None:
    class ExampleDbProfile(DialectProfile):
        name = "sterna_test_exampledb"
        reflects_unique_as_index = True

    try:
        profile = profile_for("sterna_test_exampledb")
        assert type(profile) is ExampleDbProfile
        assert profile.reflects_unique_as_index
        assert profile.reader == DialectProfile.reader
    finally:
        DialectProfile.unregister("sterna_test_exampledb")
    assert type(profile_for("sterna_test_exampledb")) is DialectProfile


def test_a_third_party_override_of_a_builtin_name_wins_over_the_builtin() -> None:
    profile_for("sqlite")  # the built-in module is loaded first

    class MySQLiteProfile(SQLiteProfile):
        name = "sqlite"

    try:
        assert type(profile_for("sqlite")) is MySQLiteProfile
    finally:
        DialectProfile.unregister("sqlite")
    assert type(profile_for("sqlite")) is SQLiteProfile


# -- autogenerate asks the profile -------------------------------------------------------------


def _models(with_constraints: bool) -> MetaData:
    metadata = MetaData()
    table = Table("t", metadata, Column("id", Integer, primary_key=True), Column("x", Integer))
    if with_constraints:
        table.append_constraint(UniqueConstraint("x"))
        table.append_constraint(CheckConstraint("x > 0"))
    return metadata


def _names_given(url: str) -> dict[str, str | None]:
    """The names autogenerate gives the model's new unnamed unique and CHECK of ``t``."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _models(False).create_all(conn)
        with engine.connect() as conn:
            script = produce_migrations(MigrationContext.configure(conn), _models(True))
    finally:
        engine.dispose()
    found: dict[str, str | None] = {}
    assert script.upgrade_ops is not None
    for container in script.upgrade_ops.ops:
        assert isinstance(container, ModifyTableOps)
        for op in container.ops:
            if isinstance(op, (CreateUniqueConstraintOp, CreateCheckConstraintOp)):
                found[type(op).__name__] = op.constraint_name
    return found


def test_autogenerate_names_new_constraints_as_a_registered_profile_says(sqlite_url: str) -> None:
    """A package's profile for a dialect replaces the built-in one for autogenerate too."""
    assert _names_given(sqlite_url) == {
        "CreateUniqueConstraintOp": None,  # SQLite: no name known
        "CreateCheckConstraintOp": "ck_t_1",
    }

    class NamingSQLiteProfile(SQLiteProfile):
        name = "sqlite"

        def check_name(self, table: str, column: str | None, taken: set[str]) -> str:
            return f"{table}_own_check"

        def name_added_constraints(
            self, table: str, wanted: Sequence[tuple[str, tuple[str, ...]]], taken: set[str]
        ) -> list[str | None]:
            return [f"{table}_{kind}_{'_'.join(columns)}" for kind, columns in wanted]

    try:
        assert _names_given(sqlite_url.replace("test.db", "other.db")) == {
            "CreateUniqueConstraintOp": "t_unique_x",
            "CreateCheckConstraintOp": "t_own_check",
        }
    finally:
        DialectProfile.unregister("sqlite")


@pytest.mark.parametrize(
    ("wanted", "covered"),
    [("sqlite", True), ("postgresql", False), (("mysql", "sqlite"), True), ({"mysql"}, False),
     (None, True)],
)  # fmt: skip
def test_a_ddl_if_rule_covers_the_dialects_it_names(wanted: object, covered: bool) -> None:
    from sqlalchemy.dialects import sqlite

    from sterna.dialects import named_by

    assert named_by(sqlite.dialect(), wanted) is covered
