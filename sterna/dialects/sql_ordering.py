"""The sort order of an index element, in one normal form for both sides.

A model writes ``col.asc()``, ``expr.desc().nulls_last()`` or ``text("col ASC")``; a database
gives the element without its order plus flags (PostgreSQL: descending, nulls first; SQLite and
MariaDB: descending).  Both become ``<element>[ desc][ nulls first|last]``, where what is the
database's default is left out: ``ASC`` always, and on PostgreSQL ``NULLS LAST`` after an
ascending element, ``NULLS FIRST`` after a descending one.
"""

from __future__ import annotations

from sterna.dialects import profile_for
from sterna.dialects.sql_text import TokenizeError, dialect_tokenize


def split_ordering(text: str, dialect_name: str) -> tuple[str, bool, str | None]:
    """``text`` without its trailing ``ASC``/``DESC`` and ``NULLS FIRST``/``NULLS LAST``
    (unquoted keywords only), whether it was descending, and the NULLs position it named."""
    try:
        tokens = dialect_tokenize(text, dialect_name)
    except TokenizeError:
        return text, False, None
    end = len(tokens)
    nulls: str | None = None
    if end > 2 and tokens[end - 2].is_word("nulls") and tokens[end - 1].is_word("first", "last"):
        nulls = tokens[end - 1].value.lower()
        end -= 2
    descending = False
    if end > 1 and tokens[end - 1].is_word("asc", "desc"):
        descending = tokens[end - 1].is_word("desc")
        end -= 1
    if end == len(tokens):
        return text, False, None
    return text[: tokens[end].start].rstrip(), descending, nulls


def order_words(descending: bool, nulls: str | None, dialect_name: str) -> list[str]:
    """The words that follow an element in its normal form (none for the default order)."""
    words = ["desc"] if descending else []
    defaults = profile_for(dialect_name).default_nulls_order
    if nulls is not None and not (defaults and defaults[int(descending)] == nulls):
        words.append(f"nulls {nulls}")
    return words


def reflected_order(sorting: tuple[str, ...]) -> tuple[bool, str | None]:
    """A reflected element's sort flags (``("desc", "nulls_last")``...) as (descending,
    NULLs position)."""
    flags = {flag.lower() for flag in sorting}
    nulls = "first" if "nulls_first" in flags else "last" if "nulls_last" in flags else None
    return "desc" in flags, nulls
