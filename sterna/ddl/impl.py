"""DefaultImpl: the one place that knows whether SQL is executed or written out (offline mode).

Core contract (used by the runtime, do not change signatures):

* ``DefaultImpl.get_by_dialect(dialect)`` returns the implementation class registered for the
  dialect's name (subclasses register themselves by setting ``__dialect__``).
* ``impl._exec(construct, ...)`` runs a SQLAlchemy construct or SQL string on the connection, or,
  in offline mode, compiles it with literal values and writes it to the output buffer followed by
  the command terminator.
* ``impl.static_output(text)`` writes raw text in offline mode (comments, BEGIN/COMMIT).
* ``impl.transactional_ddl`` says whether DDL can be rolled back on this backend.

Operation-specific methods (``create_table``, ``add_column``, ...) are added below the core by the
operations layer; each takes plain SQLAlchemy schema objects built by ``sterna.operations``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, Any, ClassVar

from sqlalchemy import text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.elements import ClauseElement, TextClause


class DefaultImpl:
    """Dialect-neutral DDL execution; subclassed per dialect."""

    __dialect__: ClassVar[str] = "default"
    transactional_ddl: bool = False
    command_terminator: ClassVar[str] = ";"
    _registry: ClassVar[dict[str, type[DefaultImpl]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "__dialect__" in cls.__dict__:
            DefaultImpl._registry[cls.__dialect__] = cls

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        as_sql: bool,
        transactional_ddl: bool | None,
        output_buffer: IO[str] | None,
        context_opts: Mapping[str, Any],
    ) -> None:
        self.dialect = dialect
        self.connection = connection
        self.as_sql = as_sql
        self.literal_binds = bool(context_opts.get("literal_binds", False))
        self.output_buffer = output_buffer
        self.context_opts = context_opts
        if transactional_ddl is not None:
            self.transactional_ddl = transactional_ddl
        if self.literal_binds and not self.as_sql:
            from sterna.errors import CommandError

            raise CommandError("literal_binds=True is only valid in offline (--sql) mode")

    @classmethod
    def get_by_dialect(cls, dialect: Dialect) -> type[DefaultImpl]:
        """The implementation class registered for ``dialect.name`` (DefaultImpl if none)."""
        import sterna.ddl.dialects  # noqa: F401  (registers the built-in dialects)

        return cls._registry.get(dialect.name, DefaultImpl)

    @property
    def bind(self) -> Connection | None:
        return self.connection

    def static_output(self, text_: str) -> None:
        """Write raw text to the offline output, followed by a blank line."""
        assert self.output_buffer is not None
        self.output_buffer.write(text_ + "\n\n")
        self.output_buffer.flush()

    def emit_begin(self) -> None:
        self.static_output("BEGIN" + self.command_terminator)

    def emit_commit(self) -> None:
        self.static_output("COMMIT" + self.command_terminator)

    def start_migrations(self) -> None:
        """Hook called once before the first step runs."""

    def _compile(self, construct: ClauseElement) -> str:
        compiled = construct.compile(
            dialect=self.dialect, compile_kwargs={"literal_binds": True}
        )
        return str(compiled).replace("\t", "    ").strip()

    def _exec(
        self,
        construct: str | ClauseElement,
        execution_options: Mapping[str, Any] | None = None,
        multiparams: Sequence[Mapping[str, Any]] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """Execute ``construct`` online, or write it as SQL text offline."""
        if isinstance(construct, str):
            construct = text(construct)
        if self.as_sql:
            if multiparams or params:
                raise TypeError("bound parameters are not supported in offline (--sql) mode")
            self.static_output(self._compile(construct) + self.command_terminator)
            return None
        assert self.connection is not None, "online execution needs a connection"
        conn = self.connection
        if execution_options:
            conn = conn.execution_options(**execution_options)
        if isinstance(construct, TextClause) and not (multiparams or params):
            return conn.execute(construct)
        if multiparams:
            return conn.execute(construct, list(multiparams))
        return conn.execute(construct, dict(params or {}))

    def execute(
        self, sql: str | ClauseElement, execution_options: Mapping[str, Any] | None = None
    ) -> None:
        self._exec(sql, execution_options)
