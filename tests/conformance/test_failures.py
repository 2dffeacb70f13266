"""A migration that fails part way, on each backend.  Both tools fail; what they leave behind is
compared: on PostgreSQL both roll the step back; on MariaDB (DDL commits itself) both leave the
same partial schema with the version row of the last completed step; on SQLite Alembic leaves
the statements that ran before the failure in place (pysqlite does not put DDL in a
transaction), Sterna rolls them back -- the known difference "sqlite-failed-step-rolled-back",
checked here against the state before the command."""

from __future__ import annotations

from pathlib import Path

from tests.conformance import tally
from tests.conformance.compare import check, error_of, same_database
from tests.conformance.difference_rules import without_history
from tests.conformance.pair import Pair
from tests.conformance.projects import Rev, build
from tests.conformance.snapshot import snapshot

FAILING = [
    Rev(
        "f1",
        None,
        "fine",
        upgrade=(
            "op.create_table('kept', sa.Column('id', sa.Integer, primary_key=True))\n"
            'op.execute("INSERT INTO kept (id) VALUES (1)")'
        ),
        downgrade="op.drop_table('kept')",
    ),
    Rev(
        "f2",
        "f1",
        "fails half way",
        upgrade="""
        op.create_table("half", sa.Column("id", sa.Integer, primary_key=True))
        op.add_column("kept", sa.Column("extra", sa.Integer))
        op.execute("INSERT INTO kept (id) VALUES (2)")
        op.execute("SELECT * FROM no_such_table")
    """,
        downgrade='op.drop_table("half")',
    ),
]


def test_failed_step(backend: str, urls: tuple[str, str], tmp_path: Path) -> None:
    tally.count("projects")
    pair = Pair(build(tmp_path / "p", FAILING), backend, *urls)
    pair.both("upgrade", "f1")
    before = snapshot(pair.sterna_url)
    theirs = pair.run("alembic", "upgrade", "head")
    ours = pair.run("sterna", "upgrade", "head")
    tally.count("commands")
    assert theirs.error is not None and ours.error is not None, (theirs, ours)
    assert "f2" in ours.error and "no_such_table" in ours.error, ours.error
    check(
        "error", "upgrade head (a step fails) [failed]", error_of(theirs), error_of(ours), backend
    )
    if backend == "sqlite":
        tally.count("schemas")
        # nothing of f2 remains
        assert without_history(snapshot(pair.sterna_url)) == without_history(before)
        left = snapshot(pair.alembic_url)
        assert "half" in left["tables"] and left["versions"] == ["f1"]
        tally.hit("sqlite-failed-step-rolled-back")
    else:
        same_database(pair.alembic_url, pair.sterna_url, "after the failed step", backend)
        if backend == "postgresql":
            assert without_history(snapshot(pair.sterna_url)) == without_history(before)
    pair.both("current")
