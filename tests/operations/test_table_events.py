"""``op.create_table`` / ``op.drop_table`` fire SQLAlchemy's table DDL events, as Alembic does.

Users listen to ``before_create``/``after_create``/``before_drop``/``after_drop`` to add
triggers, grants or indexes next to a table; the column types listen too (a PostgreSQL named
type creates itself from ``before_create``).  Expectations come from Alembic run on the same
calls (offline SQL, online catalog), never from Sterna's code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from sterna.operations import Operations
from tests.ddl.support import DIALECTS, alembic_offline, connected, offline, online

EVENTS = ("before_create", "after_create", "before_drop", "after_drop")

Seen = list[tuple[str, str, Any, dict[str, Any]]]


@pytest.fixture
def seen() -> Iterator[Seen]:
    """Every table DDL event fired while the test runs: (event, table, bind, keywords)."""
    found: Seen = []
    listeners: list[tuple[str, Callable[..., None]]] = []
    for name in EVENTS:

        def listener(table: sa.Table, bind: Any, _name: str = name, **kw: Any) -> None:
            found.append((_name, table.name, bind, kw))

        event.listen(sa.Table, name, listener)
        listeners.append((name, listener))
    yield found
    for name, listener in listeners:
        event.remove(sa.Table, name, listener)


@pytest.fixture
def index_after_create() -> Iterator[None]:
    """A user listener that creates an index on ``ev`` once the table exists."""

    def listener(table: sa.Table, bind: Any, **kw: Any) -> None:
        if table.name == "ev":
            bind.execute(sa.DDL("CREATE INDEX ix_ev_id ON ev (id)"))  # type: ignore[no-untyped-call]

    event.listen(sa.Table, "after_create", listener)
    yield
    event.remove(sa.Table, "after_create", listener)


def _create_and_drop(op: Any) -> None:
    op.create_table("ev", sa.Column("id", sa.Integer), sa.Column("name", sa.String(20)))
    op.drop_table("ev")


def test_events_fire_online_with_the_connection(
    db_url: str, seen: Seen, index_after_create: None
) -> None:
    def migrate(op: Operations, conn: Connection) -> list[str]:
        op.create_table("ev", sa.Column("id", sa.Integer), sa.Column("name", sa.String(20)))
        indexes = [str(ix["name"]) for ix in sa.inspect(conn).get_indexes("ev")]
        assert [(e, t) for e, t, _, _ in seen] == [("before_create", "ev"), ("after_create", "ev")]
        op.drop_table("ev")
        assert all(bind is conn for _, _, bind, _ in seen)
        assert all(kw == {"checkfirst": False, "_ddl_runner": op.impl} for *_, kw in seen)
        return indexes

    assert online(db_url, migrate) == ["ix_ev_id"]
    assert [e for e, *_ in seen] == list(EVENTS)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_offline_listener_sql_is_written_like_alembic(
    dialect: str, seen: Seen, index_after_create: None
) -> None:
    expected = alembic_offline(dialect, _create_and_drop)
    assert "CREATE INDEX ix_ev_id ON ev (id)" in expected
    from_alembic = [(e, t) for e, t, *_ in seen]
    del seen[:]
    assert offline(dialect, _create_and_drop) == expected
    assert [(e, t) for e, t, *_ in seen] == from_alembic
    assert all(kw["checkfirst"] is False for *_, kw in seen)


def _drop_with_columns(op: Any, table: sa.Table) -> None:
    """``DropTableOp.from_table``: a drop that carries the columns (of Alembic or Sterna, as
    ``op`` is)."""
    ops = importlib.import_module(type(op).__module__.rsplit(".", 1)[0] + ".ops")
    op.invoke(ops.DropTableOp.from_table(table))


def _pg_types(op: Any) -> None:
    """Named PostgreSQL types through create_table: first use, reuse in the same run,
    ``create_type=False``, a domain, and a drop that carries the columns."""
    mood = postgresql.ENUM("sad", "ok", name="mood")
    op.create_table("a", sa.Column("m", mood), sa.Column("n", sa.Enum("x", "y", name="xy")))
    op.create_table(
        "b",
        sa.Column("m", sa.Enum("sad", "ok", name="mood")),
        sa.Column("p", postgresql.DOMAIN("posint", sa.Integer, check="VALUE > 0")),
    )
    op.create_table(
        "c", sa.Column("m", postgresql.ENUM("sad", "ok", name="mood2", create_type=False))
    )
    _drop_with_columns(
        op, sa.Table("b", sa.MetaData(), sa.Column("m", sa.Enum("sad", "ok", name="mood")))
    )


def test_postgresql_named_types_offline_once_like_alembic() -> None:
    expected = alembic_offline("postgresql", _pg_types)
    assert sum(s.startswith("CREATE TYPE mood AS") for s in expected) == 1
    assert offline("postgresql", _pg_types) == expected


def _catalog(conn: Connection) -> dict[str, list[str]]:
    def names(sql: str) -> list[str]:
        return sorted(r[0] for r in conn.execute(sa.text(sql)))

    return {
        "types": names(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n "
            "ON n.oid = t.typnamespace WHERE n.nspname = 'public' "
            "AND t.typtype IN ('e', 'd')"
        ),
        "tables": names("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"),
    }


def _alembic_online(url: str, fn: Callable[[Any], None], setup: str) -> dict[str, list[str]]:
    from alembic.operations import Operations as AlembicOperations
    from alembic.runtime.migration import MigrationContext as AlembicContext

    with connected(url) as conn:
        conn.execute(sa.text(setup))
        fn(AlembicOperations(AlembicContext.configure(connection=conn)))
        found = _catalog(conn)
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return found


def test_postgresql_named_types_online_like_alembic(pg_url: str) -> None:
    """Created once on first use; kept by a drop_table carrying the columns (the memo of the
    run already names them); the same catalog as Alembic leaves."""
    setup = "CREATE TYPE mood2 AS ENUM ('sad', 'ok')"
    expected = _alembic_online(pg_url, _pg_types, setup)
    assert expected["types"] == ["mood", "mood2", "posint", "xy"]

    def migrate(op: Operations, conn: Connection) -> dict[str, list[str]]:
        conn.execute(sa.text(setup))
        _pg_types(op)
        return _catalog(conn)

    assert online(pg_url, migrate) == expected


def test_postgresql_drop_table_in_a_later_run_like_alembic(pg_url: str) -> None:
    """The downgrade's drop_table (a separate run) leaves the types as Alembic does."""
    setup = "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE b (m mood)"

    def downgrade(op: Any) -> None:
        table = sa.Table("b", sa.MetaData(), sa.Column("m", sa.Enum("sad", "ok", name="mood")))
        _drop_with_columns(op, table)

    expected = _alembic_online(pg_url, downgrade, setup)

    def migrate(op: Operations, conn: Connection) -> dict[str, list[str]]:
        conn.execute(sa.text(setup))
        downgrade(op)
        return _catalog(conn)

    assert online(pg_url, migrate) == expected
    assert offline("postgresql", downgrade) == alembic_offline("postgresql", downgrade)


def test_postgresql_existing_type_is_reused(pg_url: str) -> None:
    """Beyond Alembic (which fails with DuplicateObject): a type that already exists is
    used as it is, not created a second time by the table's before_create event."""

    def migrate(op: Operations, conn: Connection) -> list[str]:
        conn.execute(sa.text("CREATE TYPE mood AS ENUM ('sad', 'ok')"))
        op.create_table("a", sa.Column("m", sa.Enum("sad", "ok", name="mood")))
        return _catalog(conn)["types"]

    assert online(pg_url, migrate) == ["mood"]
