"""A dialect's implementation class is found one way: through its profile.

``profile_for(name).implementation`` names the class (``"module:Class"``); the ddl layer imports
that module on the first run against the dialect.  A class registered with ``__dialect__``
(Alembic's way, a project's own) is preferred to the one the profile names.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from typing import ClassVar

import pytest

from sterna.ddl.impl import DefaultImpl
from sterna.ddl.mysql import MariaDBImpl, MySQLImpl
from sterna.ddl.postgresql import PostgresqlImpl
from sterna.ddl.sqlite import SQLiteImpl
from sterna.dialects import DialectProfile, profile_for

BUILTIN: dict[str, type[DefaultImpl]] = {
    "sqlite": SQLiteImpl,
    "postgresql": PostgresqlImpl,
    "mysql": MySQLImpl,
    "mariadb": MariaDBImpl,
}


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_each_builtin_profile_names_its_implementation(name: str) -> None:
    module, _, attr = profile_for(name).implementation.partition(":")
    named = getattr(importlib.import_module(module), attr)
    assert named is BUILTIN[name]
    assert named.__dialect__ == name
    assert DefaultImpl.get_by_name(name) is named


def test_a_dialect_without_a_profile_gets_the_generic_implementation() -> None:
    assert profile_for("sterna_test_nothing").implementation == "sterna.ddl.impl:DefaultImpl"
    assert DefaultImpl.get_by_name("sterna_test_nothing") is DefaultImpl


class NamedOnlyImpl(DefaultImpl):
    """An implementation a third-party profile names, registered under no ``__dialect__``."""

    transactional_ddl = True


@pytest.fixture
def third_party_profile() -> Iterator[str]:
    """A profile defined outside Sterna (defining it registers it), naming NamedOnlyImpl."""

    class _Profile(DialectProfile):
        name = "sterna_test_profiled"
        implementation: ClassVar[str] = f"{__name__}:NamedOnlyImpl"

    try:
        yield _Profile.name
    finally:
        DialectProfile.unregister(_Profile.name)


def test_a_third_party_profile_finds_its_implementation(third_party_profile: str) -> None:
    assert DefaultImpl.get_by_name(third_party_profile) is NamedOnlyImpl


def test_a_project_class_registered_for_a_builtin_name_comes_first() -> None:
    saved = dict(DefaultImpl._registry)
    try:

        class ProjectSQLiteImpl(SQLiteImpl):
            __dialect__ = "sqlite"

        assert DefaultImpl.get_by_name("sqlite") is ProjectSQLiteImpl
    finally:
        DefaultImpl._registry.clear()
        DefaultImpl._registry.update(saved)
    assert DefaultImpl.get_by_name("sqlite") is SQLiteImpl


def test_the_lookup_imports_only_the_dialect_asked_for() -> None:
    """A fresh process that looks up SQLite's implementation does not import PostgreSQL's."""
    code = (
        "import sys; from sterna.ddl.impl import DefaultImpl; "
        "print(DefaultImpl.get_by_name('sqlite').__name__, "
        "'sterna.ddl.postgresql' in sys.modules, 'sterna.ddl.mysql' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["SQLiteImpl", "False", "False"]
