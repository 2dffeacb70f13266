"""PostgreSQL: what it does differently from the generic rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from sterna.dialects.profile import FOREIGN_KEY, PRIMARY_KEY, DialectProfile

#: PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes
MAX_NAME_BYTES = 63

#: an index element written with an operator class: a column name or a parenthesised
#: expression, then the class's (optionally schema-qualified) name
_WITH_OPCLASS = re.compile(
    r"^\s*(?P<element>[A-Za-z_][\w$]*\s+|.*\)\s*)(?P<opclass>[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?)\s*$",
    re.S,
)


class PostgresqlProfile(DialectProfile):
    name = "postgresql"
    implementation: ClassVar[str] = "sterna.ddl.postgresql:PostgresqlImpl"
    reader: ClassVar[str] = "sterna.autogenerate.reflect_postgresql:PostgresqlReader"
    system_schemas: ClassVar[frozenset[str]] = frozenset({"information_schema"})
    has_enum_types: ClassVar[bool] = True
    compares_enums_by_name: ClassVar[bool] = True
    reads_string_defaults_as_values: ClassVar[bool] = True
    default_nulls_order: ClassVar[tuple[str, str] | None] = ("last", "first")
    compared_index_options: ClassVar[tuple[str, ...]] = (
        "postgresql_where",
        "postgresql_include",
        "postgresql_nulls_not_distinct",
    )
    compared_unique_options: ClassVar[tuple[str, ...]] = ("postgresql_nulls_not_distinct",)
    index_method_option: ClassVar[str | None] = "postgresql_using"
    folds_redundant_uniques: ClassVar[bool] = True
    check_names_are_per_schema: ClassVar[bool] = True
    check_name_uses_column: ClassVar[bool] = True

    def normal_type(
        self, base: str, args: tuple[str, ...], flags: frozenset[str]
    ) -> tuple[str, tuple[str, ...], frozenset[str]]:
        """``FLOAT`` is ``DOUBLE PRECISION`` (``REAL`` up to 24 bits); precision 6 is the
        default of ``TIMESTAMP`` and ``TIME``."""
        if base == "float":
            wide = not args or not args[0].isdigit() or int(args[0]) > 24
            base, args = ("double" if wide else "real"), ()
        elif base in ("timestamp", "time") and args == ("6",):
            args = ()
        return base, args, flags

    def index_element_text(self, text: str) -> str:
        """Without an operator class (``aa array_ops``, ``(jb->'x') jsonb_path_ops``): the
        catalog gives an index column back without it, so the expression is compared alone
        (a change of the class only is not seen)."""
        found = _WITH_OPCLASS.match(text)
        return found.group("element").strip() if found else text

    def check_name(self, table: str, column: str | None, taken: set[str]) -> str:
        """``<table>_<column>_check`` (one column) or ``<table>_check``, then ``..._check1``,
        ``..._check2``... while taken, shortened to 63 bytes (``ChooseConstraintName``)."""
        label, number = "check", 0
        while True:
            name = object_name(table, column, label)
            if name not in taken:
                return name
            number += 1
            label = f"check{number}"

    def name_added_constraints(
        self, table: str, wanted: Sequence[tuple[str, tuple[str, ...]]], taken: set[str]
    ) -> list[str | None]:
        """``<table>_pkey``, ``<table>_<columns>_key``, ``<table>_<columns>_fkey`` when the
        name fits in 63 characters and is not taken."""
        names: list[str | None] = []
        for kind, columns in wanted:
            if kind == PRIMARY_KEY:
                name = f"{table}_pkey"
            elif kind == FOREIGN_KEY:
                name = f"{table}_{'_'.join(columns)}_fkey"
            else:
                name = f"{table}_{'_'.join(columns)}_key"
            fits = len(name) <= MAX_NAME_BYTES and name not in taken
            names.append(name if fits else None)
            if fits:
                taken.add(name)
        return names

    def inline_foreign_key_names(self, table: str, inline: Sequence[tuple[str, ...]]) -> set[str]:
        return {f"{table}_{'_'.join(columns)}_fkey" for columns in inline}

    def split_foreign_key_name(self, table: str, columns: tuple[str, ...]) -> str:
        return f"{table}_{'_'.join(columns)}_fkey"


def object_name(name1: str, name2: str | None, label: str) -> str:
    """``<name1>_<name2>_<label>`` shortened to 63 bytes, the longer of the names first."""
    first, second = name1.encode(), (name2 or "").encode()
    overhead = len(label.encode()) + 1 + (1 if name2 is not None else 0)
    available = MAX_NAME_BYTES - overhead
    len1, len2 = len(first), len(second)
    while len1 + len2 > available:
        if len1 > len2:
            len1 -= 1
        else:
            len2 -= 1
    parts = [_clipped(first, len1)]
    if name2 is not None:
        parts.append(_clipped(second, len2))
    return "_".join([*parts, label])


def _clipped(text: bytes, length: int) -> str:
    """The first ``length`` bytes of ``text`` without a broken character."""
    return text[:length].decode("utf-8", errors="ignore")
