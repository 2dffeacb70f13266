"""The public comparison API: ``compare_metadata``, ``produce_migrations`` and
``AutogenContext`` (``alembic.autogenerate.api``).

``produce_migrations(context, metadata)`` reads the database once (bulk reflection into a
snapshot), runs every registered comparator, and returns a ``MigrationScript`` whose
``upgrade_ops`` bring the database to the models and whose ``downgrade_ops`` are their reverse.
``compare_metadata`` returns the same differences as Alembic's diff tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table
from sqlalchemy.engine import Connection, Dialect, Inspector

from sterna.autogenerate.compare.registry import Comparators, comparators
from sterna.errors_autogenerate import AutogenerateError
from sterna.operations.ops import (
    DowngradeOps,
    MigrationScript,
    OpContainer,
    UpgradeOps,
)

if TYPE_CHECKING:
    from sterna.autogenerate.plugins import CheckMode
    from sterna.autogenerate.reflect import Snapshot, TableInfo

__all__ = ["AutogenContext", "compare_metadata", "produce_migrations", "populate_migration_script"]


class AutogenContext:
    """The state of one comparison (and of rendering, which E2's renderer shares): the migration
    context, the target metadata, the options, the imports the rendered script needs, and the
    database snapshot once it has been read."""

    def __init__(
        self,
        migration_context: Any,
        metadata: MetaData | Sequence[MetaData] | None = None,
        opts: Mapping[str, Any] | None = None,
        autogenerate: bool = True,
    ) -> None:
        if autogenerate and migration_context is not None and migration_context.as_sql:
            raise AutogenerateError(
                "autogenerate can't use as_sql=True as it prevents querying the database for "
                "schema information"
            )
        if opts is None:
            opts = migration_context.opts if migration_context is not None else {}
        self.opts: Mapping[str, Any] = opts
        if metadata is None:
            metadata = opts.get("target_metadata")
        has_script = getattr(migration_context, "script", None) is not None
        if autogenerate and metadata is None and has_script:  # not for rendering alone
            raise AutogenerateError(
                "Can't proceed with --autogenerate option; environment script does not provide "
                "a MetaData object or sequence of objects to the context (target_metadata)."
            )
        self.metadata = metadata
        self.migration_context = migration_context
        self.autogenerate = autogenerate
        self.connection: Connection | None = (
            migration_context.bind if migration_context is not None else None
        )
        self.dialect: Dialect | None = (
            migration_context.dialect if migration_context is not None else None
        )
        #: import lines the rendered script needs (filled by the renderer)
        self.imports: set[str] = set()
        self._has_batch = False
        self.comparators: Comparators = selected_comparators(opts) if autogenerate else comparators
        #: how CHECK constraints are compared ("full", "by_name" or "off", from the plugins)
        self.check_constraints: CheckMode = _check_mode(opts) if autogenerate else "full"
        self._name_filters = _as_list(opts.get("include_name"))
        self._object_filters = _as_list(opts.get("include_object"))
        #: the database as read for this comparison (set by the comparison run)
        self.snapshot: Snapshot | None = None
        self._built: dict[tuple[str | None, str], Table] = {}
        self._built_metadata = MetaData()

    # -- metadata ---------------------------------------------------------------------------------

    @property
    def metadatas(self) -> list[MetaData]:
        if self.metadata is None:
            return []
        if isinstance(self.metadata, MetaData):
            return [self.metadata]
        return list(self.metadata)

    @property
    def sorted_tables(self) -> list[Table]:
        """All tables of the target metadata, each MetaData in dependency order."""
        tables: list[Table] = []
        for metadata in self.metadatas:
            tables.extend(metadata.sorted_tables)
        return tables

    @property
    def table_key_to_table(self) -> dict[str, Table]:
        """Tables by key (``schema.name``); a key in two MetaData objects is an error."""
        found: dict[str, Table] = {}
        for metadata in self.metadatas:
            for key, table in metadata.tables.items():
                if key in found:
                    raise AutogenerateError(
                        f"Duplicate table keys across multiple MetaData objects: {key!r}"
                    )
                found[key] = table
        return found

    @cached_property
    def inspector(self) -> Inspector:
        from sqlalchemy import inspect

        if self.connection is None:
            raise AutogenerateError("autogenerate needs a database connection")
        return inspect(self.connection)

    # -- filters ----------------------------------------------------------------------------------

    def run_name_filters(
        self, name: str | None, type_: str, parent_names: Mapping[str, str | None]
    ) -> bool:
        """``include_name`` hooks: False when one of them excludes the name."""
        if not self._name_filters:
            return True
        parents = dict(parent_names)
        # a table's own qualified name too, as Alembic gives it
        table = parents.get("table_name", name if type_ == "table" else None)
        if table is not None:
            schema = parents.get("schema_name")
            parents["schema_qualified_table_name"] = f"{schema}.{table}" if schema else table
        return all(fn(name, type_, parents) for fn in self._name_filters)

    def run_object_filters(
        self, object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        """``include_object`` hooks: False when one of them excludes the object."""
        return all(fn(object_, name, type_, reflected, compare_to) for fn in self._object_filters)

    run_filters = run_object_filters

    @property
    def has_object_filters(self) -> bool:
        return bool(self._object_filters)

    # -- the database side as SQLAlchemy objects ------------------------------------------------

    def conn_table(self, info: TableInfo) -> Table:
        """The reflected table as a ``Table`` (built once per comparison)."""
        from sterna.autogenerate.reflect_build import build_table

        table = self._built.get(info.key)
        if table is None:
            table = build_table(info, self._built_metadata)
            self._built[info.key] = table
        return table


def selected_comparators(opts: Mapping[str, Any]) -> Comparators:
    """The global comparators plus those of the plugins the environment selects
    (``autogenerate_plugins``, see :mod:`sterna.autogenerate.plugins`)."""
    from sterna.autogenerate.plugins import Plugin

    branch = comparators.branch()
    Plugin.populate_autogenerate_priority_dispatch(branch, plugin_selection(opts))
    return branch


def plugin_selection(opts: Mapping[str, Any]) -> list[str]:
    """The ``autogenerate_plugins`` expressions of the environment (or the default)."""
    from sterna.autogenerate.plugins import DEFAULT_SELECTION

    selection = opts.get("autogenerate_plugins", DEFAULT_SELECTION)
    if isinstance(selection, str):
        return [selection]
    return list(selection)


def _check_mode(opts: Mapping[str, Any]) -> CheckMode:
    from sterna.autogenerate.plugins import check_constraint_mode

    return check_constraint_mode(plugin_selection(opts))


def _as_list(value: Any) -> list[Callable[..., bool]]:
    if value is None:
        return []
    if callable(value):
        return [value]
    return list(value)


def produce_migrations(context: Any, metadata: MetaData | Sequence[MetaData]) -> MigrationScript:
    """Compare a database with the models and return the operations, as objects.

    This is what ``revision --autogenerate`` writes, before rendering: the result can be
    inspected, changed, or rendered with :func:`~sterna.autogenerate.render_python_code`.

    Args:
        context: A ``MigrationContext`` with a connection (``MigrationContext.configure(conn,
            opts={...})``); its options (``include_name``, ``include_object``,
            ``compare_type``, ``compare_server_default``, ``include_schemas``...) steer the
            comparison as they do in ``env.py``.
        metadata: The models' ``MetaData``, or a sequence of them.

    Returns:
        A ``MigrationScript`` whose ``upgrade_ops`` bring the database to the models and whose
        ``downgrade_ops`` undo them (no revision id, nothing written).

    Raises:
        AutogenerateError: The context has no connection (offline), or two ``MetaData`` define
            the same table.
    """
    autogen_context = AutogenContext(context, metadata=metadata)
    script = MigrationScript(
        rev_id=None, upgrade_ops=UpgradeOps([]), downgrade_ops=DowngradeOps([])
    )
    populate_migration_script(autogen_context, script)
    return script


def populate_migration_script(
    autogen_context: AutogenContext, script: MigrationScript, *, fold: bool = True
) -> None:
    """Fill the last upgrade container of ``script`` with the differences and the matching
    downgrade container with their reverse (what ``revision --autogenerate`` does per token).
    With ``fold`` the index drops a dropped table takes along are then left out
    (:func:`fold_fk_index_drops`); the command folds later itself, after a rename may have made
    the downgrade again from the whole upgrade."""
    from sterna.autogenerate.compare import run_comparison

    upgrade_ops = script.upgrade_ops_list[-1]
    downgrade_ops = script.downgrade_ops_list[-1]
    run_comparison(autogen_context, upgrade_ops)
    upgrade_ops.reverse_into(downgrade_ops)
    if fold:
        fold_index_drops(autogen_context, upgrade_ops, downgrade_ops)


def fold_index_drops(autogen_context: AutogenContext, *containers: OpContainer) -> None:
    """:func:`fold_fk_index_drops` on each container, for the compared database's dialect."""
    from sterna.autogenerate.compare.tables import fold_fk_index_drops

    assert autogen_context.dialect is not None
    for container in containers:
        fold_fk_index_drops(container, autogen_context.dialect.name)


def compare_metadata(context: Any, metadata: MetaData | Sequence[MetaData]) -> list[Any]:
    """Compare a database with the models and return the differences as plain tuples.

    The same comparison as :func:`produce_migrations`, in the format Alembic's
    ``compare_metadata`` returns, for code that checks a database against the models (tests,
    health checks): ``("add_table", Table)``, ``("remove_column", schema, table, Column)``,
    ``("add_index", Index)``..., and for a changed column a list of ``("modify_type", schema,
    table, column, info, old, new)``-style tuples, one per changed attribute.

    Args:
        context: A ``MigrationContext`` with a connection; its options steer the comparison
            (see :func:`produce_migrations`).
        metadata: The models' ``MetaData``, or a sequence of them.

    Returns:
        The differences in upgrade order; an empty list when the database matches.
    """
    script = produce_migrations(context, metadata)
    upgrade_ops = script.upgrade_ops
    assert upgrade_ops is not None
    return upgrade_ops.as_diffs()


def __getattr__(name: str) -> Any:
    """``render_python_code`` (``alembic.autogenerate.api.render_python_code``) is defined in
    :mod:`sterna.autogenerate.render`, which imports this module; resolved on first use."""
    if name == "render_python_code":
        from sterna.autogenerate.render import render_python_code

        return render_python_code
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
