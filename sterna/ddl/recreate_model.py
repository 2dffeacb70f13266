"""The table a rebuild creates, held as editable SQL parts.

:class:`TableModel` starts from the existing table's definition (parsed SQL, see
:mod:`sterna.ddl.recreate_parse`) and applies the batch's changes one by one: columns added,
dropped, altered, renamed and moved; constraints and indexes added and dropped.  What a change
does not touch keeps its original text.  It then renders the ``CREATE TABLE`` for the new table,
the column list to copy and the indexes to re-create.

Dropping a column drops the constraints and indexes that use it (as PostgreSQL's ``DROP
COLUMN`` does); renaming a column rewrites every reference to it in CHECK constraints, generated
columns, table constraints and index definitions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy.engine import Dialect

from sterna.ddl.impl import DefaultImpl
from sterna.ddl.recreate_order import reorder_columns
from sterna.ddl.recreate_parse import (
    Clause,
    ColumnDef,
    IndexDef,
    ParsedTable,
    TableConstraint,
    split_references,
)
from sterna.ddl.recreate_render import ColumnParts, convention_name
from sterna.ddl.recreate_sql import (
    Tok,
    is_word,
    mentions,
    rename_idents,
    render,
    same_name,
    significant,
    tokenize,
)
from sterna.errors_ddl import BatchError, BatchNoSuchObject

log = logging.getLogger("alembic.ddl.recreate")

#: ``drop_constraint(type_=...)`` -> the constraint kinds it may match.
_KIND_OF_TYPE = {
    "foreignkey": {"foreign", "references"},
    "primary": {"primary"},
    "unique": {"unique"},
    "check": {"check"},
}


def _split_prefix(tokens: list[Tok]) -> tuple[list[Tok], list[Tok]]:
    """``CONSTRAINT name`` (if present) and the rest of a constraint's tokens."""
    sig = significant(tokens)
    if len(sig) >= 2 and is_word(tokens[sig[0]], "CONSTRAINT"):
        return tokens[: sig[1] + 1], tokens[sig[1] + 1 :]
    return [], tokens


class TypeChange(NamedTuple):
    """A copied column's new type: as SQL text, and the SQLAlchemy type."""

    sql: str
    type_: Any


@dataclass
class TableModel:
    """The definition of the table being rebuilt (see the module docstring)."""

    name: str
    schema: str | None
    dialect: Dialect
    columns: list[ColumnDef]
    constraints: list[TableConstraint]
    options: str
    indexes: list[IndexDef]
    naming_convention: Mapping[str, Any] | None = None
    comment: str | None = None
    comment_changed: bool = False
    column_comments: dict[str, str | None] = field(default_factory=dict)
    #: copied columns whose type changes (the copy asks ``cast_for_batch_migrate``)
    casts: dict[str, TypeChange] = field(default_factory=dict)
    reorder: list[tuple[str, ...]] = field(default_factory=list)

    @classmethod
    def from_parts(
        cls,
        name: str,
        schema: str | None,
        dialect: Dialect,
        parsed: ParsedTable,
        indexes: list[IndexDef],
        naming_convention: Mapping[str, Any] | None = None,
    ) -> TableModel:
        return cls(
            name,
            schema,
            dialect,
            parsed.columns,
            parsed.constraints,
            parsed.options,
            indexes,
            naming_convention,
        )

    # -- lookup --------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def rules(self) -> type[DefaultImpl]:
        """The dialect's implementation class, whose attributes are its rebuild rules."""
        return DefaultImpl.get_by_dialect(self.dialect)

    def quote(self, name: str) -> str:
        return str(self.dialect.identifier_preparer.quote(name))

    def find_column(self, name: str) -> int | None:
        for i, column in enumerate(self.columns):
            if same_name(column.name, name):
                return i
        return None

    def column(self, name: str) -> ColumnDef:
        index = self.find_column(name)
        if index is None:
            known = ", ".join(c.name for c in self.columns)
            raise BatchNoSuchObject(self.label, f"no column {name!r} (columns: {known})")
        return self.columns[index]

    def _is_self(self, table: str | None) -> bool:
        return same_name(table, self.name)

    # -- columns -------------------------------------------------------------------------------

    def add_column(
        self, parts: ColumnParts, before: str | None = None, after: str | None = None
    ) -> None:
        definition = parts.column
        if self.find_column(definition.name) is not None:
            raise BatchNoSuchObject(self.label, f"column {definition.name!r} already exists")
        primary = definition.has("primary") or any(c.kind == "primary" for c in parts.constraints)
        if primary and self._primary_key_exists():
            raise BatchError(
                self.label,
                f"column {definition.name!r} is a primary key column but the "
                "table already has a primary key; use create_primary_key to replace it",
            )
        self.columns.insert(self._position(before, after), definition)
        self.constraints.extend(parts.constraints)
        for index in parts.indexes:
            self.add_index(index)
        if parts.comment is not None:
            self.column_comments[definition.name] = parts.comment

    def _position(self, before: str | None, after: str | None) -> int:
        if before is not None and after is not None:
            raise BatchError(self.label, "give insert_before or insert_after, not both")
        if before is not None:
            return self._index_of(before)
        if after is not None:
            return self._index_of(after) + 1
        return len(self.columns)

    def _index_of(self, name: str) -> int:
        index = self.find_column(name)
        if index is None:
            self.column(name)  # raises, naming the known columns
            raise AssertionError
        return index

    def move_column(self, name: str, before: str | None, after: str | None) -> None:
        column = self.columns.pop(self._index_of(name))
        self.columns.insert(self._position(before, after), column)

    def drop_column(self, name: str) -> None:
        """Drop a column and the constraints and indexes that use it."""
        position = self._index_of(name)
        for other in self.columns:
            for clause in other.clauses:
                if (
                    other is not self.columns[position]
                    and clause.kind == "generated"
                    and mentions(clause.tokens, name)
                ):
                    raise BatchError(
                        self.label,
                        f"cannot drop column {name!r}: generated column "
                        f"{other.name!r} is computed from it; drop or alter that column first",
                    )
        column = self.columns.pop(position)
        for other in self.columns:
            for clause in list(other.clauses):
                if self._clause_uses(clause, name):
                    other.clauses.remove(clause)
                    self._dropped_along(clause.name, clause.kind, name)
        for constraint in list(self.constraints):
            if self._constraint_uses(constraint, name):
                self.constraints.remove(constraint)
                self._dropped_along(constraint.name, constraint.kind, name)
        for index in list(self.indexes):
            if mentions(index.tail, name):
                self.indexes.remove(index)
                self._dropped_along(index.name, "index", name)
        self.column_comments.pop(column.name, None)
        self.casts.pop(column.name, None)

    def _dropped_along(self, name: str | None, kind: str, column: str) -> None:
        log.info(
            "%s: %s %s is dropped along with column %r",
            self.label,
            kind,
            name or "(unnamed)",
            column,
        )

    def _clause_uses(self, clause: Clause, name: str) -> bool:
        if clause.kind == "check":
            return mentions(_split_prefix(clause.tokens)[1], name)
        if clause.kind == "references":
            from sterna.ddl.recreate_parse import referenced_columns, referenced_table

            return self._is_self(referenced_table(clause.tokens)) and any(
                same_name(c, name) for c in referenced_columns(clause.tokens)
            )
        return False

    def _constraint_uses(self, constraint: TableConstraint, name: str) -> bool:
        if constraint.kind == "check":
            return mentions(_split_prefix(constraint.tokens)[1], name)
        if any(same_name(c, name) for c in constraint.columns):
            return True
        return (
            constraint.kind == "foreign"
            and self._is_self(constraint.ref_table)
            and any(same_name(c, name) for c in constraint.ref_columns)
        )

    def rename_column(self, old: str, new: str) -> None:
        """Rename a column and every reference to it in the table's definition."""
        column = self.column(old)
        if not same_name(old, new) and self.find_column(new) is not None:
            raise BatchNoSuchObject(self.label, f"column {new!r} already exists")
        old_name = column.name
        column.name = new
        column.name_tok = Tok("quoted", self.quote(new))
        self._rewrite(lambda toks: rename_idents(toks, old_name, new, self.quote), old_name, new)
        for mapping in (self.column_comments, self.casts):
            if old_name in mapping:
                mapping[new] = mapping.pop(old_name)  # type: ignore[assignment]

    def _rewrite(self, fn: Callable[[list[Tok]], list[Tok]], old: str, new: str) -> None:
        for column in self.columns:
            for clause in column.clauses:
                clause.tokens = self._rewrite_constraint(clause.kind, clause.tokens, fn)
        for constraint in self.constraints:
            constraint.tokens = self._rewrite_constraint(constraint.kind, constraint.tokens, fn)
            constraint.columns = [new if same_name(c, old) else c for c in constraint.columns]
            if self._is_self(constraint.ref_table):
                constraint.ref_columns = [
                    new if same_name(c, old) else c for c in constraint.ref_columns
                ]
        for index in self.indexes:
            index.tail = fn(index.tail)

    def _rewrite_constraint(
        self, kind: str, tokens: list[Tok], fn: Callable[[list[Tok]], list[Tok]]
    ) -> list[Tok]:
        prefix, body = _split_prefix(tokens)
        if kind in ("foreign", "references"):
            local, remote = split_references(body)
            from sterna.ddl.recreate_parse import referenced_table

            if remote and self._is_self(referenced_table(remote)):
                remote = fn(remote)
            return prefix + fn(local) + remote
        if kind in ("check", "generated", "primary", "unique"):
            return prefix + fn(body)
        return tokens

    # -- column attributes ---------------------------------------------------------------------

    def set_type(self, name: str, type_sql: str, checks: list[TableConstraint], type_: Any) -> None:
        column = self.column(name)
        column.type_tokens = tokenize(type_sql)
        if column.source is not None:
            self.casts[column.name] = TypeChange(type_sql, type_)
        self.constraints.extend(checks)

    def set_nullable(self, name: str, nullable: bool) -> None:
        column = self.column(name)
        column.clauses = [c for c in column.clauses if c.kind not in ("null", "notnull")]
        if not nullable:
            column.clauses.append(Clause("notnull", None, tokenize("NOT NULL")))

    def set_default(self, name: str, default_sql: str | None) -> None:
        column = self.column(name)
        column.clauses = [c for c in column.clauses if c.kind != "default"]
        if default_sql is not None:
            column.clauses.insert(0, Clause("default", None, tokenize(f"DEFAULT {default_sql}")))

    def set_column_comment(self, name: str, comment: str | None) -> None:
        column = self.column(name)
        if self.rules.rebuild_inline_comments:
            column.clauses = [c for c in column.clauses if c.kind != "comment"]
            if comment:
                literal = "'" + comment.replace("\\", "\\\\").replace("'", "''") + "'"
                column.clauses.append(Clause("comment", None, tokenize(f"COMMENT {literal}")))
            return
        self.column_comments[column.name] = comment

    def set_autoincrement(self, name: str, enabled: bool) -> None:
        column = self.column(name)
        where = self.rules.rebuild_autoincrement
        if where == "column":
            column.clauses = [c for c in column.clauses if c.kind != "autoincrement"]
            if enabled:
                column.clauses.append(Clause("autoincrement", None, tokenize("AUTO_INCREMENT")))
            return
        if where != "primary key":
            return
        primary = next((c for c in column.clauses if c.kind == "primary"), None)
        if primary is None and enabled:
            primary = self._inline_primary_key(column)
        if primary is None:
            return
        kept = [t for t in primary.tokens if not is_word(t, "AUTOINCREMENT")]
        primary.tokens = _strip_end(kept) + (tokenize(" AUTOINCREMENT") if enabled else [])

    def _inline_primary_key(self, column: ColumnDef) -> Clause | None:
        """Move a one-column table-level primary key onto the column (SQLite's AUTOINCREMENT
        must be written there)."""
        for constraint in self.constraints:
            if constraint.kind == "primary" and [c.lower() for c in constraint.columns] == [
                column.name.lower()
            ]:
                self.constraints.remove(constraint)
                clause = Clause("primary", None, tokenize("PRIMARY KEY"))
                column.clauses.append(clause)
                return clause
        raise BatchError(
            self.label, f"autoincrement needs column {column.name!r} to be the primary key"
        )

    # -- constraints ---------------------------------------------------------------------------

    def _primary_key_exists(self) -> bool:
        return any(c.kind == "primary" for c in self.constraints) or any(
            col.has("primary") for col in self.columns
        )

    def _drop_primary_key(self) -> None:
        self.constraints = [c for c in self.constraints if c.kind != "primary"]
        for column in self.columns:
            column.clauses = [c for c in column.clauses if c.kind != "primary"]

    def add_constraint(self, constraint: TableConstraint) -> None:
        if constraint.kind == "primary":
            self._drop_primary_key()
            for name in constraint.columns:
                column = self.column(name)
                if not column.has("notnull"):
                    self.set_nullable(column.name, False)
        elif constraint.name is not None and self._find_named(constraint.name, None):
            raise BatchNoSuchObject(
                self.label, f"a constraint named {constraint.name!r} already exists"
            )
        self.constraints.append(constraint)

    def _find_named(self, name: str, type_: str | None) -> bool:
        kinds = _KIND_OF_TYPE.get(type_ or "")
        for constraint in self.constraints:
            if constraint.name == name and (kinds is None or constraint.kind in kinds):
                return True
        return any(
            clause.name == name and (kinds is None or clause.kind in kinds)
            for column in self.columns
            for clause in column.clauses
        )

    def drop_constraint(self, name: str, type_: str | None = None) -> None:
        """Drop a constraint by name; unnamed ones match the name ``naming_convention``
        gives them."""
        kinds = _KIND_OF_TYPE.get(type_ or "")
        for constraint in self._constraint_candidates():
            table_part, column_part, kind, candidate = constraint
            if kinds is not None and kind not in kinds:
                continue
            if candidate is not None and (candidate == name or same_name(candidate, name)):
                if table_part is not None:
                    self.constraints.remove(table_part)
                elif column_part is not None:
                    column_part[0].clauses.remove(column_part[1])
                return
        named = sorted({c[3] for c in self._constraint_candidates() if c[3]})
        hint = (
            ""
            if self.naming_convention
            else (
                "; unnamed constraints can be matched through batch_alter_table(..., "
                "naming_convention=...)"
            )
        )
        raise BatchNoSuchObject(
            self.label,
            f"no constraint named {name!r} (named constraints: {', '.join(named) or 'none'}){hint}",
        )

    def _constraint_candidates(
        self,
    ) -> list[tuple[TableConstraint | None, tuple[ColumnDef, Clause] | None, str, str | None]]:
        """Every constraint with the name it goes by (its own, or the convention's)."""
        found: list[
            tuple[TableConstraint | None, tuple[ColumnDef, Clause] | None, str, str | None]
        ] = []
        for constraint in self.constraints:
            found.append(
                (constraint, None, constraint.kind, constraint.name or self._convention(constraint))
            )
        for column in self.columns:
            for clause in column.clauses:
                if clause.kind in ("primary", "unique", "check", "references", "notnull"):
                    as_table = self._clause_as_constraint(column, clause)
                    name = clause.name or (self._convention(as_table) if as_table else None)
                    found.append((None, (column, clause), clause.kind, name))
        return found

    def _clause_as_constraint(self, column: ColumnDef, clause: Clause) -> TableConstraint | None:
        from sterna.ddl.recreate_parse import referenced_columns, referenced_table

        kind = {"references": "foreign"}.get(clause.kind, clause.kind)
        if kind not in ("primary", "unique", "check", "foreign"):
            return None
        return TableConstraint(
            kind,
            None,
            clause.tokens,
            [column.name],
            referenced_table(clause.tokens),
            referenced_columns(clause.tokens),
        )

    def _convention(self, constraint: TableConstraint) -> str | None:
        if not self.naming_convention:
            return None
        return convention_name(
            constraint, self.name, self.schema, self.naming_convention, self.dialect
        )

    # -- indexes -------------------------------------------------------------------------------

    def add_index(self, index: IndexDef) -> None:
        if any(same_name(ix.name, index.name) for ix in self.indexes):
            raise BatchNoSuchObject(self.label, f"index {index.name!r} already exists")
        self.indexes.append(index)

    def drop_index(self, name: str) -> None:
        for index in self.indexes:
            if same_name(index.name, name):
                self.indexes.remove(index)
                return
        known = ", ".join(ix.name for ix in self.indexes) or "none"
        raise BatchNoSuchObject(self.label, f"no index named {name!r} (indexes: {known})")

    # -- output --------------------------------------------------------------------------------

    def qualified(self, name: str) -> str:
        preparer = self.dialect.identifier_preparer
        if self.schema:
            return f"{preparer.quote_schema(self.schema)}.{preparer.quote(name)}"
        return str(preparer.quote(name))

    def create_table_sql(self, table_name: str, self_reference: str | None = None) -> str:
        """``CREATE TABLE table_name (...)``; foreign keys to the table itself point to
        ``self_reference`` when given (the temporary name), else to the final name."""
        ordered = reorder_columns(self.columns, self.reorder, self.label)
        items = [self._column_text(column, self_reference) for column in ordered]
        for constraint in self.constraints:
            tokens = constraint.tokens
            if self_reference and constraint.kind == "foreign":
                tokens = self._retarget(tokens, self_reference)
            items.append(render(tokens).strip())
        body = ",\n    ".join(items)
        options = f" {self.options}" if self.options else ""
        return f"CREATE TABLE {self.qualified(table_name)} (\n    {body}\n){options}"

    def _column_text(self, column: ColumnDef, self_reference: str | None) -> str:
        if not self_reference or not column.has("references"):
            return column.text()
        clauses = [
            Clause(c.kind, c.name, self._retarget(c.tokens, self_reference))
            if c.kind == "references"
            else c
            for c in column.clauses
        ]
        return ColumnDef(
            column.name, column.name_tok, column.type_tokens, clauses, column.source
        ).text()

    def _retarget(self, tokens: list[Tok], table: str) -> list[Tok]:
        from sterna.ddl.recreate_parse import referenced_table

        local, remote = split_references(tokens)
        if not remote or not self._is_self(referenced_table(remote)):
            return tokens
        target = significant(remote)[1]
        return local + remote[:target] + [Tok("quoted", self.quote(table))] + remote[target + 1 :]

    def copied_columns(self) -> list[tuple[str, str]]:
        """``(new column, old column)`` pairs whose values are copied (generated columns are
        computed, not copied)."""
        return [
            (column.name, column.source)
            for column in reorder_columns(self.columns, self.reorder, self.label)
            if column.source is not None and not column.has("generated")
        ]

    def index_sql(self) -> list[str]:
        return [index.sql for index in self.indexes]

    def has_rowid(self) -> bool:
        return self.rules.tables_have_rowid and "WITHOUT ROWID" not in " ".join(
            self.options.upper().split()
        )


def _strip_end(tokens: list[Tok]) -> list[Tok]:
    while tokens and tokens[-1].kind in ("ws", "comment"):
        tokens = tokens[:-1]
    return tokens
