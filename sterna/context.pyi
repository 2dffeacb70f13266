# Written by tools/gen_stubs.py from EnvironmentContext; do not edit: run ./dev stubs.

"""``from sterna import context``: env.py's view of the running environment.

Each function is the method of the same name of the ``EnvironmentContext`` that the
command running env.py installs (``sterna.runtime.environment.EnvironmentContext``);
outside such a run, a call raises ``sterna.errors.ProxyNotActive``.
"""

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import IO, Any, Literal, overload

from sqlalchemy.engine import URL, Connection

from sterna.config import Config
from sterna.ddl.impl import DefaultImpl
from sterna.runtime.migration import MigrationContext
from sterna.script.directory import ScriptDirectory

config: Config
script: ScriptDirectory
context_opts: dict[str, Any]

def begin_transaction() -> AbstractContextManager[Any]:
    """A context manager for the transaction to run ``run_migrations()`` in:
    ``with context.begin_transaction(): context.run_migrations()``.

    It begins and commits a transaction when the run needs one of its own (one for the
    whole run, or nothing here when ``transaction_per_migration`` is set), does nothing
    when env.py's connection is already in a transaction, and writes ``BEGIN``/``COMMIT``
    offline on databases with transactional DDL.
    """

def configure(
    connection: Connection | None = None,
    url: str | URL | None = None,
    dialect_name: str | None = None,
    dialect_opts: Mapping[str, Any] | None = None,
    transactional_ddl: bool | None = None,
    transaction_per_migration: bool = False,
    output_buffer: IO[Any] | None = None,
    starting_rev: str | None = None,
    tag: str | None = None,
    template_args: Mapping[str, Any] | None = None,
    render_as_batch: bool = False,
    target_metadata: Any = None,
    include_name: Callable[..., bool] | None = None,
    include_object: Callable[..., bool] | None = None,
    include_schemas: bool = False,
    process_revision_directives: Callable[..., Any] | None = None,
    compare_type: Any = True,
    compare_server_default: Any = False,
    render_item: Callable[..., Any] | None = None,
    literal_binds: bool = False,
    upgrade_token: str = "upgrades",
    downgrade_token: str = "downgrades",
    alembic_module_prefix: str | None = "op.",
    sqlalchemy_module_prefix: str | None = "sa.",
    user_module_prefix: str | None = None,
    on_version_apply: Callable[..., Any] | Sequence[Callable[..., Any]] | None = None,
    version_table: str = "alembic_version",
    version_table_schema: str | None = None,
    version_table_pk: bool = True,
    output_encoding: str | None = None,
    **kw: Any,
) -> None:
    """Set up this run: the database to migrate or write SQL for, and the options of the
    migration and of autogenerate.  env.py calls it once, before ``run_migrations()``;
    every parameter is optional.

    Where to migrate:

    * ``connection``: the SQLAlchemy ``Connection`` to migrate (online mode).
    * ``url``: a database URL (string or ``URL``); offline, it names the dialect to write
      SQL for (no connection is made).
    * ``dialect_name``: the dialect to write SQL for offline, without a URL
      (``"postgresql"``, ``"mysql"``, ``"sqlite"``...).
    * ``dialect_opts``: keyword arguments for creating that dialect offline
      (``{"paramstyle": "named"}``...).

    Transactions and output:

    * ``transactional_ddl``: override whether the database runs DDL in transactions
      (default: what its implementation says).
    * ``transaction_per_migration``: one transaction per step instead of one for the whole
      run.
    * ``output_buffer``: where offline SQL is written (default: the config's
      ``output_buffer``, else standard output).
    * ``output_encoding``: encode offline output in this encoding (on a binary stream).
    * ``literal_binds``: offline, render bound values of ``op.execute`` statements inline.
    * ``starting_rev``: the revision an offline run starts from (``--sql start:end``).
    * ``tag``: an arbitrary string env.py can read back with ``get_tag_argument()``.
    * ``on_version_apply``: a callable, or a list of them, called after each step's
      version change as ``fn(ctx=..., step=..., heads=..., run_args=...)``.

    The version table:

    * ``version_table``: its name (default ``alembic_version``).
    * ``version_table_schema``: its schema (default: the connection's default schema).
    * ``version_table_pk``: give it a primary key (default true).

    Autogenerate and new scripts:

    * ``target_metadata``: the ``MetaData`` (or a list of them) of the models that
      ``revision --autogenerate`` and ``check`` compare with the database.
    * ``include_name``: ``fn(name, type_, parent_names) -> bool``, filters reflected names
      before they are loaded.
    * ``include_object``: ``fn(object, name, type_, reflected, compare_to) -> bool``, filters
      the objects compared.
    * ``include_schemas``: compare every schema, not only the default one.
    * ``compare_type``: compare column types (default true), or a callable deciding.
    * ``compare_server_default``: compare server defaults (default false), or a callable.
    * ``process_revision_directives``: ``fn(context, revision, directives)``, may change
      the generated script(s) before they are written.
    * ``render_item``: ``fn(type_, obj, autogen_context)`` returning the source text of an
      item, or False to render it the usual way.
    * ``render_as_batch``: render the operations on a table inside
      ``op.batch_alter_table()`` blocks (for SQLite).
    * ``template_args``: extra variables for the script template (``script.py.mako``).
    * ``upgrade_token``, ``downgrade_token``: the template variable names of the rendered
      upgrade and downgrade bodies.
    * ``alembic_module_prefix``, ``sqlalchemy_module_prefix``: the prefixes written before
      operations (``op.``) and SQLAlchemy names (``sa.``); None for no prefix.
    * ``user_module_prefix``: the prefix written before types from the project's own
      modules (default: their module path).

    ``kw``: any other option, kept in the migration context's ``opts`` for env.py, the
    project or a dialect implementation to read.
    """

def execute(sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
    """Run ``sql`` (a string or a SQLAlchemy statement) on the configured connection, or
    write it to the output offline; ``execution_options`` are passed to the connection's
    ``execute``.
    """

def get_bind() -> Connection | None:
    """The connection being migrated (``configure(connection=...)``); offline, a mock
    connection whose ``execute`` writes the SQL to the output.
    """

def get_context() -> MigrationContext:
    """The ``MigrationContext`` that ``configure()`` created (its connection, dialect,
    options and current heads); an error before ``configure()``.
    """

def get_head_revision() -> Any:
    """The id of the scripts' single head revision (None when there are no scripts);
    several heads are an error naming them (use ``get_head_revisions()``).
    """

def get_head_revisions() -> Any:
    """The ids of every head revision of the scripts, as a tuple."""

def get_impl() -> DefaultImpl:
    """The dialect implementation that turns operations into DDL for the configured
    database (``sterna.ddl.impl.DefaultImpl`` or its dialect subclass).
    """

def get_revision_argument() -> Any:
    """The revision the command goes to, ``upgrade``/``downgrade``'s argument: ``head``
    becomes the head's id, ``heads`` a tuple of ids, ``base`` None; other identifiers
    come back as given.
    """

def get_starting_revision_argument() -> Any:
    """The starting revision of an offline run, the ``start`` of ``--sql start:end``
    (or ``configure(starting_rev=...)``), as a revision id; a ``CommandError`` when the
    run has none.
    """

def get_tag_argument() -> str | None:
    """The value of the command's ``--tag`` option (or ``configure(tag=...)``), None when
    none was given; Sterna does nothing with it but hand it to env.py.
    """

@overload
def get_x_argument(as_dictionary: Literal[False] = ...) -> list[str]:
    """The values of the command line's ``-x`` options (``sterna -x tenant=acme upgrade
    head``), for env.py's own settings.

    ``as_dictionary``: false (the default) returns the list of strings as given; true
    returns ``{key: value}``, each string split at its first ``=`` (a string without ``=``
    maps to ``""``).  The list is the one ``config.cmd_opts.x`` holds, unchanged (a program
    that sets ``cmd_opts`` itself gets back what it set, even a single string); the
    dictionary reads a single string as one ``key=value``.  Empty when no ``-x`` was
    given.
    """

@overload
def get_x_argument(as_dictionary: Literal[True]) -> dict[str, str]:
    """The values of the command line's ``-x`` options (``sterna -x tenant=acme upgrade
    head``), for env.py's own settings.

    ``as_dictionary``: false (the default) returns the list of strings as given; true
    returns ``{key: value}``, each string split at its first ``=`` (a string without ``=``
    maps to ``""``).  The list is the one ``config.cmd_opts.x`` holds, unchanged (a program
    that sets ``cmd_opts`` itself gets back what it set, even a single string); the
    dictionary reads a single string as one ``key=value``.  Empty when no ``-x`` was
    given.
    """

def is_offline_mode() -> bool:
    """Whether the command runs with ``--sql`` (offline): the SQL is written to the output
    instead of being executed, and there is no database connection.  env.py uses it to
    choose between ``configure(url=...)`` and ``configure(connection=...)``.
    """

def is_transactional_ddl() -> bool:
    """Whether the configured database runs DDL inside transactions, so that a failed
    step is rolled back whole (PostgreSQL; SQLite online, which Sterna makes so; not
    MySQL/MariaDB).  Needs ``configure()`` to have been called.
    """

def requires_connection() -> bool:
    """Whether this run needs a database connection: the opposite of
    ``is_offline_mode()``.
    """

def run_migrations(**kw: Any) -> None:
    """Run the steps the command planned (upgrade, downgrade, stamp...) on the configured
    context, updating the version table after each.  ``kw`` is passed to every script's
    ``upgrade()``/``downgrade()`` as keyword arguments.
    """

def static_output(text: str) -> None:
    """Write ``text`` as it is to the offline SQL output (a comment, a client command);
    nothing is executed.
    """
