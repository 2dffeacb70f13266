"""SQLite: what it does differently from the generic rules."""

from __future__ import annotations

from typing import ClassVar

from sterna.dialects.profile import DialectProfile
from sterna.dialects.sql_lexer import LexerFlags


class SQLiteProfile(DialectProfile):
    name = "sqlite"
    implementation: ClassVar[str] = "sterna.ddl.sqlite:SQLiteImpl"
    reader: ClassVar[str] = "sterna.autogenerate.reflect_sqlite:SQLiteReader"
    system_schemas: ClassVar[frozenset[str]] = frozenset({"temp"})
    #: ``[name]`` is an identifier
    lexer_flags: ClassVar[LexerFlags] = LexerFlags(bracket_identifiers=True)
    compared_index_options: ClassVar[tuple[str, ...]] = ("sqlite_where",)
    folds_redundant_uniques: ClassVar[bool] = True
