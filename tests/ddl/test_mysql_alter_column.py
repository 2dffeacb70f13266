"""MySQL/MariaDB ``alter_column`` keeps what the caller did not mention.

``MODIFY``/``CHANGE`` restate the whole column, so a missing ``existing_*`` argument would
silently drop NOT NULL, the default, the comment or AUTO_INCREMENT.  Online, Sterna reads the
current definition from the database.  The comparison with Alembic shows the loss it prevents.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sterna.errors import OperationError
from sterna.operations import Operations
from tests.ddl.support import online, reflect


def _create(op: Operations, conn: Connection) -> None:
    op.create_table(
        "order",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("Select", sa.String(20), nullable=False, server_default="o'b", comment="it's"),
        sa.Column("a b", sa.Integer, nullable=True, comment="keep me"),
        sa.Column(
            "stamp", sa.DateTime, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")
        ),
    )


def _columns(url: str) -> dict[str, Any]:
    found: dict[str, Any] = reflect(
        url, lambda insp: {c["name"]: c for c in insp.get_columns("order")}
    )
    return found


def test_alter_column_reads_existing_definition(mysql_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        _create(op, conn)
        op.alter_column("order", "Select", type_=sa.String(40))
        op.alter_column("order", "a b", nullable=False)
        op.alter_column("order", "stamp", comment="when")
        op.alter_column("order", "id", type_=sa.BigInteger)
        op.alter_column("order", "a b", new_column_name="c d")

    online(mysql_url, migrate)
    cols = _columns(mysql_url)
    assert list(cols) == ["id", "Select", "c d", "stamp"]
    select = cols["Select"]
    assert select["type"].length == 40
    assert select["nullable"] is False
    assert select["default"] == "'o''b'"
    assert select["comment"] == "it's"
    assert cols["c d"]["nullable"] is False
    assert cols["c d"]["comment"] == "keep me"
    assert cols["stamp"]["nullable"] is False
    assert "current_timestamp" in cols["stamp"]["default"].lower()
    assert cols["stamp"]["comment"] == "when"
    assert isinstance(cols["id"]["type"], sa.BigInteger)
    assert cols["id"]["autoincrement"] is True

    def insert(op: Operations, conn: Connection) -> Any:
        op.execute("INSERT INTO `order` (`c d`) VALUES (1)")
        return conn.execute(sa.text("SELECT id, `Select` FROM `order`")).one()

    assert tuple(online(mysql_url, insert)) == (1, "o'b")


def test_given_existing_arguments_are_used_as_given(mysql_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        _create(op, conn)
        op.alter_column(
            "order",
            "Select",
            type_=sa.String(30),
            existing_nullable=True,
            existing_server_default=None,
            existing_comment="new",
        )

    online(mysql_url, migrate)
    select = _columns(mysql_url)["Select"]
    assert (select["nullable"], select["default"], select["comment"]) == (True, None, "new")


def test_alembic_drops_what_was_not_given(mysql_url: str) -> None:
    """The reference behaviour this fixes: Alembic's MODIFY makes the column nullable and drops
    its default and comment when only the type is given."""
    from alembic.operations import Operations as AlembicOperations
    from alembic.runtime.migration import MigrationContext as AlembicContext

    online(mysql_url, _create)
    engine = sa.create_engine(mysql_url)
    try:
        with engine.begin() as conn:
            AlembicOperations(AlembicContext.configure(conn)).alter_column(
                "order", "Select", type_=sa.String(40)
            )
    finally:
        engine.dispose()
    select = _columns(mysql_url)["Select"]
    assert (select["nullable"], select["default"], select["comment"]) == (True, None, None)


def test_unknown_column_is_a_clear_error(mysql_url: str) -> None:
    def migrate(op: Operations, conn: Connection) -> None:
        _create(op, conn)
        with pytest.raises(OperationError, match="table 'order' has no column 'nope'"):
            op.alter_column("order", "nope", type_=sa.Integer)

    online(mysql_url, migrate)


@pytest.mark.parametrize("server", ["mysql_url", "pg_url"])
def test_type_change_swaps_type_check_constraints(
    server: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(server)
    old = sa.Enum("0", "1", name="ck_e", create_constraint=True, native_enum=False)
    new = sa.Integer()

    def migrate(op: Operations, conn: Connection) -> None:
        op.create_table("t", sa.Column("c", old))
        op.alter_column(
            "t",
            "c",
            type_=new,
            existing_type=old,
            existing_nullable=True,
            existing_server_default=None,
            postgresql_using="c::integer",
        )
        op.alter_column(
            "t",
            "c",
            type_=sa.Boolean(create_constraint=True, name="ck_b"),
            existing_type=new,
            existing_nullable=True,
            existing_server_default=None,
            postgresql_using="c::boolean",
        )

    online(url, migrate)
    checks = reflect(url, lambda insp: [c["name"] for c in insp.get_check_constraints("t")])
    # PostgreSQL has a native boolean: no CHECK; MariaDB's BOOL is a TINYINT: CHECK ck_b
    assert checks == (["ck_b"] if server == "mysql_url" else [])


HOSTILE = [("t`b", "c`d"), ('q"t', "c'd x"), ("é ü`", "ñ`ö ç"), ("sp ace", "`lead")]


def test_existing_definition_is_read_for_hostile_names(mysql_url: str) -> None:
    """Backticks, quotes, spaces and non-ASCII in the table and the column: the definition is
    still read (SQLAlchemy's SHOW CREATE TABLE parser does not see such a column)."""

    def migrate(op: Operations, conn: Connection) -> None:
        for table, column in HOSTILE:
            op.create_table(
                table,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column(
                    column, sa.String(20), nullable=False, server_default="x'y", comment="keep `me`"
                ),
            )
            op.alter_column(table, column, type_=sa.String(40))

    online(mysql_url, migrate)
    engine = sa.create_engine(mysql_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, "
                    "COLUMN_COMMENT FROM information_schema.COLUMNS "
                    "WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME <> 'id'"
                )
            ).all()
    finally:
        engine.dispose()
    assert sorted(tuple(row) for row in rows) == sorted(
        (table, column, "varchar(40)", "NO", "'x''y'", "keep `me`") for table, column in HOSTILE
    )


class _Recorder:
    """A connection stand-in that only records statements (what a SQL-capturing test fixture
    or a mock engine hands Sterna): it cannot answer a query."""

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self.sql: list[str] = []

    def in_transaction(self) -> bool:
        return True

    def execute(self, statement: Any, *args: Any, **kw: Any) -> None:
        self.sql.append(str(statement.compile(dialect=self.dialect)))


def _recorded(mysql_url: str, **kw: Any) -> list[str]:
    from sterna.runtime.migration import MigrationContext

    engine = sa.create_engine(mysql_url)
    try:
        recorder = _Recorder(engine.dialect)
        op = Operations(MigrationContext.configure(recorder))  # type: ignore[arg-type]
        op.alter_column("t", "c", **kw)
        return recorder.sql
    finally:
        engine.dispose()


def test_recording_connection_renders_from_the_arguments(mysql_url: str) -> None:
    """Nothing to read through: the statement is written from the arguments (unknown
    nullability as NULL) and runs on the real server as it was written."""
    sql = _recorded(mysql_url, comment="note", existing_type=sa.Integer())
    assert len(sql) == 1 and " MODIFY " in sql[0]
    engine = sa.create_engine(mysql_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (c INTEGER NOT NULL)"))
            conn.execute(sa.text(sql[0]))
        column = sa.inspect(engine).get_columns("t")[0]
    finally:
        engine.dispose()
    assert column["nullable"] is True
    assert column["comment"] == "note"


def test_recording_connection_needs_the_type(mysql_url: str) -> None:
    with pytest.raises(OperationError, match="existing_type"):
        _recorded(mysql_url, nullable=False, server_default="q")


def _run_recorded(mysql_url: str, create: str, statement: str) -> dict[str, Any]:
    """Run ``create`` then the recorded ``statement`` on the real server; the column after."""
    engine = sa.create_engine(mysql_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(create))
            conn.execute(sa.text(statement))
        return dict(sa.inspect(engine).get_columns("t")[0])
    finally:
        engine.dispose()


def test_recording_connection_renames_with_change(mysql_url: str) -> None:
    """A rename on a stand-in is a ``CHANGE`` restating the definition from the arguments, as
    Alembic writes it (MySQL 5.7 and MariaDB before 10.5.2 have no ``RENAME COLUMN``)."""
    sql = _recorded(
        mysql_url, new_column_name="d", existing_type=sa.Integer(), existing_nullable=False
    )
    assert sql == ["ALTER TABLE t CHANGE c d INTEGER NOT NULL"]
    column = _run_recorded(mysql_url, "CREATE TABLE t (c INTEGER NOT NULL)", sql[0])
    assert (column["name"], column["nullable"]) == ("d", False)


def test_datetime_expression_default_is_a_change(mysql_url: str) -> None:
    """A DATETIME's expression default is set with ``CHANGE c c``, Alembic's statement."""
    sql = _recorded(
        mysql_url, existing_type=sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP")
    )
    assert sql == ["ALTER TABLE t CHANGE c c DATETIME NULL DEFAULT CURRENT_TIMESTAMP"]
    column = _run_recorded(mysql_url, "CREATE TABLE t (c DATETIME)", sql[0])
    assert "current_timestamp" in str(column["default"]).lower()
