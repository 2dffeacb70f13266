"""Rendering types, SQL expressions and server defaults as source.

A type is written as its class with the arguments it was built with, taken from its ``repr()``
(SQLAlchemy's reprs list exactly the arguments that differ from the defaults) and rewritten so
that every class name carries the right module prefix: ``sa.`` for SQLAlchemy's generic types,
``postgresql.``/``mysql.``/... for dialect types (adding ``from sqlalchemy.dialects import
postgresql`` to the imports), and the ``user_module_prefix`` or the defining module for a
project's own types (adding ``import app.types``).  Types nested in a type (``ARRAY(Integer())``,
``JSONB(astext_type=Text())``) are rendered the same way, recursively.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from sqlalchemy import Column, Computed, Identity
from sqlalchemy.sql.elements import ClauseElement, TextClause
from sqlalchemy.sql.schema import DefaultClause, FetchedValue
from sqlalchemy.types import TypeEngine

from sterna.autogenerate.render import add_note, imports_of, option, sa_prefix, user_render
from sterna.autogenerate.render_decorators import (
    database_type,
    is_project_decorator,
    own_arguments,
    repr_reproduces,
)
from sterna.autogenerate.render_layout import (
    Atom,
    Group,
    Node,
    Prefixed,
    call,
    call_items,
    literal,
    py_str,
)

_DIALECT_MODULE = re.compile(r"sqlalchemy\.dialects\.(\w+)")


# -- source text -> layout nodes ------------------------------------------------------------------


def parse_expression(text: str) -> Node:
    """Python expression source as a layout node (strings re-quoted); unparsable text stays
    as it is."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return Atom(text)
    return _from_ast(tree.body, text.strip())


def _from_ast(node: ast.expr, source: str) -> Node:
    if isinstance(node, ast.Constant):
        return literal(node.value)
    if isinstance(node, ast.Call):
        args = [_from_ast(a, source) for a in node.args]
        kwargs = [(k.arg, _from_ast(k.value, source)) for k in node.keywords if k.arg]
        items: list[Node] = [*args, *(Prefixed(f"{k}=", v) for k, v in kwargs)]
        items.extend(
            Prefixed("**", _from_ast(k.value, source)) for k in node.keywords if k.arg is None
        )
        return Group(_segment(node.func, source), tuple(items))
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        brackets = {ast.List: "[]", ast.Tuple: "()", ast.Set: "{}"}[type(node)]
        elements = tuple(_from_ast(e, source) for e in node.elts)
        return Group("", elements, brackets[0], brackets[1])
    if isinstance(node, ast.Dict):
        entries = tuple(
            Prefixed(f"{_flat_key(k, source)}: ", _from_ast(v, source))
            for k, v in zip(node.keys, node.values, strict=True)
        )
        return Group("", entries, "{", "}")
    return Atom(_segment(node, source))


def _flat_key(key: ast.expr | None, source: str) -> str:
    if key is None:
        return "**"
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return py_str(key.value)
    return _segment(key, source)


def _segment(node: ast.AST, source: str) -> str:
    found = ast.get_source_segment(source, node)
    return found if found is not None else ast.unparse(node)


# -- types ----------------------------------------------------------------------------------------


def render_type(type_: Any, autogen_context: Any) -> Node:
    """Source for a SQLAlchemy type instance (or class), with its module prefix and imports."""
    custom = user_render("type", type_, autogen_context)
    if custom is not None:
        return parse_expression(custom)
    if isinstance(type_, type):
        type_ = type_()
    variants = getattr(type_, "_variant_mapping", None)
    if variants:
        return _render_variants(type_, variants, autogen_context)
    impl = getattr(getattr(autogen_context, "migration_context", None), "impl", None)
    impl_render = getattr(impl, "render_type", None)
    if impl_render is not None:
        rendered = impl_render(type_, autogen_context)
        if rendered:
            return parse_expression(str(rendered))
    if is_project_decorator(type_):
        return _render_decorator(type_, autogen_context)
    prefix = _type_prefix(type_, autogen_context)
    return _render_repr(type_, prefix, autogen_context)


def _render_decorator(type_: Any, autogen_context: Any) -> Node:
    """A project's ``TypeDecorator`` by the first rule of :mod:`render_decorators` that
    reproduces it; else its database type, with a note naming it."""
    call_tree = _repr_call(type_)
    if call_tree is not None and repr_reproduces(type_, call_tree):
        return _render_repr(type_, _type_prefix(type_, autogen_context), autogen_context)
    arguments = own_arguments(type_)
    if arguments is not None:
        head = _type_prefix(type_, autogen_context) + type(type_).__name__
        rendered = [(k, render_value(v, autogen_context)) for k, v in arguments.items()]
        return call_items(head, [], rendered)
    module = type(type_).__module__
    configured = option(autogen_context, "user_module_prefix")
    name = f"{configured if configured is not None else module + '.'}{type(type_).__name__}"
    dialect = getattr(getattr(autogen_context, "migration_context", None), "dialect", None)
    rendered_type = render_type(database_type(type_, dialect), autogen_context)
    add_note(
        autogen_context,
        (
            f"TypeDecorator {name} written as its database type {_flat(rendered_type)} (its "
            "constructor's arguments cannot be read back from the instance)"
        ),
    )
    return rendered_type


def _repr_call(type_: Any) -> ast.Call | None:
    try:
        tree = ast.parse(repr(type_), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
        return tree
    return None


def _render_variants(type_: Any, variants: Any, autogen_context: Any) -> Node:
    """``base.with_variant(other, "dialect", ...)``, one call per distinct variant type."""
    from sqlalchemy.util import immutabledict

    base = type_.copy()
    base._variant_mapping = immutabledict()
    node: Node = render_type(base, autogen_context)
    grouped: dict[str, tuple[Node, list[str]]] = {}
    for variant_key in sorted(variants):  # the names given to with_variant(), as given
        variant = render_type(variants[variant_key], autogen_context)
        key = _flat(variant)
        grouped.setdefault(key, (variant, []))[1].append(variant_key)
    for variant, names in grouped.values():
        node = call(f"{_flat(node)}.with_variant", variant, *(Atom(py_str(n)) for n in names))
    return node


def _flat(node: Node) -> str:
    from sterna.autogenerate.render_layout import flat

    return flat(node)


def _type_prefix(type_: Any, autogen_context: Any) -> str:
    module = type(type_).__module__
    match = _DIALECT_MODULE.match(module)
    if match:
        dialect = match.group(1)
        imports_of(autogen_context).add(f"from sqlalchemy.dialects import {dialect}")
        return f"{dialect}."
    if module.startswith("sqlalchemy."):
        return sa_prefix(autogen_context)
    return user_prefix(module, autogen_context)


def user_prefix(module: str, autogen_context: Any) -> str:
    """``user_module_prefix`` when set, else the module (imported by the script)."""
    configured = option(autogen_context, "user_module_prefix")
    if configured is not None:
        return str(configured)
    if module in ("__main__", "builtins"):
        return ""
    imports_of(autogen_context).add(f"import {module}")
    return f"{module}."


def _render_repr(type_: Any, prefix: str, autogen_context: Any) -> Node:
    text = repr(type_)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return Atom(prefix + text)
    if not isinstance(tree, ast.Call) or not isinstance(tree.func, ast.Name):
        return Atom(prefix + text)
    nested = _NestedTypes(type_)
    args = [_argument(a, text, nested.positional(a), autogen_context) for a in tree.args]
    kwargs = [
        (k.arg, _argument(k.value, text, nested.keyword(k.arg), autogen_context))
        for k in tree.keywords
        if k.arg is not None
    ]
    return call_items(prefix + tree.func.id, args, kwargs)


def _argument(node: ast.expr, source: str, value: Any, autogen_context: Any) -> Node:
    """A repr argument; a nested type (``value``) is rendered with its own prefix."""
    if isinstance(value, TypeEngine):
        return render_type(value, autogen_context)
    return _from_ast(node, source)


class _NestedTypes:
    """Finds the type instances behind the nested calls of a type's repr: a keyword argument
    by attribute name, a positional one by class name among the type's attributes."""

    def __init__(self, type_: Any) -> None:
        self.type_ = type_
        self.by_class: dict[str, list[Any]] = {}
        for owner in (type_, getattr(type_, "impl_instance", None)):
            for value in _attribute_values(owner):
                for item in value if isinstance(value, (list, tuple)) else [value]:
                    found = _as_type(item)
                    if found is not None:
                        self.by_class.setdefault(type(found).__name__, []).append(found)

    def keyword(self, name: str) -> Any:
        for owner in (self.type_, getattr(self.type_, "impl_instance", None)):
            found = _as_type(getattr(owner, name, None)) if owner is not None else None
            if found is not None:
                return found
        return None

    def positional(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            candidates = self.by_class.get(node.func.id)
            if candidates:
                return candidates.pop(0)
        return None


def _attribute_values(owner: Any) -> list[Any]:
    if owner is None or not hasattr(owner, "__dict__"):
        return []
    return list(vars(owner).values())


def _as_type(value: Any) -> Any:
    if isinstance(value, TypeEngine):
        return value
    if isinstance(value, type) and issubclass(value, TypeEngine):
        return value()
    return None


# -- SQL expressions and server defaults ----------------------------------------------------------


def sql_text(
    expr: Any, autogen_context: Any, is_server_default: bool = False, is_index: bool = False
) -> str:
    """The SQL of an expression, compiled for the context's dialect with literal values: by
    the dialect implementation's ``render_ddl_sql_expr`` when the context has one (told
    whether the expression is a server default or an index element)."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, TextClause):
        return str(expr.text)
    impl = getattr(getattr(autogen_context, "migration_context", None), "impl", None)
    if impl is not None and hasattr(impl, "render_ddl_sql_expr"):
        kw = {"is_index": True} if is_index else {}
        return str(impl.render_ddl_sql_expr(expr, is_server_default=is_server_default, **kw))
    return compiled_sql(expr, autogen_context)


def compiled_sql(expr: Any, autogen_context: Any) -> str:
    """A SQL construct compiled for the context's dialect with literal values."""
    return str(_compiled(expr, autogen_context))


def _compiled(expr: Any, autogen_context: Any) -> Any:
    dialect = getattr(getattr(autogen_context, "migration_context", None), "dialect", None)
    if dialect is None:
        dialect = getattr(autogen_context, "dialect", None)
    return expr.compile(
        dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
    )


def statement_sql(statement: Any, autogen_context: Any) -> str:
    """The SQL of a statement construct given to ``execute()``, with its values written in;
    ``NotImplementedError`` when it still needs parameters (``table.insert()`` without
    values: the script would run ``VALUES (:q)`` with nothing bound)."""
    compiled = _compiled(statement, autogen_context)
    unbound = sorted(getattr(compiled, "binds", None) or {})
    if unbound:
        raise NotImplementedError(
            f"execute(): the {type(statement).__name__} statement needs values for "
            f"{', '.join(unbound)}; a script can only carry SQL with its values written in "
            "(give them with .values(...), or write the SQL with sa.text())"
        )
    return str(compiled)


def render_text_clause(
    expr: Any, autogen_context: Any, is_server_default: bool = False, is_index: bool = False
) -> Node:
    """``sa.text("...")`` for a SQL expression."""
    source = sql_text(expr, autogen_context, is_server_default, is_index)
    return call(f"{sa_prefix(autogen_context)}text", Atom(py_str(source)))


def render_value(value: Any, autogen_context: Any) -> Node:
    """An option value: a table's column as its name (``postgresql_include=[t.c.code]``),
    other SQL expressions as ``sa.text(...)``, types rendered, the rest as literals."""
    if isinstance(value, Column):
        return Atom(py_str(value.name))
    if isinstance(value, ClauseElement):
        return render_text_clause(value, autogen_context)
    if isinstance(value, TypeEngine):
        return render_type(value, autogen_context)
    if isinstance(value, (list, tuple)):
        items = tuple(render_value(v, autogen_context) for v in value)
        return Group("", items, "[", "]") if isinstance(value, list) else Group("", items)
    if isinstance(value, dict):
        entries = tuple(
            Prefixed(f"{_flat(literal(k))}: ", render_value(v, autogen_context))
            for k, v in value.items()
        )
        return Group("", entries, "{", "}")
    return literal(value)


def render_server_default(default: Any, autogen_context: Any) -> Node | None:
    """A server default as a keyword value: a string literal for a plain string default,
    ``sa.text(...)`` for SQL; None when there is nothing to render."""
    custom = user_render("server_default", default, autogen_context)
    if custom is not None:
        return parse_expression(custom)
    if default is None or default is False:
        return None
    if isinstance(default, (Computed, Identity)):
        return None
    if isinstance(default, DefaultClause):
        default = default.arg
    elif isinstance(default, FetchedValue):
        return None
    if isinstance(default, str):
        return Atom(py_str(default))
    if isinstance(default, ClauseElement):
        return render_text_clause(default, autogen_context, is_server_default=True)
    return literal(default)


def render_computed(computed: Computed, autogen_context: Any) -> Node:
    persisted = computed.persisted
    return call(
        f"{sa_prefix(autogen_context)}Computed",
        Atom(py_str(sql_text(computed.sqltext, autogen_context))),
        persisted=Atom(repr(persisted)) if persisted is not None else None,
    )


_IDENTITY_OPTIONS = (
    "always",
    "on_null",
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
)


def render_identity(identity: Identity, autogen_context: Any) -> Node:
    """``sa.Identity(always=..., ...)`` with ``always`` as given (None is not False on every
    dialect) and the other options that differ from ``Identity()``'s.  An option SQLAlchemy 2.1
    keeps as a dialect option (``oracle_on_null``, ``oracle_order``) is written only as that:
    its old plain name is deprecated there, and the copy would warn when the script runs."""
    default = Identity()
    dialect_kw = getattr(identity, "dialect_kwargs", None) or {}
    kwargs: list[tuple[str, Node]] = [("always", literal(identity.always))]
    for name in _IDENTITY_OPTIONS[1:]:
        value = getattr(identity, name, None)
        if f"oracle_{name}" in dialect_kw:
            continue
        if value is not None and value != getattr(default, name, None):
            kwargs.append((name, literal(value)))
    kwargs.extend((k, literal(v)) for k, v in sorted(dialect_kw.items()))
    return call_items(f"{sa_prefix(autogen_context)}Identity", [], kwargs)
