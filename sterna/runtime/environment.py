"""``EnvironmentContext``: what env.py calls ``context``.

A command creates one around running env.py::

    with EnvironmentContext(config, script, fn=plan, as_sql=False, destination_rev="head"):
        script.run_env()

Entering installs it behind the ``sterna.context`` module; env.py then calls ``configure()``
(whose arguments are parsed once into :class:`~sterna.runtime.options.MigrationOptions`) and
``run_migrations()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import IO, TYPE_CHECKING, Any, Literal, overload

from sqlalchemy.engine import URL, Connection

from sterna.ddl.impl import DefaultImpl
from sterna.errors_runtime import ContextUsageError
from sterna.runtime.migration import MigrationContext
from sterna.runtime.options import MigrationOptions
from sterna.runtime.proxy import ENVIRONMENT

if TYPE_CHECKING:
    from sterna.config import Config
    from sterna.runtime.errors import EngineURLs
    from sterna.script.directory import ScriptDirectory

#: The type of ``configure(process_revision_directives=...)``: called with the migration
#: context, the revision argument and the list of directives it may change in place.
ProcessRevisionDirectiveFn = Callable[[MigrationContext, Any, list[Any]], None]


class EnvironmentContext:
    """The environment env.py runs in (Alembic's ``EnvironmentContext``).

    A command creates it with the ``Config`` and the ``ScriptDirectory`` of the project and its
    own options (``fn``, the plan of the run; ``as_sql``; ``starting_rev``; ``destination_rev``;
    ``tag``), and installs it as ``context`` while env.py runs."""

    #: the project's configuration (``alembic.ini`` / ``pyproject.toml``, command-line options)
    config: Config
    #: the project's migration scripts
    script: ScriptDirectory
    #: the options the command passed (``as_sql``, ``destination_rev``, ``fn``...)
    context_opts: dict[str, Any]

    def __init__(self, config: Any, script: Any, **kw: Any) -> None:
        self.config = config
        self.script = script
        self.context_opts: dict[str, Any] = kw
        self._migration_context: MigrationContext | None = None
        self.steps_started = 0  # migration steps begun by any of its contexts (error messages)
        #: the database URLs the command knows, for its error messages (set by the command):
        #: ``configure(connection=...)`` adds the connection's engine
        self.engine_urls: EngineURLs | None = None

    def __enter__(self) -> EnvironmentContext:
        ENVIRONMENT.install(self)
        return self

    def __exit__(self, *exc: object) -> None:
        ENVIRONMENT.uninstall(self)

    # -- what the command asked for -------------------------------------------------------------

    def is_offline_mode(self) -> bool:
        """Whether the command runs with ``--sql`` (offline): the SQL is written to the output
        instead of being executed, and there is no database connection.  env.py uses it to
        choose between ``configure(url=...)`` and ``configure(connection=...)``."""
        return bool(self.context_opts.get("as_sql", False))

    def requires_connection(self) -> bool:
        """Whether this run needs a database connection: the opposite of
        ``is_offline_mode()``."""
        return not self.is_offline_mode()

    def is_transactional_ddl(self) -> bool:
        """Whether the configured database runs DDL inside transactions, so that a failed
        step is rolled back whole (PostgreSQL; SQLite online, which Sterna makes so; not
        MySQL/MariaDB).  Needs ``configure()`` to have been called."""
        return self.get_context().transactional_ddl

    def get_head_revision(self) -> Any:
        """The id of the scripts' single head revision (None when there are no scripts);
        several heads are an error naming them (use ``get_head_revisions()``)."""
        return self.script.as_revision_number("head")

    def get_head_revisions(self) -> Any:
        """The ids of every head revision of the scripts, as a tuple."""
        return self.script.as_revision_number("heads")

    def get_starting_revision_argument(self) -> Any:
        """The starting revision of an offline run, the ``start`` of ``--sql start:end``
        (or ``configure(starting_rev=...)``), as a revision id; a ``CommandError`` when the
        run has none."""
        start: Any  # a tuple of ids, as an offline run may start from several heads
        if self._migration_context is not None:
            start = self._migration_context.options.starting_rev
        elif "starting_rev" in self.context_opts:
            start = self.context_opts["starting_rev"]
        else:
            raise ContextUsageError("No starting revision argument is available.")
        return self.script.as_revision_number(start)

    def get_revision_argument(self) -> Any:
        """The revision the command goes to, ``upgrade``/``downgrade``'s argument: ``head``
        becomes the head's id, ``heads`` a tuple of ids, ``base`` None; other identifiers
        come back as given."""
        return self.script.as_revision_number(self.context_opts.get("destination_rev"))

    def get_tag_argument(self) -> str | None:
        """The value of the command's ``--tag`` option (or ``configure(tag=...)``), None when
        none was given; Sterna does nothing with it but hand it to env.py."""
        tag = self.context_opts.get("tag")
        return None if tag is None else str(tag)

    @overload
    def get_x_argument(self, as_dictionary: Literal[False] = ...) -> list[str]: ...

    @overload
    def get_x_argument(self, as_dictionary: Literal[True]) -> dict[str, str]: ...

    def get_x_argument(self, as_dictionary: bool = False) -> list[str] | dict[str, str]:
        """The values of the command line's ``-x`` options (``sterna -x tenant=acme upgrade
        head``), for env.py's own settings.

        ``as_dictionary``: false (the default) returns the list of strings as given; true
        returns ``{key: value}``, each string split at its first ``=`` (a string without ``=``
        maps to ``""``).  The list is the one ``config.cmd_opts.x`` holds, unchanged (a program
        that sets ``cmd_opts`` itself gets back what it set, even a single string); the
        dictionary reads a single string as one ``key=value``.  Empty when no ``-x`` was
        given."""
        cmd_opts = getattr(self.config, "cmd_opts", None)
        values = getattr(cmd_opts, "x", None) or []
        if not as_dictionary:
            return values
        result: dict[str, str] = {}
        for item in [values] if isinstance(values, str) else values:
            key, _, value = item.partition("=")
            result[key] = value
        return result

    # -- configuring and running ----------------------------------------------------------------

    def configure(
        self,
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
        project or a dialect implementation to read."""
        opts = self.context_opts  # kept: a later configure() call starts from these
        if output_buffer is None:
            output_buffer = getattr(self.config, "output_buffer", None)
        merged_args = _merge_template_args(opts.get("template_args"), template_args)
        opts.update(
            transactional_ddl=transactional_ddl,
            transaction_per_migration=transaction_per_migration,
            output_buffer=output_buffer,
            template_args=merged_args,
            render_as_batch=render_as_batch,
            target_metadata=target_metadata,
            include_name=include_name,
            include_object=include_object,
            include_schemas=include_schemas,
            process_revision_directives=process_revision_directives,
            compare_type=compare_type,
            compare_server_default=compare_server_default,
            render_item=render_item,
            literal_binds=literal_binds,
            upgrade_token=upgrade_token,
            downgrade_token=downgrade_token,
            alembic_module_prefix=alembic_module_prefix,
            sqlalchemy_module_prefix=sqlalchemy_module_prefix,
            user_module_prefix=user_module_prefix,
            on_version_apply=on_version_apply,
            version_table=version_table,
            version_table_schema=version_table_schema,
            version_table_pk=version_table_pk,
            output_encoding=output_encoding,
            script=self.script,
        )
        if starting_rev is not None:
            opts["starting_rev"] = starting_rev
        if tag is not None:
            opts["tag"] = tag
        opts.update(kw)
        options = MigrationOptions.from_mapping(opts)
        if connection is not None and self.engine_urls is not None:
            self.engine_urls.connection_configured(connection)
        self._migration_context = MigrationContext.configure(
            connection=connection,
            url=url,
            dialect_name=dialect_name,
            dialect_opts=dialect_opts,
            environment_context=self,
            opts=options,
        )

    def run_migrations(self, **kw: Any) -> None:
        """Run the steps the command planned (upgrade, downgrade, stamp...) on the configured
        context, updating the version table after each.  ``kw`` is passed to every script's
        ``upgrade()``/``downgrade()`` as keyword arguments."""
        self.get_context().run_migrations(**kw)

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        """Run ``sql`` (a string or a SQLAlchemy statement) on the configured connection, or
        write it to the output offline; ``execution_options`` are passed to the connection's
        ``execute``."""
        self.get_context().execute(sql, execution_options=execution_options)

    def static_output(self, text: str) -> None:
        """Write ``text`` as it is to the offline SQL output (a comment, a client command);
        nothing is executed."""
        self.get_context().impl.static_output(text)

    def begin_transaction(self) -> AbstractContextManager[Any]:
        """A context manager for the transaction to run ``run_migrations()`` in:
        ``with context.begin_transaction(): context.run_migrations()``.

        It begins and commits a transaction when the run needs one of its own (one for the
        whole run, or nothing here when ``transaction_per_migration`` is set), does nothing
        when env.py's connection is already in a transaction, and writes ``BEGIN``/``COMMIT``
        offline on databases with transactional DDL."""
        return self.get_context().begin_transaction()

    def get_context(self) -> MigrationContext:
        """The ``MigrationContext`` that ``configure()`` created (its connection, dialect,
        options and current heads); an error before ``configure()``."""
        if self._migration_context is None:
            raise ContextUsageError(
                "No context has been configured yet: call context.configure() first in env.py"
            )
        return self._migration_context

    def get_bind(self) -> Connection | None:
        """The connection being migrated (``configure(connection=...)``); offline, a mock
        connection whose ``execute`` writes the SQL to the output."""
        return self.get_context().bind

    def get_impl(self) -> DefaultImpl:
        """The dialect implementation that turns operations into DDL for the configured
        database (``sterna.ddl.impl.DefaultImpl`` or its dialect subclass)."""
        return self.get_context().impl


def _merge_template_args(given: Any, configured: Mapping[str, Any] | None) -> dict[str, Any]:
    """``template_args`` of ``configure()`` added to those the context was created with.

    A dict given at creation (by ``revision`` / ``merge``, or a program building the context)
    is updated in place, so its owner sees env.py's arguments as soon as ``configure()`` ran,
    whether or not env.py goes on to call ``run_migrations()``."""
    merged = given if isinstance(given, dict) else dict(given or {})
    merged.update(configured or {})
    return merged
