"""The ``mariadb://`` dialect gets MySQL's rebuild rules: a batch rebuild of a table with a named
foreign key, an ``AUTO_INCREMENT`` key and a column comment works through ``mariadb+pymysql://``
as it does through ``mysql+pymysql://`` (the same MariaDB server)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sterna.ddl.mysql import MariaDBImpl, MySQLImpl
from sterna.operations import Operations
from sterna.runtime.migration import MigrationContext


@pytest.mark.parametrize("scheme", ["mysql+pymysql", "mariadb+pymysql"])
def test_batch_rebuild_keeps_fk_autoincrement_and_comment(mysql_url: str, scheme: str) -> None:
    url = sa.engine.make_url(mysql_url).set(drivername=scheme)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE parent (id INT PRIMARY KEY)")
            conn.exec_driver_sql(
                "CREATE TABLE child (id INT PRIMARY KEY AUTO_INCREMENT, "
                "p INT COMMENT 'the parent', "
                "CONSTRAINT fk_child_parent FOREIGN KEY (p) REFERENCES parent (id))"
            )
            conn.exec_driver_sql("INSERT INTO parent VALUES (1)")
            conn.exec_driver_sql("INSERT INTO child (p) VALUES (1), (1)")
        with engine.connect() as conn:
            ctx = MigrationContext.configure(connection=conn)
            expected = MariaDBImpl if scheme.startswith("mariadb") else MySQLImpl
            assert type(ctx.impl) is expected
            with Operations(ctx).batch_alter_table("child", recreate="always") as batch:
                batch.add_column(sa.Column("x", sa.Integer))
            conn.commit()
        with engine.connect() as conn:
            ddl = conn.exec_driver_sql("SHOW CREATE TABLE child").one()[1]
            rows = conn.exec_driver_sql("SELECT id, p FROM child ORDER BY id").all()
            conn.exec_driver_sql("INSERT INTO child (p) VALUES (1)")  # the key still counts
            last = conn.exec_driver_sql("SELECT MAX(id) FROM child").scalar()
    finally:
        engine.dispose()
    assert "CONSTRAINT `fk_child_parent` FOREIGN KEY (`p`) REFERENCES `parent` (`id`)" in ddl
    assert "AUTO_INCREMENT" in ddl and "COMMENT 'the parent'" in ddl
    assert [tuple(row) for row in rows] == [(1, 1), (2, 1)] and last == 3
