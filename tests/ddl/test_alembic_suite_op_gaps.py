"""Operations whose SQL differed from Alembic's in Alembic's own ``tests/test_op.py``.

Expectations come from Alembic 1.20.1 run on the same calls (``--sql`` mode), or, online, from
what the database itself accepts and holds afterwards.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.engine.default import DefaultDialect

from sterna.errors import UnsupportedOperation
from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext
from tests.ddl.support import alembic_offline, offline, online, reflect, statements

Case = Callable[[Any], Any]


def _default_dialect(fn: Case, tool: str) -> list[str]:
    """The statements of ``fn(op)`` on SQLAlchemy's generic dialect (a dialect that has no
    implementation of its own, as a third-party one may not), with Sterna or Alembic."""
    buf = io.StringIO()
    opts = {"as_sql": True, "output_buffer": buf}
    if tool == "alembic":
        from alembic.operations import Operations as AlembicOperations
        from alembic.runtime.migration import MigrationContext as AlembicContext

        fn(AlembicOperations(AlembicContext.configure(dialect=DefaultDialect(), opts=opts)))
    else:
        fn(Operations(MigrationContext.configure(dialect=DefaultDialect(), opts=opts)))
    return statements(buf.getvalue())


def _two_foreign_keys(op: Any) -> None:
    column = sa.Column("c1", sa.Integer, sa.ForeignKey("t2.id"), sa.ForeignKey("t3.id"))
    op.add_column("t1", column, inline_references=True)


DEFAULT_DIALECT: dict[str, Case] = {
    "alter_type_and_nullable": lambda op: op.alter_column(
        "t", "c", type_=sa.Integer, existing_type=sa.String(15), nullable=False
    ),
    "rename_column": lambda op: op.alter_column("t", "c", new_column_name="x"),
    "rename_column_in_schema": lambda op: op.alter_column(
        "t", "c", new_column_name="x", schema="foo"
    ),
    "rename_table_in_schema": lambda op: op.rename_table("t1", "t2", schema="foo"),
    "alter_everything": lambda op: op.alter_column(
        "t", "c", type_=sa.Integer, nullable=True, server_default="5"
    ),
    "one_fk_inline": lambda op: op.add_column(
        "t1", sa.Column("c1", sa.Integer, sa.ForeignKey("t2.id")), inline_references=True
    ),
}


@pytest.mark.parametrize("name", sorted(DEFAULT_DIALECT))
def test_default_dialect_same_as_alembic(name: str) -> None:
    case = DEFAULT_DIALECT[name]
    assert _default_dialect(case, "sterna") == _default_dialect(case, "alembic")


RENAMES: dict[str, Case] = {
    "column": lambda op: op.alter_column("t", "c", new_column_name="x", schema="s"),
    "table": lambda op: op.rename_table("t1", "t2", schema="s"),
}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "oracle"])
@pytest.mark.parametrize("name", sorted(RENAMES))
def test_renames_per_dialect_same_as_alembic(dialect: str, name: str) -> None:
    """SQLite and Oracle: RENAME COLUMN; PostgreSQL: RENAME a TO b; all three keep the
    renamed table in its schema (Oracle has no implementation in Sterna, but the generic forms
    fail there: its renames are Alembic's)."""
    case = RENAMES[name]
    # (Alembic's Oracle implementation ends each statement with its "/" batch separator)
    expected = [s.removesuffix(" /") for s in alembic_offline(dialect, case)]
    assert offline(dialect, case) == expected


def test_several_foreign_keys_are_not_inlined_where_they_can_be_added() -> None:
    """Two inline ``REFERENCES`` would come out in set order; each is its own statement, as
    Alembic writes them (compared as sets, Alembic's order being the set's)."""
    ours = _default_dialect(_two_foreign_keys, "sterna")
    assert ours[0] == "ALTER TABLE t1 ADD COLUMN c1 INTEGER"
    assert sorted(ours) == sorted(_default_dialect(_two_foreign_keys, "alembic"))
    assert len(ours) == 3


def test_several_foreign_keys_stay_inline_on_sqlite_in_creation_order() -> None:
    """SQLite cannot add a foreign key to a table: both stay inline, in the order given."""
    assert offline("sqlite", _two_foreign_keys) == [
        "ALTER TABLE t1 ADD COLUMN c1 INTEGER REFERENCES t2 (id) REFERENCES t3 (id)"
    ]


def test_postgresql_alter_type_first_as_alembic() -> None:
    """PostgreSQL changes the type first (its ``USING`` may need the old values as they are)."""
    case = DEFAULT_DIALECT["alter_type_and_nullable"]
    assert offline("postgresql", case) == alembic_offline("postgresql", case)
    assert offline("postgresql", case)[0] == "ALTER TABLE t ALTER COLUMN c TYPE INTEGER"


def test_postgresql_add_boolean_column_has_no_check() -> None:
    """A native boolean needs no ``IN (0, 1)`` CHECK (SQLAlchemy's rule for the type)."""

    def case(op: Any) -> None:
        op.add_column("t1", sa.Column("c1", sa.Boolean(create_constraint=True), nullable=False))

    assert offline("postgresql", case) == alembic_offline("postgresql", case)
    assert offline("postgresql", case) == ["ALTER TABLE t1 ADD COLUMN c1 BOOLEAN NOT NULL"]


def test_postgresql_add_boolean_column_online(pg_url: str) -> None:
    def run(op: Operations, conn: Connection) -> None:
        op.create_table("t1", sa.Column("id", sa.Integer, primary_key=True))
        op.add_column(
            "t1",
            sa.Column(
                "c1", sa.Boolean(create_constraint=True), nullable=False, server_default=sa.true()
            ),
        )
        op.bulk_insert(sa.table("t1", sa.column("id"), sa.column("c1")), [{"id": 1, "c1": True}])

    online(pg_url, run)

    def check(insp: Inspector) -> None:
        assert insp.get_check_constraints("t1") == []
        assert [c["name"] for c in insp.get_columns("t1")] == ["id", "c1"]

    reflect(pg_url, check)


@pytest.mark.parametrize(
    "kind", [sa.Computed("x * 5"), sa.Identity()], ids=["computed", "identity"]
)
@pytest.mark.parametrize("side", ["new", "existing"])
def test_generated_default_change_refused(kind: Any, side: str) -> None:
    """Neither adding nor removing a generated/identity default is an ``ALTER ... DEFAULT``."""
    given = (
        {"server_default": kind}
        if side == "new"
        else {"server_default": None, "existing_server_default": kind}
    )
    with pytest.raises(UnsupportedOperation, match=type(kind).__name__):
        _default_dialect(lambda op: op.alter_column("t1", "c1", **given), "sterna")
    with pytest.raises(sa.exc.CompileError):  # Alembic refuses both too
        _default_dialect(lambda op: op.alter_column("t1", "c1", **given), "alembic")


@pytest.mark.parametrize(
    "given",
    [
        {"server_default": sa.Computed("x * 5")},
        {"server_default": sa.Identity()},
        {"server_default": sa.Computed("x * 5"), "existing_server_default": sa.Computed("x")},
    ],
    ids=["computed", "identity", "computed-to-computed"],
)
def test_mysql_generated_default_refused_before_definition(given: dict[str, Any]) -> None:
    """On MySQL the refusal comes first: not a request for ``existing_type`` that, once given,
    would only lead to the same refusal."""
    with pytest.raises(UnsupportedOperation, match=r"(Computed|Identity) server default"):
        offline("mysql", lambda op: op.alter_column("t1", "c1", **given))
    with pytest.raises(sa.exc.CompileError):  # Alembic refuses them too
        alembic_offline("mysql", lambda op: op.alter_column("t1", "c1", **given))
