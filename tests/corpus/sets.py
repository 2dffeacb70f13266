"""The registry of real-world model sets that the corpus tests run Sterna's autogenerate on.

Each set is a public SQLAlchemy model set shipped inside a PyPI package, installed at the pinned
version by the ``corpus`` extra of ``pyproject.toml`` (the two pins must agree; a test checks it).
``target`` is ``"module:expression"``: the harness's ``env.py`` imports the module and evaluates
the expression in its namespace to get one ``MetaData`` or a list of them.  ``prepare``, when set,
is ``"module"`` or ``"module:function"`` imported (and called) first, so that model modules
register their tables.  ``features`` lists the coverage features (``FEATURES``) the set has;
``tests/corpus/test_sets.py`` checks them on the loaded metadata.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from sqlalchemy import MetaData

FEATURES = (
    "50+ tables",
    "pg enums",
    "naming conventions",
    "fk cycle use_alter",
    "fk cycle no use_alter",
    "functional indexes",
    "partial indexes",
    "check constraints",
    "server defaults: text literals",
    "server defaults: numbers",
    "server defaults: booleans",
    "server defaults: now()",
    "server defaults: func calls",
    "server defaults: sa.text",
    "typedecorators",
    "sqlmodel types",
    "ddl_if",
    "schemas",
    "sequences",
)
ALL_BACKENDS = ("sqlite", "postgresql", "mariadb")


@dataclass(frozen=True)
class ModelSet:
    name: str
    package: str
    target: str
    prepare: str | None
    backends: tuple[str, ...]
    features: tuple[str, ...]
    notes: str = ""


def _sets(*items: ModelSet) -> dict[str, ModelSet]:
    return {ms.name: ms for ms in items}


SETS: dict[str, ModelSet] = _sets(
    ModelSet(
        name="dagster-runs",
        package="dagster==1.13.29",
        target="dagster._core.storage.runs.schema:RunStorageSqlMetadata",
        prepare=None,
        backends=ALL_BACKENDS,
        features=("server defaults: func calls",),
        notes="Core tables of dagster's run storage; dagster keeps run, event log and "
        "schedule storage in three MetaData (separate SQLite files), each also defining "
        "secondary_indexes, hence three sets",
    ),
    ModelSet(
        name="dagster-events",
        package="dagster==1.13.29",
        target="dagster._core.storage.event_log.schema:SqlEventLogStorageMetadata",
        prepare=None,
        backends=ALL_BACKENDS,
        features=(
            "partial indexes",
            "server defaults: func calls",
            "server defaults: booleans",
        ),
        notes="Core tables of dagster's event log storage",
    ),
    ModelSet(
        name="dagster-schedules",
        package="dagster==1.13.29",
        target="dagster._core.storage.schedules.schema:ScheduleStorageSqlMetadata",
        prepare=None,
        backends=ALL_BACKENDS,
        features=("server defaults: func calls",),
        notes="Core tables of dagster's schedule storage",
    ),
    ModelSet(
        name="airflow",
        package="apache-airflow-core==3.3.2",
        target="airflow.models.base:Base.metadata",
        prepare="tests.corpus.loaders:import_airflow",
        backends=("sqlite", "postgresql"),
        features=(
            "50+ tables",
            "naming conventions",
            "functional indexes",
            "partial indexes",
            "check constraints",
            "server defaults: text literals",
            "server defaults: numbers",
            "server defaults: booleans",
            "typedecorators",
        ),
        notes="the metadata Airflow's migrations compare with (models.import_all_models); "
        "no MariaDB: Airflow picks its id collation from its configured database URL at "
        "import time, and with the default utf8mb4 its indexes exceed MariaDB's key length",
    ),
    ModelSet(
        name="keystone",
        package="keystone==30.0.0",
        target="keystone.common.sql.core:ModelBase.metadata",
        prepare="tests.corpus.loaders:import_keystone",
        backends=ALL_BACKENDS,
        features=(
            "pg enums",
            "server defaults: text literals",
            "server defaults: numbers",
            "server defaults: booleans",
            "typedecorators",
        ),
        notes="OpenStack Identity: every service's SQL backend models on one ModelBase",
    ),
    ModelSet(
        name="buildbot",
        package="buildbot==4.3.0",
        target="buildbot.db.model:Model.metadata",
        prepare=None,
        backends=ALL_BACKENDS,
        features=(
            "fk cycle use_alter",
            "server defaults: text literals",
            "server defaults: numbers",
            "typedecorators",
        ),
        notes="Core tables; buildrequests/buildsets/builds cycle broken by use_alter FKs",
    ),
    ModelSet(
        name="celery",
        package="celery==5.7.0",
        target="celery.backends.database.models:ResultModelBase.metadata",
        prepare=None,
        backends=ALL_BACKENDS,
        features=("sequences",),
        notes="the database result backend's task and taskset tables",
    ),
    ModelSet(
        name="flask-appbuilder",
        package="flask-appbuilder==5.3.0",
        target="flask_appbuilder.security.sqla.models:Model.metadata",
        prepare=None,
        backends=ALL_BACKENDS,
        features=("sequences",),
        notes="the ab_* security models, each id with an explicit Sequence",
    ),
    ModelSet(
        name="fastapi-users",
        package="fastapi-users-db-sqlalchemy==7.0.0",
        target="tests.corpus.loaders:fastapi_users_metadata()",
        prepare=None,
        backends=ALL_BACKENDS,
        features=("typedecorators",),
        notes="the package ships only mixins: three minimal concrete models (user, OAuth "
        "account, access token) over them, GUID and TIMESTAMPAware TypeDecorators",
    ),
    ModelSet(
        name="flask-security",
        package="flask-security-too==5.9.2",
        target="tests.corpus.loaders:flask_security_metadata()",
        prepare=None,
        backends=ALL_BACKENDS,
        features=("server defaults: now()", "typedecorators"),
        notes="fsqla_v4 mixins (v3 plus the refresh tracker) on a Flask-SQLAlchemy db, as "
        "its docs show; AsaList TypeDecorator",
    ),
    ModelSet(
        name="advanced-alchemy",
        package="advanced-alchemy==1.12.0",
        target="advanced_alchemy.base:orm_registry.metadata",
        prepare="tests.corpus.models_advanced_alchemy",
        backends=ALL_BACKENDS,
        features=(
            "naming conventions",
            "ddl_if",
            "check constraints",
            "typedecorators",
            "sequences",
        ),
        notes="the package ships no concrete model: three minimal ones over its bases, "
        "SlugKey mixin (ddl_if) and types (GUID, DateTimeUTC, JsonB)",
    ),
    ModelSet(
        name="apscheduler",
        package="apscheduler==3.11.3",
        target="tests.corpus.loaders:apscheduler_metadata()",
        prepare=None,
        backends=ALL_BACKENDS,
        features=(),
        notes="SQLAlchemyJobStore's apscheduler_jobs table (built in the store's __init__)",
    ),
    ModelSet(
        name="dbos",
        package="dbos==3.4.0",
        target="dbos._schemas.system_database:SystemSchema.metadata_obj",
        prepare=None,
        backends=("postgresql",),
        features=(
            "schemas",
            "server defaults: text literals",
            "server defaults: numbers",
            "server defaults: booleans",
            "server defaults: sa.text",
        ),
        notes="DBOS system tables, all in MetaData(schema='__dbos_placeholder_schema__') "
        "(DBOS maps it to its real schema with schema_translate_map; the database needs "
        "that schema created first); PostgreSQL only: DBOS maps the schema away on SQLite",
    ),
    ModelSet(
        name="zenml",
        package="zenml==0.98.0",
        target="sqlmodel:SQLModel.metadata",
        prepare="zenml.zen_stores.schemas",
        backends=("sqlite", "mariadb"),
        features=("50+ tables", "sqlmodel types", "typedecorators", "check constraints"),
        notes="SQLModel schemas of the ZenML server; installed without its [local] extra, "
        "which pins alembic<=1.15.2 (sqlmodel pinned to that extra's 0.0.38 instead); no "
        "PostgreSQL: String(16777215) columns exceed PG's varchar limit (ZenML supports "
        "SQLite and MySQL only)",
    ),
    ModelSet(
        name="galaxy",
        package="galaxy-data==26.1.2",
        target="galaxy.model:mapper_registry.metadata",
        prepare=None,
        backends=("sqlite", "postgresql"),
        features=(
            "50+ tables",
            "naming conventions",
            "fk cycle use_alter",
            "fk cycle no use_alter",
            "server defaults: booleans",
            "typedecorators",
        ),
        notes="the Galaxy server's data model (183 tables); user_credentials and "
        "credentials_group refer to each other without use_alter; no MariaDB: its models "
        "have String columns without a length (create_all: 'VARCHAR requires a length on "
        "dialect mysql')",
    ),
)


def load_metadata(ms: ModelSet) -> list[MetaData]:
    """Import ``ms`` (its ``prepare`` first) and return its MetaData objects."""
    if ms.prepare:
        module_name, _, function = ms.prepare.partition(":")
        module = importlib.import_module(module_name)
        if function:
            getattr(module, function)()
    module_name, _, expression = ms.target.partition(":")
    namespace = dict(vars(importlib.import_module(module_name)))
    value = eval(expression, namespace)  # the expression is ours (SETS)
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, MetaData):
            raise TypeError(f"corpus set {ms.name!r}: target {ms.target!r} gave {item!r}")
    return items
