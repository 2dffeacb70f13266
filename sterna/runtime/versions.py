"""The ``alembic_version`` table, kept exactly as Alembic keeps it.

One row per head: ``version_num VARCHAR(32) NOT NULL``, primary key constraint named
``<table>_pkc`` (left out with ``version_table_pk=False``), optional schema -- as the dialect
implementation's ``version_table_impl`` builds it (a third-party dialect may change it).  A step's
:class:`VersionChange` records (planned by the script layer) become INSERT / UPDATE / DELETE
statements, rendered from templates compiled once per run with the values as literals, in the
text Alembic writes offline.  Online they are sent as that text, without bound parameters, and an
UPDATE or DELETE that does not match exactly one row raises
:class:`~sterna.errors.VersionTableError`.  Without parameters the driver never prepares them: a
statement sent with parameters once per step is a new text to Alembic (which inlines the values)
but the same text to us, and psycopg prepares a text it has seen five times, then deallocates
every prepared statement after each ``ALTER`` or ``DROP`` a script runs, which cost two more round
trips each time (issue 15).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import String, Table, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.expression import Delete, Insert, Select, Update

from sterna.errors_runtime import VersionTableError

_OLD = "__sterna_old_version__"
_NEW = "__sterna_new_version__"


class VersionChangeLike(Protocol):
    """One statement against the version table (``sterna.script.plan.VersionChange``)."""

    @property
    def kind(self) -> str: ...

    @property
    def old(self) -> str | None: ...

    @property
    def new(self) -> str | None: ...


class VersionTable:
    """The version table of one migration context: its schema object and statements."""

    def __init__(
        self,
        dialect: Dialect,
        name: str = "alembic_version",
        schema: str | None = None,
        primary_key: bool = True,
        impl: Any = None,
    ) -> None:
        self.dialect = dialect
        self.name = name
        self.schema = schema
        self.impl = impl
        self.table = _build_table(name, schema, primary_key, impl)
        self._select: Select[Any] = select(self.table.c.version_num)
        self._templates: dict[str, str] | None = None
        self._quote: Callable[[Any], str] | None = None
        self._marks = ("", "")  # the placeholders as quoted in the templates

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    # -- online ---------------------------------------------------------------------------------

    def exists(self, connection: Connection) -> bool:
        return table_exists(connection, self.dialect, self.impl, self.name, self.schema)

    def read_heads(self, connection: Connection) -> tuple[str, ...]:
        """The rows of the table, or ``()`` when the table does not exist."""
        if not self.exists(connection):
            return ()
        return tuple(row[0] for row in connection.execute(self._select))

    def ensure(self, connection: Connection, purge: bool = False) -> None:
        """Create the table when missing; with ``purge`` empty it."""
        self.table.create(connection, checkfirst=True)
        if purge:
            connection.execute(self.table.delete())

    def apply(self, connection: Connection, change: VersionChangeLike) -> None:
        """Run one change online; UPDATE and DELETE must match exactly one row.

        The statement is the text :meth:`render` writes (values inlined and quoted by the
        dialect, ``%`` doubled where the driver reads placeholders), sent with
        ``exec_driver_sql`` and no parameters (events and echo still see it).
        """
        kind = change.kind
        if kind not in ("insert", "update", "delete"):
            raise ValueError(f"unknown version change kind {kind!r}")
        result = connection.exec_driver_sql(self.render(change))
        if kind == "insert" or not self.dialect.supports_sane_rowcount:
            return
        if result.rowcount != 1:
            action = f"update to {change.new!r}" if kind == "update" else "delete"
            raise VersionTableError(
                self.qualified_name, action, str(change.old), int(result.rowcount)
            )

    # -- offline --------------------------------------------------------------------------------

    def create_statement(self) -> CreateTable:
        return CreateTable(self.table)

    def render(self, change: VersionChangeLike) -> str:
        """The SQL text of one change with literal values (no terminator)."""
        templates = self._templates
        if templates is None:
            templates = self._templates = self._compile_templates()
        quote = self._quote
        assert quote is not None
        text = templates[change.kind]
        old_mark, new_mark = self._marks
        if change.old is not None:
            text = text.replace(old_mark, quote(change.old))
        if change.new is not None:
            text = text.replace(new_mark, quote(change.new))
        return text

    def _compile_templates(self) -> dict[str, str]:
        compiler = self.dialect.statement_compiler(self.dialect, None)
        string_type = String()

        def quote(value: Any) -> str:
            return str(compiler.render_literal_value(value, string_type))

        self._quote = quote
        self._marks = (quote(_OLD), quote(_NEW))
        table = self.table
        column = table.c.version_num
        statements: dict[str, Insert | Update | Delete] = {
            "insert": table.insert().values(version_num=_NEW),
            "update": table.update().where(column == _OLD).values(version_num=_NEW),
            "delete": table.delete().where(column == _OLD),
        }
        compiled = {}
        for kind, stmt in statements.items():
            text = str(stmt.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))
            compiled[kind] = text.replace("\t", "    ").strip()
        return compiled


def table_exists(
    connection: Connection, dialect: Dialect, impl: Any, name: str, schema: str | None
) -> bool:
    """Whether the version (or history) table exists: through the dialect's rules when there
    is an implementation (MariaDB retries while another run creates the table)."""
    if impl is not None:
        return bool(impl.has_table(connection, name, schema))
    return bool(dialect.has_table(connection, name, schema=schema))


def _build_table(name: str, schema: str | None, primary_key: bool, impl: Any) -> Table:
    """The table as the migration context's implementation (``impl``) builds it with its
    ``version_table_impl``; Alembic's layout when there is no implementation."""
    from sterna.ddl.impl_hooks import build_version_table

    if impl is None:
        return build_version_table(name, schema, primary_key)
    table: Table = impl.version_table_impl(
        version_table=name, version_table_schema=schema, version_table_pk=primary_key
    )
    return table
