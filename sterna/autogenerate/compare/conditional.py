"""Model indexes and constraints that ``ddl_if()`` leaves out on the database's dialect.

``create_all`` creates an ``Index``/``Constraint`` with ``.ddl_if(dialect=..., callable_=...)``
only where its rule allows it; autogenerate follows it: an object the rule excludes on the
database's dialect is left out of the comparison there (neither created, nor dropped, nor
compared).  A rule's ``dialect`` (a name or a collection of names) is decided exactly.  Its
``callable_`` gets what SQLAlchemy gives it when ``create_all`` runs: for an index the
``CreateIndex`` element, the index and the connection; for a constraint (which SQLAlchemy
decides while compiling ``CREATE TABLE``) the ``CreateConstraint`` element, the constraint and
no connection.  Neither gets a DDL compiler (``compiler=None``): a callable that needs one
raises, and then the object is kept as if the rule allowed it, with a warning.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import Index, Table
from sqlalchemy.schema import Constraint, CreateIndex
from sqlalchemy.sql.ddl import CreateConstraint

from sterna.dialects import named_by
from sterna.operations.ops import CreateTableOp
from sterna.operations.ops.tables import explicit_constraints

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext


def included(ctx: AutogenContext, item: Index | Constraint) -> bool:
    """Whether ``create_all`` would create ``item`` on the database being compared."""
    rule = getattr(item, "_ddl_if", None)
    dialect = ctx.dialect
    if rule is None or dialect is None:
        return True
    if not named_by(dialect, rule.dialect):
        return False
    if rule.callable_ is None:
        return True
    return _callable_allows(ctx, item, rule)


def _callable_allows(ctx: AutogenContext, item: Index | Constraint, rule: Any) -> bool:
    ddl: Any
    if isinstance(item, Index):
        ddl, bind = CreateIndex(item), ctx.connection
    else:
        ddl, bind = CreateConstraint(item), None
    try:
        return bool(
            rule.callable_(ddl, item, bind, state=rule.state, dialect=ctx.dialect, compiler=None)
        )
    except Exception as exc:  # a rule that needs what only create_all has (a DDL compiler)
        warnings.warn(
            f"The ddl_if() rule of {_describe(item)} could not be evaluated without a DDL "
            f"compiler ({type(exc).__name__}: {exc}); it is compared as if the rule allowed it",
            stacklevel=2,
        )
        return True


def _describe(item: Index | Constraint) -> str:
    kind = "index" if isinstance(item, Index) else type(item).__name__
    try:
        table = item.table
    except Exception:  # an unattached constraint raises InvalidRequestError
        table = None
    where = f" on table {table.name!r}" if isinstance(table, Table) else ""
    return f"{kind} {str(item.name)!r}{where}"


def drop_excluded_constraints(ctx: AutogenContext, table: Table, op: CreateTableOp) -> None:
    """Remove from a new table's ``create_table`` the table constraints its models leave out
    on this dialect.  The operation holds detached copies (without ``ddl_if``) of the columns,
    then of :func:`explicit_constraints`, in that order.  Constraints declared inside a
    ``Column`` stay: ``CREATE TABLE`` writes them with their column, whatever their rule."""
    constraints = explicit_constraints(table)
    first = len(op.columns) - len(constraints)
    copies = op.columns[first:]
    kept = [
        copy for original, copy in zip(constraints, copies, strict=True) if included(ctx, original)
    ]
    if len(kept) != len(copies):
        op.columns = [*op.columns[:first], *kept]
