"""The version table: its shape on each backend, and its statements."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from sterna.errors import VersionTableError
from sterna.runtime.versions import VersionTable
from tests.runtime.helpers import Change


def test_created_table_has_alembics_shape(db_url: str, backend: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        VersionTable(conn.dialect).ensure(conn)
        VersionTable(conn.dialect).ensure(conn)  # idempotent
        VersionTable(conn.dialect, "no_pk_versions", primary_key=False).ensure(conn)
    with engine.connect() as conn:
        insp = inspect(conn)
        (column,) = insp.get_columns("alembic_version")
        pk = insp.get_pk_constraint("alembic_version")
        no_pk = insp.get_pk_constraint("no_pk_versions")
    engine.dispose()
    assert column["name"] == "version_num" and column["nullable"] is False
    assert getattr(column["type"], "length", None) == 32
    assert pk["constrained_columns"] == ["version_num"]
    if backend != "mariadb":  # MariaDB names every primary key PRIMARY
        assert pk["name"] == "alembic_version_pkc"
    assert no_pk["constrained_columns"] == []


def test_changes_online_and_rows_that_are_missing(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        table = VersionTable(conn.dialect)
        table.ensure(conn)
        table.apply(conn, Change("insert", None, "a1"))
        table.apply(conn, Change("insert", None, "x9"))
        table.apply(conn, Change("update", "a1", "b2"))
        table.apply(conn, Change("delete", "x9", None))
        assert table.read_heads(conn) == ("b2",)
        with pytest.raises(VersionTableError) as info:
            table.apply(conn, Change("update", "a1", "c3"))
        assert str(info.value) == (
            "version table 'alembic_version': expected exactly one row 'a1' to update to "
            "'c3', found 0; the table does not match the revisions applied to this database"
        )
        with pytest.raises(VersionTableError, match="row 'zz' to delete, found 0"):
            table.apply(conn, Change("delete", "zz", None))
    engine.dispose()


def test_schema_qualified_table_on_postgresql(pg_url: str) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA audit"))
        table = VersionTable(conn.dialect, "deploys", schema="audit")
        assert table.read_heads(conn) == ()
        table.ensure(conn)
        table.apply(conn, Change("insert", None, "a1"))
        assert table.qualified_name == "audit.deploys"
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT version_num FROM audit.deploys")).scalars().all()
        assert rows == ["a1"]
        assert not inspect(conn).has_table("deploys")  # not in the default schema
    engine.dispose()


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (
            "postgresql",
            "UPDATE alembic_version SET version_num='o''k' "
            "WHERE alembic_version.version_num = 'a\\b'",
        ),
        # MySQL treats backslash as an escape character inside string literals
        (
            "mysql",
            "UPDATE alembic_version SET version_num='o''k' "
            "WHERE alembic_version.version_num = 'a\\\\b'",
        ),
    ],
)
def test_offline_literals_are_escaped(dialect: str, expected: str) -> None:
    table = VersionTable(make_url(f"{dialect}://").get_dialect()())
    assert table.render(Change("update", "a\\b", "o'k")) == expected
    assert table.render(Change("insert", None, "a1")) == (
        "INSERT INTO alembic_version (version_num) VALUES ('a1')"
    )
