"""The hooks a dialect implementation overrides to customise autogenerate and batch mode.

:class:`ImplHooks` is a mixin of :class:`~sterna.ddl.impl.DefaultImpl` holding the methods that
Alembic's ``DefaultImpl`` offers third-party dialects (``class MyImpl(DefaultImpl):
__dialect__ = "mydb"`` with ``compare_type`` etc. overridden).  Each default implementation is
Sterna's own behaviour, so overriding one changes exactly that decision:

================================  ==============================================================
hook                              called by
================================  ==============================================================
``autogen_column_reflect``        reflection for autogenerate, once per reflected column (with
                                  the column as a dict), and batch-mode reflection
``adjust_reflected_dialect_       index comparison: the reflected index's dialect options
options``
``compare_type``                  type comparison, when a ``compare_type`` callable of the
                                  project did not decide (returned None)
``compare_server_default``        server default comparison, likewise
``compare_indexes`` /             each model index / unique constraint paired with a reflected
``compare_unique_constraint`` /   one (and each CHECK paired by name): a
``compare_check_constraint``      :class:`ComparisonResult`
``correct_for_autogen_            before indexes and unique constraints are paired: may remove
constraints``                     objects from the four sets
``correct_for_autogen_            before foreign keys are matched: may remove or adjust
foreignkeys``                     constraints in the two sets
``render_type`` /                 the autogenerate renderer (when no ``render_item`` rendered
``render_ddl_sql_expr``           the object)
``requires_recreate_in_batch``    batch mode with ``recreate="auto"``
``batch_rebuild_reason``          the default ``requires_recreate_in_batch``, per operation,
                                  and batch mode with ``recreate="never"`` (Sterna's own)
``prep_table_for_batch``          a batch rebuild, before the new table is created
``cast_for_batch_migrate``        a batch rebuild, per copied column whose type changes
``version_table_impl``            the runtime, to build the ``alembic_version`` ``Table``
================================  ==============================================================

Where calling a hook needs SQLAlchemy objects that Sterna's comparison does not otherwise build
(reflected ``Column``/``Index``/``ForeignKeyConstraint`` objects, the reflected ``Table`` of a
SQLite rebuild), they are built only when the implementation overrides that hook (see
:func:`overrides`); otherwise the comparison runs the default's logic on its snapshot records
directly, which is the same decision.  Objects built from the snapshot carry their record in
``info[REFLECTED]``, so that an override calling ``super()`` gets Sterna's exact comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple

from sqlalchemy import Column, Index, Table, UniqueConstraint, cast
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ClauseElement

if TYPE_CHECKING:
    from sqlalchemy import CheckConstraint, ForeignKeyConstraint
    from sqlalchemy.engine import Inspector
    from sqlalchemy.types import TypeEngine

    # autogenerate's snapshot records: imported when a comparison needs them, not by every
    # migration run (defining their dataclasses is 1.7% of an upgrade of 200 revisions);
    # ``REFLECTED`` is given by the module's ``__getattr__``
    from sterna.dialects.records import REFLECTED as REFLECTED
    from sterna.dialects.records import ColumnInfo

__all__ = ["REFLECTED", "ComparisonResult", "ImplHooks", "build_version_table", "overrides"]

Status = Literal["equal", "different", "skip"]


class ComparisonResult(NamedTuple):
    """The verdict of ``compare_indexes``/``compare_unique_constraint``/
    ``compare_check_constraint``: equal (nothing to do), different (drop and create again) or
    skip (cannot be compared; treated as equal, with an INFO log line)."""

    status: Status
    message: str

    @property
    def is_equal(self) -> bool:
        return self.status == "equal"

    @property
    def is_different(self) -> bool:
        return self.status == "different"

    @property
    def is_skip(self) -> bool:
        return self.status == "skip"

    @classmethod
    def Equal(cls) -> ComparisonResult:  # (Alembic's name)
        return cls("equal", "The two constraints are equal")

    @classmethod
    def Different(cls, reason: str | Sequence[str]) -> ComparisonResult:
        return cls("different", reason if isinstance(reason, str) else ", ".join(reason))

    @classmethod
    def Skip(cls, reason: str | Sequence[str]) -> ComparisonResult:
        return cls("skip", reason if isinstance(reason, str) else ", ".join(reason))


def overrides(impl: Any, name: str) -> bool:
    """Whether ``impl`` (an instance or class) replaces the default of hook ``name``."""
    cls = impl if isinstance(impl, type) else type(impl)
    found = getattr(cls, name, None)
    return found is not None and found is not getattr(ImplHooks, name)


class ImplHooks:
    """Autogenerate and batch hooks of :class:`~sterna.ddl.impl.DefaultImpl` (see the module
    docstring for where each is called)."""

    dialect: Dialect
    #: the default :meth:`cast_for_batch_migrate` casts the copied column to its new type
    batch_copy_casts: ClassVar[bool] = True

    # -- reflection -----------------------------------------------------------------------------

    def autogen_column_reflect(
        self, inspector: Inspector | None, table: Table, column_info: dict[str, Any]
    ) -> None:
        """Adjust a reflected column before it is compared: ``column_info`` is the dict of
        SQLAlchemy's ``column_reflect`` event (``name``, ``type``, ``nullable``, ``default``,
        ``autoincrement``, ``comment``, ...); changes made to it are kept.  Does nothing."""

    def adjust_reflected_dialect_options(
        self, reflected_object: Mapping[str, Any], kind: str
    ) -> dict[str, Any]:
        """The dialect options of a reflected index (``kind="index"``) that take part in the
        comparison, from the inspector-style dict ``reflected_object``; by default its
        ``dialect_options`` unchanged."""
        return dict(reflected_object.get("dialect_options") or {})

    # -- comparison -----------------------------------------------------------------------------

    def compare_type(self, inspector_column: Column[Any], metadata_column: Column[Any]) -> bool:
        """True when the reflected column's type differs from the model's (Sterna's type
        signatures with the dialect's equivalences; a type's ``compare_against_backend``
        first)."""
        from sterna.dialects.compare_types import types_differ

        return types_differ(self.dialect, _column_record(inspector_column), metadata_column.type)

    def compare_server_default(
        self,
        inspector_column: Column[Any],
        metadata_column: Column[Any],
        rendered_metadata_default: str | None,
        rendered_inspector_default: str | None,
    ) -> bool:
        """True when the two defaults, as SQL text, differ in Sterna's normal form (a serial
        column's ``nextval(...)`` is no difference)."""
        from sterna.dialects.compare_defaults import defaults_differ, implicit_sequence_default

        if implicit_sequence_default(rendered_inspector_default, metadata_column):
            return False
        return defaults_differ(
            self.dialect,
            rendered_inspector_default,
            rendered_metadata_default,
            metadata_column.type,
        )

    def compare_indexes(self, metadata_index: Index, reflected_index: Index) -> ComparisonResult:
        """Equal when elements (and their order), uniqueness and the compared dialect options
        match."""
        from sterna.dialects.compare_elements import index_signature

        meta = index_signature(metadata_index, self.dialect)
        conn = index_signature(reflected_index, self.dialect)
        return _verdict(meta == conn, f"signature {conn} changed to {meta}")

    def compare_unique_constraint(
        self, metadata_constraint: UniqueConstraint, reflected_constraint: UniqueConstraint
    ) -> ComparisonResult:
        """Equal when the columns match (in order, case-insensitively)."""
        from sterna.dialects.compare_elements import unique_columns

        meta = unique_columns(metadata_constraint)
        conn = unique_columns(reflected_constraint)
        return _verdict(meta == conn, f"columns {list(conn)} changed to {list(meta)}")

    def compare_check_constraint(
        self, metadata_constraint: CheckConstraint, reflected_constraint: CheckConstraint
    ) -> ComparisonResult:
        """Equal when both expressions have the same normal form."""
        from sterna.dialects.compare_elements import check_text

        meta = check_text(metadata_constraint, self.dialect)
        conn = check_text(reflected_constraint, self.dialect)
        return _verdict(meta == conn, f"expression {conn!r} changed to {meta!r}")

    def correct_for_autogen_constraints(
        self,
        conn_uniques: set[UniqueConstraint],
        conn_indexes: set[Index],
        metadata_unique_constraints: set[UniqueConstraint],
        metadata_indexes: set[Index],
    ) -> None:
        """Remove from the sets what must not be compared; Sterna's dialect rules live in the
        comparison itself, so the default removes nothing."""

    def correct_for_autogen_foreignkeys(
        self,
        conn_fks: set[ForeignKeyConstraint],
        metadata_fks: set[ForeignKeyConstraint],
    ) -> None:
        """Remove or adjust foreign keys before they are matched; the default does nothing
        (Sterna's signatures already normalise the dialects' actions)."""

    # -- rendering ------------------------------------------------------------------------------

    def render_type(self, type_obj: TypeEngine[Any], autogen_context: Any) -> str | Literal[False]:
        """Python source for ``type_obj`` in a generated script, or False for the standard
        rendering."""
        return False

    def render_ddl_sql_expr(
        self, expr: ClauseElement, is_server_default: bool = False, **kw: Any
    ) -> str:
        """The SQL text of an expression in a generated script (server default, index
        expression, CHECK condition, computed column): compiled for this dialect with literal
        values and without table names."""
        compile_kw = {"literal_binds": True, "include_table": False}
        return str(expr.compile(dialect=self.dialect, compile_kwargs=compile_kw))

    # -- batch mode -----------------------------------------------------------------------------

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        """With ``recreate="auto"``: whether the queued operations (``batch_op.batch``) need
        the table to be rebuilt: when :meth:`batch_rebuild_reason` gives a reason for one."""
        return any(self.batch_rebuild_reason(operation) is not None for operation in batch_op.batch)

    def batch_rebuild_reason(self, operation: Any) -> str | None:
        """Why the dialect's ``ALTER TABLE`` cannot carry out the batch ``operation`` in place
        (completing "needs the table to be rebuilt ..."), or None when it can.  Asked by the
        default :meth:`requires_recreate_in_batch` and, with ``recreate="never"``, by batch mode
        before anything runs (to refuse the batch).  The default: None (SQLite's: what its
        ``ALTER TABLE`` cannot do)."""
        return None

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        """Run before a batch rebuild creates the new table; ``table`` is the table as it is.
        Does nothing."""

    def cast_for_batch_migrate(
        self,
        existing: Column[Any],
        existing_transfer: dict[str, Any],
        new_type: TypeEngine[Any],
    ) -> None:
        """Set ``existing_transfer["expr"]`` to the expression that copies the old column into
        its new type.  Sterna casts where :attr:`batch_copy_casts` says so (backends that check
        types strictly; not SQLite and MySQL, whose conversions on insert are the ones ``ALTER``
        would make)."""
        if not self.batch_copy_casts:
            return
        existing_transfer["expr"] = cast(existing_transfer["expr"], new_type)

    # -- runtime --------------------------------------------------------------------------------

    def version_table_impl(
        self,
        *,
        version_table: str,
        version_table_schema: str | None,
        version_table_pk: bool,
        **kw: Any,
    ) -> Table:
        """The version table: ``version_num VARCHAR(32) NOT NULL``, primary key named
        ``<table>_pkc`` unless ``version_table_pk`` is false.  An override must name it
        ``version_table`` and give it a string column ``version_num``."""
        return build_version_table(version_table, version_table_schema, version_table_pk)


def _verdict(equal: bool, difference: str) -> ComparisonResult:
    return ComparisonResult.Equal() if equal else ComparisonResult.Different(difference)


def build_version_table(name: str, schema: str | None, primary_key: bool) -> Table:
    """Alembic's ``alembic_version`` layout."""
    from sqlalchemy import MetaData, PrimaryKeyConstraint, String

    table = Table(
        name, MetaData(), Column("version_num", String(32), nullable=False), schema=schema
    )
    if primary_key:
        table.append_constraint(PrimaryKeyConstraint("version_num", name=f"{name}_pkc"))
    return table


def __getattr__(name: str) -> Any:
    if name == "REFLECTED":
        from sterna.dialects.records import REFLECTED

        return REFLECTED
    raise AttributeError(f"module 'sterna.ddl.impl_hooks' has no attribute {name!r}")


def _column_record(column: Column[Any]) -> ColumnInfo:
    """The snapshot record a reflected column was built from (a stand-in for a column that
    was not built from one)."""
    from sterna.dialects.records import REFLECTED, ColumnInfo

    found = column.info.get(REFLECTED)
    if isinstance(found, ColumnInfo):
        if found.type is column.type:
            return found
        return replace(found, type=column.type)  # a caller changed the built column's type
    return ColumnInfo(name=column.name, type=column.type, nullable=bool(column.nullable))
