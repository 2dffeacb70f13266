"""PostgreSQL constraints and indexes of many tables in two lean catalog queries.

SQLAlchemy's bulk inspector reads primary keys, foreign keys, unique and check constraints with
one query each, and indexes with a query that renders every indexed column through
``pg_get_indexdef``; on thousands of tables that dominates the comparison.  Here one query reads
``pg_constraint`` for every kind, and one reads ``pg_index`` calling ``pg_get_indexdef`` only for
expression columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from sterna.autogenerate.reflect import (
    CheckInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    TableInfo,
    UniqueInfo,
    group_rows,
)

_CONSTRAINTS = """
    SELECT c.relname AS table_name, con.conname AS name, con.contype AS kind,
      ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
            ORDER BY k.ord) AS columns,
      rn.nspname AS referred_schema, rc.relname AS referred_table,
      ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
            ORDER BY k.ord) AS referred_columns,
      con.confupdtype AS onupdate, con.confdeltype AS ondelete, con.confmatchtype AS match,
      con.condeferrable AS deferrable, con.condeferred AS deferred,
      CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid, true) END
        AS definition,
      {nulls_not_distinct} AS nulls_not_distinct
    FROM pg_catalog.pg_constraint con
    JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
    LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
    WHERE n.nspname = :schema AND c.relname IN :names AND con.contype IN ('p', 'u', 'f', 'c')
    ORDER BY c.relname, con.conname
    """

_INDEXES = """
    SELECT c.relname AS table_name, i.relname AS name, ix.indisunique AS is_unique,
      ix.indnkeyatts AS key_count,
      ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
            LEFT JOIN pg_catalog.pg_attribute a
              ON a.attrelid = ix.indrelid AND a.attnum = k.num AND k.num <> 0
            ORDER BY k.ord) AS columns,
      CASE WHEN 0 = ANY (ix.indkey::int2[]) THEN
        ARRAY(SELECT pg_catalog.pg_get_indexdef(ix.indexrelid, k.ord::int, true)
              FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord) ORDER BY k.ord)
      END AS definitions,
      ix.indoption::int2[] AS options, am.amname AS method,
      pg_catalog.pg_get_expr(ix.indpred, ix.indrelid, true) AS predicate,
      {nulls_not_distinct} AS nulls_not_distinct
    FROM pg_catalog.pg_index ix
    JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid
    JOIN pg_catalog.pg_class c ON c.oid = ix.indrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_am am ON am.oid = i.relam
    WHERE n.nspname = :schema AND c.relname IN :names AND NOT ix.indisprimary
      AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_constraint con
        WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x')
      )
    ORDER BY c.relname, i.relname
    """

#: ``NULLS NOT DISTINCT`` of a unique index or constraint (PostgreSQL 15+; false before)
_NND_CONSTRAINT = (
    "COALESCE((SELECT nx.indnullsnotdistinct FROM pg_catalog.pg_index nx "
    "WHERE nx.indexrelid = con.conindid), false)"
)
_NND_INDEX = "ix.indnullsnotdistinct"


def _query(template: str, nulls_not_distinct: str, connection: Connection) -> Any:
    version = connection.dialect.server_version_info or (0,)
    known = nulls_not_distinct if version >= (15,) else "false"
    sql = template.format(nulls_not_distinct=known)
    return text(sql).bindparams(bindparam("names", expanding=True))


_ACTIONS = {"a": None, "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_MATCH = {"f": "FULL", "p": "PARTIAL", "s": None}


def read_constraints_and_indexes(
    connection: Connection,
    schema_name: str,
    default_schema: str | None,
    tables: Sequence[TableInfo],
) -> None:
    """Fill the keys, constraints and indexes of ``tables`` (all in ``schema_name``)."""
    params = {"schema": schema_name, "names": [t.name for t in tables]}
    found = connection.execute(_query(_CONSTRAINTS, _NND_CONSTRAINT, connection), params).all()
    constraints = group_rows(found, lambda r: r.table_name)
    found = connection.execute(_query(_INDEXES, _NND_INDEX, connection), params).all()
    indexes = group_rows(found, lambda r: r.table_name)
    for table in tables:
        for row in constraints.get(table.name, ()):
            _constraint(table, row, default_schema)
        table.indexes = [_index(row) for row in indexes.get(table.name, ())]


def _constraint(table: TableInfo, row: Any, default_schema: str | None) -> None:
    columns = tuple(row.columns)
    if row.kind == "p":
        table.primary_key = PrimaryKeyInfo(row.name, columns)
    elif row.kind == "u":
        options = {"postgresql_nulls_not_distinct": True} if row.nulls_not_distinct else {}
        table.uniques.append(UniqueInfo(row.name, columns, dialect_options=options))
    elif row.kind == "c":
        table.checks.append(CheckInfo(row.name, _check_body(row.definition)))
    else:
        referred = row.referred_schema
        table.foreign_keys.append(
            ForeignKeyInfo(
                name=row.name,
                columns=columns,
                referred_schema=None if referred == default_schema else referred,
                referred_table=row.referred_table,
                referred_columns=tuple(row.referred_columns),
                onupdate=_ACTIONS.get(row.onupdate),
                ondelete=_ACTIONS.get(row.ondelete),
                deferrable=True if row.deferrable else None,
                initially="DEFERRED" if row.deferred else None,
                match=_MATCH.get(row.match),
            )
        )


def _check_body(definition: str) -> str:
    """``CHECK ((a > 0)) NOT VALID`` -> ``(a > 0)``."""
    body = definition.strip()
    if body.upper().endswith(" NOT VALID"):
        body = body[: -len(" NOT VALID")].rstrip()
    if body.upper().startswith("CHECK"):
        body = body[len("CHECK") :].strip()
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    return body


def _sorting(option: int) -> tuple[str, ...]:
    descending = bool(option & 1)
    nulls_first = bool(option & 2)
    if descending:
        return ("desc",) if nulls_first else ("desc", "nulls_last")
    return ("nulls_first",) if nulls_first else ()


def _index(row: Any) -> IndexInfo:
    count = int(row.key_count)
    names = list(row.columns)
    definitions = list(row.definitions or [])
    elements: list[str] = []
    flags: list[bool] = []
    for position in range(count):
        name = names[position]
        if name is None:
            elements.append(definitions[position] if position < len(definitions) else "")
            flags.append(True)
        else:
            elements.append(name)
            flags.append(False)
    options: dict[str, Any] = {}
    include = [n for n in names[count:] if n is not None]
    if include:
        options["postgresql_include"] = include
    if row.predicate:
        options["postgresql_where"] = row.predicate
    if row.method and row.method != "btree":
        options["postgresql_using"] = row.method
    if row.nulls_not_distinct:
        options["postgresql_nulls_not_distinct"] = True
    sorting = tuple(_sorting(int(o)) for o in list(row.options)[:count])
    return IndexInfo(
        name=row.name,
        elements=tuple(elements),
        expressions=tuple(flags),
        unique=bool(row.is_unique),
        sorting=sorting if any(sorting) else (),
        dialect_options=options,
    )
