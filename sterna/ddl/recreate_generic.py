"""The rebuild statements for offline output and for backends other than SQLite.

See :mod:`sterna.ddl.recreate` for the sequence; this module adds what PostgreSQL and
MySQL/MariaDB need around it (constraint names, sequences, comments).
"""

from __future__ import annotations

import re
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
    renamed = _temporary_constraint_names(model)
    deferred = _deferred_constraints(model)
    impl._exec(executable(model.create_table_sql(temp)))
    sequences = _owned_sequences(model)
    try:
        impl._exec(executable(copy_sql(model, temp, name, rowid, expressions)))
        _advance_sequences(impl, model, temp)
        for owned, _ in sequences:
            impl._exec(executable(f"ALTER SEQUENCE {owned} OWNED BY NONE"))
        impl.drop_table(Table(name, MetaData(), schema=schema))
    except Exception:
        _drop_quietly(impl, temp, schema)
        raise
    legacy = impl.dialect.name == "sqlite"
    if legacy:
        impl._exec(executable("PRAGMA legacy_alter_table=ON"))
    impl.rename_table(temp, name, schema=schema)
    if legacy:
        impl._exec(executable("PRAGMA legacy_alter_table=OFF"))
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
    """PostgreSQL: primary key and unique constraint names are index names, unique in the
    schema, so the new table's named constraints get temporary names while the old table
    exists.  Returns ``(temporary, original)`` pairs, and rewrites the model."""
    if model.dialect.name != "postgresql":
        return []
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
    """MySQL/MariaDB: foreign key (and, on MySQL, CHECK) names are unique in the database,
    so those constraints are added once the old table is gone.  Removed from the model;
    their texts are returned."""
    if model.dialect.name != "mysql":
        return []
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


def _advance_sequences(impl: DefaultImpl, model: TableModel, temp: str) -> None:
    """Carry the id counter over to the new table, so that ids freed by deleting the last rows
    are not handed out again (the statements read the old table's counter in SQL, so they are
    the same online and offline).

    PostgreSQL: a ``SERIAL`` or identity column of the new table has a fresh sequence; it is set
    to the later of the old sequence's last value and the largest copied id.  MySQL/MariaDB:
    the new table's ``AUTO_INCREMENT`` is set to the old table's.
    """
    if model.dialect.name == "postgresql":
        for column in model.columns:
            type_sql = " ".join(t.text for t in column.type_tokens).upper()
            serial = type_sql in ("SERIAL", "BIGSERIAL", "SMALLSERIAL") or column.has("identity")
            if serial and column.source is not None:
                impl._exec(executable(_setval_sql(model, temp, column.name, column.source)))
    elif model.dialect.name in ("mysql", "mariadb") and any(
        column.has("autoincrement") and column.source for column in model.columns
    ):
        for sql in _auto_increment_sql(model, temp):
            impl._exec(executable(sql))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _setval_sql(model: TableModel, temp: str, column: str, source: str) -> str:
    new_seq = f"pg_get_serial_sequence({_literal(model.qualified(temp))}, {_literal(column)})"
    old_seq = f"pg_get_serial_sequence({_literal(model.qualified(model.name))}, {_literal(source)})"
    last = f"GREATEST(pg_sequence_last_value(CAST({old_seq} AS regclass)), copied.top)"
    return (
        f"SELECT setval({new_seq}, COALESCE({last}, 1), {last} IS NOT NULL) "
        f"FROM (SELECT max({model.quote(column)}) AS top FROM {model.qualified(temp)}) AS copied"
    )


def _auto_increment_sql(model: TableModel, temp: str) -> list[str]:
    schema = _literal(model.schema) if model.schema else "DATABASE()"
    return [
        "SET @sterna_next_id = (SELECT AUTO_INCREMENT FROM information_schema.TABLES "
        f"WHERE TABLE_SCHEMA = {schema} AND TABLE_NAME = {_literal(model.name)})",
        f"SET @sterna_sql = CONCAT({_literal(f'ALTER TABLE {model.qualified(temp)} ')}, "
        "'AUTO_INCREMENT = ', COALESCE(@sterna_next_id, 1))",
        "PREPARE sterna_next_id FROM @sterna_sql",
        "EXECUTE sterna_next_id",
        "DEALLOCATE PREPARE sterna_next_id",
    ]


_NEXTVAL = re.compile(r"nextval\('((?:[^']|'')+)'(?:::regclass)?\)", re.IGNORECASE)


def _owned_sequences(model: TableModel) -> list[tuple[str, str]]:
    """PostgreSQL sequences behind ``SERIAL`` columns (``DEFAULT nextval('t_id_seq')``): they
    belong to the old table and would be dropped with it, so ownership moves to the new one."""
    if model.dialect.name != "postgresql":
        return []
    found: list[tuple[str, str]] = []
    for column in model.columns:
        for clause in column.clauses:
            match = _NEXTVAL.search(clause.text) if clause.kind == "default" else None
            if match:
                found.append((match.group(1).replace("''", "'"), column.name))
    return found


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
