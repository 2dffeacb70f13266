"""Rendering schema items: columns, table constraints, index columns and object names.

Columns are written without ``primary_key``, ``unique``, ``index`` or ``ForeignKey``: in a
``create_table`` those come as the table's constraints (``sa.PrimaryKeyConstraint``...), and
indexes as their own ``create_index`` operations, as Alembic writes them.  A name that a naming
convention produced (a ``conv``) is written as ``op.f("name")`` so that the convention does not
apply twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Identity,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    UniqueConstraint,
)
from sqlalchemy.sql.elements import ClauseElement, ColumnClause, TextClause, conv
from sqlalchemy.sql.schema import Constraint

from sterna.autogenerate.render import add_note, imports_of, op_prefix, sa_prefix, user_item
from sterna.autogenerate.render_layout import (
    Atom,
    Node,
    call,
    call_items,
    list_of,
    literal,
    py_str,
)
from sterna.autogenerate.render_types import (
    parse_expression,
    render_computed,
    render_identity,
    render_server_default,
    render_text_clause,
    render_type,
    render_value,
    sql_text,
)
from sterna.operations.ops.sequences import SEQUENCE_OPTIONS


def real_name(name: Any) -> Any:
    """The name, or None for an unnamed object (SQLAlchemy marks those with a placeholder)."""
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return name


def render_name(name: Any, autogen_context: Any) -> Node:
    """A constraint/index name: ``op.f("...")`` for a convention's name, a literal otherwise."""
    name = real_name(name)
    if name is None:
        return Atom("None")
    if isinstance(name, conv):
        return call(f"{op_prefix(autogen_context)}f", Atom(py_str(str(name))))
    return Atom(py_str(str(name)))


def name_kwarg(name: Any, autogen_context: Any) -> list[tuple[str, Node]]:
    """``[("name", ...)]`` for a named object, nothing for an unnamed one."""
    if real_name(name) is None:
        return []
    return [("name", render_name(name, autogen_context))]


def dialect_kwargs(item: Any, autogen_context: Any) -> list[tuple[str, Node]]:
    """The item's dialect options (``postgresql_where``...), sorted by name."""
    options = dict(getattr(item, "dialect_kwargs", None) or {})
    return [(k, render_value(v, autogen_context)) for k, v in sorted(options.items())]


def kwargs_of(options: dict[str, Any], autogen_context: Any) -> list[tuple[str, Node]]:
    """Keyword arguments from a dict, sorted, leaving out None values."""
    return [
        (k, render_value(v, autogen_context)) for k, v in sorted(options.items()) if v is not None
    ]


# -- columns --------------------------------------------------------------------------------------


def render_column(column: Column[Any], autogen_context: Any) -> Node | None:
    """``sa.Column("name", type, [Identity/Computed], server_default=..., nullable=...)``;
    None when the ``render_item`` hook leaves the column out (it returned None)."""
    custom, left_out = user_item("column", column, autogen_context)
    if custom is not None:
        return parse_expression(custom)
    return None if left_out else default_column(column, autogen_context)


def default_column(column: Column[Any], autogen_context: Any) -> Node:
    """The column as Sterna writes it, without asking the ``render_item`` hook."""
    args: list[Node] = [Atom(py_str(column.name)), render_type(column.type, autogen_context)]
    if isinstance(column.default, Sequence):
        args.append(render_sequence(column.default, autogen_context))
    generated = column.server_default
    if isinstance(generated, Identity):
        args.append(render_identity(generated, autogen_context))
    elif isinstance(generated, Computed):
        args.append(render_computed(generated, autogen_context))
    kwargs: list[tuple[str, Node]] = []
    default = None
    if column.server_default is not None:  # the render_item hook sees only real defaults
        default = render_server_default(column.server_default, autogen_context)
    if default is not None:
        kwargs.append(("server_default", default))
    if column.autoincrement != "auto":
        kwargs.append(("autoincrement", literal(column.autoincrement)))
    kwargs.append(("nullable", literal(bool(column.nullable))))
    if column.comment is not None:  # an empty comment is one too (COMMENT '' / IS '')
        kwargs.append(("comment", literal(column.comment)))
    if column.system:  # a system column (PostgreSQL's xmin): CREATE TABLE leaves it out
        kwargs.append(("system", literal(True)))
    kwargs.extend(dialect_kwargs(column, autogen_context))
    return call_items(f"{sa_prefix(autogen_context)}Column", args, kwargs)


def render_sequence(sequence: Sequence, autogen_context: Any) -> Node:
    """``sa.Sequence("name", <options>, schema=..., optional=...)`` given to a column: the
    column's DDL depends on it as in ``create_all`` (PostgreSQL: a plain integer rather than
    SERIAL; MariaDB: no AUTO_INCREMENT); ``op.create_table`` does not create the sequence,
    which has its own ``op.create_sequence``."""
    kwargs: list[tuple[str, Node]] = [
        (key, render_value(getattr(sequence, key), autogen_context))
        for key in SEQUENCE_OPTIONS
        if getattr(sequence, key, None) not in (None, False)
    ]
    if sequence.schema is not None:
        kwargs.append(("schema", literal(str(sequence.schema))))
    if sequence.optional:
        kwargs.append(("optional", literal(True)))
    return call_items(
        f"{sa_prefix(autogen_context)}Sequence", [Atom(py_str(str(sequence.name)))], kwargs
    )


# -- table constraints ----------------------------------------------------------------------------


def render_constraint(constraint: Constraint, autogen_context: Any) -> Node | None:
    """A table-level constraint for ``create_table``; None for one that is not written (an
    empty primary key, the CHECK a Boolean or Enum type creates by itself)."""
    if isinstance(constraint, PrimaryKeyConstraint):
        return _primary_key(constraint, autogen_context)
    if isinstance(constraint, ForeignKeyConstraint):
        return _foreign_key(constraint, autogen_context)
    if isinstance(constraint, UniqueConstraint):
        return _unique(constraint, autogen_context)
    if isinstance(constraint, CheckConstraint):
        return _check(constraint, autogen_context)
    if type(constraint).__name__ == "ExcludeConstraint":
        return _exclude(constraint, autogen_context)
    table = getattr(constraint, "table", None)
    add_note(
        autogen_context,
        f"WARNING: Sterna cannot write {type(constraint).__name__} of table "
        f"{getattr(table, 'name', '?')}: it is left out of create_table; add it by hand "
        "(or render it with a render_item hook)",
    )
    return None


def _defer_kwargs(constraint: Constraint) -> list[tuple[str, Node]]:
    kwargs: list[tuple[str, Node]] = []
    if constraint.deferrable is not None:
        kwargs.append(("deferrable", literal(constraint.deferrable)))
    if constraint.initially is not None:
        kwargs.append(("initially", literal(constraint.initially)))
    return kwargs


def _column_names(constraint: Any) -> list[Node]:
    return [Atom(py_str(c.name)) for c in constraint.columns]


def _primary_key(constraint: PrimaryKeyConstraint, autogen_context: Any) -> Node | None:
    if not constraint.columns:
        return None
    custom, left_out = user_item("primary_key", constraint, autogen_context)
    if custom is not None or left_out:
        return None if custom is None else parse_expression(custom)
    kwargs = name_kwarg(constraint.name, autogen_context)
    kwargs += _defer_kwargs(constraint) + dialect_kwargs(constraint, autogen_context)
    return call_items(
        f"{sa_prefix(autogen_context)}PrimaryKeyConstraint", _column_names(constraint), kwargs
    )


def _target(element: Any, autogen_context: Any) -> str:
    """``schema.table.column`` a foreign key refers to, with the column's name: a key given as
    ``"a.aid"`` for ``Column("id", key="aid")`` is written ``"a.id"`` (the script's tables know
    names, not keys).  The table is looked up in the metadata of the key's own table, of the
    operation being rendered and of the models; the text as given when none has it."""
    text = str(element.target_fullname)
    table_key, _, column_key = text.rpartition(".")
    for metadata in _metadatas(element, autogen_context):
        table = metadata.tables.get(table_key)
        if table is None:
            continue
        column = table.c.get(column_key)
        return f"{table_key}.{column.name}" if column is not None else text
    return text


def _metadatas(element: Any, autogen_context: Any) -> list[Any]:
    found = [
        getattr(getattr(element.parent, "table", None), "metadata", None),
        getattr(autogen_context, "_sterna_namespace", None),
    ]
    models = getattr(autogen_context, "metadata", None)
    found.extend(models if isinstance(models, (list, tuple)) else [models])
    return [metadata for metadata in found if isinstance(metadata, MetaData)]


def _foreign_key(constraint: ForeignKeyConstraint, autogen_context: Any) -> Node | None:
    custom, left_out = user_item("foreign_key", constraint, autogen_context)
    if custom is not None or left_out:
        return None if custom is None else parse_expression(custom)
    local = [Atom(py_str(element.parent.name)) for element in constraint.elements]
    remote = [Atom(py_str(_target(element, autogen_context))) for element in constraint.elements]
    kwargs = name_kwarg(constraint.name, autogen_context)
    for key in ("onupdate", "ondelete"):
        value = getattr(constraint, key)
        if value is not None:
            kwargs.append((key, literal(value)))
    kwargs += _defer_kwargs(constraint)
    if constraint.match is not None:
        kwargs.append(("match", literal(constraint.match)))
    if constraint.use_alter:
        kwargs.append(("use_alter", literal(True)))
    kwargs += dialect_kwargs(constraint, autogen_context)
    return call_items(
        f"{sa_prefix(autogen_context)}ForeignKeyConstraint",
        [list_of(local), list_of(remote)],
        kwargs,
    )


def _unique(constraint: UniqueConstraint, autogen_context: Any) -> Node | None:
    custom, left_out = user_item("unique", constraint, autogen_context)
    if custom is not None or left_out:
        return None if custom is None else parse_expression(custom)
    kwargs = name_kwarg(constraint.name, autogen_context)
    kwargs += _defer_kwargs(constraint) + dialect_kwargs(constraint, autogen_context)
    return call_items(
        f"{sa_prefix(autogen_context)}UniqueConstraint", _column_names(constraint), kwargs
    )


def _check(constraint: CheckConstraint, autogen_context: Any) -> Node | None:
    if getattr(constraint, "_type_bound", False):
        return None
    custom, left_out = user_item("check", constraint, autogen_context)
    if custom is not None or left_out:
        return None if custom is None else parse_expression(custom)
    kwargs = name_kwarg(constraint.name, autogen_context)
    kwargs += _defer_kwargs(constraint) + dialect_kwargs(constraint, autogen_context)
    condition = Atom(py_str(sql_text(constraint.sqltext, autogen_context)))
    return call_items(f"{sa_prefix(autogen_context)}CheckConstraint", [condition], kwargs)


def _exclude(constraint: Any, autogen_context: Any) -> Node:
    imports_of(autogen_context).add("from sqlalchemy.dialects import postgresql")
    elements: list[Node] = []
    for expr, _name, operator in constraint._render_exprs:
        target = exclude_element(expr, autogen_context)
        elements.append(call("", target, Atom(py_str(operator))))
    kwargs: list[tuple[str, Node]] = []  # Alembic's order: where, using, name
    if constraint.where is not None:
        kwargs.append(("where", render_text_clause(constraint.where, autogen_context)))
    if constraint.using:
        kwargs.append(("using", literal(str(constraint.using))))
    kwargs += name_kwarg(constraint.name, autogen_context) + _defer_kwargs(constraint)
    if constraint.ops:  # operator classes per element (``{"x": "text_ops"}``)
        kwargs.append(("ops", render_value(dict(constraint.ops), autogen_context)))
    return call_items("postgresql.ExcludeConstraint", elements, kwargs)


def exclude_element(expr: Any, autogen_context: Any) -> Node:
    """An EXCLUDE element: ``sa.column("name")`` for a column (or a column's name),
    ``sa.literal_column(...)`` for a literal column (SQL text, not a name to quote),
    ``sa.text(...)`` otherwise."""
    if isinstance(expr, str):
        return call(f"{sa_prefix(autogen_context)}column", Atom(py_str(expr)))
    if isinstance(expr, ColumnClause) and not isinstance(expr, TextClause):
        kind = "literal_column" if expr.is_literal else "column"
        return call(f"{sa_prefix(autogen_context)}{kind}", Atom(py_str(expr.name)))
    return render_text_clause(expr, autogen_context)


# -- index columns --------------------------------------------------------------------------------


def index_column(expr: Any, autogen_context: Any) -> Node:
    """A column of an index: its name, or ``sa.text(...)`` for an expression."""
    if isinstance(expr, str):
        return Atom(py_str(expr))
    if (
        isinstance(expr, ColumnClause)
        and not isinstance(expr, TextClause)
        and not getattr(expr, "is_literal", False)
    ):
        return Atom(py_str(expr.name))
    if isinstance(expr, ClauseElement):
        return render_text_clause(expr, autogen_context, is_index=True)
    return literal(expr)
