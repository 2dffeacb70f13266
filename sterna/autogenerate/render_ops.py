"""The built-in renderers: one function per operation class, registered in ``renderers``.

Each returns the statement(s) performing its operation, as Alembic writes them: ``op.<directive>``
calls with the table name first and ``schema=`` last, or, inside a ``batch_alter_table`` block
(``render_as_batch``), ``batch_op.<directive>`` calls without the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Computed, Identity, MetaData, Table
from sqlalchemy.sql.elements import ClauseElement, TextClause, quoted_name

from sterna.autogenerate.render import (
    Blank,
    Block,
    Comment,
    Statement,
    add_note,
    batch_mode,
    in_batch,
    op_prefix,
    option,
    render_statements,
    renderers,
    sa_prefix,
)
from sterna.autogenerate.render_layout import (
    Atom,
    Node,
    call,
    call_items,
    flat,
    list_of,
    literal,
    py_str,
)
from sterna.autogenerate.render_schema import (
    default_column,
    exclude_element,
    index_column,
    kwargs_of,
    render_column,
    render_constraint,
    render_name,
)
from sterna.autogenerate.render_summary import Change as SummaryChange
from sterna.autogenerate.render_summary import summaries
from sterna.autogenerate.render_types import (
    render_computed,
    render_identity,
    render_server_default,
    render_text_clause,
    render_type,
    render_value,
    sql_text,
    statement_sql,
)
from sterna.operations import ops
from sterna.operations.ops.base import MigrateOperation
from sterna.operations.ops.sequences import SEQUENCE_OPTIONS

Kwargs = list[tuple[str, Node]]


class CommentOp(MigrateOperation):
    """Comment lines in a generated script (for example the warning written next to a drop
    that looks like a rename).  Rendered only: it performs nothing and reverses to itself."""

    table_phase = 10
    top_phase = 1
    contract_omits = frozenset({"implementation", "batch_change"})

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = tuple(lines)

    def reverse(self) -> CommentOp:
        return self

    def to_diff_tuple(self) -> tuple[str, tuple[str, ...]]:
        return ("comment", self.lines)

    def __repr__(self) -> str:
        return f"CommentOp({list(self.lines)!r})"


@summaries.dispatch_for(CommentOp)
def _comment_summary(op: CommentOp) -> list[SummaryChange]:
    """Comments are no change: the console lists nothing for them."""
    return []


# -- helpers --------------------------------------------------------------------------------------


def _directive(autogen_context: Any, name: str, args: Sequence[Node], kwargs: Kwargs) -> Node:
    return call_items(f"{op_prefix(autogen_context)}{name}", args, kwargs)


def _table(autogen_context: Any, table_name: str | None) -> list[Node]:
    """The table-name argument, left out inside a batch block."""
    if in_batch(autogen_context) or table_name is None:
        return []
    return [Atom(py_str(table_name))]


def _schema(autogen_context: Any, schema: str | None) -> Kwargs:
    """``schema=...``: a string, or the ``repr()`` of a string subclass that defines its own
    (a project's way of writing the schema as an expression: ``schema=settings.schema``)."""
    if in_batch(autogen_context) or schema is None:
        return []
    if type(schema).__repr__ not in (str.__repr__, quoted_name.__repr__):
        return [("schema", Atom(repr(schema)))]
    return [("schema", literal(schema))]


def _flag(name: str, value: Any) -> Kwargs:
    return [] if value is None else [(name, literal(value))]


def _names(names: Sequence[str]) -> Node:
    return list_of(Atom(py_str(str(n))) for n in names)


# -- containers -----------------------------------------------------------------------------------


@renderers.dispatch_for(ops.ModifyTableOps)
def _modify_table(autogen_context: Any, op: ops.ModifyTableOps) -> list[Statement]:
    if not op.ops:
        return []
    if not option(autogen_context, "render_as_batch") or in_batch(autogen_context):
        return [s for child in op.ops for s in render_statements(autogen_context, child)]
    kwargs = [("schema", literal(op.schema))] if op.schema is not None else []
    header = _directive(autogen_context, "batch_alter_table", [Atom(py_str(op.table_name))], kwargs)
    with batch_mode(autogen_context):
        body = [s for child in op.ops for s in render_statements(autogen_context, child)]
    return [Block(f"with {flat(header)} as batch_op:", tuple(body)), Blank()]


@renderers.dispatch_for(ops.UpgradeOps)
@renderers.dispatch_for(ops.DowngradeOps)
def _container(autogen_context: Any, op: ops.OpContainer) -> list[Statement]:
    return [s for child in op.ops for s in render_statements(autogen_context, child)]


@renderers.dispatch_for(CommentOp)
def _comment(autogen_context: Any, op: CommentOp) -> Statement:
    return Comment(op.lines)


# -- tables ---------------------------------------------------------------------------------------


def table_of(op: ops.CreateTableOp, autogen_context: Any) -> Table:
    """A ``Table`` with the operation's columns and constraints, in a MetaData carrying the
    naming convention of the models (so that convention names show as ``op.f()``)."""
    from sterna.operations.schemaobj import detach, is_attached

    convention = _naming_convention(op, autogen_context)
    metadata = MetaData(naming_convention=convention) if convention else MetaData()
    items = [detach(item) if is_attached(item) else item for item in _table_items(op)]
    return Table(op.table_name, metadata, *items, schema=op.schema)


def _table_items(op: ops.CreateTableOp) -> list[Any]:
    """The columns and constraints to render: the operation's own, or, for a subclass that
    overrides ``to_table()``, those of the table it builds (Alembic renders ``to_table()``;
    GeoAlchemy2's table operation turns its columns' ``spatial_index`` off there)."""
    if type(op).to_table is ops.CreateTableOp.to_table:
        return list(op.columns)
    from sterna.operations.ops.tables import explicit_constraints

    built = op.to_table()
    return [*built.columns, *explicit_constraints(built)]


def _naming_convention(op: ops.CreateTableOp, autogen_context: Any) -> Any:
    for metadata in (op._namespace_metadata, getattr(autogen_context, "metadata", None)):
        if isinstance(metadata, (list, tuple)):
            metadata = metadata[0] if metadata else None
        convention = getattr(metadata, "naming_convention", None)
        if convention:
            return convention
    return None


def _declared(table: Any) -> list[Any]:
    """The table's constraints in the order ``CREATE TABLE`` writes them (the primary key, then
    the others as they were declared), so that the names MySQL/MariaDB make up for unnamed keys
    and their indexes (``<table>_ibfk_<n>``, ``<column>_2``) come out as ``create_all``'s."""
    pk = table.primary_key
    rest = [c for c in table._sorted_constraints if c is not pk]
    return [pk, *rest] if pk is not None else rest


@renderers.dispatch_for(ops.CreateTableOp)
def _create_table(autogen_context: Any, op: ops.CreateTableOp) -> Node:
    table = table_of(op, autogen_context)
    args: list[Node] = [Atom(py_str(op.table_name))]
    columns = [render_column(column, autogen_context) for column in table.columns]
    args.extend(column for column in columns if column is not None)
    # the operation's own metadata, where a foreign key's target table (by key) may be found
    outer = getattr(autogen_context, "_sterna_namespace", None)
    autogen_context._sterna_namespace = op._namespace_metadata
    try:
        constraints = [render_constraint(c, autogen_context) for c in _declared(table)]
    finally:
        autogen_context._sterna_namespace = outer
    args.extend(c for c in constraints if c is not None)
    kwargs: Kwargs = _schema(autogen_context, op.schema)
    if op.comment is not None:
        kwargs.append(("comment", literal(op.comment)))
    if op.info:
        kwargs.append(("info", render_value(dict(op.info), autogen_context)))
    if op.prefixes:
        kwargs.append(("prefixes", literal(list(op.prefixes))))
    kwargs += _flag("if_not_exists", op.if_not_exists)
    kwargs += kwargs_of(dict(op.kw), autogen_context)
    return _directive(autogen_context, "create_table", args, kwargs)


@renderers.dispatch_for(ops.DropTableOp)
def _drop_table(autogen_context: Any, op: ops.DropTableOp) -> Node:
    kwargs = _schema(autogen_context, op.schema) + _flag("if_exists", op.if_exists)
    return _directive(autogen_context, "drop_table", [Atom(py_str(op.table_name))], kwargs)


@renderers.dispatch_for(ops.RenameTableOp)
def _rename_table(autogen_context: Any, op: ops.RenameTableOp) -> Node:
    args = [Atom(py_str(op.table_name)), Atom(py_str(op.new_table_name))]
    return _directive(autogen_context, "rename_table", args, _schema(autogen_context, op.schema))


@renderers.dispatch_for(ops.CreateTableCommentOp)
def _create_table_comment(autogen_context: Any, op: ops.CreateTableCommentOp) -> Node:
    args = [*_table(autogen_context, op.table_name), literal(op.comment)]
    kwargs = _flag("existing_comment", op.existing_comment)
    return _directive(
        autogen_context, "create_table_comment", args, kwargs + _schema(autogen_context, op.schema)
    )


@renderers.dispatch_for(ops.DropTableCommentOp)
def _drop_table_comment(autogen_context: Any, op: ops.DropTableCommentOp) -> Node:
    kwargs = _flag("existing_comment", op.existing_comment)
    return _directive(
        autogen_context,
        "drop_table_comment",
        _table(autogen_context, op.table_name),
        kwargs + _schema(autogen_context, op.schema),
    )


# -- columns --------------------------------------------------------------------------------------


@renderers.dispatch_for(ops.AddColumnOp)
def _add_column(autogen_context: Any, op: ops.AddColumnOp) -> Node:
    column = render_column(op.column, autogen_context)
    if column is None:  # the hook's None leaves items out of a create_table only
        column = default_column(op.column, autogen_context)
    args = [*_table(autogen_context, op.table_name), column]
    kwargs = _schema(autogen_context, op.schema) + _flag("if_not_exists", op.if_not_exists)
    for key in ("inline_references", "inline_primary_key"):
        kwargs += _flag(key, getattr(op, key))
    kwargs += kwargs_of(dict(op.kw), autogen_context)
    return _directive(autogen_context, "add_column", args, kwargs)


@renderers.dispatch_for(ops.DropColumnOp)
def _drop_column(autogen_context: Any, op: ops.DropColumnOp) -> Node:
    args = [*_table(autogen_context, op.table_name), Atom(py_str(op.column_name))]
    kwargs = _schema(autogen_context, op.schema) + _flag("if_exists", op.if_exists)
    kwargs += kwargs_of(dict(op.kw), autogen_context)
    return _directive(autogen_context, "drop_column", args, kwargs)


@renderers.dispatch_for(ops.AlterColumnOp)
def _alter_column(autogen_context: Any, op: ops.AlterColumnOp) -> Node:
    args = [*_table(autogen_context, op.table_name), Atom(py_str(op.column_name))]
    kwargs: Kwargs = []
    if op.modify_name is not None:
        kwargs.append(("new_column_name", literal(op.modify_name)))
    if op.existing_type is not None:
        kwargs.append(("existing_type", render_type(op.existing_type, autogen_context)))
    if op.modify_type is not None:
        kwargs.append(("type_", render_type(op.modify_type, autogen_context)))
    if op.modify_nullable is not None:
        kwargs.append(("nullable", literal(op.modify_nullable)))
    elif op.existing_nullable is not None:
        kwargs.append(("existing_nullable", literal(op.existing_nullable)))
    kwargs += _alter_default(op, autogen_context)
    if op.modify_comment is not False:
        kwargs.append(("comment", literal(op.modify_comment)))
    if op.existing_comment is not None:
        kwargs.append(("existing_comment", literal(op.existing_comment)))
    kwargs += kwargs_of(dict(op.kw), autogen_context)
    kwargs += _schema(autogen_context, op.schema)
    return _directive(autogen_context, "alter_column", args, kwargs)


def _alter_default(op: ops.AlterColumnOp, autogen_context: Any) -> Kwargs:
    if op.modify_server_default is not False:
        rendered = _default_value(op.modify_server_default, autogen_context)
        return [("server_default", rendered if rendered is not None else Atom("None"))]
    existing = op.existing_server_default
    if existing is False or existing is None:
        return []
    rendered = _default_value(existing, autogen_context)
    return [("existing_server_default", rendered)] if rendered is not None else []


def _default_value(default: Any, autogen_context: Any) -> Node | None:
    """A server default as ``alter_column`` takes it: an identity or computed column's
    ``sa.Identity(...)`` / ``sa.Computed(...)`` too (a column renders those positionally)."""
    if isinstance(default, Identity):
        return render_identity(default, autogen_context)
    if isinstance(default, Computed):
        return render_computed(default, autogen_context)
    return render_server_default(default, autogen_context)


# -- indexes and constraints ----------------------------------------------------------------------


@renderers.dispatch_for(ops.CreateIndexOp)
def _create_index(autogen_context: Any, op: ops.CreateIndexOp) -> Node:
    columns = list_of(index_column(c, autogen_context) for c in op.columns)
    args = [
        render_name(op.index_name, autogen_context),
        *_table(autogen_context, op.table_name),
        columns,
    ]
    kwargs: Kwargs = [("unique", literal(bool(op.unique)))]
    kwargs += _schema(autogen_context, op.schema) + _flag("if_not_exists", op.if_not_exists)
    kwargs += kwargs_of(dict(op.kw), autogen_context)
    return _directive(autogen_context, "create_index", args, kwargs)


@renderers.dispatch_for(ops.DropIndexOp)
def _drop_index(autogen_context: Any, op: ops.DropIndexOp) -> Node:
    kwargs: Kwargs = []
    if not in_batch(autogen_context) and op.table_name is not None:
        kwargs.append(("table_name", literal(op.table_name)))
    kwargs += _schema(autogen_context, op.schema) + _flag("if_exists", op.if_exists)
    kwargs += kwargs_of(dict(op.kw), autogen_context)
    return _directive(
        autogen_context, "drop_index", [render_name(op.index_name, autogen_context)], kwargs
    )


@renderers.dispatch_for(ops.CreatePrimaryKeyOp)
def _create_primary_key(autogen_context: Any, op: ops.CreatePrimaryKeyOp) -> Node:
    args = [
        render_name(op.constraint_name, autogen_context),
        *_table(autogen_context, op.table_name),
        _names(op.columns),
    ]
    kwargs = _schema(autogen_context, op.schema) + kwargs_of(dict(op.kw), autogen_context)
    return _directive(autogen_context, "create_primary_key", args, kwargs)


@renderers.dispatch_for(ops.CreateUniqueConstraintOp)
def _create_unique(autogen_context: Any, op: ops.CreateUniqueConstraintOp) -> Node:
    args = [
        render_name(op.constraint_name, autogen_context),
        *_table(autogen_context, op.table_name),
        _names(op.columns),
    ]
    kwargs = kwargs_of(dict(op.kw), autogen_context) + _schema(autogen_context, op.schema)
    return _directive(autogen_context, "create_unique_constraint", args, kwargs)


_FK_ORDER = ("onupdate", "ondelete", "deferrable", "initially", "match", "use_alter")


@renderers.dispatch_for(ops.CreateForeignKeyOp)
def _create_foreign_key(autogen_context: Any, op: ops.CreateForeignKeyOp) -> Node:
    args = [
        render_name(op.constraint_name, autogen_context),
        *_table(autogen_context, op.source_table),
        Atom(py_str(op.referent_table)),
        _names(op.local_cols),
        _names(op.remote_cols),
    ]
    options = dict(op.kw)
    kwargs: Kwargs = []
    for key in _FK_ORDER:
        value = options.pop(key, None)
        if value is not None and not (key == "use_alter" and not value):
            kwargs.append((key, literal(value)))
    source_schema = options.pop("source_schema", None)
    referent_schema = options.pop("referent_schema", None)
    if source_schema is not None and not in_batch(autogen_context):
        kwargs.append(("source_schema", literal(source_schema)))
    if referent_schema is not None:
        kwargs.append(("referent_schema", literal(referent_schema)))
    kwargs += kwargs_of(options, autogen_context)
    return _directive(autogen_context, "create_foreign_key", args, kwargs)


@renderers.dispatch_for(ops.CreateCheckConstraintOp)
def _create_check(autogen_context: Any, op: ops.CreateCheckConstraintOp) -> Node:
    condition = Atom(py_str(sql_text(op.condition, autogen_context)))
    args = [
        render_name(op.constraint_name, autogen_context),
        *_table(autogen_context, op.table_name),
        condition,
    ]
    kwargs = _schema(autogen_context, op.schema) + kwargs_of(dict(op.kw), autogen_context)
    return _directive(autogen_context, "create_check_constraint", args, kwargs)


@renderers.dispatch_for(ops.CreateExcludeConstraintOp)
def _create_exclude(autogen_context: Any, op: ops.CreateExcludeConstraintOp) -> Node:
    elements: list[Node] = []
    for expr, operator in op.elements:
        target = exclude_element(expr, autogen_context)
        elements.append(call("", target, Atom(py_str(operator))))
    args = [
        render_name(op.constraint_name, autogen_context),
        *_table(autogen_context, op.table_name),
        *elements,
    ]
    kwargs: Kwargs = []
    if op.where is not None:
        kwargs.append(
            (
                "where",
                Atom(py_str(op.where))
                if isinstance(op.where, str)
                else render_text_clause(op.where, autogen_context),
            )
        )
    kwargs += kwargs_of(dict(op.kw), autogen_context) + _schema(autogen_context, op.schema)
    return _directive(autogen_context, "create_exclude_constraint", args, kwargs)


_CONSTRAINT_KINDS = {
    "unique": "unique constraint",
    "foreignkey": "foreign key",
    "check": "check constraint",
    "primary": "primary key",
}


@renderers.dispatch_for(ops.DropConstraintOp)
def _drop_constraint(autogen_context: Any, op: ops.DropConstraintOp) -> Node:
    if op.constraint_name is None:
        kind = _CONSTRAINT_KINDS.get(op.constraint_type or "", "constraint")
        add_note(
            autogen_context,
            (
                f"WARNING: this {kind} of table {op.table_name} has no name, so "
                "drop_constraint(None, ...) cannot run: name it in the model (a naming_convention "
                "on the MetaData names them all) and generate again, or write its name here"
            ),
        )
    args = [
        render_name(op.constraint_name, autogen_context),
        *_table(autogen_context, op.table_name),
    ]
    # an exclusion constraint is dropped by its name: drop_constraint has no type_ for it
    type_ = None if op.constraint_type == "exclude" else op.constraint_type
    kwargs = _schema(autogen_context, op.schema) + _flag("type_", type_)
    kwargs += _flag("if_exists", op.if_exists)
    return _directive(autogen_context, "drop_constraint", args, kwargs)


# -- data -----------------------------------------------------------------------------------------


@renderers.dispatch_for(ops.ExecuteSQLOp)
def _execute(autogen_context: Any, op: ops.ExecuteSQLOp) -> Node:
    sqltext = op.sqltext
    statement: Node
    if isinstance(sqltext, TextClause):
        statement = render_text_clause(sqltext, autogen_context)
    elif isinstance(sqltext, ClauseElement):
        statement = Atom(py_str(statement_sql(sqltext, autogen_context)))
    else:
        statement = Atom(py_str(str(sqltext)))
    kwargs: Kwargs = []
    if op.execution_options:
        kwargs.append(("execution_options", render_value(op.execution_options, autogen_context)))
    return _directive(autogen_context, "execute", [statement], kwargs)


@renderers.dispatch_for(ops.BulkInsertOp)
def _bulk_insert(autogen_context: Any, op: ops.BulkInsertOp) -> Node:
    sa = sa_prefix(autogen_context)
    columns = [
        call(f"{sa}column", Atom(py_str(c.name)), render_type(c.type, autogen_context))
        for c in op.table.c
    ]
    schema = getattr(op.table, "schema", None)
    table = call(
        f"{sa}table",
        Atom(py_str(op.table.name)),
        *columns,
        schema=literal(schema) if schema is not None else None,
    )
    rows = list_of(render_value(dict(row), autogen_context) for row in op.rows)
    kwargs: Kwargs = [] if op.multiinsert else [("multiinsert", literal(False))]
    return _directive(autogen_context, "bulk_insert", [table, rows], kwargs)


# -- beyond Alembic: sequences, schemas, enum types -----------------------------------------------


@renderers.dispatch_for(ops.CreateSequenceOp)
def _create_sequence(autogen_context: Any, op: ops.CreateSequenceOp) -> Node:
    kwargs = _flag("schema", op.schema) + _flag("if_not_exists", op.if_not_exists)
    kwargs += [
        (k, render_value(op.kw[k], autogen_context))
        for k in SEQUENCE_OPTIONS
        if op.kw.get(k) is not None
    ]
    return _directive(autogen_context, "create_sequence", [Atom(py_str(op.sequence_name))], kwargs)


@renderers.dispatch_for(ops.DropSequenceOp)
def _drop_sequence(autogen_context: Any, op: ops.DropSequenceOp) -> Node:
    kwargs = _flag("schema", op.schema) + _flag("if_exists", op.if_exists)
    return _directive(autogen_context, "drop_sequence", [Atom(py_str(op.sequence_name))], kwargs)


@renderers.dispatch_for(ops.CreateSchemaOp)
def _create_schema(autogen_context: Any, op: ops.CreateSchemaOp) -> Node:
    return _directive(
        autogen_context,
        "create_schema",
        [Atom(py_str(op.schema_name))],
        _flag("if_not_exists", op.if_not_exists),
    )


@renderers.dispatch_for(ops.DropSchemaOp)
def _drop_schema(autogen_context: Any, op: ops.DropSchemaOp) -> Node:
    kwargs = _flag("if_exists", op.if_exists) + ([("cascade", literal(True))] if op.cascade else [])
    return _directive(autogen_context, "drop_schema", [Atom(py_str(op.schema_name))], kwargs)


@renderers.dispatch_for(ops.CreateEnumOp)
def _create_enum(autogen_context: Any, op: ops.CreateEnumOp) -> Node:
    args = [Atom(py_str(op.enum_name)), _names(op.values)]
    kwargs = _flag("schema", op.schema) + _flag("if_not_exists", op.if_not_exists)
    return _directive(autogen_context, "create_enum", args, kwargs)


@renderers.dispatch_for(ops.DropEnumOp)
def _drop_enum(autogen_context: Any, op: ops.DropEnumOp) -> Node:
    kwargs = _flag("schema", op.schema) + _flag("if_exists", op.if_exists)
    if op.values is not None:
        kwargs.append(("values", _names(op.values)))
    return _directive(autogen_context, "drop_enum", [Atom(py_str(op.enum_name))], kwargs)


@renderers.dispatch_for(ops.AddEnumValueOp)
def _add_enum_value(autogen_context: Any, op: ops.AddEnumValueOp) -> Node:
    args = [Atom(py_str(op.enum_name)), Atom(py_str(op.value))]
    kwargs = _flag("schema", op.schema) + _flag("before", op.before) + _flag("after", op.after)
    if op.if_not_exists:
        kwargs.append(("if_not_exists", literal(True)))
    return _directive(autogen_context, "add_enum_value", args, kwargs)


@renderers.dispatch_for(ops.DropEnumValueOp)
def _drop_enum_value(autogen_context: Any, op: ops.DropEnumValueOp) -> Node:
    args = [Atom(py_str(op.enum_name)), Atom(py_str(op.value))]
    return _directive(autogen_context, "drop_enum_value", args, _flag("schema", op.schema))


@renderers.dispatch_for(ops.RenameEnumValueOp)
def _rename_enum_value(autogen_context: Any, op: ops.RenameEnumValueOp) -> Node:
    args = [Atom(py_str(op.enum_name)), Atom(py_str(op.old_value)), Atom(py_str(op.new_value))]
    return _directive(autogen_context, "rename_enum_value", args, _flag("schema", op.schema))
