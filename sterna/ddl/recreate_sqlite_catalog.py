"""What SQLite's online rebuild (:mod:`sterna.ddl.recreate_sqlite`) reads of the database.

One :class:`Catalog` per rebuild asks ``sqlite_master`` and the pragmas; where one read can
serve several questions it is made once and handed on: the tables' names and text (the tables
referring to the rebuilt one, the temporary name, whether ``sqlite_sequence`` exists), the views
and triggers (the dependents, the table's own triggers), and one ``pragma_foreign_key_check``
query for all the tables checked.  What a question reads is the same as if it were asked alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from sterna.ddl.recreate_parse import qualify_created
from sterna.ddl.recreate_sql import identifiers

#: A row of :meth:`Catalog.schema_rows`: type, name, tbl_name, sql.
SchemaRow = tuple[str, str, str, str]

#: Characters that quote or escape an identifier in SQL text.
_QUOTES = frozenset("\"'`[]")

#: The most tables :meth:`Catalog.children` names, or :meth:`Catalog.fk_state` checks, in one
#: query (beyond: all tables are asked, or one query per table is made).
_MOST_NAMED = 100


@dataclass(frozen=True)
class Child:
    """A table with a foreign key to the rebuilt table."""

    table: str
    on_delete: str


@dataclass
class FKState:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)


class Catalog:
    """Queries on one SQLite database (``main`` or an attached schema)."""

    def __init__(self, conn: Connection, schema: str | None) -> None:
        self.conn = conn
        self.preparer = conn.dialect.identifier_preparer
        self.db = self.preparer.quote_identifier(schema or "main")
        self.schema_name = schema or "main"

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.conn.exec_driver_sql(sql, params).fetchall()]

    def execute(self, sql: str) -> None:
        self.conn.exec_driver_sql(sql)

    def ident(self, name: str) -> str:
        return str(self.preparer.quote_identifier(name))

    def _master(self, kind: str, table: str, column: str = "name") -> list[tuple[Any, ...]]:
        return self.rows(
            f"SELECT name, sql FROM {self.db}.sqlite_master WHERE type = ? "
            f"AND lower({column}) = lower(?) AND sql IS NOT NULL ORDER BY rowid",
            (kind, table),
        )

    def table(self, name: str) -> tuple[str, str] | None:
        """The stored name and ``CREATE TABLE`` text of a table."""
        found = self._master("table", name)
        return (str(found[0][0]), str(found[0][1])) if found else None

    def index_sql(self, table: str, rows: list[SchemaRow] | None = None) -> list[str]:
        """The ``CREATE INDEX`` texts of ``table``'s indexes, in their order; from ``rows``
        (:meth:`schema_rows` of the same table) when given."""
        found = (
            [row[3] for row in rows if row[0] == "index"]
            if rows is not None
            else [str(row[1]) for row in self._master("index", table, "tbl_name")]
        )
        return [self._qualified(sql, "INDEX") for sql in found]

    def triggers_on(self, table: str, rows: list[SchemaRow] | None = None) -> list[str]:
        """The ``CREATE TRIGGER`` texts of ``table``'s triggers, in their order; from ``rows``
        (:meth:`schema_rows`) when every name compared is ASCII (where SQLite's
        ``lower()`` and Python's agree, with or without ICU), else read."""
        if rows is None or not _ascii_triggers(table, rows):
            rows = [
                ("trigger", str(name), table, str(sql))
                for name, sql in self._master("trigger", table, "tbl_name")
            ]
        lowered = table.lower()
        return [
            self._qualified(sql, "TRIGGER")
            for kind, _, tbl_name, sql in rows
            if kind == "trigger" and tbl_name.lower() == lowered
        ]

    def _qualified(self, sql: str, keyword: str) -> str:
        if self.schema_name == "main":
            return sql
        return qualify_created(sql, keyword, self.db)

    def columns(self, table: str, hidden: bool = False) -> list[str]:
        rows = self.rows(f"PRAGMA {self.db}.table_xinfo({self.ident(table)})")
        return [str(row[1]) for row in rows if hidden or row[6] == 0]

    def tables(self) -> list[tuple[str, str]]:
        """The name and ``CREATE TABLE`` text of every table (SQLite's own included)."""
        return [
            (str(name), str(sql or ""))
            for name, sql in self.rows(
                f"SELECT name, sql FROM {self.db}.sqlite_master WHERE type = 'table'"
            )
        ]

    def children(self, table: str, tables: list[tuple[str, str]]) -> list[Child]:
        """The tables with a foreign key to ``table`` (``tables``: :meth:`tables`).  SQLite
        lists each table's keys (``pragma_foreign_key_list``) from its ``CREATE TABLE`` text,
        so a table whose text does not contain the name is not asked (a name with quote
        characters or beyond ASCII, which the text may spell otherwise: every table is), nor
        the table itself (its keys to itself are not counted)."""
        query = (
            f'SELECT m.name, f."table", f.on_delete FROM {self.db}.sqlite_master AS m '
            "JOIN pragma_foreign_key_list(m.name, ?) AS f WHERE m.type = 'table'"
        )
        params: tuple[str, ...] = (self.schema_name,)
        needle = table.lower()
        if needle.isascii() and not _QUOTES.intersection(needle):
            names = [
                name for name, sql in tables if needle in sql.lower() and name.lower() != needle
            ]
            if not names:
                return []
            if len(names) <= _MOST_NAMED:
                query += f" AND m.name IN ({', '.join('?' * len(names))})"
                params += tuple(names)
        rows = self.rows(query, params)
        found = {
            Child(str(name), str(action).upper())
            for name, ref, action in rows
            if str(ref).lower() == table.lower() and str(name).lower() != table.lower()
        }
        return sorted(found, key=lambda c: (c.table, c.on_delete))

    def pragma(self, name: str) -> Any:
        found = self.rows(f"PRAGMA {name}")
        return found[0][0] if found else None

    def fk_state(self, tables: list[str]) -> FKState:
        """``PRAGMA foreign_key_check`` of each of ``tables``: one query for all of them, or
        one per table when that fails (a key that no longer matches its referent), so that
        each error is told against its table."""
        state = FKState()
        if 1 < len(tables) <= _MOST_NAMED:
            one = "SELECT * FROM pragma_foreign_key_check(?, ?)"
            params = tuple(value for table in tables for value in (table, self.schema_name))
            try:
                found = self.rows(" UNION ALL ".join([one] * len(tables)), params)
            except DBAPIError:
                pass
            else:
                state.counts.update((str(row[0]), str(row[2])) for row in found)
                return state
        for table in tables:
            try:
                rows = self.rows(f"PRAGMA {self.db}.foreign_key_check({self.ident(table)})")
            except DBAPIError as exc:
                state.errors[table] = str(exc.orig if exc.orig is not None else exc)
                continue
            for row in rows:
                state.counts[(str(row[0]), str(row[2]))] += 1
        return state

    def sequence(self, table: str, tables: list[tuple[str, str]] | None = None) -> int | None:
        """``table``'s AUTOINCREMENT counter (None without one); ``tables`` (:meth:`tables`)
        tells whether ``sqlite_sequence`` exists when they were read since the last change."""
        if tables is not None:
            exists = any(name == "sqlite_sequence" for name, _ in tables)
        else:
            exists = bool(
                self.rows(f"SELECT 1 FROM {self.db}.sqlite_master WHERE name = 'sqlite_sequence'")
            )
        if not exists:
            return None
        found = self.rows(
            f"SELECT seq FROM {self.db}.sqlite_sequence WHERE lower(name) = lower(?)", (table,)
        )
        return int(found[0][0]) if found and found[0][0] is not None else None

    # -- dependents ----------------------------------------------------------------------------

    def schema_rows(self, table: str) -> list[SchemaRow]:
        """Type, name, table and text of every view and trigger and of ``table``'s indexes
        (the index lookup of :meth:`index_sql`), in their order."""
        rows = self.rows(
            f"SELECT type, name, tbl_name, sql FROM {self.db}.sqlite_master "
            "WHERE (type IN ('view', 'trigger') OR type = 'index' "
            "AND lower(tbl_name) = lower(?)) AND sql IS NOT NULL ORDER BY rowid",
            (table,),
        )
        return [(str(kind), str(name), str(table), str(sql)) for kind, name, table, sql in rows]

    def dependents(self, table: str, rows: list[SchemaRow]) -> list[tuple[str, str]]:
        """``("view", name)`` for views and ``("table", name)`` for the tables (or views) whose
        triggers mention ``table`` (``rows``: :meth:`schema_rows`)."""
        found: list[tuple[str, str]] = []
        for kind, name, tbl_name, sql in rows:
            if kind == "index" or table.lower() not in identifiers(sql):
                continue
            target = ("view", name) if kind == "view" else ("table", tbl_name)
            if target not in found:
                found.append(target)
        return found

    def probe(self, target: tuple[str, str]) -> dict[str, str | None]:
        """Compile (``EXPLAIN``) what reads a view or fires a table's triggers; the error
        message per statement, or None when it compiles."""
        kind, name = target
        where = f"{self.db}.{self.ident(name)}"
        statements = (
            {f"view {name!r}": f"SELECT * FROM {where}"}
            if kind == "view"
            else {
                f"INSERT triggers of {name!r}": f"INSERT INTO {where} DEFAULT VALUES",
                f"DELETE triggers of {name!r}": f"DELETE FROM {where}",
            }
        )
        if kind == "table":
            columns = self.columns(name)
            if columns:
                sets = ", ".join(f"{self.ident(c)} = {self.ident(c)}" for c in columns)
                statements[f"UPDATE triggers of {name!r}"] = f"UPDATE {where} SET {sets}"
        results: dict[str, str | None] = {}
        for label, sql in statements.items():
            try:
                self.rows("EXPLAIN " + sql)
                results[label] = None
            except DBAPIError as exc:
                results[label] = str(exc.orig if exc.orig is not None else exc)
        return results


def _ascii_triggers(table: str, rows: list[SchemaRow]) -> bool:
    return table.isascii() and all(row[2].isascii() for row in rows if row[0] == "trigger")
