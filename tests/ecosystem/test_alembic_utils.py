"""alembic_utils (PostgreSQL views, materialized views, functions, triggers, policies) end to end.

Its documented usage: the entities are declared in the project and passed to
``register_entities`` in env.py; ``revision --autogenerate`` then detects which to create,
replace or drop and renders them with alembic_utils' imports.  The same steps run under real
Alembic and under Sterna (see ``_two_tools``); scripts and catalogs must agree, every step
upgrades and downgrades, and ``check`` is clean after each upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _fresh_database
from tests.ecosystem._two_tools import (
    Side,
    assert_clean,
    catalog,
    make_sides,
    on_both,
    same_catalog,
    same_scripts,
)

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
account = sa.Table(
    "account", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("score", sa.Integer),
    sa.Column("touched", sa.DateTime),
)
"""

ENTITIES = """\
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_policy import PGPolicy
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView

to_upper = PGFunction(
    schema="public",
    signature="to_upper(some_text text)",
    definition="RETURNS text AS $$ SELECT upper(some_text) $$ LANGUAGE SQL;",
)
touch_account = PGFunction(
    schema="public",
    signature="touch_account()",
    definition="RETURNS trigger AS $$ BEGIN NEW.touched := now(); RETURN NEW; END; $$ "
               "LANGUAGE plpgsql;",
)
active_accounts = PGView(
    schema="public", signature="active_accounts",
    definition="SELECT id, name FROM public.account WHERE active",
)
account_scores = PGMaterializedView(
    schema="public", signature="account_scores",
    definition="SELECT id, score FROM public.account", with_data=True,
)
account_touch = PGTrigger(
    schema="public", signature="account_touch", on_entity="public.account",
    definition="BEFORE UPDATE ON public.account FOR EACH ROW "
               "EXECUTE FUNCTION public.touch_account()",
)
allow_read = PGPolicy(
    schema="public", signature="allow_read", on_entity="public.account",
    definition="AS PERMISSIVE FOR SELECT TO public USING (active)",
)
ENTITIES = [to_upper, touch_account, active_accounts, account_scores, account_touch, allow_read]
"""

REPLACED = ENTITIES.replace("SELECT upper(some_text)", "SELECT upper(trim(some_text))").replace(
    "SELECT id, name FROM", "SELECT id, name, score FROM"
)

DROPPED = REPLACED.replace(
    "ENTITIES = [to_upper, touch_account, active_accounts, account_scores, account_touch, "
    "allow_read]",
    "ENTITIES = [to_upper, touch_account, active_accounts]",
)

ENV_LINES = """\
from alembic_utils.replaceable_entity import register_entities

from entities import ENTITIES
from models import metadata

register_entities(ENTITIES)
target_metadata = metadata"""

CATALOG = {
    "tables": "SELECT table_name, column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = 'public' AND table_name <> 'sterna_history'",
    "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'",
    "matviews": "SELECT matviewname, definition, ispopulated FROM pg_matviews "
    "WHERE schemaname = 'public'",
    "functions": "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'",
    "triggers": "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    "policies": "SELECT policyname, tablename, permissive, roles::text, cmd, qual "
    "FROM pg_policies WHERE schemaname = 'public'",
    "versions": "SELECT version_num FROM alembic_version",
}


@pytest.fixture
def urls(pg_url: str) -> Iterator[tuple[str, str]]:
    """(Alembic's database, Sterna's database): two fresh PostgreSQL databases."""
    yield from ((pg_url, other) for other in _fresh_database("postgresql"))


def _step(
    sides: tuple[Side, Side], entities: str, rev: str, *, unordered: bool = False
) -> dict[str, list[tuple[object, ...]]]:
    """New entities, ``revision --autogenerate``, same scripts, upgrade, same catalog, check."""
    alembic, sterna = sides
    for side in sides:
        side.write("entities.py", entities)
    on_both(sides, "revision", "--autogenerate", "-m", rev, "--rev-id", rev)
    same_scripts(alembic, sterna, rev, unordered=unordered)
    on_both(sides, "upgrade", "head")
    state = same_catalog(alembic, sterna, CATALOG, f"upgrade to {rev}")
    assert_clean(sides)
    return state


def test_entities_created_replaced_dropped_and_reverted(
    urls: tuple[str, str], tmp_path: Path
) -> None:
    sides = make_sides(
        tmp_path,
        urls,
        lambda env: env.replace("target_metadata = None", ENV_LINES),
        {"models.py": MODELS},
    )
    alembic, sterna = sides
    states = {"r0": _step(sides, "ENTITIES = []\n", "r0")}

    states["r1"] = _step(sides, ENTITIES, "r1")
    script = sterna.script("r1")
    assert script.count("op.create_entity(") == 6 and script.count("op.drop_entity(") == 6
    for name in (
        "pg_function import PGFunction",
        "pg_view import PGView",
        "pg_materialized_view import PGMaterializedView",
        "pg_trigger import PGTrigger",
        "pg_policy import PGPolicy",
    ):
        assert f"from alembic_utils.{name}" in script, name
    assert "from sqlalchemy import text as sql_text" in script
    assert len(states["r1"]["functions"]) == 2 and len(states["r1"]["policies"]) == 1
    assert len(states["r1"]["triggers"]) == 1 and states["r1"]["matviews"][0][2] is True

    states["r2"] = _step(sides, REPLACED, "r2")
    script = sterna.script("r2")
    assert script.count("op.replace_entity(") == 4, script  # two upgrades, two reverts
    assert "upper(trim(some_text))" in str(states["r2"]["functions"])

    # alembic_utils lists the entities to drop in the order of a set of classes: any order
    states["r3"] = _step(sides, DROPPED, "r3", unordered=True)
    assert sterna.script("r3").count("op.drop_entity(") == 3
    assert not states["r3"]["triggers"] and not states["r3"]["policies"]
    assert not states["r3"]["matviews"]

    for down_to in ("r2", "r1", "r0"):
        on_both(sides, "downgrade", "-1")
        state = same_catalog(alembic, sterna, CATALOG, f"downgrade to {down_to}")
        assert state == states[down_to], down_to
    on_both(sides, "downgrade", "base")
    assert catalog(sterna.url, {"t": CATALOG["tables"]})["t"] == [
        ("alembic_version", "version_num", "character varying")
    ]
