"""Which schemas and which tables take part in a comparison.

Schema ``None`` stands for the connection's default schema on both sides: a model table whose
schema names the default schema explicitly is matched with the database table of that schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Table

from sterna.errors_autogenerate import DuplicateTableKeys

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext

TableKey = tuple[str | None, str]


def compared_schemas(ctx: AutogenContext) -> list[str | None]:
    """``[None]``, or with ``include_schemas`` every user schema, filtered by ``include_name``
    (called with ``type_="schema"``; the default schema is passed as None, as Alembic does)."""
    schemas: list[str | None] = [None]
    if ctx.opts.get("include_schemas"):
        from sterna.autogenerate.reflect import schema_names

        assert ctx.connection is not None
        default = ctx.connection.dialect.default_schema_name
        schemas.extend(sorted(n for n in schema_names(ctx.connection) if n != default))
    return [s for s in schemas if ctx.run_name_filters(s, "schema", {})]


def schema_key(ctx: AutogenContext, schema: str | None) -> str | None:
    """``schema`` with the default schema's name replaced by None."""
    if schema is None or ctx.dialect is None:
        return schema
    return None if schema == ctx.dialect.default_schema_name else schema


def version_table_key(ctx: AutogenContext) -> TableKey:
    name = str(ctx.opts.get("version_table") or "alembic_version")
    return (schema_key(ctx, ctx.opts.get("version_table_schema")), name)


def history_table_key(ctx: AutogenContext) -> TableKey:
    """Sterna's applied-history table (``sterna_history``), kept beside the version table."""
    name = str(ctx.opts.get("sterna_history_table") or "sterna_history")
    return (schema_key(ctx, ctx.opts.get("version_table_schema")), name)


def include_conn_table(ctx: AutogenContext, schema: str | None, name: str) -> bool:
    """The filter applied to database tables before they are reflected."""
    if (schema, name) in (version_table_key(ctx), history_table_key(ctx)):
        return False
    return ctx.run_name_filters(name, "table", {"schema_name": schema})


def metadata_tables(ctx: AutogenContext, schemas: list[str | None]) -> dict[TableKey, Table]:
    """The model tables of the compared schemas that ``include_name`` keeps, by key."""
    wanted = set(schemas)
    found: dict[TableKey, Table] = {}
    duplicates: list[str] = []
    skipped = (version_table_key(ctx), history_table_key(ctx))
    for metadata in ctx.metadatas:
        for table in metadata.tables.values():
            key = (schema_key(ctx, table.schema), table.name)
            if key[0] not in wanted or key in skipped:
                continue
            if not ctx.run_name_filters(table.name, "table", {"schema_name": key[0]}):
                continue
            if key in found and found[key] is not table:
                duplicates.append(table.fullname)
            found[key] = table
    if duplicates:
        raise DuplicateTableKeys(duplicates)
    return found
