"""The rebuild statements for offline output and for backends other than SQLite.

See :mod:`sterna.ddl.recreate` for the sequence; this module adds what the dialect needs around
it (constraint names, sequences, id counters, comments), as its implementation class says
(``DefaultImpl.rebuild_*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table

from sterna.ddl.recreate import TEMP_PREFIX, copy_sql, fit_name, rowid_name
from sterna.ddl.recreate_model import TableModel
from sterna.ddl.recreate_render import executable
from sterna.ddl.recreate_sql import Tok, is_word, significant

if TYPE_CHECKING:
    from sterna.ddl.impl import DefaultImpl


def run_generic(
    impl: DefaultImpl,
    model: TableModel,
    temp: str,
    had_rowid: bool,
    expressions: Mapping[str, str] | None = None,
) -> None:
    """The rebuild statements, online or offline, on any dialect (see the module docstring).

    The old table is dropped only after the copy succeeded; until then a failure removes the
    temporary table again (online).  Constraint names that must be unique beyond the table
    are handled per dialect: on PostgreSQL the new table's named constraints are created
    under temporary names and renamed after the old table is gone; on MySQL/MariaDB its
    foreign keys and named CHECKs are added after the rename.
    """
    name, schema = model.name, model.schema
    old_columns = [c.source for c in model.columns if c.source]
    rowid = rowid_name(model, old_columns, had_rowid)
    renamed = _temporary_constraint_names(model) if impl.rebuild_renames_constraints else []
    deferred = _deferred_constraints(model) if impl.rebuild_defers_constraints else []
    impl._exec(executable(model.create_table_sql(temp)))
    sequences = impl.rebuild_owned_sequences(model)
    try:
        impl._exec(executable(copy_sql(model, temp, name, rowid, expressions)))
        for sql in impl.rebuild_counter_sql(model, temp):
            impl._exec(executable(sql))
        for owned, _ in sequences:
            impl._exec(executable(f"ALTER SEQUENCE {owned} OWNED BY NONE"))
        impl.drop_table(Table(name, MetaData(), schema=schema))
    except Exception:
        _drop_quietly(impl, temp, schema)
        raise
    impl.rename_rebuilt_table(temp, name, schema)
    table = model.qualified(name)
    for temporary, original in renamed:
        impl._exec(
            executable(
                f"ALTER TABLE {table} RENAME CONSTRAINT {model.quote(temporary)} "
                f"TO {model.quote(original)}"
            )
        )
    for text in deferred:
        impl._exec(executable(f"ALTER TABLE {table} ADD {text}"))
    for sql in model.index_sql():
        impl._exec(executable(sql))
    for sequence, column in sequences:
        impl._exec(executable(f"ALTER SEQUENCE {sequence} OWNED BY {table}.{model.quote(column)}"))
    _restore_comments(impl, model)


def _temporary_constraint_names(model: TableModel) -> list[tuple[str, str]]:
    """Constraint names unique in the schema (PostgreSQL: primary key and unique constraint
    names are index names): the new table's named constraints get temporary names while the
    old table exists.  Returns ``(temporary, original)`` pairs, and rewrites the model."""
    pairs: list[tuple[str, str]] = []
    holders: list[Any] = list(model.constraints)
    holders.extend(clause for column in model.columns for clause in column.clauses)
    for holder in holders:
        if holder.name is None:
            continue
        sig = significant(holder.tokens)
        if len(sig) < 2 or not is_word(holder.tokens[sig[0]], "CONSTRAINT"):
            continue
        temporary = fit_name(f"{TEMP_PREFIX}{holder.name}", model.dialect)
        tokens = list(holder.tokens)
        tokens[sig[1]] = Tok("quoted", model.quote(temporary))
        holder.tokens = tokens
        pairs.append((temporary, holder.name))
    return pairs


def _deferred_constraints(model: TableModel) -> list[str]:
    """Foreign key and CHECK names unique in the database (MySQL): those constraints are
    added once the old table is gone.  Removed from the model; their texts are returned."""
    deferred = [
        c
        for c in model.constraints
        if c.kind == "foreign" or (c.kind == "check" and c.name is not None)
    ]
    model.constraints = [c for c in model.constraints if c not in deferred]
    return [c.text for c in deferred]


def _drop_quietly(impl: DefaultImpl, name: str, schema: str | None) -> None:
    """Remove the temporary table after a failed copy (best effort: on PostgreSQL the failed
    transaction refuses further statements and is rolled back anyway)."""
    if impl.as_sql:
        return
    with suppress(Exception):
        impl.drop_table(Table(name, MetaData(), schema=schema), if_exists=True)


def _restore_comments(impl: DefaultImpl, model: TableModel) -> None:
    """Comments written as separate statements (PostgreSQL) went with the old table; MySQL
    keeps column comments inline, so only a changed table comment is written there."""
    dialect = impl.dialect
    if not dialect.supports_comments:
        return
    from sqlalchemy import Column
    from sqlalchemy.types import NullType

    table = Table(model.name, MetaData(), schema=model.schema, comment=model.comment)
    if dialect.inline_comments:
        if model.comment_changed:
            _table_comment(impl, table)
        return
    if model.comment is not None or model.comment_changed:
        _table_comment(impl, table)
    for name, comment in model.column_comments.items():
        if comment is None or model.find_column(name) is None:
            continue
        column: Column[Any] = Column(model.column(name).name, NullType(), comment=comment)
        table.append_column(column)
        impl.create_column_comment(column)


def _table_comment(impl: DefaultImpl, table: Table) -> None:
    if table.comment is None:
        impl.drop_table_comment(table)
    else:
        impl.create_table_comment(table)
