"""Common env.py patterns, written as Alembic's documentation shows them, run by both tools:
a connection passed through ``config.attributes``, ``-x`` arguments, ``on_version_apply``,
custom operations (``register_operation``/``implementation_for``), ``transaction_per_migration``,
a custom version table, ``context.execute``/``get_bind`` in env.py, and ``autocommit_block``."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from tests.conformance import tally
from tests.conformance.compare import check, same_database
from tests.conformance.pair import Pair
from tests.conformance.projects import Project, Rev, build

ENV_HEAD = """\
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
target_metadata = None
"""

ENV_RUN = """
def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, **CONFIGURE)
    with context.begin_transaction():
        context.run_migrations()


def do_run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, **CONFIGURE)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection", None)
    if connectable is not None:
        do_run(connectable)
        return
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        do_run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""


def write_env(project: Project, middle: str = "CONFIGURE = {}\n") -> None:
    text = ENV_HEAD + textwrap.dedent(middle) + ENV_RUN
    (project.root / "migrations" / "env.py").write_text(text)


def table_rev(rev: str, down: str | None, name: str, **kw: Any) -> Rev:
    return Rev(
        rev,
        down,
        f"create {name}",
        upgrade=f"op.create_table('{name}', sa.Column('id', sa.Integer, primary_key=True))",
        downgrade=f"op.drop_table('{name}')",
        **kw,
    )


CHAIN = [
    table_rev("e1", None, "alpha"),
    table_rev("e2", "e1", "beta"),
    table_rev("e3", "e2", "gamma"),
]


def make_pair(
    backend: str,
    urls: tuple[str, str],
    tmp_path: Path,
    revisions: list[Rev],
    env_middle: str = "CONFIGURE = {}\n",
) -> Pair:
    tally.count("projects")
    project = build(tmp_path / "p", revisions)
    write_env(project, env_middle)
    return Pair(project, backend, *urls, strict=True)


def test_connection_through_config_attributes(
    backend: str, urls: tuple[str, str], tmp_path: Path
) -> None:
    """Several commands on one connection the caller owns, committed by the caller."""
    pair = make_pair(backend, urls, tmp_path, CHAIN)
    for tool, url in (("alembic", pair.alembic_url), ("sterna", pair.sterna_url)):
        engine = create_engine(url)
        with engine.begin() as connection:
            pair.settings = {"attributes": {"connection": connection}}
            for verb, target in (("upgrade", "e2"), ("downgrade", "e1"), ("upgrade", "head")):
                outcome = pair.run(tool, verb, target)
                assert outcome.ok, outcome
        engine.dispose()
    pair.settings = {}
    tally.count("commands", 3)
    same_database(pair.alembic_url, pair.sterna_url, "three commands on one connection", backend)
    pair.both("current")


X_ARGUMENTS = [
    table_rev("x1", None, "base_table"),
    Rev(
        "x2",
        "x1",
        "data only when asked",
        upgrade="""
            if context.get_x_argument(as_dictionary=True).get("data") == "yes":
                op.execute("INSERT INTO base_table (id) VALUES (7)")
        """,
        downgrade='op.execute("DELETE FROM base_table")',
        imports="from alembic import context",
    ),
]

X_ENV = """
x_args = context.get_x_argument(as_dictionary=True)
CONFIGURE = {"version_table": x_args.get("vt", "alembic_version")}
"""


def test_x_arguments(backend: str, urls: tuple[str, str], tmp_path: Path) -> None:
    pair = make_pair(backend, urls, tmp_path, X_ARGUMENTS, X_ENV)
    pair.settings = {"x": ["data=yes", "vt=my_versions"]}
    pair.both("upgrade", "head")
    pair.both("current")
    pair.both("downgrade", "x1")
    pair.both("upgrade", "x1:head", sql=True)
    pair.settings = {"x": ["data=no", "vt=my_versions"]}
    pair.both("upgrade", "head")
    pair.both("downgrade", "base")


ON_VERSION_APPLY_ENV = """
def remember(ctx, step, heads, run_args):
    config.attributes["applied"].append((
        step.up_revision_id, step.up_revision_ids, step.down_revision_ids, step.is_upgrade,
        step.is_stamp, step.is_migration, step.source_revision_ids,
        step.destination_revision_ids, tuple(sorted(heads)),
        getattr(step.up_revision, "revision", None),
        tuple(sorted(r.revision for r in step.destination_revisions if r is not None)),
    ))


CONFIGURE = {"on_version_apply": remember, "transaction_per_migration": True}
"""

BRANCHY = [
    table_rev("v1", None, "v_one"),
    table_rev("v2a", "v1", "v_two_a"),
    table_rev("v2b", "v1", "v_two_b"),
    Rev("v3", ("v2a", "v2b"), "merge"),
    table_rev("w1", None, "w_one", depends="v2a"),
]


def test_on_version_apply(backend: str, urls: tuple[str, str], tmp_path: Path) -> None:
    """What each step tells on_version_apply, through upgrades, merges, dependencies, stamps
    and downgrades, with one transaction per migration."""
    pair = make_pair(backend, urls, tmp_path, BRANCHY, ON_VERSION_APPLY_ENV)
    seen: dict[str, list[Any]] = {}
    for tool in ("alembic", "sterna"):
        seen[tool] = []
        pair.settings = {"attributes": {"applied": seen[tool]}}
        for verb, target in (
            ("upgrade", "v2a"),
            ("upgrade", "heads"),
            ("downgrade", "v2b"),
            ("stamp", "heads"),
            ("downgrade", "base"),
        ):
            outcome = pair.run(tool, verb, target)
            assert outcome.ok, outcome
    tally.count("commands", 5)
    assert len(seen["alembic"]) >= 8, seen["alembic"]  # every step was reported
    # heads as seen while the rows change may be listed in any order by either tool
    check("output", "on_version_apply records", seen["alembic"], seen["sterna"], backend)
    pair.settings = {}
    same_database(pair.alembic_url, pair.sterna_url, "after on_version_apply runs", backend)


CUSTOM_OPS = '''\
"""Project operations, as Alembic's cookbook registers them."""
from alembic.operations import MigrateOperation, Operations


@Operations.register_operation("create_audit_table")
class CreateAuditTableOp(MigrateOperation):
    def __init__(self, name, columns=("id",)):
        self.name = name
        self.columns = columns

    @classmethod
    def create_audit_table(cls, operations, name, **kw):
        return operations.invoke(cls(name, **kw))

    def reverse(self):
        return DropAuditTableOp(self.name)


@Operations.register_operation("drop_audit_table")
class DropAuditTableOp(MigrateOperation):
    def __init__(self, name):
        self.name = name

    @classmethod
    def drop_audit_table(cls, operations, name):
        return operations.invoke(cls(name))


@Operations.implementation_for(CreateAuditTableOp)
def create_audit_table(operations, operation):
    cols = ", ".join(f"{c} INTEGER" for c in operation.columns)
    operations.execute(f"CREATE TABLE audit_{operation.name} ({cols})")


@Operations.implementation_for(DropAuditTableOp)
def drop_audit_table(operations, operation):
    operations.execute(f"DROP TABLE audit_{operation.name}")
'''

CUSTOM_REVS = [
    Rev(
        "c1",
        None,
        "custom operations",
        upgrade="""
            op.create_audit_table("orders", columns=("id", "amount"))
            op.invoke(CreateAuditTableOp("items"))
        """,
        downgrade="""
            op.invoke(CreateAuditTableOp("items").reverse())
            op.drop_audit_table("orders")
        """,
        imports="from custom_ops import CreateAuditTableOp",
    ),
    Rev(
        "c2",
        "c1",
        "autocommit block",
        upgrade="""
            op.execute("INSERT INTO audit_orders (id, amount) VALUES (1, 2)")
            with op.get_context().autocommit_block():
                op.execute("INSERT INTO audit_items (id) VALUES (5)")
            op.execute("INSERT INTO audit_orders (id, amount) VALUES (2, 3)")
        """,
        downgrade="""
            op.execute("DELETE FROM audit_items")
            op.execute("DELETE FROM audit_orders")
        """,
    ),
]

CUSTOM_ENV = """
import custom_ops  # noqa: F401 - registers the project's operations
CONFIGURE = {}
"""


def test_custom_operations_and_autocommit_block(
    backend: str, urls: tuple[str, str], tmp_path: Path
) -> None:
    pair = make_pair(backend, urls, tmp_path, CUSTOM_REVS, CUSTOM_ENV)
    (pair.project.root / "custom_ops.py").write_text(CUSTOM_OPS)
    pair.both("upgrade", "head")
    pair.both("downgrade", "c1")
    pair.both("upgrade", "head")  # the operations registered again by env.py: still fine
    pair.both("downgrade", "base")
    pair.both("upgrade", "head", sql=True)


ENV_EXECUTE = """
from sqlalchemy import text


def before(ctx, step, heads, run_args):
    if step.is_upgrade and ctx.connection is not None:
        ctx.connection.execute(text("UPDATE log SET n = n + 1"))


CONFIGURE = {"version_table": "schema_history", "on_version_apply": before}
"""

LOGGED = [
    Rev(
        "l1",
        None,
        "log table",
        upgrade="""
            op.create_table("log", sa.Column("n", sa.Integer))
            op.execute("INSERT INTO log (n) VALUES (0)")
            conn = op.get_bind()
            conn.execute(sa.text("UPDATE log SET n = n + 10"))
        """,
        downgrade='op.drop_table("log")',
    ),
    table_rev("l2", "l1", "other"),
]


def test_custom_version_table_and_bind(backend: str, urls: tuple[str, str], tmp_path: Path) -> None:
    pair = make_pair(backend, urls, tmp_path, LOGGED, ENV_EXECUTE)
    pair.both("upgrade", "head")
    pair.both("current")
    pair.both("downgrade", "l1")
    pair.both("upgrade", "head")
    pair.both("stamp", "head")
    pair.both("upgrade", "l1:head", sql=True)
    pair.both("downgrade", "base")
