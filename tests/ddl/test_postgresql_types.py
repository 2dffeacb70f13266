"""PostgreSQL enum types, sequences and schemas on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sterna.errors import OperationError
from sterna.operations import Operations
from tests.ddl.support import online


def _labels(conn: Connection, name: str, schema: str = "public") -> list[str]:
    rows = conn.execute(
        sa.text(
            "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
            "JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE t.typname = :n AND n.nspname = :s ORDER BY e.enumsortorder"
        ),
        {"n": name, "s": schema},
    )
    return [r[0] for r in rows]


def test_enum_lifecycle(pg_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> dict[str, Any]:
        op.create_schema("Select")
        op.create_enum("Mood", ["sad", "o'k"], schema="Select")
        op.create_enum("Mood", ["ignored"], schema="Select", if_not_exists=True)
        op.add_enum_value("Mood", "happy", schema="Select")
        op.add_enum_value("Mood", "first", schema="Select", before="sad")
        op.add_enum_value("Mood", "happy", schema="Select", if_not_exists=True)
        op.rename_enum_value("Mood", "o'k", "fine", schema="Select")
        seen = {"mood": _labels(conn, "Mood", "Select")}
        op.create_enum("gone", ["a"])
        op.drop_enum("gone")
        op.drop_enum("gone", if_exists=True)
        seen["gone"] = _labels(conn, "gone")
        return seen

    seen = online(pg_url, migrate)
    assert seen == {"mood": ["first", "sad", "fine", "happy"], "gone": []}


def test_create_table_creates_missing_enum_types_only(pg_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> list[str]:
        op.create_enum("status", ["on", "off"])
        op.create_table("a", sa.Column("s", sa.Enum("on", "off", name="status")))
        op.create_table(
            "b",
            sa.Column("s", sa.Enum("x", "y'z", name="fresh")),
            sa.Column("t", sa.Enum("x", "y'z", name="fresh")),
        )
        op.execute("INSERT INTO b VALUES ('y''z', 'x')")
        return _labels(conn, "fresh")

    assert online(pg_url, migrate) == ["x", "y'z"]


def test_drop_enum_value_rebuilds_the_type(pg_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> tuple[list[str], list[Any], Any]:
        op.create_enum("mood", ["sad", "ok", "happy"])
        op.create_table(
            "order",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(
                "Select",
                sa.Enum("sad", "ok", "happy", name="mood", create_type=False),
                server_default="ok",
            ),
        )
        op.execute("""INSERT INTO "order" (id, "Select") VALUES (1, 'sad'), (2, 'ok')""")
        op.drop_enum_value("mood", "happy")
        rows = list(conn.execute(sa.text('SELECT id, "Select"::text FROM "order" ORDER BY id')))
        default = conn.execute(
            sa.text(
                "SELECT column_default FROM information_schema.columns "
                "WHERE table_name = 'order' AND column_name = 'Select'"
            )
        ).scalar()
        return _labels(conn, "mood"), rows, default

    labels, rows, default = online(pg_url, migrate)
    assert labels == ["sad", "ok"]
    assert [tuple(r) for r in rows] == [(1, "sad"), (2, "ok")]
    assert default == "'ok'::mood"

    def still_used(op: Operations, conn: Connection) -> None:
        with pytest.raises(sa.exc.DBAPIError):
            op.drop_enum_value("mood", "sad")

    online(pg_url, still_used)
    with pytest.raises(OperationError, match="has no value 'nope'"):
        online(pg_url, lambda op, conn: op.drop_enum_value("mood", "nope"))


class _RecordingContext:
    """A migration context stand-in that records use of its autocommit block."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.autocommit_used = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        self.autocommit_used += 1
        with self.real.autocommit_block():
            yield


@pytest.mark.parametrize(("version", "expected"), [((11, 9), 1), ((12, 0), 0), ((15, 4), 0)])
def test_add_enum_value_uses_autocommit_block_before_12(
    pg_url: str, version: tuple[int, int], expected: int
) -> None:
    from sterna.runtime.migration import MigrationContext

    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            real = MigrationContext.configure(connection=conn)
            real.impl.dialect.server_version_info = version
            context = _RecordingContext(real)
            op = Operations(context, impl=real.impl)
            with real.begin_transaction():
                op.create_enum("mood", ["a"])
            with real.begin_transaction():
                op.add_enum_value("mood", "b")
            labels = _labels(conn, "mood")
    finally:
        engine.dispose()
    assert context.autocommit_used == expected
    assert labels == ["a", "b"]


def test_sequences_and_schemas(pg_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> list[int]:
        op.create_schema("a b")
        op.create_schema("a b", if_not_exists=True)
        op.create_sequence("order", schema="a b", start=10, increment=5)
        op.create_sequence("order", schema="a b", if_not_exists=True)
        values = [
            conn.execute(sa.text("""SELECT nextval('"a b"."order"')""")).scalar() for _ in range(2)
        ]
        op.drop_sequence("order", schema="a b")
        op.drop_sequence("order", schema="a b", if_exists=True)
        op.create_table("t", sa.Column("a", sa.Integer), schema="a b")
        op.drop_schema("a b", cascade=True)
        return values  # type: ignore[return-value]

    assert online(pg_url, migrate) == [10, 15]
    assert "a b" not in online(pg_url, lambda op, conn: sa.inspect(conn).get_schema_names())


def test_mariadb_sequences_and_schemas(mysql_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> list[int]:
        op.create_sequence("Select", start=3, increment=2)
        values = [conn.execute(sa.text("SELECT NEXTVAL(`Select`)")).scalar() for _ in range(2)]
        op.drop_sequence("Select")
        op.drop_sequence("Select", if_exists=True)
        op.create_schema("c1 o'brien")
        op.create_table("t", sa.Column("a", sa.Integer), schema="c1 o'brien")
        names = sa.inspect(conn).get_table_names(schema="c1 o'brien")
        op.drop_schema("c1 o'brien", cascade=True)
        return [*values, names]  # type: ignore[list-item]

    assert online(mysql_url, migrate) == [3, 5, ["t"]]


def test_add_and_alter_column_create_missing_enum_types(pg_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> tuple[list[str], list[str], Any]:
        op.create_table("t", sa.Column("a", sa.String(10)))
        op.execute("INSERT INTO t VALUES ('y')")
        op.add_column("t", sa.Column("b", sa.Enum("x", "y", name="letters"), server_default="x"))
        op.alter_column(
            "t", "a", type_=sa.Enum("y", "z", name="Other"), postgresql_using='a::"Other"'
        )
        row = conn.execute(sa.text("SELECT a::text, b::text FROM t")).one()
        return _labels(conn, "letters"), _labels(conn, "Other"), tuple(row)

    assert online(pg_url, migrate) == (["x", "y"], ["y", "z"], ("y", "x"))


def test_offline_add_column_with_enum_creates_the_type_once() -> None:
    from tests.ddl.support import offline

    def migrate(op: Any) -> None:
        op.add_column("t", sa.Column("b", sa.Enum("x", name="letters")), schema="s")
        op.add_column("u", sa.Column("b", sa.Enum("x", name="letters", schema="s")))
        op.create_table("v", sa.Column("b", sa.Enum("x", name="letters", schema="s")))

    assert offline("postgresql", migrate) == [
        "CREATE TYPE letters AS ENUM ('x')",
        "ALTER TABLE s.t ADD COLUMN b letters",
        "CREATE TYPE s.letters AS ENUM ('x')",
        "ALTER TABLE u ADD COLUMN b s.letters",
        "CREATE TABLE v ( b s.letters )",
    ]
