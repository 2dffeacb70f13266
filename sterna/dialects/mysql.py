"""MySQL and MariaDB: what they do differently from the generic rules.

SQLAlchemy names a dialect ``mariadb`` for a ``mariadb://`` URL, and ``mysql`` (with
``is_mariadb`` set once connected) for a ``mysql://`` URL to a MariaDB server: the rules of
MySQL hold for both, :class:`MariaDBProfile` adds MariaDB's own, and :func:`profile_for` of a
dialect gives it whenever ``is_mariadb`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from sterna.dialects.names import after_highest, first_free, shortened
from sterna.dialects.profile import FOREIGN_KEY, UNIQUE, DialectProfile, profile_for
from sterna.dialects.sql_lexer import LexerFlags

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

_INTEGERS = frozenset({"tinyint", "smallint", "mediumint", "integer", "bigint"})
_IBFK = re.compile(r"_ibfk_(\d+)$")

# A TEXT(n)/BLOB(n) is stored as the smallest of these that holds n bytes (TEXT: n characters
# of the column's character set at its widest); measured on MariaDB 10.11, utf8mb4: TEXT(63)
# is TINYTEXT, TEXT(64) and TEXT(16383) TEXT, TEXT(16384) and TEXT(4194303) MEDIUMTEXT,
# TEXT(4194304) LONGTEXT; BLOB(255) TINYBLOB, BLOB(65535) BLOB, BLOB(65536) MEDIUMBLOB.
_LOB_SIZES = ((256, "tiny"), (65536, ""), (16777216, "medium"))
_CHARSET_BYTES = {
    "utf8mb4": 4,
    "utf8mb3": 3,
    "utf8": 3,
    "ucs2": 2,
    "utf16": 4,
    "utf16le": 4,
    "utf32": 4,
    "big5": 2,
    "cp932": 2,
    "eucjpms": 3,
    "euckr": 2,
    "gb18030": 4,
    "gb2312": 2,
    "gbk": 2,
    "sjis": 2,
    "ujis": 3,
}
_SYSTEM_SCHEMAS = frozenset({"information_schema", "performance_schema", "mysql", "sys"})


class MySQLProfile(DialectProfile):
    name = "mysql"
    implementation: ClassVar[str] = "sterna.ddl.mysql:MySQLImpl"
    reader: ClassVar[str] = "sterna.autogenerate.reflect_mysql:MySQLReader"
    system_schemas: ClassVar[frozenset[str]] = _SYSTEM_SCHEMAS
    #: ``\'`` escapes in strings, ``"..."`` is a string (without ANSI_QUOTES)
    lexer_flags: ClassVar[LexerFlags] = LexerFlags(
        backslash_escapes=True, double_quoted_strings=True
    )
    uses_mysql_spellings: ClassVar[bool] = True
    foreign_keys_need_an_index: ClassVar[bool] = True
    restrict_is_no_action: ClassVar[bool] = True
    compares_fk_deferral: ClassVar[bool] = False
    alter_restates_autoincrement: ClassVar[bool] = True

    def refined_for(self, dialect: Dialect) -> DialectProfile:
        if getattr(dialect, "is_mariadb", False):
            return profile_for("mariadb")
        return self

    def normal_type(
        self, base: str, args: tuple[str, ...], flags: frozenset[str]
    ) -> tuple[str, tuple[str, ...], frozenset[str]]:
        """``TINYINT(1)`` is ``BOOLEAN``; integer display widths are left out; ``FLOAT(p)``
        is ``FLOAT`` or ``DOUBLE`` by its precision, ``REAL`` is ``DOUBLE``; fractional
        seconds 0 are the default; no type has a time zone."""
        if base == "tinyint" and args == ("1",):
            base, args = "boolean", ()
        elif base in _INTEGERS or base in ("boolean", "year"):
            args = ()
        elif base == "float" and len(args) == 1 and args[0].isdigit():
            base, args = ("double" if int(args[0]) > 24 else "float"), ()
        elif base == "real":
            base = "double"
        elif base in ("datetime", "timestamp", "time") and args == ("0",):
            args = ()
        return base, args, flags - {"tz"}

    def stored_type(
        self,
        base: str,
        args: tuple[str, ...],
        charset: str | None,
        collation: str | None,
        column_collation: str | None,
    ) -> tuple[str, tuple[str, ...]]:
        """A ``TEXT(n)``/``BLOB(n)`` as ``TINY``/-/``MEDIUM``/``LONG`` without a length; the
        bytes per character come from the model's character set or collation, else the
        database column's collation, else utf8mb4's 4."""
        if base not in ("text", "blob") or len(args) != 1 or not args[0].isdigit():
            return base, args
        size = int(args[0])
        if base == "text":
            charset = charset or _charset_of(collation) or _charset_of(column_collation)
            size *= _CHARSET_BYTES.get(charset or "utf8mb4", 1)
        prefix = next((name for limit, name in _LOB_SIZES if size < limit), "long")
        return prefix + base, ()

    def check_name(self, table: str, column: str | None, taken: set[str]) -> str:
        """``<table>_chk_<n>``, after the highest ``n`` of the table."""
        return after_highest(f"{table}_chk_", taken)

    def name_added_constraints(
        self, table: str, wanted: Sequence[tuple[str, tuple[str, ...]]], taken: set[str]
    ) -> list[str | None]:
        """``<table>_ibfk_<n>`` for foreign keys (after the highest ``n``), the first
        column's name for unique constraints (``<column>_2``... when taken)."""
        numbers = [int(m.group(1)) for n in taken if (m := _IBFK.search(n))]
        next_number = max(numbers, default=0) + 1
        names: list[str | None] = []
        for kind, columns in wanted:
            if kind == FOREIGN_KEY:
                names.append(f"{table}_ibfk_{next_number}")
                next_number += 1
            elif kind == UNIQUE:
                base = columns[0]
                name, suffix = base, 2
                while name in taken:
                    name, suffix = f"{base}_{suffix}", suffix + 1
                names.append(name)
                taken.add(name)
            else:
                names.append(None)
        return names

    def name_split_foreign_keys(
        self,
        table: str,
        inline: Sequence[tuple[str, ...]],
        wanted: Sequence[tuple[str, ...]],
        taken: set[str],
        limit: int,
    ) -> list[str]:
        """``<table>_ibfk_<n>``, numbered after the keys ``CREATE TABLE`` named."""
        numbers = [int(m.group(1)) for n in taken if (m := _IBFK.search(n))]
        next_number = max([len(inline), *numbers]) + 1
        names: list[str] = []
        for _columns in wanted:
            name, next_number = f"{table}_ibfk_{next_number}", next_number + 1
            if len(name) > limit:
                name = shortened(name, limit)
            names.append(name)
            taken.add(name)
        return names


class MariaDBProfile(MySQLProfile):
    name = "mariadb"
    implementation: ClassVar[str] = "sterna.ddl.mysql:MariaDBImpl"
    variant_fallbacks: ClassVar[tuple[str, ...]] = ("mysql",)

    def refined_for(self, dialect: Dialect) -> DialectProfile:
        return self

    def normal_type(
        self, base: str, args: tuple[str, ...], flags: frozenset[str]
    ) -> tuple[str, tuple[str, ...], frozenset[str]]:
        """MySQL's equivalences, and ``JSON`` is ``LONGTEXT``."""
        base, args, flags = super().normal_type(base, args, flags)
        return ("longtext" if base == "json" else base), args, flags

    def check_name(self, table: str, column: str | None, taken: set[str]) -> str:
        """``CONSTRAINT_<n>``, the lowest ``n`` free in the table (measured on 10.11: after
        ``CONSTRAINT_2`` the next ones are ``CONSTRAINT_1``, then ``CONSTRAINT_3``)."""
        return first_free("CONSTRAINT_{}", taken)


def _charset_of(collation: str | None) -> str | None:
    return collation.split("_", 1)[0].lower() if collation else None
