"""EnvironmentContext: what env.py can ask, and how configure() is parsed."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from sterna import context
from sterna.errors import ContextUsageError, ProxyNotActive
from sterna.runtime.environment import EnvironmentContext
from sterna.runtime.options import MigrationOptions
from tests.runtime.helpers import Chain, FakeConfig


@pytest.fixture
def chain(tmp_path: Path) -> Chain:
    chain = Chain(tmp_path)
    chain.add("a1b2c3", "pass")
    chain.add("d4e5f6", "pass")
    return chain


def test_x_arguments_as_list_and_dictionary(chain: Chain) -> None:
    config = FakeConfig(x=["db=prod", "url=postgresql://u:p@h/db?x=1", "flag"])
    with EnvironmentContext(config, chain.directory()) as env:
        assert context.get_x_argument() == config.x
        assert env.get_x_argument(as_dictionary=True) == {
            "db": "prod",
            "url": "postgresql://u:p@h/db?x=1",
            "flag": "",
        }
    with EnvironmentContext(FakeConfig(x=None), chain.directory()) as env:
        assert env.get_x_argument() == [] and env.get_x_argument(as_dictionary=True) == {}


def test_command_arguments(chain: Chain) -> None:
    directory = chain.directory()
    with EnvironmentContext(
        FakeConfig(),
        directory,
        as_sql=True,
        tag="release-7",
        starting_rev="a1b",
        destination_rev="d4e",
    ) as env:
        assert context.is_offline_mode() is True
        assert env.get_tag_argument() == "release-7"
        assert env.get_revision_argument() == "d4e5f6"
        assert env.get_starting_revision_argument() == "a1b2c3"
        assert env.get_head_revision() == "d4e5f6"
        assert env.get_head_revisions() == ("d4e5f6",)
    with EnvironmentContext(FakeConfig(), directory) as env:
        assert env.is_offline_mode() is False and env.get_tag_argument() is None
        with pytest.raises(ContextUsageError, match="No starting revision"):
            env.get_starting_revision_argument()
        with pytest.raises(ContextUsageError, match="configure"):
            env.get_context()
    with pytest.raises(ProxyNotActive):
        context.is_offline_mode()


def test_configure_parses_options_once(chain: Chain) -> None:
    def hook(**kw: Any) -> None:
        pass

    out = io.StringIO()
    directory = chain.directory()
    with EnvironmentContext(
        FakeConfig(), directory, as_sql=True, tag="t1", template_args={"a": 1}
    ) as env:
        env.configure(
            dialect_name="postgresql",
            output_buffer=out,
            template_args={"b": 2},
            on_version_apply=hook,
            compare_type=False,
            my_option="mine",
            version_table="vt",
        )
        ctx = env.get_context()
        options = ctx.options
        assert isinstance(options, MigrationOptions)
        with pytest.raises(dataclasses.FrozenInstanceError):
            options.as_sql = False  # type: ignore[misc]
        assert options.on_version_apply == (hook,)
        assert options.template_args == {"a": 1, "b": 2}
        assert options.tag == "t1" and options.compare_type is False
        assert ctx.opts["my_option"] == "mine" and ctx.opts["version_table"] == "vt"
        assert ctx.version_table == "vt" and ctx.script is directory
        assert ctx.config is env.config
        env.static_output("-- hello")
    assert out.getvalue() == "-- hello\n\n"


def test_options_of_an_earlier_configure_call_are_kept(chain: Chain) -> None:
    """As in Alembic, configure() adds to the options it was given before: an env.py (or a
    program) may configure in two calls, the second naming only the connection."""
    with EnvironmentContext(FakeConfig(), chain.directory(), as_sql=True) as env:
        env.configure(dialect_name="sqlite", my_option="mine", template_args={"a": 1})
        env.configure(dialect_name="sqlite", template_args={"b": 2})
        ctx = env.get_context()
        assert ctx.opts["my_option"] == "mine"
        assert ctx.options.template_args == {"a": 1, "b": 2}


def test_configure_rejects_misuse(chain: Chain, sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    with EnvironmentContext(FakeConfig(), chain.directory()) as env:
        with pytest.raises(ContextUsageError, match="got an Engine"):
            env.configure(connection=engine)  # type: ignore[arg-type]
        with pytest.raises(ContextUsageError, match="one of connection, url, dialect_name"):
            env.configure()
        with pytest.raises(ContextUsageError, match="include_object must be callable"):
            env.configure(dialect_name="sqlite", include_object="nope")  # type: ignore[arg-type]
        with pytest.raises(ContextUsageError, match="version_table"):
            env.configure(dialect_name="sqlite", version_table="")
    engine.dispose()


def test_is_transactional_ddl_per_backend(chain: Chain, db_url: str, backend: str) -> None:
    engine = create_engine(db_url)
    with EnvironmentContext(FakeConfig(), chain.directory()) as env, engine.connect() as conn:
        env.configure(connection=conn)
        # SQLite counts as transactional online: Sterna wraps its DDL in real transactions
        assert env.is_transactional_ddl() is (backend != "mariadb")
        assert env.get_bind() is conn
    engine.dispose()
    with EnvironmentContext(FakeConfig(), chain.directory(), as_sql=True) as env:
        env.configure(dialect_name="sqlite", output_buffer=io.StringIO())
        assert env.is_transactional_ddl() is False  # offline SQLite: no BEGIN, as Alembic


def test_configure_template_args_reach_the_creator_s_dict(chain: Chain) -> None:
    """``template_args`` given to ``configure()`` land in the dict the context was created
    with (later values win), the way ``revision`` hands its template variables to env.py."""
    given = {"x": "x1", "y": "y1"}
    with EnvironmentContext(FakeConfig(), chain.directory(), template_args=given) as env:
        env.configure(dialect_name="sqlite", template_args={"y": "y2", "q": "q1"})
    assert given == {"x": "x1", "y": "y2", "q": "q1"}


def test_revision_uses_template_args_of_env_py_without_run_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``revision_environment = true``, an env.py that only calls ``configure()`` (no
    ``run_migrations()``) still passes its ``template_args`` to ``script.py.mako``."""
    from sterna import command
    from sterna.config import Config

    monkeypatch.chdir(tmp_path)
    config = Config(str(tmp_path / "alembic.ini"))
    command.init(config, str(tmp_path / "migrations"))
    config = Config(str(tmp_path / "alembic.ini"))
    config.set_main_option("revision_environment", "true")
    (tmp_path / "migrations" / "env.py").write_text(
        "from alembic import context\n"
        "context.configure(dialect_name='sqlite', template_args={'ticket': 'OPS-42'})\n"
    )
    mako = tmp_path / "migrations" / "script.py.mako"
    mako.write_text("# ticket: ${ticket}\n" + mako.read_text())
    script = command.revision(config, message="first")
    assert script is not None and not isinstance(script, list)
    assert "# ticket: OPS-42\n" in Path(script.path).read_text()


@pytest.mark.parametrize("given", ["y=5", ("y=5", "flag")], ids=["string", "tuple"])
def test_x_argument_set_by_a_program_comes_back_as_set(
    chain: Chain, given: str | tuple[str, ...]
) -> None:
    """A program that builds ``cmd_opts`` itself (a single string, or a tuple as click's
    ``multiple=True`` gives) gets its ``x`` back unchanged, and the dictionary form reads a
    single string as one ``key=value``."""
    from argparse import Namespace

    from sterna.config import Config

    config = Config(cmd_opts=Namespace(x=given))
    with EnvironmentContext(config, chain.directory()) as env:
        # typed list[str]; the point is that the program's str/tuple comes back unchanged
        assert env.get_x_argument() == given  # type: ignore[comparison-overlap]
        expected = {"y": "5"} if isinstance(given, str) else {"y": "5", "flag": ""}
        assert env.get_x_argument(as_dictionary=True) == expected
