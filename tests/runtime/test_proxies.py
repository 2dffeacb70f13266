"""``sterna.op`` and ``sterna.context``: forwarding, nesting, errors outside a run."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import sterna.context
import sterna.op
from sterna.errors import CommandError, ProxyAttributeNotActive, ProxyNotActive
from sterna.runtime.proxy import ENVIRONMENT, OPERATIONS

# Stand-ins are installed here, not the real classes, so the proxies are used untyped: their
# stubs (sterna/op.pyi, sterna/context.pyi) describe Operations and EnvironmentContext.
op: Any = sterna.op
context: Any = sterna.context


class Recorder:
    label = "plain attribute"

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def create_table(self, *args: object) -> str:
        self.calls.append(("create_table", args))
        return self.name

    @property
    def impl(self) -> str:
        return f"impl of {self.name}"


def test_op_outside_a_run_fails_only_when_called() -> None:
    from sterna.op import create_table  # import-time use in a script is fine

    with pytest.raises(ProxyNotActive) as info:
        create_table("t")
    assert str(info.value) == (
        "op.create_table is only available while migrations run (inside upgrade() or downgrade())"
    )
    assert isinstance(info.value, CommandError) and isinstance(info.value, NameError)


def test_context_outside_a_run_fails_at_access() -> None:
    with pytest.raises(ProxyAttributeNotActive, match=r"^context\.config is only available while"):
        context.config  # noqa: B018


@pytest.mark.parametrize(
    "name",
    [
        "configure",
        "run_migrations",
        "is_offline_mode",
        "begin_transaction",
        "config",
        "script",
        "get_x_argument",
        "execute",
        "no_such_thing",
    ],
)
def test_context_outside_a_run_answers_hasattr_as_alembic(name: str) -> None:
    """Alembic's ``context`` module has a function for each method of its environment context
    even outside a run; other names are missing.  Calling one of ours outside a run raises
    ProxyNotActive (a NameError, as Alembic's does before its first run; after one, Alembic's
    fails with an AttributeError on None, which is why its call is not compared here)."""
    import alembic.context as theirs

    assert hasattr(context, name) == hasattr(theirs, name), name
    assert (name in dir(context)) == hasattr(theirs, name), name
    if hasattr(theirs, name):
        with pytest.raises(ProxyNotActive):
            getattr(context, name)()


def test_forwarding_and_nesting_restore_the_outer_object() -> None:
    create_table = op.create_table  # as `from sterna.op import create_table` binds it

    outer, inner = Recorder("outer"), Recorder("inner")
    with OPERATIONS.installed(outer):
        assert op.create_table("a") == "outer"
        assert op.impl == "impl of outer"  # properties are read, not forwarded
        assert op.label == "plain attribute"
        with OPERATIONS.installed(inner):
            assert create_table("b") == "inner"  # resolved at call time
        assert create_table("c") == "outer"
    assert outer.calls == [("create_table", ("a",)), ("create_table", ("c",))]
    assert inner.calls == [("create_table", ("b",))]
    assert OPERATIONS.current is None


def test_a_forwarder_read_once_is_kept_in_the_module_and_still_resolves_per_call() -> None:
    """``op.<method>`` is stored in the module once read (scripts read one per operation), and
    still forwards to whatever is installed when called; properties are never stored."""
    first, second = Recorder("first"), Recorder("second")
    with OPERATIONS.installed(first):
        assert op.create_table("a") == "first"
        assert op.impl == "impl of first"
    assert "create_table" in vars(sterna.op) and "impl" not in vars(sterna.op)
    with pytest.raises(ProxyNotActive):
        op.create_table("outside")
    with OPERATIONS.installed(second):
        assert op.create_table("b") == "second"
        assert op.impl == "impl of second"
    assert first.calls == [("create_table", ("a",))]
    assert second.calls == [("create_table", ("b",))]


def test_unknown_names_and_private_names_are_attribute_errors() -> None:
    with OPERATIONS.installed(Recorder("x")):
        with pytest.raises(AttributeError, match="no attribute 'craete_table'"):
            op.craete_table  # noqa: B018
        assert "create_table" in dir(op)
    with pytest.raises(AttributeError):
        op.__wrapped__  # noqa: B018
    assert not hasattr(context, "__path__")


def test_context_forwards_to_the_installed_environment() -> None:
    env = Recorder("env")
    with ENVIRONMENT.installed(env):
        assert context.name == "env"
        assert context.create_table() == "env"
    with pytest.raises(ProxyAttributeNotActive):
        context.name  # noqa: B018


def test_uninstall_out_of_order_keeps_the_rest() -> None:
    a, b = Recorder("a"), Recorder("b")
    OPERATIONS.install(a)
    OPERATIONS.install(b)
    OPERATIONS.uninstall(a)
    assert OPERATIONS.current is b
    OPERATIONS.uninstall(b)
    assert OPERATIONS.current is None


def test_proxy_modules_do_not_import_sqlalchemy() -> None:
    code = "import sys; from sterna import op, context; print('sqlalchemy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(__import__("pathlib").Path(__file__).parents[2]),
    )
    assert out.stdout.strip() == "False"


def test_op_module_exposes_the_operations_class(sqlite_url: str) -> None:
    """``op.Operations(context)`` builds a facade outside a migration, as Alembic's op module
    allows (its own tests do so); it does not need a running step."""
    import sqlalchemy as sa

    from sterna.operations import Operations
    from sterna.runtime.migration import MigrationContext

    assert op.Operations is Operations
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            facade = op.Operations(MigrationContext.configure(conn))
            table = facade.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
            facade.bulk_insert(table, [{"id": 1}, {"id": 2}])
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2
    finally:
        engine.dispose()
