"""CountedDialect: statements noted once executed, failures never, and the dialect put back."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from sterna.runtime.counting import CountedDialect

METHODS = ("do_execute", "do_executemany", "do_execute_no_params")


def test_notes_what_ran_and_not_what_failed_then_restores(tmp_path: Any) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    dialect = engine.dialect
    before = {name: vars(dialect).get(name) for name in METHODS}
    noted: list[tuple[str, Any]] = []
    counted = CountedDialect(
        dialect, lambda statement, params, context: noted.append((statement, params))
    )
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.execute(sa.text("INSERT INTO t VALUES (:x)"), [{"x": 1}, {"x": 2}])  # executemany
        with pytest.raises(sa.exc.OperationalError):
            conn.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")
    counted.restore()
    assert [statement for statement, _ in noted] == [
        "CREATE TABLE t (x INTEGER)",
        "INSERT INTO t VALUES (?)",
    ]
    assert noted[1][1] == [(1,), (2,)]
    assert {name: vars(dialect).get(name) for name in METHODS} == before
    with engine.begin() as conn:  # the dialect works as before, and nothing is noted any more
        conn.exec_driver_sql("INSERT INTO t VALUES (3)")
    assert len(noted) == 2
    engine.dispose()


def test_an_instance_attribute_of_the_dialect_is_put_back() -> None:
    dialect = sa.create_engine("sqlite://").dialect
    own = dialect.do_execute
    dialect.do_execute = own  # type: ignore[method-assign]  # as another tool might have done
    counted = CountedDialect(dialect, lambda *args: None)
    assert vars(dialect)["do_execute"] is not own
    counted.restore()
    assert vars(dialect)["do_execute"] is own
