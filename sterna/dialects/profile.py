"""The generic dialect profile, the registry of profiles and the one lookup, ``profile_for``.

:class:`DialectProfile` holds what Sterna does for a dialect it has no special rule for (what
Alembic does for any dialect); a subclass per dialect overrides what its database does
differently.  Defining a subclass with a ``name`` registers it under that SQLAlchemy dialect
name; the built-in ones (``sterna.dialects.sqlite``, ``postgresql``, ``mysql``) are imported on
the first lookup of their name.  A class defined outside ``sterna.dialects`` replaces a built-in
one of the same name, whichever is imported first.

A profile answers with plain values (strings, tuples, booleans): the layers above turn them into
their own objects.  The reflection reader is named as ``"module:Class"`` and imported by the
autogenerate layer, so that this layer never imports upward.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from sterna.dialects.names import after_highest, free_name, shortened
from sterna.dialects.sql_lexer import LexerFlags

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

#: the modules defining the built-in profiles, by SQLAlchemy dialect name
_BUILTIN_MODULES = {
    "sqlite": "sterna.dialects.sqlite",
    "postgresql": "sterna.dialects.postgresql",
    "mysql": "sterna.dialects.mysql",
    "mariadb": "sterna.dialects.mysql",
}

#: the kinds of constraint :meth:`DialectProfile.name_added_constraints` names
PRIMARY_KEY, UNIQUE, FOREIGN_KEY = "primary_key", "unique", "foreign_key"


class DialectProfile:
    """What Sterna knows about one dialect: the generic rules (any dialect without its own)."""

    #: the SQLAlchemy dialect name a subclass registers under ("default": the generic profile)
    name: ClassVar[str] = "default"
    #: how the SQL lexer reads quotes (:func:`sterna.dialects.sql_lexer.dialect_tokenize`)
    lexer_flags: ClassVar[LexerFlags] = LexerFlags()

    # -- the implementation: DDL, ALTER forms, transactions, locks, batch rebuilds ----------------
    #: the implementation class, ``"module:Class"`` (a ``sterna.ddl.impl.DefaultImpl``
    #: subclass), imported by the ddl layer on the first run against the dialect.  A class
    #: registered through ``__dialect__`` (Alembic's way) for this name is used instead.
    implementation: ClassVar[str] = "sterna.ddl.impl:DefaultImpl"

    # -- reflection for autogenerate ----------------------------------------------------------
    #: the bulk reader of the catalog, ``"module:Class"`` (SQLAlchemy's Inspector by default)
    reader: ClassVar[str] = "sterna.autogenerate.reflect_inspector:InspectorReader"
    #: schemas ``include_schemas`` leaves out (besides names starting with ``pg_``)
    system_schemas: ClassVar[frozenset[str]] = frozenset()
    #: named enum types exist apart from tables (and are reflected and compared)
    has_enum_types: ClassVar[bool] = False

    # -- types ---------------------------------------------------------------------------------
    #: other dialect names whose ``with_variant`` types this dialect uses, in order
    variant_fallbacks: ClassVar[tuple[str, ...]] = ()
    #: a named enum column is compared by its type's name (the values by the enum comparator)
    compares_enums_by_name: ClassVar[bool] = False

    # -- server defaults and SQL text ------------------------------------------------------------
    #: a string default of an interval or boolean column is read as a value of that type
    reads_string_defaults_as_values: ClassVar[bool] = False
    #: the database writes functions and operators with MySQL's synonyms (``lcase``, ``&&``...)
    uses_mysql_spellings: ClassVar[bool] = False
    #: where an index element sorts NULLs when it does not say: (ascending, descending)
    default_nulls_order: ClassVar[tuple[str, str] | None] = None

    # -- indexes, unique and foreign key constraints --------------------------------------------
    #: index dialect options compared (a partial index's ``WHERE``, ``INCLUDE`` columns)
    compared_index_options: ClassVar[tuple[str, ...]] = ()
    #: dialect options a unique constraint is compared by (besides its columns)
    compared_unique_options: ClassVar[tuple[str, ...]] = ()
    #: the index method option compared (``USING``; its default method is left out), or None
    index_method_option: ClassVar[str | None] = None
    index_method_default: ClassVar[str] = "btree"
    #: ``CREATE TABLE`` makes one index for unique constraints on the same columns, and none
    #: for one on the primary key's columns
    folds_redundant_uniques: ClassVar[bool] = False
    #: every foreign key needs an index on its columns (made by the database when missing,
    #: which cannot be dropped while the key is there)
    foreign_keys_need_an_index: ClassVar[bool] = False
    #: ``ON DELETE/UPDATE RESTRICT`` is the same as ``NO ACTION`` (no action given)
    restrict_is_no_action: ClassVar[bool] = False
    #: ``DEFERRABLE`` / ``INITIALLY`` of a foreign key are kept and compared
    compares_fk_deferral: ClassVar[bool] = True

    # -- columns -------------------------------------------------------------------------------
    #: ``ALTER COLUMN`` restates the whole column, so it must repeat ``AUTO_INCREMENT``
    alter_restates_autoincrement: ClassVar[bool] = False

    # -- names the database gives unnamed constraints -------------------------------------------
    #: CHECK names are unique in the whole schema (not only in the table)
    check_names_are_per_schema: ClassVar[bool] = False
    #: the name of a CHECK on one column contains that column
    check_name_uses_column: ClassVar[bool] = False

    _registry: ClassVar[dict[str, type[DialectProfile]]] = {}
    _builtins: ClassVar[dict[str, type[DialectProfile]]] = {}
    _instances: ClassVar[dict[str, DialectProfile]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if not isinstance(name, str):
            return
        if cls.__module__.startswith("sterna.dialects."):
            DialectProfile._builtins[name] = cls
            DialectProfile._registry.setdefault(name, cls)
        else:
            DialectProfile._registry[name] = cls
        DialectProfile._instances.clear()

    @classmethod
    def unregister(cls, name: str) -> None:
        """Forget the profile registered as ``name`` (the built-in one comes back)."""
        DialectProfile._registry.pop(name, None)
        if name in DialectProfile._builtins:
            DialectProfile._registry[name] = DialectProfile._builtins[name]
        DialectProfile._instances.clear()

    def refined_for(self, dialect: Dialect) -> DialectProfile:
        """The profile for this connected ``dialect`` (MySQL's tells MariaDB apart)."""
        return self

    # -- types ---------------------------------------------------------------------------------

    def normal_type(
        self, base: str, args: tuple[str, ...], flags: frozenset[str]
    ) -> tuple[str, tuple[str, ...], frozenset[str]]:
        """A compiled type's base name, arguments and flags with the dialect's equivalences
        applied (equal types give equal values)."""
        return base, args, flags

    def stored_type(
        self,
        base: str,
        args: tuple[str, ...],
        charset: str | None,
        collation: str | None,
        column_collation: str | None,
    ) -> tuple[str, tuple[str, ...]]:
        """The type the database stores for a model's ``base(args)``, as its reflection gives
        it back (``charset`` and ``collation``: the model's, ``column_collation``: the
        database column's)."""
        return base, args

    # -- index elements --------------------------------------------------------------------------

    def index_element_text(self, text: str) -> str:
        """A model index element's SQL text (its ordering words removed) in the form the
        database's reflection gives it back; the generic rule: unchanged."""
        return text

    # -- names ---------------------------------------------------------------------------------

    def check_name(self, table: str, column: str | None, taken: set[str]) -> str:
        """The name given an unnamed CHECK added to ``table`` (``column``: the one column its
        expression uses, when :attr:`check_name_uses_column`): ``ck_<table>_<n>``, after the
        highest ``n`` taken, so that batch mode's downgrade finds it again."""
        return after_highest(f"ck_{table}_", taken)

    def name_added_constraints(
        self, table: str, wanted: Sequence[tuple[str, tuple[str, ...]]], taken: set[str]
    ) -> list[str | None]:
        """The names the database gives the unnamed constraints ``wanted`` (kind, columns)
        added to an existing ``table``, in order; None where it is not known.  ``taken``: the
        names in use, extended with those given."""
        return [None] * len(wanted)

    def name_split_foreign_keys(
        self,
        table: str,
        inline: Sequence[tuple[str, ...]],
        wanted: Sequence[tuple[str, ...]],
        taken: set[str],
        limit: int,
    ) -> list[str]:
        """Names for the unnamed foreign keys (their columns, ``wanted``) of a new ``table``
        added after the tables, where ``inline`` are the columns of its unnamed keys made by
        ``CREATE TABLE``: ``fk_<table>_<columns>``, numbered when taken, shortened with a
        hash beyond ``limit`` characters."""
        taken |= self.inline_foreign_key_names(table, inline)
        names: list[str] = []
        for columns in wanted:
            name = free_name(self.split_foreign_key_name(table, columns), taken)
            if len(name) > limit:
                name = shortened(name, limit)
            names.append(name)
            taken.add(name)
        return names

    def inline_foreign_key_names(self, table: str, inline: Sequence[tuple[str, ...]]) -> set[str]:
        """The names the database gives the unnamed foreign keys of a ``CREATE TABLE``, when
        it names them by their columns."""
        return set()

    def split_foreign_key_name(self, table: str, columns: tuple[str, ...]) -> str:
        return f"fk_{table}_{'_'.join(columns)}"


def profile_for(dialect_or_name: Dialect | str) -> DialectProfile:
    """The profile of a SQLAlchemy dialect (or dialect name); the generic profile for a name
    nothing is registered under."""
    if isinstance(dialect_or_name, str):
        return _named(dialect_or_name)
    return _named(dialect_or_name.name).refined_for(dialect_or_name)


def _named(name: str) -> DialectProfile:
    found = DialectProfile._instances.get(name)
    if found is not None:
        return found
    cls = DialectProfile._registry.get(name)
    if cls is None and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])
        cls = DialectProfile._registry.get(name)
    profile = _instance_of(cls or DialectProfile)
    DialectProfile._instances[name] = profile
    return profile


def _instance_of(cls: type[DialectProfile]) -> DialectProfile:
    """One instance per class (a profile holds no state): the same for every name it serves."""
    for existing in DialectProfile._instances.values():
        if type(existing) is cls:
            return existing
    return cls()


def named_by(dialect: Dialect, wanted: object) -> bool:
    """Whether a rule naming dialects (``ddl_if(dialect=...)``: a name, a collection of names,
    or ``None`` for any) covers ``dialect``; SQLAlchemy matches the name exactly."""
    if isinstance(wanted, str):
        return wanted == dialect.name
    if isinstance(wanted, (tuple, list, set, frozenset)):
        return dialect.name in wanted
    return True
