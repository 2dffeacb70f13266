"""Every corpus set loads, has the tables and coverage features it is registered with, and its
metadata creates and drops cleanly on each backend it lists."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.corpus.sets import FEATURES, SETS, ModelSet, load_metadata
from tests.corpus.sets_features import features_of, tables

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

# Table counts read from each pinned package's models (a new pin that changes them fails here).
TABLE_COUNTS = {
    "dagster-runs": 9,
    "dagster-events": 9,
    "dagster-schedules": 5,
    "airflow": 57,
    "keystone": 44,
    "buildbot": 42,
    "celery": 2,
    "flask-appbuilder": 12,
    "fastapi-users": 3,
    "flask-security": 5,
    "advanced-alchemy": 3,
    "apscheduler": 1,
    "dbos": 11,
    "zenml": 52,
    "galaxy": 183,
}
URL_FIXTURES = {"sqlite": "sqlite_url", "postgresql": "pg_url", "mariadb": "mysql_url"}
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.mark.parametrize("name", sorted(SETS))
def test_set_has_its_tables_and_features(name: str) -> None:
    ms = SETS[name]
    metadatas = load_metadata(ms)
    assert len(tables(metadatas)) == TABLE_COUNTS[name]
    assert set(ms.features) <= set(FEATURES)
    assert features_of(metadatas) == set(ms.features)


def test_every_feature_is_covered_by_a_real_set() -> None:
    covered = {f for ms in SETS.values() for f in ms.features}
    assert set(FEATURES) == covered


def test_pins_agree_with_the_corpus_extra() -> None:
    extra = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]["corpus"]
    pins = {re.split(r"[=<>\[]", spec, maxsplit=1)[0].lower(): spec for spec in extra}
    for ms in SETS.values():
        assert pins.get(ms.package.split("==")[0].lower()) == ms.package, ms.name


def _cases() -> list[tuple[str, str]]:
    return [(name, backend) for name in sorted(SETS) for backend in SETS[name].backends]


@pytest.mark.parametrize(("name", "backend"), _cases())
def test_create_all_and_drop_all(name: str, backend: str, request: pytest.FixtureRequest) -> None:
    ms: ModelSet = SETS[name]
    metadatas = load_metadata(ms)
    engine = create_engine(request.getfixturevalue(URL_FIXTURES[backend]))
    schemas = {t.schema for t in tables(metadatas)}
    try:
        with engine.begin() as conn:
            for schema in sorted(s for s in schemas if s):
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        for md in metadatas:
            md.create_all(engine)
        found = {(s, n) for s in schemas for n in inspect(engine).get_table_names(schema=s)}
        assert found == {(t.schema, t.name) for t in tables(metadatas)}
        for md in reversed(metadatas):
            md.drop_all(engine)
        assert not [n for s in schemas for n in inspect(engine).get_table_names(schema=s)]
    finally:
        engine.dispose()
