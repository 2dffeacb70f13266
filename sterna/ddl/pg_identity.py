"""PostgreSQL: ``alter_column`` to, from and between identity columns (``sa.Identity``).

* no identity -> ``Identity``: ``ALTER COLUMN c ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY
  (options)``;
* ``Identity`` -> ``None``: ``ALTER COLUMN c DROP IDENTITY``;
* ``Identity`` -> another ``Identity``: one ``ALTER COLUMN`` with ``SET GENERATED ...`` when
  ``always`` changes and ``SET <option>`` for each sequence option the new identity gives
  with another value (options in alphabetical order, as Alembic writes them); nothing when
  nothing changes.

An identity column cannot also have a plain default: changing between the two is refused with
a one-line error (drop the default or the identity first).  Offline the same statements are
written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Identity
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import DDLCompiler

from sterna.ddl.elements import AlterColumn, alter_column
from sterna.errors import OperationError

#: identity options and how ``SET`` writes a new value of each (alphabetical order)
_OPTIONS: tuple[str, ...] = (
    "cache",
    "cycle",
    "increment",
    "maxvalue",
    "minvalue",
    "nomaxvalue",
    "nominvalue",
    "start",
)


class IdentityChange(AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c <action>`` for one identity change."""

    def __init__(self, table_name: str, column_name: str, schema: str | None, action: str) -> None:
        super().__init__(table_name, column_name, schema)
        self.action = action


@compiles(IdentityChange)
def _identity_change(element: IdentityChange, compiler: DDLCompiler, **kw: Any) -> str:
    return f"{alter_column(compiler, element)} {element.action}"


def is_identity_change(server_default: Any, existing: Any) -> bool:
    """Whether ``alter_column(server_default=...)`` concerns an identity column."""
    return server_default is not False and (
        isinstance(server_default, Identity) or isinstance(existing, Identity)
    )


def identity_action(
    compiler: DDLCompiler, new: Any, existing: Any, where: tuple[str, str]
) -> str | None:
    """The action clause for the change from ``existing`` to ``new`` (``None``: nothing to do)."""
    if isinstance(new, Identity) and isinstance(existing, Identity):
        return _set_clauses(new, existing)
    if isinstance(new, Identity) and existing in (None, False):  # False: not given
        options = compiler.get_identity_options(new)
        generated = "ALWAYS" if new.always else "BY DEFAULT"
        return f"ADD GENERATED {generated} AS IDENTITY" + (f" ({options})" if options else "")
    if new is None and isinstance(existing, Identity):
        return "DROP IDENTITY"
    table, column = where
    raise OperationError(
        f"alter_column({table!r}, {column!r}): cannot change between an identity and a plain "
        f"server default ({existing!r} -> {new!r}) in one step on postgresql; drop the default "
        "or the identity first"
    )


def _set_clauses(new: Identity, old: Identity) -> str | None:
    clauses: list[str] = []
    if bool(new.always) != bool(old.always):
        clauses.append(f"SET GENERATED {'ALWAYS' if new.always else 'BY DEFAULT'}")
    for option in _OPTIONS:
        value = getattr(new, option, None)
        # an option the new identity does not give is left as it is (as Alembic does): there is
        # no "SET MAXVALUE None"
        if value is not None and value != getattr(old, option, None):
            clauses.append(_set_option(option, value))
    return " ".join(clause for clause in clauses if clause) or None


def _set_option(option: str, value: Any) -> str:
    if option == "cycle":
        return "SET CYCLE" if value else "SET NO CYCLE"
    if option in ("nomaxvalue", "nominvalue"):
        return f"SET NO {option[2:].upper()}" if value else ""
    words = {"increment": "INCREMENT BY", "start": "START WITH"}.get(option, option.upper())
    return f"SET {words} {value}"
