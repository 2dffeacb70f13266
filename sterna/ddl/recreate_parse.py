"""Parsing ``CREATE TABLE`` and ``CREATE INDEX`` text into the parts a rebuild changes.

A table becomes a list of :class:`ColumnDef` (name, declared type, column constraints as
:class:`Clause` texts) and a list of :class:`TableConstraint`, plus the options after the closing
parenthesis (``WITHOUT ROWID``, ``STRICT``, ``ENGINE=InnoDB``...).  Every part keeps its original
tokens, so an untouched column is written back exactly as it was.  The grammar is SQLite's column
and table constraint grammar, which also covers the DDL SQLAlchemy compiles for PostgreSQL and
MySQL (their extra column keywords such as ``AUTO_INCREMENT`` or ``COMMENT`` are kept as opaque
clauses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sterna.ddl.recreate_sql import (
    Tok,
    ident_value,
    is_word,
    matching_paren,
    names_in_list,
    render,
    significant,
    split_top,
    strip,
    tokenize,
)
from sterna.dialects.sql_lexer import unterminated

#: Keywords that start a column constraint (after the column's name and type).
_CLAUSE_START = frozenset(
    {
        "CONSTRAINT",
        "PRIMARY",
        "NOT",
        "NULL",
        "UNIQUE",
        "CHECK",
        "DEFAULT",
        "COLLATE",
        "REFERENCES",
        "GENERATED",
        "AS",
        "AUTO_INCREMENT",
        "AUTOINCREMENT",
        "COMMENT",
        "ON",
        "IDENTITY",
    }
)
#: Keywords that start a table constraint item.
_TABLE_CONSTRAINT_START = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})


class SQLParseError(ValueError):
    """The SQL text does not have the expected shape."""


@dataclass
class Clause:
    """One column constraint: ``kind`` is primary, notnull, null, unique, check, default,
    collate, references, generated or other; ``tokens`` include ``CONSTRAINT name``."""

    kind: str
    name: str | None
    tokens: list[Tok]

    @property
    def text(self) -> str:
        return render(self.tokens)


@dataclass
class ColumnDef:
    """A column of the table being built; ``source`` is the column of the existing table its
    values are copied from (None for a new column)."""

    name: str
    name_tok: Tok
    type_tokens: list[Tok]
    clauses: list[Clause] = field(default_factory=list)
    source: str | None = None

    def has(self, kind: str) -> bool:
        return any(clause.kind == kind for clause in self.clauses)

    def text(self) -> str:
        parts = [self.name_tok.text]
        type_text = render(self.type_tokens).strip()
        if type_text:
            parts.append(type_text)
        parts.extend(clause.text.strip() for clause in self.clauses)
        return " ".join(parts)


@dataclass
class TableConstraint:
    """A table constraint: ``kind`` is primary, unique, check, foreign or other; ``columns``
    are the local columns it names (primary, unique, foreign); ``ref_table`` the referent."""

    kind: str
    name: str | None
    tokens: list[Tok]
    columns: list[str] = field(default_factory=list)
    ref_table: str | None = None
    ref_columns: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return render(self.tokens).strip()


@dataclass
class ParsedTable:
    """A parsed ``CREATE TABLE``: read by the rebuild (which edits it) and by SQLite's
    reflection (which takes constraint names, CHECKs and generated columns from it).
    ``unterminated``: the text ends inside a quote (reflection then ignores it)."""

    columns: list[ColumnDef]
    constraints: list[TableConstraint]
    options: str
    unterminated: bool = False


@dataclass
class IndexDef:
    """An index to create after the rebuild: its name and its ``CREATE INDEX`` tokens, split
    where the indexed table is named (``head`` up to the table name, ``tail`` after it)."""

    name: str
    head: list[Tok]
    tail: list[Tok]

    @property
    def sql(self) -> str:
        return render(self.head) + render(self.tail)


class _Cursor:
    """Walks the significant tokens of a token list."""

    def __init__(self, tokens: Sequence[Tok]) -> None:
        self.tokens = tokens
        self.sig = significant(tokens)
        self.pos = 0

    def peek(self, ahead: int = 0) -> Tok | None:
        at = self.pos + ahead
        return self.tokens[self.sig[at]] if at < len(self.sig) else None

    def word(self, ahead: int = 0) -> str:
        tok = self.peek(ahead)
        return tok.text.upper() if tok is not None and tok.kind == "word" else ""

    def at_end(self) -> bool:
        return self.pos >= len(self.sig)

    def index(self) -> int:
        """Token index of the current significant token (``len(tokens)`` at the end)."""
        return self.sig[self.pos] if self.pos < len(self.sig) else len(self.tokens)

    def end_index(self) -> int:
        """Token index just after the last consumed significant token."""
        return self.sig[self.pos - 1] + 1 if self.pos > 0 else 0

    def advance(self, count: int = 1) -> None:
        self.pos = min(self.pos + count, len(self.sig))

    def take_words(self, *words: str) -> bool:
        """Consume the keyword ``words[0]`` if present (and the rest of the sequence)."""
        if self.word() != words[0]:
            return False
        for offset, expected in enumerate(words):
            if self.word(offset) != expected:
                return False
        self.advance(len(words))
        return True

    def skip_group(self) -> list[Tok]:
        """Consume a parenthesised group if one is next; return its inner tokens."""
        tok = self.peek()
        if tok is None or tok.kind != "punct" or tok.text != "(":
            return []
        start = self.index()
        end = matching_paren(self.tokens, start)
        while not self.at_end() and self.index() <= end:
            self.advance()
        return list(self.tokens[start + 1 : end])

    def skip_until(self, stops: frozenset[str]) -> None:
        """Consume tokens (groups whole) until a keyword in ``stops`` or the end."""
        while not self.at_end() and self.word() not in stops:
            if self.skip_group():
                continue
            self.advance()


def parse_create_table(sql: str) -> ParsedTable:
    """The columns, constraints and options of a ``CREATE TABLE name (...)`` statement."""
    tokens = tokenize(sql)
    start = next(
        (i for i, tok in enumerate(tokens) if tok.kind == "punct" and tok.text == "("), None
    )
    if start is None:
        raise SQLParseError(f"no column list in {sql.strip()[:80]!r}")
    end = matching_paren(tokens, start)
    columns: list[ColumnDef] = []
    constraints: list[TableConstraint] = []
    body = tokens[start + 1 : end]
    for item in _split_items(body):
        first = item[0]
        if first.kind == "word" and first.text.upper() in _TABLE_CONSTRAINT_START:
            constraints.append(parse_table_constraint(item))
        else:
            columns.append(parse_column(item))
    options = render(tokens[end + 1 :]).strip().rstrip(";").strip()
    return ParsedTable(columns, constraints, options, unterminated(tokens))


def _split_items(body: Sequence[Tok]) -> list[list[Tok]]:
    return [item for item in (strip(part) for part in split_top(body)) if item]


def parse_column(tokens: Sequence[Tok]) -> ColumnDef:
    """A column definition: name, type and column constraints."""
    tokens = strip(tokens)
    cursor = _Cursor(tokens)
    name_tok = cursor.peek()
    name = ident_value(name_tok) if name_tok is not None else None
    if name_tok is None or name is None:
        raise SQLParseError(f"no column name in {render(tokens)!r}")
    cursor.advance()
    type_start = cursor.index()
    cursor.skip_until(_CLAUSE_START)
    type_tokens = strip(tokens[type_start : cursor.index()])
    clauses: list[Clause] = []
    while not cursor.at_end():
        start = cursor.index()
        constraint_name = _constraint_name(cursor)
        kind = _column_clause(cursor)
        clauses.append(Clause(kind, constraint_name, strip(tokens[start : cursor.end_index()])))
    return ColumnDef(name, name_tok, type_tokens, clauses, source=name)


def _constraint_name(cursor: _Cursor) -> str | None:
    if cursor.word() != "CONSTRAINT":
        return None
    cursor.advance()
    tok = cursor.peek()
    cursor.advance()
    return ident_value(tok) if tok is not None else None


def _conflict(cursor: _Cursor) -> None:
    if cursor.word() == "ON" and cursor.word(1) == "CONFLICT":
        cursor.advance(3)


def _column_clause(cursor: _Cursor) -> str:
    """Consume one column constraint; return its kind."""
    word = cursor.word()
    if word == "PRIMARY":
        cursor.advance(2)
        if cursor.word() in ("ASC", "DESC"):
            cursor.advance()
        _conflict(cursor)
        cursor.take_words("AUTOINCREMENT")
        return "primary"
    if word == "NOT" and cursor.word(1) == "NULL":
        cursor.advance(2)
        _conflict(cursor)
        return "notnull"
    if word in ("NULL", "UNIQUE"):
        cursor.advance()
        _conflict(cursor)
        return word.lower()
    if word == "CHECK":
        cursor.advance()
        cursor.skip_group()
        return "check"
    if word == "DEFAULT":
        cursor.advance()
        _default_value(cursor)
        return "default"
    if word == "COLLATE":
        cursor.advance(2)
        return "collate"
    if word == "REFERENCES":
        references_clause(cursor)
        return "references"
    if word in ("GENERATED", "AS"):
        return _generated(cursor)
    cursor.advance()
    cursor.skip_until(_CLAUSE_START)
    return {"COMMENT": "comment", "AUTO_INCREMENT": "autoincrement"}.get(word, "other")


def _default_value(cursor: _Cursor) -> None:
    tok = cursor.peek()
    if tok is None:
        return
    if tok.kind == "punct" and tok.text == "(":
        cursor.skip_group()
        return
    if tok.kind == "punct" and tok.text in ("+", "-"):
        cursor.advance()
    cursor.advance()
    nxt = cursor.peek()
    if nxt is not None and nxt.kind == "string" and is_word(tok, "X"):
        cursor.advance()  # blob literal X'..'
    if nxt is not None and nxt.kind == "punct" and nxt.text == "(":
        cursor.skip_group()  # a function call such as nextval('seq'::regclass)
    while not cursor.at_end():  # PostgreSQL casts: 'x'::character varying
        punct = cursor.peek()
        if punct is None or punct.kind != "punct" or punct.text != "::":
            break
        cursor.advance()
        while cursor.word() and cursor.word() not in _CLAUSE_START:
            cursor.advance()
        cursor.skip_group()


def _generated(cursor: _Cursor) -> str:
    if cursor.take_words("GENERATED") and not cursor.take_words("ALWAYS"):
        cursor.take_words("BY", "DEFAULT")
    cursor.take_words("AS")
    if cursor.take_words("IDENTITY"):
        cursor.skip_group()
        return "identity"
    cursor.skip_group()
    if cursor.word() in ("STORED", "VIRTUAL", "PERSISTENT"):
        cursor.advance()
    return "generated"


def references_clause(cursor: _Cursor) -> None:
    """Consume ``REFERENCES table [(cols)]`` and its actions and deferrability."""
    cursor.advance()  # REFERENCES
    cursor.advance()  # table (or schema)
    while (tok := cursor.peek()) is not None and tok.kind == "punct" and tok.text == ".":
        cursor.advance(2)
    cursor.skip_group()
    while not cursor.at_end():
        if cursor.word() == "ON" and cursor.word(1) in ("DELETE", "UPDATE"):
            cursor.advance(2)
            if cursor.word() in ("SET", "NO"):
                cursor.advance()
            cursor.advance()
        elif cursor.word() == "MATCH" or cursor.word() == "NOT" and cursor.word(1) == "DEFERRABLE":
            cursor.advance(2)
        elif cursor.word() == "DEFERRABLE":
            cursor.advance()
        elif cursor.word() == "INITIALLY":
            cursor.advance(2)
        else:
            break


def parse_table_constraint(tokens: Sequence[Tok]) -> TableConstraint:
    """A table constraint item: PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY."""
    tokens = strip(tokens)
    cursor = _Cursor(tokens)
    name = _constraint_name(cursor)
    word = cursor.word()
    if word in ("PRIMARY", "FOREIGN"):
        cursor.advance(2)
    elif word in ("UNIQUE", "CHECK"):
        cursor.advance()
        if cursor.word() in ("KEY", "INDEX"):
            cursor.advance()
    else:
        return TableConstraint("other", name, list(tokens))
    kind = {"PRIMARY": "primary", "FOREIGN": "foreign"}.get(word, word.lower())
    group = cursor.skip_group()
    if kind == "check":
        return TableConstraint(kind, name, list(tokens))
    ref_table = None
    ref_columns: list[str] = []
    if kind == "foreign" and cursor.word() == "REFERENCES":
        ref_table = referenced_table(tokens)
        ref_columns = referenced_columns(tokens)
    return TableConstraint(kind, name, list(tokens), names_in_list(group), ref_table, ref_columns)


def referenced_columns(tokens: Sequence[Tok]) -> list[str]:
    """The column list after ``REFERENCES table`` (empty when the primary key is meant)."""
    _, ref_part = split_references(tokens)
    for i, tok in enumerate(ref_part):
        if tok.kind == "punct" and tok.text == "(":
            return names_in_list(ref_part[i + 1 : matching_paren(ref_part, i)])
    return []


def referenced_table(tokens: Sequence[Tok]) -> str | None:
    """The table named after ``REFERENCES`` (its last dotted part)."""
    sig = significant(tokens)
    for pos, index in enumerate(sig):
        if is_word(tokens[index], "REFERENCES"):
            name: str | None = None
            for following in sig[pos + 1 :]:
                tok = tokens[following]
                if tok.kind == "punct" and tok.text == ".":
                    continue
                value = ident_value(tok)
                if value is None:
                    break
                name = value
                if not _dotted_next(tokens, sig, following):
                    break
            return name
    return None


def _dotted_next(tokens: Sequence[Tok], sig: list[int], index: int) -> bool:
    later = [i for i in sig if i > index]
    return bool(later) and tokens[later[0]].text == "."


def split_references(tokens: Sequence[Tok]) -> tuple[list[Tok], list[Tok]]:
    """``tokens`` split before the ``REFERENCES`` keyword (outside parentheses)."""
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.kind == "punct" and tok.text in "()":
            depth += 1 if tok.text == "(" else -1
        elif depth == 0 and is_word(tok, "REFERENCES"):
            return list(tokens[:i]), list(tokens[i:])
    return list(tokens), []


def parse_create_index(sql: str) -> IndexDef:
    """A ``CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table ...`` statement."""
    tokens = strip(tokenize(sql.strip().rstrip(";")))
    sig = significant(tokens)
    name: str | None = None
    for pos, index in enumerate(sig):
        tok = tokens[index]
        if is_word(tok, "INDEX"):
            rest = list(sig[pos + 1 :])
            words = ("IF", "NOT", "EXISTS")
            if len(rest) >= 3 and all(
                is_word(tokens[i], w) for i, w in zip(rest[:3], words, strict=True)
            ):
                rest = rest[3:]
            name = _last_dotted(tokens, rest)
        if is_word(tok, "ON") and name is not None:
            table_end = _dotted_end(tokens, sig[pos + 1 :])
            return IndexDef(name, list(tokens[: table_end + 1]), list(tokens[table_end + 1 :]))
    raise SQLParseError(f"cannot read index definition {sql.strip()[:80]!r}")


def _dotted_end(tokens: Sequence[Tok], rest: list[int]) -> int:
    """Index of the last token of a possibly dotted name starting at ``rest[0]``."""
    end = rest[0]
    pos = 1
    while pos + 1 < len(rest) and tokens[rest[pos]].text == ".":
        end = rest[pos + 1]
        pos += 2
    return end


def _last_dotted(tokens: Sequence[Tok], rest: list[int]) -> str | None:
    if not rest:
        return None
    return ident_value(tokens[_dotted_end(tokens, rest)])


def qualify_created(sql: str, keyword: str, schema_sql: str) -> str:
    """``CREATE ... INDEX|TRIGGER name`` with the name qualified by ``schema_sql`` (SQLite
    keeps these statements unqualified in an attached database's ``sqlite_master``)."""
    tokens = tokenize(sql)
    sig = significant(tokens)
    for pos, index in enumerate(sig):
        if not is_word(tokens[index], keyword):
            continue
        rest = sig[pos + 1 :]
        if len(rest) >= 3 and [tokens[i].text.upper() for i in rest[:3]] == ["IF", "NOT", "EXISTS"]:
            rest = rest[3:]
        if not rest:
            break
        if len(rest) > 1 and tokens[rest[1]].text == ".":
            return sql
        name = rest[0]
        return render(tokens[:name]) + schema_sql + "." + render(tokens[name:])
    return sql
