"""Names for unnamed CHECKs added to an existing table, as the database would give them.

``create_check_constraint(None, ...)`` works, but its reverse ``drop_constraint(None, ...)``
cannot: the downgrade would fail.  The operation gets the name the database would choose (the
dialect profile's ``check_name``, :mod:`sterna.dialects`):

* PostgreSQL: ``<table>_<column>_check`` when the expression uses one column (whatever number
  of times), else ``<table>_check``; ``..._check1``, ``..._check2``... when the name is taken by
  any constraint of the schema; ``<table>`` and ``<column>`` shortened (the longer first) so
  that the name fits in 63 bytes (PostgreSQL's ``ChooseConstraintName``, checked on the server);
* MariaDB: ``CONSTRAINT_<n>``, the lowest ``n`` free in the table (measured on 10.11: after
  ``CONSTRAINT_2`` the next ones are ``CONSTRAINT_1``, then ``CONSTRAINT_3``);
* MySQL: ``<table>_chk_<n>``, after the highest ``n`` of the table;
* elsewhere (SQLite, whose CHECKs have no name of their own): ``ck_<table>_<n>``, after the
  highest ``n`` of the table, so that batch mode's downgrade can find it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sterna.dialects import profile_for
from sterna.dialects.sql_compile import compile_expression
from sterna.dialects.sql_lexer import QUOTED, WORD, dialect_tokenize
from sterna.operations.ops import AddColumnOp, CreateCheckConstraintOp, ModifyTableOps

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import TableInfo


def name_new_checks(
    ctx: AutogenContext, modify_ops: ModifyTableOps, conn: TableInfo, taken: set[str]
) -> None:
    """Give the unnamed ``create_check_constraint`` operations of ``modify_ops`` the name the
    database would give them (``taken``: the table's names that remain)."""
    assert ctx.dialect is not None
    dialect = ctx.dialect
    checks = [
        op
        for op in modify_ops.ops
        if isinstance(op, CreateCheckConstraintOp) and op.constraint_name is None
    ]
    if not checks:
        return
    profile = profile_for(dialect)
    if profile.check_names_are_per_schema:
        taken = taken | _schema_constraint_names(ctx, conn)
    for op in checks:
        column = None
        if profile.check_name_uses_column:
            column = _only_column(ctx, op, _column_names(conn, modify_ops))
        name = profile.check_name(conn.name, column, taken)
        op.constraint_name = name
        taken.add(name)


def _schema_constraint_names(ctx: AutogenContext, conn: TableInfo) -> set[str]:
    """The names of every constraint of the table's schema (PostgreSQL's names of constraints
    are chosen free in the whole schema)."""
    names: set[str] = set()
    snapshot = ctx.snapshot
    tables = snapshot.tables.values() if snapshot is not None else [conn]
    for table in tables:
        if table.schema != conn.schema:
            continue
        names |= {f.name for f in table.foreign_keys if f.name}
        names |= {c.name for c in table.checks if c.name}
        names |= {u.name for u in table.uniques if u.name and not u.from_index}
        if table.primary_key is not None and table.primary_key.name:
            names.add(table.primary_key.name)
    return names


def _column_names(conn: TableInfo, modify_ops: ModifyTableOps) -> set[str]:
    names = {c.name for c in conn.columns}
    names |= {str(op.column.name) for op in modify_ops.ops if isinstance(op, AddColumnOp)}
    return names


def _only_column(ctx: AutogenContext, op: CreateCheckConstraintOp, columns: set[str]) -> str | None:
    """The one column the CHECK's expression uses, None when it uses none or several
    (unquoted words are folded to lower case, as PostgreSQL reads them)."""
    assert ctx.dialect is not None
    try:
        tokens = dialect_tokenize(compile_expression(op.condition, ctx.dialect), "postgresql")
    except Exception:  # an expression the tokenizer cannot read: PostgreSQL's table-level name
        return None
    used = {
        name
        for token in tokens
        if token.kind in (WORD, QUOTED)
        if (name := token.value if token.kind == QUOTED else token.value.lower()) in columns
    }
    return used.pop() if len(used) == 1 else None
