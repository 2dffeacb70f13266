"""The models' side as SQL text: expressions, server defaults and types compiled for the
dialect of the database, so that they can be compared with what the database shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import DefaultClause
from sqlalchemy.sql.elements import ClauseElement, TextClause
from sqlalchemy.types import TypeEngine


def compile_expression(element: Any, dialect: Dialect) -> str:
    """SQL text of a constraint/index expression as DDL would write it (no table prefix,
    literal values inline)."""
    if isinstance(element, str):
        return element
    if isinstance(element, TextClause):
        return element.text
    if isinstance(element, Column) and element.table is not None:
        return str(element.name)
    if isinstance(element, ClauseElement):
        compiler = dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]
        return str(compiler.sql_compiler.process(element, include_table=False, literal_binds=True))
    return str(element)


def render_server_default(server_default: Any, dialect: Dialect) -> str | None:
    """A model column's ``server_default`` as SQL text (a plain string becomes a quoted
    literal); None when there is none or when it is not a SQL default (``FetchedValue``)."""
    if server_default is None:
        return None
    if isinstance(server_default, DefaultClause):
        arg = server_default.arg
    elif isinstance(server_default, (str, ClauseElement)):
        arg = server_default
    else:
        return None
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    return compile_expression(arg, dialect)


def compile_type(type_: TypeEngine[Any], dialect: Dialect) -> str:
    """The DDL spelling of ``type_`` on ``dialect``."""
    return str(dialect.type_compiler_instance.process(type_))
