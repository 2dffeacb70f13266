"""Which call reproduces a project's ``TypeDecorator`` in a script.

A ``TypeDecorator``'s ``repr()`` is its class name with the arguments of its ``impl``
(``Pydantic(astext_type=Text())``).  That call reproduces it when the class's constructor takes
those arguments (a decorator without its own ``__init__`` hands them to ``impl``), not when it
has a constructor of its own (``Pydantic(pydantic_type)``).  The renderer therefore writes:

1. the repr's call, when it binds to the class's signature and no parameter it leaves out names
   an instance attribute holding something else than the parameter's default;
2. else the class called with its own parameters, read from the instance attributes of the same
   names, when every value can be written as source and calling the class so builds the same
   ``impl``;
3. else the database type (:func:`database_type`), with a note naming the decorator.
"""

from __future__ import annotations

import ast
import inspect
import math
from typing import Any

from sqlalchemy.types import TypeDecorator, TypeEngine

_MISSING = object()
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def is_project_decorator(type_: Any) -> bool:
    """A ``TypeDecorator`` defined outside SQLAlchemy."""
    return isinstance(type_, TypeDecorator) and not type(type_).__module__.startswith("sqlalchemy.")


def repr_reproduces(type_: TypeDecorator[Any], call: ast.Call) -> bool:
    """Whether the call of the decorator's repr (``call``) rebuilds it (rule 1)."""
    values = [*call.args, *(k.value for k in call.keywords)]
    if any(k.arg is None for k in call.keywords) or not all(map(_source_safe, values)):
        return False
    signature = _signature(type_)
    if signature is None:
        return False
    try:
        bound = signature.bind(*call.args, **{str(k.arg): k.value for k in call.keywords})
    except TypeError:
        return False
    attributes = vars(type_)
    for name, parameter in signature.parameters.items():
        if parameter.kind in _VARIADIC or name in bound.arguments:
            continue
        value = attributes.get(name, _MISSING)
        if value is not _MISSING and not _equal(value, parameter.default):
            return False
    return True


def own_arguments(type_: TypeDecorator[Any]) -> dict[str, Any] | None:
    """The keyword arguments that rebuild the decorator from its own signature (rule 2), or
    None when there are none."""
    signature = _signature(type_)
    if signature is None:
        return None
    attributes = vars(type_)
    arguments: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        if parameter.kind in _VARIADIC:
            continue
        value = attributes.get(name, _MISSING)
        required = parameter.default is inspect.Parameter.empty
        if value is _MISSING or (not required and _equal(value, parameter.default)):
            if required:
                return None
            continue
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY or not _writable(value):
            return None
        arguments[name] = value
    return arguments if _rebuilds(type_, arguments) else None


def database_type(type_: TypeDecorator[Any], dialect: Any) -> TypeEngine[Any]:
    """The type the database gets for the decorator (rule 3): what its ``load_dialect_impl``
    chooses for ``dialect`` when the class overrides it, else its ``impl``; a driver's private
    class (``_PGJSONB``) is replaced by its public base (``JSONB``)."""
    chosen: TypeEngine[Any] = type_.impl_instance
    overridden = type(type_).load_dialect_impl is not TypeDecorator.load_dialect_impl
    if dialect is not None and overridden:
        try:
            chosen = type_.load_dialect_impl(dialect)
        except Exception:  # a project's hook; its impl is still right
            chosen = type_.impl_instance
    return _public(_generic(chosen, dialect))


def _generic(type_: TypeEngine[Any], dialect: Any) -> TypeEngine[Any]:
    """The generic type a dialect adapted into ``type_`` (``dialect.type_descriptor``:
    ``sqlite.JSON`` -> ``sa.JSON``), found by its ``colspecs``; else ``type_``."""
    colspecs = getattr(dialect, "colspecs", None) or {}
    for generic, specific in colspecs.items():
        if specific is type(type_) and generic is not specific and issubclass(specific, generic):
            try:
                return type_.adapt(generic)
            except Exception:  # keep the type as it is
                return type_
    return type_


def _public(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    for klass in type(type_).__mro__:
        if not klass.__name__.startswith("_") and issubclass(klass, TypeEngine):
            if klass is type(type_):
                return type_
            try:
                return type_.adapt(klass)
            except Exception:  # keep the type as it is
                return type_
    return type_


def _signature(type_: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(type(type_))
    except (TypeError, ValueError):
        return None


def _equal(left: Any, right: Any) -> bool:
    try:
        return bool(left == right)
    except Exception:  # values that cannot be compared are different
        return False


def _source_safe(node: ast.expr) -> bool:
    """Repr text that is source without names: literals, containers, nested type calls."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(map(_source_safe, node.elts))
    if isinstance(node, ast.Dict):
        keys = [k for k in node.keys if k is not None]
        return len(keys) == len(node.keys) and all(map(_source_safe, [*keys, *node.values]))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        nested = [*node.args, *(k.value for k in node.keywords)]
        return all(k.arg is not None for k in node.keywords) and all(map(_source_safe, nested))
    return False


def _writable(value: Any) -> bool:
    """A value the renderer writes as source that evaluates to an equal value."""
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, TypeEngine) or (isinstance(value, type) and issubclass(value, TypeEngine)):
        return True
    if isinstance(value, (list, tuple)):
        return all(map(_writable, value))
    if isinstance(value, dict):
        return all(isinstance(k, str) and _writable(v) for k, v in value.items())
    return False


def _rebuilds(type_: TypeDecorator[Any], arguments: dict[str, Any]) -> bool:
    """Whether calling the class with ``arguments`` gives the same ``impl`` and attributes."""
    try:
        rebuilt = type(type_)(**arguments)
        same_impl = repr(rebuilt.impl_instance) == repr(type_.impl_instance)
    except Exception:  # a constructor that refuses them does not rebuild it
        return False
    rebuilt_attributes = vars(rebuilt)
    return same_impl and all(
        _equal(rebuilt_attributes.get(name, _MISSING), value) for name, value in arguments.items()
    )
