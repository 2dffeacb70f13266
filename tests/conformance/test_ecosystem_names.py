"""Every ``alembic.*`` name that released extensions and tools import or reach resolves under
Sterna's alias, or is listed as not provided, with the reason.

The names come from ``ecosystem_names.json``, written by ``tools/alembic_inventory.py`` from the
packages' released wheels (package, version, module, name, where).  Names reached through the
``alembic.context`` proxy are resolved inside a real run of env.py, where env.py reaches them;
``alembic.op`` names on the Operations class it forwards to.  A name Sterna does not provide must
be in ``known_differences.ECOSYSTEM_NOT_PROVIDED`` or ``API_INTERNALS`` (Alembic internals) or in
``open_bugs.ECOSYSTEM_GAPS`` (to be provided), and every listed name must still be missing.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from sterna import command
from sterna.compat import alembic_alias
from sterna.config import Config
from tests.conformance.harness import working_directory
from tests.conformance.known_differences import API_INTERNALS, ECOSYSTEM_NOT_PROVIDED
from tests.conformance.open_bugs import ECOSYSTEM_GAPS, expect_bug

INVENTORY = Path(__file__).with_name("ecosystem_names.json")
ROWS: list[dict[str, Any]] = json.loads(INVENTORY.read_text("utf-8"))["names"]
PROXIED = {"alembic.context", "alembic.op"}


def key(row: dict[str, Any]) -> str:
    return f"{row['module']}:{row['name']}" if row["name"] else row["module"]


NAMES = sorted({key(row) for row in ROWS})
USERS = {
    name: sorted({f"{r['package']} {r['version']} ({r['where']})" for r in ROWS if key(r) == name})
    for name in NAMES
}

RESOLVING_ENV = """
import json
from alembic import context

found = {}
for name in json.load(open("wanted.json")):
    target = context
    try:
        for part in name.split("."):
            target = getattr(target, part)
    except Exception as exc:
        found[name] = f"{type(exc).__name__}: {exc}"
    else:
        found[name] = None
json.dump(found, open("found.json", "w"))
"""


@pytest.fixture(scope="module")
def context_resolution(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | None]:
    """``alembic.context`` names as env.py resolves them during a run: None, or the error."""
    root = tmp_path_factory.mktemp("context_names")
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(RESOLVING_ENV)
    wanted = sorted({r["name"] for r in ROWS if r["module"] == "alembic.context" and r["name"]})
    (root / "wanted.json").write_text(json.dumps(wanted))
    config = Config()
    config.set_main_option("script_location", str(root / "migrations"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{root / 'x.db'}")
    with working_directory(root):
        command.current(config)
    found: dict[str, str | None] = json.loads((root / "found.json").read_text())
    return found


def resolve(name: str, context_resolution: dict[str, str | None]) -> str | None:
    """None when ``name`` resolves under the alias, else why not."""
    module_name, _, attribute = name.partition(":")
    if module_name == "alembic.context" and attribute:
        return context_resolution[attribute]
    with alembic_alias():
        try:
            target: Any = importlib.import_module(module_name)
        except ImportError as exc:
            return f"ImportError: {exc}"
        if module_name == "alembic.op":
            target = importlib.import_module("alembic.operations").Operations
        try:
            for part in attribute.split(".") if attribute else ():
                target = getattr(target, part)
        except AttributeError as exc:
            return f"AttributeError: {exc}"
    return None


@pytest.mark.parametrize("name", NAMES)
def test_name_resolves_or_is_listed(
    name: str, context_resolution: dict[str, str | None], request: pytest.FixtureRequest
) -> None:
    problem = resolve(name, context_resolution)
    listed = name in ECOSYSTEM_NOT_PROVIDED or name in API_INTERNALS
    if listed:
        assert problem is not None, f"{name} resolves now: remove it from the not-provided list"
        return
    expect_bug(request, "ecosystem-gaps", name in ECOSYSTEM_GAPS)
    assert problem is None, f"{name} (used by {'; '.join(USERS[name])}): {problem}"


def test_every_listed_name_is_in_the_inventory() -> None:
    stale = (set(ECOSYSTEM_NOT_PROVIDED) | set(ECOSYSTEM_GAPS)) - set(NAMES)
    assert not stale, f"listed but no inventoried package uses them: {sorted(stale)}"


def test_inventory_names_its_packages_and_versions() -> None:
    packages = json.loads(INVENTORY.read_text("utf-8"))["packages"]
    by_name = {p["package"]: p for p in packages}
    for package in (
        "alembic-postgresql-enum",
        "alembic-utils",
        "geoalchemy2",
        "flask-migrate",
        "pytest-alembic",
        "sqlalchemy-utils",
        "sqlmodel",
        "advanced-alchemy",
    ):
        assert by_name[package]["version"][0].isdigit(), package
    assert {row["package"] for row in ROWS} <= set(by_name)
