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
from typing import IO, Any, Literal, overload

from sqlalchemy.engine import URL, Connection

from sterna.ddl.impl import DefaultImpl
from sterna.errors import ContextUsageError
from sterna.runtime.migration import MigrationContext
from sterna.runtime.options import MigrationOptions
from sterna.runtime.proxy import ENVIRONMENT

#: The type of ``configure(process_revision_directives=...)``: called with the migration
#: context, the revision argument and the list of directives it may change in place.
ProcessRevisionDirectiveFn = Callable[[MigrationContext, Any, list[Any]], None]


class EnvironmentContext:
    """The environment env.py runs in (Alembic's ``EnvironmentContext``)."""

    def __init__(self, config: Any, script: Any, **kw: Any) -> None:
        self.config = config
        self.script = script
        self.context_opts: dict[str, Any] = kw
        self._migration_context: MigrationContext | None = None
        self.steps_started = 0  # migration steps begun by any of its contexts (error messages)

    def __enter__(self) -> EnvironmentContext:
        ENVIRONMENT.install(self)
        return self

    def __exit__(self, *exc: object) -> None:
        ENVIRONMENT.uninstall(self)

    # -- what the command asked for -------------------------------------------------------------

    def is_offline_mode(self) -> bool:
        """True when running with ``--sql``: SQL is written out, nothing is executed."""
        return bool(self.context_opts.get("as_sql", False))

    def requires_connection(self) -> bool:
        return not self.is_offline_mode()

    def is_transactional_ddl(self) -> bool:
        """Whether a failure can be rolled back (SQLite counts online: Sterna makes it so)."""
        return self.get_context().transactional_ddl

    def get_head_revision(self) -> Any:
        return self.script.as_revision_number("head")

    def get_head_revisions(self) -> Any:
        return self.script.as_revision_number("heads")

    def get_starting_revision_argument(self) -> Any:
        """The ``start`` of ``--sql start:end``; CommandError when there is none."""
        if self._migration_context is not None:
            start = self._migration_context.options.starting_rev
        elif "starting_rev" in self.context_opts:
            start = self.context_opts["starting_rev"]
        else:
            raise ContextUsageError("No starting revision argument is available.")
        return self.script.as_revision_number(start)

    def get_revision_argument(self) -> Any:
        """The destination revision the command was given (None for ``base``)."""
        return self.script.as_revision_number(self.context_opts.get("destination_rev"))

    def get_tag_argument(self) -> str | None:
        """The value of ``--tag``, if any."""
        tag = self.context_opts.get("tag")
        return None if tag is None else str(tag)

    @overload
    def get_x_argument(self, as_dictionary: Literal[False] = ...) -> list[str]: ...

    @overload
    def get_x_argument(self, as_dictionary: Literal[True]) -> dict[str, str]: ...

    def get_x_argument(self, as_dictionary: bool = False) -> list[str] | dict[str, str]:
        """The ``-x`` values: a list of strings, or ``{key: value}`` split at the first ``=``.

        The list is the one ``cmd_opts.x`` holds, unchanged (a program that sets ``cmd_opts``
        itself gets back what it set, even a single string); the dictionary reads a single
        string as one ``key=value``."""
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
        alembic_module_prefix: str = "op.",
        sqlalchemy_module_prefix: str = "sa.",
        user_module_prefix: str | None = None,
        on_version_apply: Callable[..., Any] | Sequence[Callable[..., Any]] | None = None,
        version_table: str = "alembic_version",
        version_table_schema: str | None = None,
        version_table_pk: bool = True,
        output_encoding: str | None = None,
        **kw: Any,
    ) -> None:
        """Set up the migration context for this run (see Alembic's documentation)."""
        opts = dict(self.context_opts)
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
        self._migration_context = MigrationContext.configure(
            connection=connection,
            url=url,
            dialect_name=dialect_name,
            dialect_opts=dialect_opts,
            environment_context=self,
            opts=options,
        )

    def run_migrations(self, **kw: Any) -> None:
        """Run the command's migrations; ``kw`` is passed to each upgrade()/downgrade()."""
        self.get_context().run_migrations(**kw)

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        self.get_context().execute(sql, execution_options=execution_options)

    def static_output(self, text: str) -> None:
        """Write ``text`` as is to the offline SQL output."""
        self.get_context().impl.static_output(text)

    def begin_transaction(self) -> AbstractContextManager[Any]:
        """The transaction to wrap ``run_migrations()`` in (see MigrationContext)."""
        return self.get_context().begin_transaction()

    def get_context(self) -> MigrationContext:
        if self._migration_context is None:
            raise ContextUsageError(
                "No context has been configured yet: call context.configure() first in env.py"
            )
        return self._migration_context

    def get_bind(self) -> Connection | None:
        return self.get_context().bind

    def get_impl(self) -> DefaultImpl:
        return self.get_context().impl


def _merge_template_args(given: Any, configured: Mapping[str, Any] | None) -> dict[str, Any]:
    """``template_args`` of ``configure()`` added to those the context was created with.

    A dict given at creation (by ``revision`` / ``merge``, or a program building the context)
    is updated in place, so its owner sees env.py's arguments as soon as ``configure()`` ran,
    whether or not env.py goes on to call ``run_migrations()``."""
    merged = given if isinstance(given, dict) else dict(given or {})
    merged.update(configured or {})
    return merged
