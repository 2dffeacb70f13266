"""The ``Operations`` facade (``op``): each directive builds an operation and invokes it.

Two dispatch tables make the extension API:

* ``Operations.register_operation(name, sourcename=None)`` decorates an operation class and adds
  a method ``name`` to the facade which calls the class's classmethod ``sourcename`` (default
  ``name``) as ``OpClass.<sourcename>(operations, *args, **kw)``;
* ``Operations.implementation_for(OpClass, replace=False)`` registers the function
  ``fn(operations, operation)`` that carries out an operation.  ``invoke(op)`` looks the
  implementation up along the class's MRO, so a subclass of a built-in op reuses its
  implementation unless it registers its own.

The built-in directives are plain methods (mixins in ``sterna.operations.directives``) so that
they have real signatures; their implementations live in ``sterna.operations.toimpl``.
``AbstractOperations`` holds everything but the directives, so a ``BatchOperations`` subclass
can offer its own table-less directive signatures while sharing the op classes and the
implementation table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, conv

from sterna.operations.directives.constraints import ConstraintDirectives
from sterna.operations.directives.data import DataDirectives
from sterna.operations.directives.extras import ExtraDirectives
from sterna.operations.directives.tables import TableDirectives
from sterna.operations.ops.base import MigrateOperation
from sterna.operations.schemaobj import SchemaObjects

if TYPE_CHECKING:
    from sterna.ddl.impl import DefaultImpl
    from sterna.operations.batch import BatchOperations
    from sterna.operations.context_protocol import MigrationContextLike

_C = TypeVar("_C", bound=type)
_F = TypeVar("_F", bound=Callable[..., Any])
ImplFn = Callable[[Any, Any], Any]


class AbstractOperations:
    """Everything of the facade except the directives: invocation, registries, helpers."""

    _to_impl: ClassVar[dict[type, ImplFn]] = {}

    def __init__(
        self, migration_context: MigrationContextLike, impl: DefaultImpl | None = None
    ) -> None:
        self.migration_context = migration_context
        self.impl: DefaultImpl = impl if impl is not None else migration_context.impl
        self.schema_obj = SchemaObjects(migration_context)

    # -- extension API -------------------------------------------------------------------------

    @classmethod
    def register_operation(cls, name: str, sourcename: str | None = None) -> Callable[[_C], _C]:
        """Class decorator making an operation class callable as ``op.<name>(...)``.

        ``@Operations.register_operation("create_view")`` on ``class CreateViewOp`` adds the method
        ``name`` to ``Operations``; calling it calls the class's classmethod ``sourcename``
        (default: ``name``) as ``OpClass.<sourcename>(operations, *args, **kw)``, which usually
        builds the operation and passes it to ``operations.invoke()``.  Register its
        implementation with ``implementation_for``.  (Type checkers do not know directives added
        this way: ``op.invoke(CreateViewOp(...))`` keeps a script typed.)"""

        def register(op_cls: _C) -> _C:
            source = sourcename or name
            factory = getattr(op_cls, source, None)
            if factory is None:
                raise AttributeError(
                    f"register_operation({name!r}): {op_cls.__name__} has no classmethod {source!r}"
                )

            def directive(self: AbstractOperations, *args: Any, **kw: Any) -> Any:
                return getattr(op_cls, source)(self, *args, **kw)

            directive.__name__ = directive.__qualname__ = name
            directive.__module__ = op_cls.__module__  # the directive belongs with its operation
            directive.__doc__ = getattr(factory, "__doc__", None)
            setattr(cls, name, directive)
            return op_cls

        return register

    @classmethod
    def implementation_for(cls, op_cls: type, replace: bool = False) -> Callable[[_F], _F]:
        """Decorator registering ``fn(operations, operation)`` as what carries
        out operations of class ``op_cls`` (and of its subclasses that register none).

        ``replace``: replace an implementation registered already; without it, registering a
        second one for the same class is an error."""

        def register(fn: _F) -> _F:
            if op_cls in AbstractOperations._to_impl and not replace:
                raise ValueError(
                    f"an implementation for {op_cls.__name__} is already registered; "
                    "pass replace=True to replace it"
                )
            AbstractOperations._to_impl[op_cls] = fn
            return fn

        return register

    @classmethod
    def implementation_of(cls, op_cls: type) -> ImplFn | None:
        """The implementation registered for ``op_cls``, or for its nearest base
        class, as ``implementation_for`` registered it; None when there is none."""
        found = AbstractOperations._to_impl.get(op_cls)
        if found is not None:  # registered for the class itself: the everyday case
            return found
        import sterna.operations.toimpl  # noqa: F401  (registers the built-in implementations)

        for klass in op_cls.__mro__:
            fn = AbstractOperations._to_impl.get(klass)
            if fn is not None:
                return fn
        return None

    def invoke(self, operation: MigrateOperation) -> Any:
        """Carry out ``operation`` (an instance of a ``MigrateOperation`` class) with the
        implementation registered for its class, and return what the implementation returns."""
        fn = self.implementation_of(type(operation))
        if fn is not None:
            return fn(self, operation)
        raise NotImplementedError(
            f"no implementation registered for {type(operation).__name__}; use "
            "Operations.implementation_for to register one"
        )

    @classmethod
    @contextmanager
    def context(cls, migration_context: MigrationContextLike) -> Iterator[Operations]:
        """A context manager that installs, for the duration of the block, an
        ``Operations`` for ``migration_context`` as ``op`` (for programs that run operations
        outside a migration script)."""
        from sterna.util.proxy_slot import OPERATIONS

        operations = Operations(migration_context)
        with OPERATIONS.installed(operations):
            yield operations

    # -- helpers -------------------------------------------------------------------------------

    def get_context(self) -> MigrationContextLike:
        """The migration context of the run: its connection (``bind``), ``dialect``,
        ``impl``, ``opts`` (the options env.py gave ``configure()``), ``as_sql`` (offline) and
        ``autocommit_block()``."""
        return self.migration_context

    def get_bind(self) -> Connection | None:
        """The connection being migrated, for running queries in a migration; offline, a
        mock connection whose ``execute`` writes the SQL to the output."""
        return self.migration_context.bind

    @staticmethod
    def f(name: str) -> conv:
        """Mark ``name`` (of a constraint or an index) as final: the naming convention of
        ``target_metadata`` leaves it as it is (``op.f("ix_user_email")``)."""
        return conv(name)

    @staticmethod
    def inline_literal(value: Any, type_: Any = None) -> BindParameter[Any]:
        """``value`` as a SQL literal written into the statement rather than a bound
        parameter, so that a statement passed to ``execute`` renders the same online and offline.
        ``type_``: the SQLAlchemy type that renders it (default: from the Python value)."""
        return InlineLiteral(value, type_)

    def run_async(self, async_function: Callable[..., Any], *args: Any, **kw_args: Any) -> Any:
        """Run ``await async_function(async_connection, *args, **kw_args)`` on the
        migration's connection, for code written against SQLAlchemy's asyncio API.

        The connection must come from an async engine (env.py's ``connection.run_sync``); offline
        it is an error.  ``args`` and ``kw_args`` are passed to ``async_function``; returns its
        result."""
        from sqlalchemy.ext.asyncio import AsyncConnection

        from sterna.errors_ddl import OperationError

        bind = self.get_bind()
        if bind is None or self.migration_context.as_sql:
            raise OperationError("run_async() needs a database connection (not offline mode)")
        async_conn = AsyncConnection._retrieve_proxy_for_target(bind, regenerate=False)
        if async_conn is None:
            raise OperationError(
                "run_async() needs a connection from an async engine, run through "
                "AsyncConnection.run_sync() in env.py"
            )
        return _await(async_function(async_conn, *args, **kw_args))


def _await(awaitable: Any) -> Any:
    from sqlalchemy import util

    await_fn = getattr(util, "await_", None) or util.await_only
    return await_fn(awaitable)


class InlineLiteral(BindParameter[Any]):
    """A bound value that always compiles to its literal SQL form.

    Never cached: the value is part of the compiled text, so a statement compiled for one
    value must not be reused for another (two rows of ``bulk_insert(..., multiinsert=False)``
    would both get the first row's value)."""

    inherit_cache = False

    def __init__(self, value: Any, type_: Any = None) -> None:
        super().__init__(None, value, type_=type_, unique=True)


@compiles(InlineLiteral)
def _inline_literal(element: InlineLiteral, compiler: SQLCompiler, **kw: Any) -> str:
    kw["literal_binds"] = True
    rendered: str = compiler.visit_bindparam(element, **kw)  # type: ignore[no-untyped-call]
    return rendered


class Operations(
    TableDirectives, ConstraintDirectives, DataDirectives, ExtraDirectives, AbstractOperations
):
    """What migration scripts call ``op``: every directive of Alembic's ``op`` plus
    sequences, schemas and PostgreSQL enum types."""

    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: str = "auto",
        partial_reordering: Sequence[Sequence[str]] | None = None,
        copy_from: Table | None = None,
        table_args: Sequence[Any] = (),
        table_kwargs: Mapping[str, Any] | None = None,
        reflect_args: Sequence[Any] = (),
        reflect_kwargs: Mapping[str, Any] | None = None,
        naming_convention: Mapping[str, Any] | None = None,
    ) -> AbstractContextManager[BatchOperations]:
        """A context manager that queues changes to one table and applies them
        when the block ends, rebuilding the table (create a copy, copy the rows, drop, rename)
        where the database's ``ALTER TABLE`` cannot make them, as on SQLite::

            with op.batch_alter_table("account") as batch_op:
                batch_op.alter_column("name", nullable=False)

        * ``table_name``, ``schema``: the table.
        * ``recreate``: ``"auto"`` (rebuild when the dialect needs it), ``"always"`` or
          ``"never"``.
        * ``partial_reordering``: with ``recreate="always"``, orders of column names to impose
          on the rebuilt table.
        * ``copy_from``: the ``Table`` as it is now, instead of reflecting it (needed offline).
        * ``table_args``, ``table_kwargs``: extra arguments for the rebuilt ``Table``.
        * ``reflect_args``, ``reflect_kwargs``: extra arguments for reflecting the table (for
          example a ``Column`` overriding a reflected type).
        * ``naming_convention``: names constraints and indexes that have none, for the
          rebuild."""
        from sterna.operations.batch import batch_alter_table

        return batch_alter_table(
            self,
            table_name,
            schema=schema,
            recreate=recreate,
            partial_reordering=partial_reordering,
            copy_from=copy_from,
            table_args=table_args,
            table_kwargs=table_kwargs,
            reflect_args=reflect_args,
            reflect_kwargs=reflect_kwargs,
            naming_convention=naming_convention,
        )


def __getattr__(name: str) -> Any:
    """``BatchOperations`` is defined in :mod:`sterna.operations.batch` (which imports this
    module), so it is resolved on first use, as ``alembic.operations.base.BatchOperations``."""
    if name == "BatchOperations":
        from sterna.operations.batch import BatchOperations

        return BatchOperations
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
