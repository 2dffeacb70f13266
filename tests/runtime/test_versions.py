"""The version table: its shape on each backend, and its statements."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from sterna.errors import VersionTableError
from sterna.runtime.versions import VersionTable
from tests.runtime.helpers import Chain, Change, run_env, upgrade_fn, version_rows


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


def test_values_a_driver_could_misread_round_trip_online(db_url: str) -> None:
    """The values are inlined as the dialect quotes literals: quotes, backslashes and ``%``
    (a placeholder to format-style drivers) reach the table as they are."""
    odd = ["o'k", "a\\b", "50%", "%(new)s", "%s"]
    engine = create_engine(db_url)
    with engine.begin() as conn:
        table = VersionTable(conn.dialect)
        table.ensure(conn)
        for value in odd:
            table.apply(conn, Change("insert", None, value))
        assert sorted(table.read_heads(conn)) == sorted(odd)
        table.apply(conn, Change("update", "o'k", "o''k\\%"))
        table.apply(conn, Change("delete", "%(new)s", None))
        with pytest.raises(VersionTableError, match="found 0"):
            table.apply(conn, Change("update", "%(old)s", "x"))
        assert sorted(table.read_heads(conn)) == sorted(["o''k\\%", "a\\b", "50%", "%s"])
    engine.dispose()


def test_psycopg_prepares_no_version_statement(pg_url: str, tmp_path: Path) -> None:
    """psycopg prepares a statement text it was sent five times and deallocates every prepared
    statement after an ALTER: version statements sent with parameters cost two more round trips
    per step of a run of ALTERs.  Sent as text with the values inlined, none is prepared."""
    chain = Chain(tmp_path)
    chain.add("r00", "op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))")
    for i in range(1, 10):
        chain.add(f"r{i:02d}", f"op.add_column('t', sa.Column('c{i}', sa.Integer))")
    trace = tmp_path / "libpq.trace"
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn, trace.open("w") as out:
            pgconn = conn.connection.dbapi_connection.pgconn  # type: ignore[union-attr]
            pgconn.trace(out.fileno())
            run_env(
                chain,
                pg_url,
                upgrade_fn(chain),
                connection=conn,
                # a callback sees each step's version row: each is written when its step ends
                configure={"on_version_apply": [lambda **kw: None]},
            )
            pgconn.untrace()
    finally:
        engine.dispose()
    sent = [line.split("\t") for line in trace.read_text().splitlines()]
    messages = [fields[3:5] for fields in sent if len(fields) > 4 and fields[1] == "F"]
    assert version_rows(pg_url) == ["r09"]
    assert sum("UPDATE alembic_version" in text for _, text in messages) == 9
    assert not [text for _, text in messages if "DEALLOCATE" in text]
    prepared = [text for kind, text in messages if kind == "Parse" and "alembic_version" in text]
    assert not prepared
