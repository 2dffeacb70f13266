"""Realistic model changes for check 5, chosen generically from a model set's own metadata.

:func:`plan` picks, deterministically (tables in sorted key order, columns in table order), one
target per kind of change; :func:`apply` performs the plan on the metadata in memory (env.py
does it when ``STERNA_CORPUS_MUTATE=1``).  Each :class:`Mutation` names the operation that
autogenerate must write for it (:class:`ExpectedOp`, matched against the script by
:func:`missing_ops`).  A kind with no suitable target in a set is left out of the plan.

Changes that alter a table's set of columns (add, drop, add a referencing column, rename) go to
different tables, so that an accepted-renames run cannot pair one table's drop with another
change's add.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import conv
from sqlalchemy.sql.schema import ColumnCollectionConstraint

ADDED_COLUMN = "corpus_added"
REF_COLUMN = "corpus_ref_id"
FK_NAME = "fk_corpus_ref"
ADDED_INDEX = "ix_corpus_added"
ADDED_TABLE = "corpus_added_table"
ADDED_TABLE_INDEX = "ix_corpus_added_table_label"
RENAMED_COLUMN = "corpus_renamed"
ENUM_VALUE = "corpus_new"
PLAIN_TYPES = (sa.String, sa.Integer, sa.Numeric, sa.DateTime, sa.Date)


@dataclass(frozen=True)
class ExpectedOp:
    """An operation the upgrade must contain: ``op``'s name, the string literals it names (table,
    column, constraint; a batch block's table counts) and a keyword it must pass."""

    op: str
    names: tuple[str, ...]
    keyword: str | None = None

    def describe(self) -> str:
        kw = f" {self.keyword}=" if self.keyword else ""
        return f"{self.op}({', '.join(self.names)}{kw})"


@dataclass(frozen=True)
class Mutation:
    kind: str
    table: str  # the table's key in its MetaData
    column: str | None = None
    detail: str = ""
    expected: tuple[ExpectedOp, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> Mutation:
        expected = tuple(
            ExpectedOp(e["op"], tuple(e["names"]), e["keyword"]) for e in data["expected"]
        )
        return Mutation(data["kind"], data["table"], data["column"], data["detail"], expected)


# -- choosing ------------------------------------------------------------------------------------


def _tables(metadatas: Sequence[sa.MetaData]) -> list[sa.Table]:
    found = {key: t for md in metadatas for key, t in md.tables.items()}
    return [found[key] for key in sorted(found)]


def _constrained(table: sa.Table) -> set[str]:
    """Names of columns that any index or constraint of the table mentions."""
    names: set[str] = set()
    for index in table.indexes:
        for expr in index.expressions:
            names.update(c.name for c in _columns_in(expr))
    for constraint in table.constraints:
        if isinstance(constraint, sa.CheckConstraint):
            text = str(constraint.sqltext)
            names.update(c.name for c in table.columns if c.name in text)
        elif isinstance(constraint, ColumnCollectionConstraint):
            names.update(c.name for c in constraint.columns)
    return names


def _columns_in(expr: Any) -> list[sa.Column[Any]]:
    if isinstance(expr, sa.Column):
        return [expr]
    from sqlalchemy.sql import visitors

    return [e for e in visitors.iterate(expr) if isinstance(e, sa.Column)]


def _plain_columns(table: sa.Table) -> list[sa.Column[Any]]:
    """Columns a change can touch alone: simple types, in no key, index or constraint."""
    taken = _constrained(table)
    return [
        c
        for c in table.columns
        if not c.primary_key
        and not c.foreign_keys
        and c.name not in taken
        and c.computed is None
        and c.identity is None
        and type(c.type).__name__ not in ("Boolean", "Enum")
        and isinstance(c.type, PLAIN_TYPES)
        and not isinstance(c.type, sa.Boolean)
    ]


def _is_varchar(column: sa.Column[Any]) -> bool:
    return (
        isinstance(column.type, sa.String)
        and not isinstance(column.type, sa.Text)
        and type(column.type).__name__ not in ("Enum",)
        and isinstance(column.type.length, int)
        and column.type.length <= 255
    )


def _referenced(tables: Iterable[sa.Table]) -> set[str]:
    """Keys of the tables another table's foreign key points at."""
    keys: set[str] = set()
    for table in tables:
        for fk in table.foreign_keys:
            if fk.column.table is not table:
                keys.add(str(fk.column.table.key))
    return keys


class _Planner:
    def __init__(self, metadatas: Sequence[sa.MetaData], backend: str, tool: str) -> None:
        self.tables = _tables(metadatas)
        self.backend = backend
        self.tool = tool
        self.column_set_tables: set[str] = set()  # tables whose columns come and go
        self.used: set[str] = set()
        self.dropped: str | None = None
        self.result: list[Mutation] = []

    def candidates(self, column_set: bool = False) -> list[sa.Table]:
        """Tables in order: unused ones first, then the others (never the dropped one)."""
        live = [t for t in self.tables if t.key != self.dropped]
        if column_set:
            live = [t for t in live if t.key not in self.column_set_tables]
        return [t for t in live if t.key not in self.used] + [t for t in live if t.key in self.used]

    def first_column(
        self, test: Callable[[sa.Column[Any]], bool], column_set: bool = False
    ) -> tuple[sa.Table, sa.Column[Any]] | None:
        for table in self.candidates(column_set):
            for column in _plain_columns(table):
                if test(column) and (table.key, column.name) not in self.touched():
                    return table, column
        return None

    def touched(self) -> set[tuple[str, str | None]]:
        return {(m.table, m.column) for m in self.result}

    def add(self, mutation: Mutation, column_set: bool = False) -> None:
        self.result.append(mutation)
        self.used.add(mutation.table)
        if column_set:
            self.column_set_tables.add(mutation.table)


def plan(metadatas: Sequence[sa.MetaData], backend: str, tool: str) -> list[Mutation]:
    """The changes for this set on this backend, in a fixed order."""
    p = _Planner(metadatas, backend, tool)
    for step in (
        _drop_table,
        _add_table,
        _add_column,
        _drop_column,
        _rename_column,
        _add_fk,
        _drop_fk,
        _alter_type,
        _nullability,
        _server_default,
        _add_index,
        _drop_index,
        _enum_value,
    ):
        step(p)
    return p.result


def _drop_table(p: _Planner) -> None:
    referenced = _referenced(p.tables)
    for table in reversed(p.tables):
        if table.key not in referenced:
            p.dropped = table.key
            p.add(
                Mutation(
                    "drop_table", table.key, expected=(ExpectedOp("drop_table", (table.name,)),)
                )
            )
            return


def _add_table(p: _Planner) -> None:
    p.result.append(
        Mutation(
            "add_table",
            ADDED_TABLE,
            expected=(
                ExpectedOp("create_table", (ADDED_TABLE,)),
                ExpectedOp("create_index", (ADDED_TABLE_INDEX,)),
            ),
        )
    )


def _add_column(p: _Planner) -> None:
    tables = p.candidates(column_set=True)
    if tables:
        table = tables[0]
        p.add(
            Mutation(
                "add_column",
                table.key,
                ADDED_COLUMN,
                expected=(ExpectedOp("add_column", (table.name, ADDED_COLUMN)),),
            ),
            column_set=True,
        )


def _drop_column(p: _Planner) -> None:
    found = p.first_column(lambda c: bool(c.nullable), column_set=True)
    if found:
        table, column = found
        p.add(
            Mutation(
                "drop_column",
                table.key,
                column.name,
                expected=(ExpectedOp("drop_column", (table.name, column.name)),),
            ),
            column_set=True,
        )


def _rename_column(p: _Planner) -> None:
    if p.tool != "sterna":
        return  # Alembic has no rename detection
    found = p.first_column(lambda c: bool(c.nullable), column_set=True)
    if found:
        table, column = found
        p.add(
            Mutation(
                "rename_column",
                table.key,
                column.name,
                RENAMED_COLUMN,
                expected=(
                    ExpectedOp(
                        "alter_column", (table.name, column.name, RENAMED_COLUMN), "new_column_name"
                    ),
                ),
            ),
            column_set=True,
        )


def _single_int_pk(table: sa.Table) -> sa.Column[Any] | None:
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and isinstance(pk[0].type, sa.Integer):
        return pk[0]
    return None


def _add_fk(p: _Planner) -> None:
    targets = [t for t in p.candidates() if _single_int_pk(t) is not None]
    sources = p.candidates(column_set=True)
    if targets and sources:
        target, source = targets[0], sources[0]
        pk = _single_int_pk(target)
        assert pk is not None
        p.add(
            Mutation(
                "add_fk",
                source.key,
                REF_COLUMN,
                f"{target.key}.{pk.name}",
                expected=(
                    ExpectedOp("add_column", (source.name, REF_COLUMN)),
                    ExpectedOp("create_foreign_key", (FK_NAME, source.name, target.name)),
                ),
            ),
            column_set=True,
        )


def _drop_fk(p: _Planner) -> None:
    for table in p.candidates():
        for fkc in sorted(table.foreign_key_constraints, key=lambda c: str(c.name)):
            if fkc.name is not None and fkc.referred_table.key != p.dropped:
                p.add(
                    Mutation(
                        "drop_fk",
                        table.key,
                        None,
                        str(fkc.name),
                        expected=(ExpectedOp("drop_constraint", (str(fkc.name),)),),
                    )
                )
                return


def _alter_type(p: _Planner) -> None:
    found = p.first_column(_is_varchar)
    if found:
        table, column = found
        length = int(column.type.length) + 10  # type: ignore[attr-defined]
        p.add(
            Mutation(
                "alter_type",
                table.key,
                column.name,
                str(length),
                expected=(ExpectedOp("alter_column", (table.name, column.name), "type_"),),
            )
        )


def _nullability(p: _Planner) -> None:
    found = p.first_column(lambda c: not c.nullable and c.server_default is None)
    if found:
        table, column = found
        p.add(
            Mutation(
                "nullability",
                table.key,
                column.name,
                expected=(ExpectedOp("alter_column", (table.name, column.name), "nullable"),),
            )
        )


def _server_default(p: _Planner) -> None:
    found = p.first_column(lambda c: _is_varchar(c) and c.server_default is None)
    if found:
        table, column = found
        p.add(
            Mutation(
                "server_default",
                table.key,
                column.name,
                "corpus",
                expected=(ExpectedOp("alter_column", (table.name, column.name), "server_default"),),
            )
        )


def _add_index(p: _Planner) -> None:
    found = p.first_column(lambda c: _is_varchar(c) or isinstance(c.type, sa.Integer))
    if found:
        table, column = found
        p.add(
            Mutation(
                "add_index",
                table.key,
                column.name,
                ADDED_INDEX,
                expected=(ExpectedOp("create_index", (ADDED_INDEX,)),),
            )
        )


def _drop_index(p: _Planner) -> None:
    for table in p.candidates():
        fk_columns = {fk.parent.name for fk in table.foreign_keys}
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            columns = {c.name for e in index.expressions for c in _columns_in(e)}
            if index.name and not index.unique and not columns & fk_columns:
                p.add(
                    Mutation(
                        "drop_index",
                        table.key,
                        None,
                        str(index.name),
                        expected=(ExpectedOp("drop_index", (str(index.name),)),),
                    )
                )
                return


def _enum_value(p: _Planner) -> None:
    if p.backend != "postgresql":
        return
    for table in p.candidates():
        for column in table.columns:
            typ = column.type
            if isinstance(typ, sa.Enum) and typ.native_enum and typ.name:
                p.add(
                    Mutation(
                        "enum_value",
                        table.key,
                        column.name,
                        typ.name,
                        expected=(ExpectedOp("add_enum_value", (typ.name, ENUM_VALUE)),),
                    )
                )
                return


# -- applying ------------------------------------------------------------------------------------


def apply(metadatas: Sequence[sa.MetaData], mutations: Sequence[Mutation]) -> None:
    """Change the models in memory as the plan says."""
    tables = {t.key: t for t in _tables(metadatas)}
    for m in mutations:
        APPLY[m.kind](metadatas, tables, m)


def _apply_drop_table(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    table = tables[m.table]
    assert table.metadata is not None
    table.metadata.remove(table)


def _apply_add_table(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    table = sa.Table(
        ADDED_TABLE,
        mds[0],
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(50), nullable=False),
    )
    sa.Index(conv(ADDED_TABLE_INDEX), table.c.label)


def _apply_add_column(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    tables[m.table].append_column(sa.Column(ADDED_COLUMN, sa.String(40), nullable=True))


def _apply_drop_column(
    mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation
) -> None:
    table = tables[m.table]
    table._columns.remove(table.c[str(m.column)])


def _apply_rename(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    table = tables[m.table]
    old = table.c[str(m.column)]
    new = old._copy()
    new.name = new.key = m.detail
    table._columns.remove(old)
    table.append_column(new)


def _apply_add_fk(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    target_key, pk_name = m.detail.rsplit(".", 1)
    pk = tables[target_key].c[pk_name]
    table = tables[m.table]
    table.append_column(sa.Column(REF_COLUMN, copy.copy(pk.type), nullable=True))
    table.append_constraint(sa.ForeignKeyConstraint([REF_COLUMN], [pk], name=conv(FK_NAME)))


def _apply_drop_fk(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    table = tables[m.table]
    (fkc,) = [c for c in table.foreign_key_constraints if str(c.name) == m.detail]
    table.constraints.discard(fkc)
    for fk in fkc.elements:
        table.foreign_keys.discard(fk)
        fk.parent.foreign_keys.discard(fk)


def _apply_alter_type(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    column = tables[m.table].c[str(m.column)]
    new_type = copy.copy(column.type)
    new_type.length = int(m.detail)  # type: ignore[attr-defined]
    column.type = new_type


def _apply_nullability(
    mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation
) -> None:
    tables[m.table].c[str(m.column)].nullable = True


def _apply_server_default(
    mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation
) -> None:
    column = tables[m.table].c[str(m.column)]
    sa.DefaultClause(m.detail)._set_parent_with_dispatch(column)


def _apply_add_index(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    sa.Index(conv(m.detail), tables[m.table].c[str(m.column)])


def _apply_drop_index(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    table = tables[m.table]
    (index,) = [i for i in table.indexes if str(i.name) == m.detail]
    table.indexes.discard(index)


def _apply_enum_value(mds: Sequence[sa.MetaData], tables: dict[str, sa.Table], m: Mutation) -> None:
    for table in tables.values():
        for column in table.columns:
            typ = column.type
            if isinstance(typ, sa.Enum) and typ.name == m.detail:
                column.type = sa.Enum(
                    *typ.enums,
                    ENUM_VALUE,
                    name=typ.name,
                    schema=typ.schema,
                    metadata=typ.metadata,
                    create_constraint=typ.create_constraint,
                )


APPLY: dict[str, Callable[[Sequence[sa.MetaData], dict[str, sa.Table], Mutation], None]] = {
    "drop_table": _apply_drop_table,
    "add_table": _apply_add_table,
    "add_column": _apply_add_column,
    "drop_column": _apply_drop_column,
    "rename_column": _apply_rename,
    "add_fk": _apply_add_fk,
    "drop_fk": _apply_drop_fk,
    "alter_type": _apply_alter_type,
    "nullability": _apply_nullability,
    "server_default": _apply_server_default,
    "add_index": _apply_add_index,
    "drop_index": _apply_drop_index,
    "enum_value": _apply_enum_value,
}


# -- checking the script -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    op: str
    names: frozenset[str]
    keywords: frozenset[str]


def _strings(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def script_calls(source: str, function: str = "upgrade") -> list[_Call]:
    """Every ``op.X(...)`` / ``batch_op.X(...)`` call of the script's ``upgrade()``, with the
    strings it names (a batch block's table included) and its keywords."""
    tree = ast.parse(source)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    calls: list[_Call] = []
    for func in funcs:
        _collect(func.body, frozenset(), calls)
    return calls


def _collect(body: list[ast.stmt], context: frozenset[str], calls: list[_Call]) -> None:
    for stmt in body:
        if isinstance(stmt, ast.With):
            inner = set(context)
            for item in stmt.items:
                inner |= _strings(item.context_expr)
            _collect(stmt.body, frozenset(inner), calls)
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                calls.append(
                    _Call(
                        node.func.attr,
                        frozenset(_strings(node) | context),
                        frozenset(k.arg for k in node.keywords if k.arg),
                    )
                )


def missing_ops(source: str, mutations: Sequence[Mutation]) -> list[str]:
    """The expected operations the script's upgrade does not contain."""
    calls = script_calls(source)
    missing: list[str] = []
    for m in mutations:
        for e in m.expected:
            if not any(
                c.op == e.op
                and set(e.names) <= c.names
                and (e.keyword is None or e.keyword in c.keywords)
                for c in calls
            ):
                missing.append(f"{m.kind}: {e.describe()}")
    return missing
