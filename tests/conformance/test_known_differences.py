"""The known differences excuse exactly what they describe: each one accepts (or normalises away)
its own case and still lets an unrelated difference fail.  Pure data, no database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance import tally
from tests.conformance.compare import ConformanceError, check
from tests.conformance.known_differences import BY_KEY, KNOWN


@pytest.fixture(autouse=True)
def _keep_the_tally() -> Iterator[None]:
    """These checks are about the entries, not about the tools: leave the summary alone."""
    counts, hits = tally.COUNTS.copy(), tally.KNOWN_HITS.copy()
    yield
    tally.COUNTS.clear()
    tally.COUNTS.update(counts)
    tally.KNOWN_HITS.clear()
    tally.KNOWN_HITS.update(hits)


def used(
    key: str, area: str, what: str, alembic: object, sterna: object, backend: str | None = None
) -> bool:
    """Whether ``check`` passes and counts ``key`` as met."""
    before = tally.KNOWN_HITS[key]
    check(area, what, alembic, sterna, backend)
    return tally.KNOWN_HITS[key] > before


def fails(
    area: str, what: str, alembic: object, sterna: object, backend: str | None = None
) -> bool:
    try:
        check(area, what, alembic, sterna, backend)
    except ConformanceError:
        return True
    return False


def test_every_entry_has_a_reason_and_one_way_to_apply() -> None:
    for known in KNOWN:
        assert len(known.reason) > 60, known.key
        assert not (known.normalise and known.accept), known.key
    assert len(BY_KEY) == len(KNOWN)


def test_set_ordered_lists() -> None:
    theirs = ("c3 (branchpoint)", "   -> d4b", "   -> d4a (feature)", "")
    ours = ("c3 (branchpoint)", "   -> d4a (feature)", "   -> d4b", "")
    assert used("set-ordered-lists", "output", "branches", theirs, ours)
    assert used(
        "set-ordered-lists", "output", "show x", ("Rev: x (lab2, lab1)",), ("Rev: x (lab1, lab2)",)
    )
    assert fails("output", "branches", theirs, ("c3 (branchpoint)", "   -> d4a (feature)", ""))


def test_current_set_order() -> None:
    assert used("current-set-order", "output", "current", ("b (head)", "a"), ("a", "b (head)"))
    assert fails("output", "heads", ("b (head)", "a"), ("a", "b (head)"))
    assert fails("output", "current", ("b (head)", "a"), ("a", "c (head)"))


def test_offline_insert_returning() -> None:
    theirs = (
        "INSERT INTO alembic_version (version_num) VALUES ('a') RETURNING "
        "alembic_version.version_num;",
    )
    ours = ("INSERT INTO alembic_version (version_num) VALUES ('a');",)
    assert used("offline-insert-returning", "sql", "upgrade --sql", theirs, ours)
    assert fails(
        "sql", "upgrade --sql", theirs, ("INSERT INTO alembic_version (version_num) VALUES ('b');",)
    )
    # only Alembic's RETURNING is forgiven, not one written by Sterna
    assert fails("sql", "upgrade --sql", ours, theirs)


def test_merge_rows_set_order() -> None:
    theirs = (
        "DELETE FROM alembic_version WHERE alembic_version.version_num = 'e5b';",
        "UPDATE alembic_version SET version_num='m6' WHERE alembic_version.version_num = 'e5a';",
    )
    ours = (
        "DELETE FROM alembic_version WHERE alembic_version.version_num = 'e5a';",
        "UPDATE alembic_version SET version_num='m6' WHERE alembic_version.version_num = 'e5b';",
    )
    assert used("merge-rows-set-order", "sql", "upgrade --sql", theirs, ours)
    wrong = (ours[0], ours[1].replace("'m6'", "'m7'"))
    assert fails("sql", "upgrade --sql", theirs, wrong)


def test_sqlite_transactional_ddl_only_on_sqlite() -> None:
    theirs = ("Context impl SQLiteImpl.", "Will assume non-transactional DDL.")
    ours = ("Context impl SQLiteImpl.", "Will assume transactional DDL.")
    assert used("sqlite-transactional-ddl", "log", "upgrade", theirs, ours, "sqlite")
    assert fails("log", "upgrade", theirs, ours, "mariadb")


def test_error_acceptors() -> None:
    assert used("alembic-internal-error", "error", "x", ("AttributeError", "boom"), None)
    assert fails("error", "x", ("CommandError", "boom"), None)
    assert used(
        "error-message-extended",
        "error",
        "x",
        ("CommandError", "Ambiguous walk"),
        ("CommandError", "Ambiguous walk: from m6 ..."),
    )
    assert fails(
        "error", "x", ("CommandError", "Ambiguous walk"), ("CommandError", "Something else")
    )
    assert used(
        "ambiguous-prefix-named",
        "error",
        "show b2",
        ("CommandError", "Can't locate revision identified by 'b2'"),
        ("CommandError", "Multiple revisions start with 'b2': b21, b22"),
    )
    assert fails(
        "error",
        "show b2",
        ("CommandError", "Can't locate revision identified by 'b2'"),
        ("CommandError", "Multiple revisions start with 'b3': b31, b32"),
    )
    assert used(
        "failed-step-named",
        "error",
        "upgrade",
        ("CommandError", "This operation cannot proceed in --sql mode"),
        ("CommandError", "upgrade of revision a1 failed: no such table"),
    )
    assert fails("error", "upgrade", None, ("CommandError", "upgrade of revision a1 failed: x"))
    assert used(
        "check-lists-changes-readably",
        "error",
        "check",
        ("CommandError", "New upgrade operations detected: [('add_column', ...)]"),
        ("CommandError", "New upgrade operations detected: added column 't.c'"),
    )


def test_history_relative_to_current_only_for_that_range() -> None:
    assert used("history-relative-to-current", "output", "history -2:current", ("a",), ("a", "b"))
    assert fails("output", "history -2:", ("a",), ("a", "b"))


def _schema(**columns: dict[str, object]) -> dict[str, object]:
    cols = [
        {
            "name": name,
            "nullable": True,
            "default": None,
            "comment": None,
            "type": "INTEGER",
            **attrs,
        }
        for name, attrs in columns.items()
    ]
    return {"tables": {"t": {"columns": cols, "checks": [], "rows": []}}, "versions": ["a"]}


def test_mysql_alter_keeps_definition() -> None:
    theirs = _schema(a={"nullable": True, "default": None})
    ours = _schema(a={"nullable": False, "default": "'1'"})
    assert used("mysql-alter-keeps-definition", "schema", "upgrade", theirs, ours, "mariadb")
    assert fails("schema", "upgrade", theirs, ours, "postgresql")
    # Sterna losing what Alembic kept is not excused
    assert fails("schema", "upgrade", ours, theirs, "mariadb")
    assert fails("schema", "upgrade", theirs, _schema(a={"type": "BIGINT"}), "mariadb")


def test_batch_column_order_only_for_batch_on_sqlite() -> None:
    theirs, ours = _schema(a={}, b={}), _schema(b={}, a={})
    assert used("batch-column-order", "schema", "upgrade [batch]", theirs, ours, "sqlite")
    assert fails("schema", "upgrade", theirs, ours, "sqlite")
    assert fails("schema", "upgrade [batch]", theirs, ours, "postgresql")


def test_batch_rebuild_keeps_more() -> None:
    theirs = {"tables": {"t": {"checks": [], "columns": []}}, "trigger_sql": []}
    ours = {
        "tables": {"t": {"checks": [{"name": None, "sqltext": "a > 0"}], "columns": []}},
        "trigger_sql": [("trg", "CREATE TRIGGER ...")],
    }
    assert used("batch-rebuild-keeps-more", "schema", "upgrade [batch]", theirs, ours, "sqlite")
    assert fails("schema", "upgrade [batch]", ours, theirs, "sqlite")
    named = {
        "tables": {"t": {"checks": [{"name": "ck", "sqltext": "a > 0"}], "columns": []}},
        "trigger_sql": [],
    }
    assert fails("schema", "upgrade [batch]", theirs, named, "sqlite")


@pytest.mark.parametrize("same", [True, False])
def test_batch_rebuild_statements_need_evidence(same: bool) -> None:
    before = tally.KNOWN_HITS["batch-rebuild-statements"]
    try:
        check("sql", "upgrade --sql [batch]", ("A;",), ("B;",), "sqlite", evidence=lambda: same)
        passed = True
    except ConformanceError:
        passed = False
    assert passed is same
    assert (tally.KNOWN_HITS["batch-rebuild-statements"] > before) is same
    assert fails("sql", "upgrade --sql", ("A;",), ("B;",), "sqlite")


def test_cli_entries() -> None:
    ok_err = ("INFO  [alembic.runtime.migration] Context impl SQLiteImpl.",)
    theirs = (
        "failed",
        ("FAILED: Can't locate revision identified by 'z'",),
        (*ok_err, "ERROR [alembic.util.messaging] Can't locate revision identified by 'z'"),
    )
    ours = ("failed", (), (*ok_err, "FAILED: Can't locate revision identified by 'z'"))
    assert used("cli-failure-reporting", "cli", "upgrade z", theirs, ours, "sqlite")
    assert fails("cli", "upgrade z", theirs, ("ok", (), ok_err), "sqlite")
    traceback = ("failed", (), (*ok_err, "Traceback (most recent call last):", "  File ..."))
    assert used(
        "cli-traceback",
        "cli",
        "downgrade",
        traceback,
        ("failed", (), (*ok_err, "FAILED: downgrade of revision c2 failed ...")),
        "sqlite",
    )
    assert fails("cli", "downgrade", traceback, ("failed", (), ("FAILED: x",)), "sqlite")
    usage = (
        "failed",
        (),
        (
            "usage: alembic [-h]",
            "alembic: error: argument X: invalid choice: 'nope' (choose from ...)",
        ),
    )
    assert used(
        "cli-usage-text",
        "cli",
        "nope",
        usage,
        (
            "failed",
            (),
            (
                "usage: sterna [-h]",
                "sterna: error: argument VERB: invalid choice: 'nope' (choose from ...)",
            ),
        ),
    )
    assert fails("cli", "nope", usage, ("failed", (), ("usage: sterna [-h]", "other error")))


def test_history_up_to_current_at_base() -> None:
    everything = ("a -> b (head), two", "<base> -> a, one")
    assert used(
        "history-up-to-current-at-base", "output", "history :current [db at base]", everything, ()
    )
    assert fails("output", "history :current", everything, ())
    assert fails("output", "history :current [db at base]", everything, everything[:1])


def test_history_current_plus_n() -> None:
    assert used(
        "history-current-plus-n",
        "error",
        "history current:+1",
        ("CommandError", "Ambiguous walk"),
        None,
    )
    assert fails("error", "history current:", ("CommandError", "Ambiguous walk"), None)
    assert fails("error", "history current:+1", ("CommandError", "Something else"), None)


def test_create_table_constraint_order() -> None:
    theirs = {
        "upgrade": "op.create_table('t', sa.Column('id', sa.Integer()), "
        "sa.ForeignKeyConstraint(['p'], ['p.id']), sa.PrimaryKeyConstraint('id'))",
        "downgrade": "op.drop_table('t')",
    }
    ours = {
        "upgrade": 'op.create_table("t", sa.Column("id", sa.Integer()), '
        'sa.PrimaryKeyConstraint("id"), sa.ForeignKeyConstraint(["p"], ["p.id"]))',
        "downgrade": 'op.drop_table("t")',
    }
    assert used("create-table-constraint-order", "script", "step", theirs, ours)
    moved = dict(
        ours,
        upgrade=ours["upgrade"]
        .replace('sa.Column("id", sa.Integer()), ', "")
        .replace(")))", '), sa.Column("id", sa.Integer()))'),
    )
    assert fails("script", "step", theirs, moved)
    assert fails("script", "step", theirs, dict(ours, downgrade='op.drop_table("u")'))


def test_user_type_module_imported() -> None:
    theirs = ("from alembic import op", "import sqlalchemy as sa", "import sqlmodel")
    ours = (*theirs, "import sqlmodel.sql.sqltypes")
    assert used("user-type-module-imported", "imports", "step", theirs, ours)
    assert fails("imports", "step", theirs, (*theirs, "from sqlalchemy.dialects import mysql"))
    assert fails("imports", "step", theirs, theirs[:2])
