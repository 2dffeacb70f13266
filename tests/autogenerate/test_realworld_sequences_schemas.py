"""Two autogenerate rendering defects found on real model sets (celery, Flask-AppBuilder,
advanced-alchemy, DBOS), each from its minimal model:

* C. a column given an explicit ``Sequence`` came out SERIAL on PostgreSQL (an extra
  ``<table>_id_seq`` besides the named sequence) and AUTO_INCREMENT on MariaDB, where
  ``create_all`` makes a plain integer column; and a reflected PostgreSQL column drawing from a
  named sequence came back SERIAL when the downgrade made its table again;
* D. a foreign key whose target is in the ``MetaData``'s default schema was written without
  the schema, so ``CREATE TABLE s1.child (... REFERENCES parent ...)`` failed on PostgreSQL.

Each model goes through ``revision --autogenerate``, ``upgrade head`` (the schema equals the
one ``create_all()`` makes, read with SQLAlchemy's Inspector), a clean ``check`` (after the
upgrade and on the ``create_all`` database), ``downgrade base`` (nothing left) and ``upgrade
head`` again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, inspect, text

from tests.autogenerate._autogen_project import CLEAN, Project, model_metadata, ruff_check
from tests.autogenerate._compare_support import create_all, execute
from tests.autogenerate.test_compare_realworld_fixes import section

SCHEMAS = ("s1", "s2")


def with_env_options(project: Project, options: str) -> None:
    """Add keyword arguments to env.py's online ``context.configure()``."""
    env = project.backend / "alembic" / "env.py"
    call = "context.configure(connection=connection, target_metadata=target_metadata"
    source = env.read_text()
    assert call in source
    env.write_text(source.replace(call, f"{call}, {options}", 1))


def database_schema(url: str, schemas: tuple[str | None, ...] = (None,)) -> dict[str, Any]:
    """Per schema: each table's columns (type, nullable, default, autoincrement) and foreign
    keys (target schema and table), and the sequences, as SQLAlchemy's Inspector reads them."""
    engine = create_engine(url)
    found: dict[str, Any] = {}
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            for schema in schemas:
                for table in sorted(inspector.get_table_names(schema=schema)):
                    if table in ("alembic_version", "sterna_history"):  # bookkeeping
                        continue
                    columns = [
                        (
                            c["name"],
                            repr(c["type"]),
                            c["nullable"],
                            c.get("default"),
                            c.get("autoincrement"),
                        )
                        for c in inspector.get_columns(table, schema=schema)
                    ]
                    keys = sorted(
                        (
                            tuple(fk["constrained_columns"]),
                            fk["referred_schema"],
                            fk["referred_table"],
                        )
                        for fk in inspector.get_foreign_keys(table, schema=schema)
                    )
                    found[f"{schema}.{table}"] = (columns, keys)
                if conn.dialect.supports_sequences:
                    found[f"{schema} sequences"] = sorted(
                        name
                        for name in inspector.get_sequence_names(schema=schema)
                        if not name.startswith("sterna_history_")
                    )  # the history's own id
    finally:
        engine.dispose()
    return found


def nothing_left(url: str, schemas: tuple[str | None, ...] = (None,)) -> None:
    schema = database_schema(url, schemas)
    assert all(not v for k, v in schema.items() if k.endswith(" sequences")), schema
    assert not [k for k in schema if not k.endswith(" sequences")], schema


def full_cycle(project: Project, schemas: tuple[str | None, ...] = (None,)) -> dict[str, Any]:
    """upgrade head -> the ``create_all`` schema, ``check`` clean on both; downgrade base
    leaves nothing; upgrade head again.  Returns the schema after the upgrade."""
    project.ok("upgrade", "head")
    upgraded = database_schema(project.url, schemas)
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")
    nothing_left(project.url, schemas)
    create_all(project.url, model_metadata(project))
    assert database_schema(project.url, schemas) == upgraded
    project.ok("stamp", "head")
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")  # the migration's downgrade on the create_all database
    nothing_left(project.url, schemas)
    project.ok("upgrade", "head")
    assert database_schema(project.url, schemas) == upgraded
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")
    nothing_left(project.url, schemas)
    return upgraded


# -- C. a column with an explicit Sequence --------------------------------------------------------

# celery (autoincrement=True), Flask-AppBuilder (plain), advanced-alchemy (BigInteger, a sequence
# named like the one SERIAL would make), and one with options
SEQUENCE_MODELS = """
class Task(Base):
    __tablename__ = "task"
    id = sa.Column(sa.Integer, sa.Sequence("task_id_sequence"), primary_key=True,
                   autoincrement=True)
    name = sa.Column(sa.String(20))


class User(Base):
    __tablename__ = "ab_user"
    id = sa.Column(sa.Integer, sa.Sequence("ab_user_id_seq"), primary_key=True)


class Item(Base):
    __tablename__ = "item"
    id = sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                   sa.Sequence("item_id_seq", optional=False), primary_key=True)


class Counter(Base):
    __tablename__ = "counter"
    id = sa.Column(sa.Integer, sa.Sequence("counter_seq", start=5, increment=3),
                   primary_key=True)
"""

NAMED = ["ab_user_id_seq", "counter_seq", "item_id_seq", "task_id_sequence"]


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return Project(tmp_path, db_url)


def test_column_sequence_as_create_all(project: Project, backend: str) -> None:
    project.models(SEQUENCE_MODELS)
    script = project.autogenerate("init")
    upgrade = section(script, "upgrade")
    assert 'sa.Sequence("counter_seq", start=5, increment=3),' in upgrade
    assert 'sa.Sequence("task_id_sequence"),' in upgrade
    creates = upgrade.count("op.create_sequence(")
    assert creates == (0 if backend == "sqlite" else 4), upgrade
    assert ruff_check(script) == ""
    upgraded = full_cycle(project)
    columns = {k: v[0] for k, v in upgraded.items() if not k.endswith(" sequences")}
    if backend != "sqlite":
        # only the named sequences: no SERIAL sequence, no default, no AUTO_INCREMENT
        assert upgraded["None sequences"] == NAMED
        for table in ("None.task", "None.ab_user", "None.item", "None.counter"):
            (_, _, nullable, default, autoincrement) = columns[table][0]
            assert (nullable, default) == (False, None), columns[table]
            if backend == "mariadb":
                assert autoincrement is False, columns[table]
    project.ok("upgrade", "head")
    metadata = model_metadata(project)
    engine = create_engine(project.url)
    try:
        with engine.begin() as conn:  # SQLAlchemy draws the key from the named sequence
            conn.execute(metadata.tables["counter"].insert(), [{}, {}])
            ids = sorted(conn.execute(text("SELECT id FROM counter")).scalars())
    finally:
        engine.dispose()
    assert ids == ([1, 2] if backend == "sqlite" else [5, 8])
    project.ok("downgrade", "base")


OPTIONAL = """
class Job(Base):
    __tablename__ = "job"
    id = sa.Column(sa.Integer, sa.Sequence("job_id_optional", optional=True), primary_key=True)
"""


def test_optional_sequence_as_create_all(project: Project, backend: str) -> None:
    """PostgreSQL keeps SERIAL and creates no sequence; MariaDB (sequences not optional there)
    creates the sequence and keeps AUTO_INCREMENT, as ``create_all`` does."""
    project.models(OPTIONAL)
    upgrade = section(project.autogenerate("init"), "upgrade")
    assert 'sa.Sequence("job_id_optional", optional=True),' in upgrade
    assert ('op.create_sequence("job_id_optional")' in upgrade) == (backend == "mariadb")
    upgraded = full_cycle(project)
    ((_, _, _, default, autoincrement),) = upgraded["None.job"][0]
    if backend == "postgresql":  # SERIAL's own sequence only
        assert upgraded["None sequences"] == ["job_id_seq"]
        assert default == "nextval('job_id_seq'::regclass)"
    if backend == "mariadb":
        assert upgraded["None sequences"] == ["job_id_optional"]
        assert autoincrement is True


NAMED_DEFAULT = """
class Ticket(Base):
    __tablename__ = "ticket"
    id = sa.Column(sa.Integer, sa.Sequence("ticket_no"),
                   server_default=sa.text("nextval('ticket_no'::regclass)"), primary_key=True)
"""


@pytest.mark.parametrize("backend", ["postgresql"])
def test_named_sequence_default_comes_back(project: Project) -> None:
    """A column whose default draws from a sequence it does not own: its table, dropped and
    made again by the downgrade, keeps that default (no SERIAL, no extra sequence)."""
    with_env_options(project, "compare_server_default=True")
    project.models(NAMED_DEFAULT)
    project.autogenerate("init")
    upgraded = full_cycle(project)
    assert upgraded["None sequences"] == ["ticket_no"]
    assert upgraded["None.ticket"][0][0][3] == "nextval('ticket_no'::regclass)"
    project.ok("upgrade", "head")
    project.models("")
    script = project.autogenerate("drop")
    downgrade = section(script, "downgrade")
    assert downgrade.index('op.create_sequence("ticket_no"') < downgrade.index("op.create_table(")
    assert "autoincrement=True" not in downgrade
    project.ok("upgrade", "head")
    nothing_left(project.url)
    project.ok("downgrade", "-1")
    assert database_schema(project.url) == upgraded
    project.models(NAMED_DEFAULT)
    script.unlink()
    assert CLEAN in project.ok("check").out


@pytest.mark.parametrize("backend", ["postgresql"])
def test_table_made_by_hand_with_named_sequence_comes_back(project: Project) -> None:
    execute(
        project.url,
        "CREATE SEQUENCE named_seq START WITH 10",
        "CREATE TABLE t (id INTEGER DEFAULT nextval('named_seq') NOT NULL PRIMARY KEY)",
    )
    before = database_schema(project.url)
    project.autogenerate("drop")
    project.ok("upgrade", "head")
    nothing_left(project.url)
    project.ok("downgrade", "base")
    assert database_schema(project.url) == before
    assert before["None sequences"] == ["named_seq"]


# -- D. foreign keys to the MetaData's default schema ---------------------------------------------

# DBOS: MetaData(schema=...), targets named without schema; a foreign-key cycle (one key added
# after the tables); a table in another schema whose target still resolves to the default one
DEFAULT_SCHEMA_MODELS = """
class WorkflowStatus(Base):
    __tablename__ = "workflow_status"
    workflow_uuid = sa.Column(sa.Text, primary_key=True)


class Notification(Base):
    __tablename__ = "notifications"
    id = sa.Column(sa.Integer, primary_key=True)
    destination_uuid = sa.Column(
        sa.Text, sa.ForeignKey("workflow_status.workflow_uuid", ondelete="CASCADE"),
        nullable=False)


class Left(Base):
    __tablename__ = "left_side"
    id = sa.Column(sa.Integer, primary_key=True)
    right_id = sa.Column(sa.Integer, sa.ForeignKey("right_side.id", use_alter=True))


class Right(Base):
    __tablename__ = "right_side"
    id = sa.Column(sa.Integer, primary_key=True)
    left_id = sa.Column(sa.Integer, sa.ForeignKey("left_side.id"))


class Audit(Base):
    __tablename__ = "audit"
    __table_args__ = {"schema": "s2"}
    id = sa.Column(sa.Integer, primary_key=True)
    workflow_uuid = sa.Column(sa.Text, sa.ForeignKey("workflow_status.workflow_uuid"))
"""

# MetaData without schema, tables with explicit schemas referring across them and to the
# default schema
CROSS_SCHEMA_MODELS = """
class Plain(Base):
    __tablename__ = "plain"
    id = sa.Column(sa.Integer, primary_key=True)


class Parent(Base):
    __tablename__ = "parent"
    __table_args__ = {"schema": "s1"}
    id = sa.Column(sa.Integer, primary_key=True)
    plain_id = sa.Column(sa.Integer, sa.ForeignKey("plain.id"))


class Child(Base):
    __tablename__ = "child"
    __table_args__ = {"schema": "s2"}
    id = sa.Column(sa.Integer, primary_key=True)
    parent_id = sa.Column(sa.Integer, sa.ForeignKey("s1.parent.id"))
    plain_id = sa.Column(sa.Integer, sa.ForeignKey("plain.id"))
"""


def schema_project(tmp_path: Path, pg_url: str, base_args: str) -> Project:
    execute(pg_url, *(f"CREATE SCHEMA {s}" for s in SCHEMAS))
    project = Project(tmp_path, pg_url, base_args=base_args)
    with_env_options(project, "include_schemas=True")
    return project


def drop_and_come_back(project: Project, models: str, schemas: tuple[str | None, ...]) -> None:
    """A revision that drops every table; upgrade, then downgrade: the same schema is back."""
    before = database_schema(project.url, schemas)
    project.models("")
    script = project.autogenerate("drop")
    project.ok("upgrade", "head")
    nothing_left(project.url, schemas)
    project.ok("downgrade", "-1")
    assert database_schema(project.url, schemas) == before
    project.models(models)
    script.unlink()
    assert CLEAN in project.ok("check").out


def test_foreign_keys_to_the_metadata_schema(tmp_path: Path, pg_url: str) -> None:
    project = schema_project(tmp_path, pg_url, 'metadata=sa.MetaData(schema="s1")')
    project.models(DEFAULT_SCHEMA_MODELS)
    script = project.autogenerate("init")
    upgrade = section(script, "upgrade")
    assert '["s1.workflow_status.workflow_uuid"]' in upgrade
    assert '["workflow_status.workflow_uuid"]' not in upgrade
    assert upgrade.count('referent_schema="s1"') == 1  # the key added after the tables
    assert ruff_check(script) == ""
    schemas = (None, *SCHEMAS)
    upgraded = full_cycle(project, schemas)
    assert upgraded["s1.notifications"][1] == [(("destination_uuid",), "s1", "workflow_status")]
    assert upgraded["s2.audit"][1] == [(("workflow_uuid",), "s1", "workflow_status")]
    assert upgraded["s1.left_side"][1] == [(("right_id",), "s1", "right_side")]
    project.ok("upgrade", "head")
    drop_and_come_back(project, DEFAULT_SCHEMA_MODELS, schemas)
    project.ok("downgrade", "base")


def test_foreign_keys_across_explicit_schemas(tmp_path: Path, pg_url: str) -> None:
    project = schema_project(tmp_path, pg_url, "")
    project.models(CROSS_SCHEMA_MODELS)
    upgrade = section(project.autogenerate("init"), "upgrade")
    assert '["s1.parent.id"]' in upgrade
    assert upgrade.count('["plain.id"]') == 2
    schemas = (None, *SCHEMAS)
    upgraded = full_cycle(project, schemas)
    assert upgraded["s2.child"][1] == [
        (("parent_id",), "s1", "parent"),
        (("plain_id",), None, "plain"),
    ]
    project.ok("upgrade", "head")
    drop_and_come_back(project, CROSS_SCHEMA_MODELS, schemas)
    project.ok("downgrade", "base")


def test_added_foreign_key_to_the_metadata_schema(tmp_path: Path, pg_url: str) -> None:
    """A key added to an existing table names the schema its target resolves to."""
    project = schema_project(tmp_path, pg_url, 'metadata=sa.MetaData(schema="s1")')
    before = DEFAULT_SCHEMA_MODELS.replace(
        'sa.Text, sa.ForeignKey("workflow_status.workflow_uuid", ondelete="CASCADE"),', "sa.Text,"
    )
    assert before != DEFAULT_SCHEMA_MODELS
    project.models(before)
    project.autogenerate("init")
    project.ok("upgrade", "head")
    project.models(DEFAULT_SCHEMA_MODELS)
    upgrade = section(project.autogenerate("key"), "upgrade")
    assert 'referent_schema="s1"' in upgrade, upgrade
    project.ok("upgrade", "head")
    keys = database_schema(project.url, ("s1",))["s1.notifications"][1]
    assert keys == [(("destination_uuid",), "s1", "workflow_status")]
    assert CLEAN in project.ok("check").out
    project.ok("downgrade", "base")
    nothing_left(project.url, (None, *SCHEMAS))


def test_unqualified_target_resolves_to_the_metadata_schema() -> None:
    """The models' MetaData really resolves the unqualified target to its schema (the premise
    of D), so the expected scripts above are SQLAlchemy's reading, not Sterna's."""
    import sqlalchemy as sa

    metadata = MetaData(schema="s1")
    sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True))
    child = sa.Table("child", metadata, sa.Column("pid", sa.ForeignKey("parent.id")))
    (fk,) = child.foreign_keys
    assert fk.column.table.schema == "s1"
