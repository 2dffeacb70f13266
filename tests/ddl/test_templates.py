"""Index statements from templates (``sterna.ddl.templates``) against the ordinary path.

Offline, ``op.create_index``/``op.drop_index`` with plain names write the template of their
shape filled with the quoted names instead of building a table and compiling it.  The property:
for generated identifiers (reserved words, quotes, percent signs, dots, placeholders' own
spelling, names beyond the dialects' length limits), on every built-in dialect, the statement
written is the one the ordinary path (``SchemaObjects.index`` compiled by SQLAlchemy) writes, or
both fail with the same error.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects.postgresql.base import PGDDLCompiler
from sqlalchemy.sql.elements import conv

from sterna.ddl.templates import derive, placeholder
from sterna.operations import Operations, ops
from sterna.runtime.migration import MigrationContext

#: offline dialects as env.py configures them: named parameters (no doubled percent signs), and
#: each dialect's own default paramstyle
DIALECTS = [
    ("sqlite", {}),
    ("postgresql", {}),
    ("postgresql", {"paramstyle": "named"}),
    ("mysql", {}),
    ("mysql", {"paramstyle": "named"}),
    ("mariadb", {}),
]

_SPECIAL = ["select", "order", "user", "Index", "sternaph0x", "sternaph1x", "a.b", "x%y", "é"]
_ALPHABET = "abcXYZ019_ .\"'`%:$-\té"
identifiers = st.one_of(
    st.sampled_from(_SPECIAL),
    st.text(alphabet=_ALPHABET, min_size=1, max_size=8),
    st.text(alphabet="abz_", min_size=55, max_size=70),
)


def _context(dialect: str, dialect_opts: dict[str, Any], **opts: Any) -> MigrationContext:
    return MigrationContext.configure(
        dialect_name=dialect,
        opts={"as_sql": True, "output_buffer": io.StringIO(), **opts},
        dialect_opts=dialect_opts,
    )


def output_of(context: MigrationContext, fn: Any) -> str:
    buffer = context.impl.output_buffer
    assert isinstance(buffer, io.StringIO)
    buffer.seek(0)
    buffer.truncate()
    try:
        fn()
    except Exception as exc:  # the same failure on both paths is part of the property
        return f"{type(exc).__name__}: {exc}"
    return buffer.getvalue()


def _ordinary(context: MigrationContext, operation: Any) -> str:
    """What the ordinary path writes: the index built and compiled, no template."""
    impl = context.impl

    def run() -> None:
        index = operation.to_index(context)
        if isinstance(operation, ops.CreateIndexOp):
            impl.create_index(index, if_not_exists=operation.if_not_exists)
        else:
            impl.drop_index(index, if_exists=operation.if_exists)

    return output_of(context, run)


@pytest.mark.parametrize(("dialect", "dialect_opts"), DIALECTS)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=identifiers,
    table=identifiers,
    columns=st.lists(identifiers, min_size=1, max_size=4, unique=True),
    schema=st.none() | identifiers,
    unique=st.booleans(),
    flag=st.booleans(),
    f_name=st.booleans(),
)
def test_template_writes_what_the_compiler_writes(
    dialect: str,
    dialect_opts: dict[str, Any],
    name: str,
    table: str,
    columns: list[str],
    schema: str | None,
    unique: bool,
    flag: bool,
    f_name: bool,
) -> None:
    context = _context(dialect, dialect_opts)
    op = Operations(context)
    index_name: Any = conv(name) if f_name else name
    created = output_of(
        context,
        lambda: op.create_index(
            index_name, table, columns, schema=schema, unique=unique, if_not_exists=flag
        ),
    )
    create = ops.CreateIndexOp(
        index_name, table, columns, schema=schema, unique=unique, if_not_exists=flag
    )
    assert created == _ordinary(context, create)
    dropped = output_of(
        context, lambda: op.drop_index(index_name, table_name=table, schema=schema, if_exists=flag)
    )
    drop = ops.DropIndexOp(index_name, table_name=table, schema=schema, if_exists=flag)
    assert dropped == _ordinary(context, drop)


@pytest.mark.parametrize(("dialect", "dialect_opts"), DIALECTS)
def test_plain_index_statements_do_use_templates(
    dialect: str, dialect_opts: dict[str, Any]
) -> None:
    """The property above compares something: plain statements are written from templates."""
    context = _context(dialect, dialect_opts)
    op = Operations(context)
    op.create_index(op.f("ix_t_a"), "t", ["a"], unique=True)
    op.create_index("ix_t_b", "t", ["b"], unique=True)
    op.drop_index("ix_t_b", table_name="t")
    templates = context.impl.statement_templates._by_shape
    assert len(templates) == 2 and all(t is not None for t in templates.values())
    output = context.impl.output_buffer.getvalue()  # type: ignore[union-attr]
    assert output.count("CREATE UNIQUE INDEX") == 2 and "ix_t_b" in output


def test_a_compiler_of_its_own_keeps_the_ordinary_path() -> None:
    """A dialect whose DDL compiler is not SQLAlchemy's own renders through it."""

    class Marked(PGDDLCompiler):
        def visit_create_index(self, create: Any, *args: Any, **kw: Any) -> Any:
            plain = super().visit_create_index(create, *args, **kw)  # type: ignore[no-untyped-call]
            return f"{plain} /* marked */"

    context = _context("postgresql", {})
    context.dialect.ddl_compiler = Marked
    Operations(context).create_index("ix", "t", ["a"])
    assert "/* marked */" in context.impl.output_buffer.getvalue()  # type: ignore[union-attr]
    assert not context.impl.statement_templates._by_shape


@pytest.mark.parametrize("name", ["ix_a", conv("ix_a")])
def test_a_naming_convention_that_renames_named_indexes(name: str) -> None:
    """``%(constraint_name)s`` in the index convention renames a plain name (not an op.f one),
    as the ordinary path and Alembic do."""
    metadata = sa.MetaData(naming_convention={"ix": "idx_%(constraint_name)s"})
    context = _context("postgresql", {}, target_metadata=metadata)
    Operations(context).create_index(name, "t", ["a"])
    written = context.impl.output_buffer.getvalue()  # type: ignore[union-attr]
    expected = "ix_a" if isinstance(name, conv) else "idx_ix_a"
    assert f"CREATE INDEX {expected} ON t (a);" in written


def test_a_placeholder_that_is_not_a_whole_word_has_no_template() -> None:
    a, b = placeholder(0), placeholder(1)
    assert derive(f"DROP INDEX {a} ON {b}", 2) is not None
    assert derive(f"DROP INDEX {a}_seq ON {b}", 2) is None
    assert derive(f'DROP INDEX "{a}" ON {b}', 2) is None
    assert derive(f"DROP INDEX {a}x ON {b}", 2) is None
    assert derive(f"DROP INDEX {placeholder(2)}", 2) is None
    assert derive(f"DROP INDEX {a}", 2) is not None  # a table the statement does not name
