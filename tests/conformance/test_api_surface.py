"""The public names of Alembic's modules and main classes, read from the installed Alembic at run
time, exist under Sterna's alias: what env.py files, scripts and project extensions may use.
Alembic internals Sterna does not reproduce are listed (with the reason) in
``known_differences.API_INTERNALS``; real gaps are open bugs."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sterna import command
from sterna.compat import MODULES, alembic_alias
from sterna.config import Config
from tests.conformance import tally
from tests.conformance.harness import working_directory
from tests.conformance.known_differences import API_INTERNALS
from tests.conformance.open_bugs import API_GAPS, expect_bug

#: Proxy modules: their surface is the class they forward to.
PROXIES = {"alembic.context", "alembic.op"}

CLASSES = [
    ("alembic.runtime.environment", "EnvironmentContext"),
    ("alembic.runtime.migration", "MigrationContext"),
    ("alembic.operations", "Operations"),
    ("alembic.operations", "BatchOperations"),
    ("alembic.script", "ScriptDirectory"),
    ("alembic.script", "Script"),
    ("alembic.script.revision", "RevisionMap"),
    ("alembic.config", "Config"),
    ("alembic.ddl.impl", "DefaultImpl"),
]


def public_names(module: ModuleType) -> list[str]:
    """``__all__``, else the classes and functions the module itself defines."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
        ]
    return sorted(names)


def public_members(cls: type) -> list[str]:
    """Methods and properties a class and its bases define (no private names)."""
    found: set[str] = set()
    for klass in cls.__mro__:
        if klass is object:
            continue
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if (
                callable(value)
                or isinstance(value, (property, classmethod, staticmethod))
                or ("memoized" in type(value).__name__)
            ):
                found.add(name)
    return sorted(found)


def report(where: str, missing: list[str], request: pytest.FixtureRequest) -> None:
    internal = {name for name in missing if f"{where}:{name}" in API_INTERNALS}
    gaps = sorted(set(missing) - internal)
    expect_bug(request, "api-gaps", bool(gaps) and where in API_GAPS)
    assert not gaps, f"{where}: missing under the alias: {gaps}"


@pytest.mark.parametrize("name", sorted(set(MODULES) - PROXIES - {"alembic"}))
def test_module_names(name: str, request: pytest.FixtureRequest) -> None:
    real = importlib.import_module(name)
    expected = public_names(real)
    tally.count("api_names", len(expected))
    with alembic_alias():
        try:
            aliased = importlib.import_module(name)
        except ImportError:
            expected_missing = expected or ["<module>"]
            report(name, expected_missing, request)
            return
        missing = [n for n in expected if not hasattr(aliased, n)]
    report(name, missing, request)


def _instance_or_class(module: Any, cls_name: str) -> Any:
    cls = getattr(module, cls_name)
    if cls_name == "Config":
        return cls()  # attributes set in __init__ / memoized count too
    if cls_name == "RevisionMap":
        return cls([])
    return cls


@pytest.mark.parametrize(("module_name", "cls_name"), CLASSES)
def test_class_members(module_name: str, cls_name: str, request: pytest.FixtureRequest) -> None:
    real = getattr(importlib.import_module(module_name), cls_name)
    expected = public_members(real)
    tally.count("api_names", len(expected))
    with alembic_alias():
        ours = _instance_or_class(importlib.import_module(module_name), cls_name)
        missing = [n for n in expected if not hasattr(ours, n)]
    report(f"{module_name}.{cls_name}", missing, request)


RECORDING_ENV = """
import json
from alembic import context
from sqlalchemy import create_engine

names = {"context": sorted(dir(context))}
engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations(names=names)
with open("names.json", "w") as out:
    json.dump(names, out)
"""

RECORDING_SCRIPT = """
from alembic import op

revision = "n1"
down_revision = None


def upgrade(names):
    names["op"] = sorted(dir(op))


def downgrade(names):
    pass
"""


def test_proxy_modules_list_the_class_surface(tmp_path: Path) -> None:
    """During a run, ``dir(alembic.context)`` and ``dir(alembic.op)`` (as env.py and scripts
    see them under the alias) list every public member of Alembic's EnvironmentContext and
    Operations."""
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text(RECORDING_ENV)
    (tmp_path / "migrations" / "versions" / "n1_names.py").write_text(RECORDING_SCRIPT)
    config = Config()
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'x.db'}")
    with working_directory(tmp_path):
        command.upgrade(config, "head")
    listed = json.loads((tmp_path / "names.json").read_text())
    for proxy, (module_name, cls_name) in (
        ("alembic.context", ("alembic.runtime.environment", "EnvironmentContext")),
        ("alembic.op", ("alembic.operations", "Operations")),
    ):
        real = getattr(importlib.import_module(module_name), cls_name)
        expected = {n for n in public_members(real) if f"{proxy}:{n}" not in API_INTERNALS}
        tally.count("api_names", len(expected))
        missing = expected - set(listed[proxy.rsplit(".", 1)[1]])
        assert not missing, (proxy, sorted(missing))
