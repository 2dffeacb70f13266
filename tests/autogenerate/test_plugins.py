"""Plugins (``alembic.runtime.plugins.Plugin``): a plugin's comparators run in a real
comparison only where the environment selects it (``autogenerate_plugins``); plugins published
under the ``alembic.plugins`` entry point are set up; expressions match as Alembic's do."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Column, Integer, MetaData, Table

from sterna.autogenerate import plugins
from sterna.autogenerate.plugins import Plugin, pattern
from sterna.compat import alembic_alias
from sterna.errors import PluginError
from sterna.operations.ops import MigrateOperation
from tests.autogenerate._compare_support import create_all, produce


class Marker(MigrateOperation):
    def __init__(self, text: str) -> None:
        self.text = text

    def reverse(self) -> Marker:
        return Marker(f"undo {self.text}")


@pytest.fixture
def fresh_plugins() -> Iterator[None]:
    saved = dict(plugins._PLUGINS)
    yield
    plugins._PLUGINS.clear()
    plugins._PLUGINS.update(saved)


def _model() -> MetaData:
    metadata = MetaData()
    Table("thing", metadata, Column("id", Integer, primary_key=True))
    return metadata


def _markers(db_url: str, **opts: Any) -> list[str]:
    ops = produce(db_url, _model(), **opts).upgrade_ops
    assert ops is not None
    # the plugin's own Marker class too, hence the name and the cast
    return [cast(Any, op).text for op in ops.ops if type(op).__name__ == "Marker"]


def _schema_marker(text: str) -> Any:
    def compare(autogen_context: Any, upgrade_ops: Any, schemas: Any) -> None:
        upgrade_ops.ops.append(Marker(text))

    return compare


def test_comparators_run_only_where_selected(db_url: str, fresh_plugins: None) -> None:
    create_all(db_url, _model())
    Plugin("acme.views").add_autogenerate_comparator(_schema_marker("views"), "schema")
    Plugin("acme.grants").add_autogenerate_comparator(_schema_marker("grants"), "schema")
    assert _markers(db_url) == []
    assert _markers(db_url, autogenerate_plugins=["alembic.autogenerate.*", "acme.*"]) == [
        "views",
        "grants",
    ]
    assert _markers(db_url, autogenerate_plugins=["acme.*", "~acme.grants"]) == ["views"]
    with pytest.raises(PluginError, match="no plugin found for acme.nothing"):
        _markers(db_url, autogenerate_plugins=["alembic.autogenerate.*", "acme.nothing"])
    with pytest.raises(PluginError, match="built-in comparison always runs"):
        _markers(
            db_url,
            autogenerate_plugins=["alembic.autogenerate.*", "~alembic.autogenerate.comments"],
        )


def test_duplicate_name_and_bad_expression(fresh_plugins: None) -> None:
    Plugin("acme.once")
    with pytest.raises(ValueError, match="already registered"):
        Plugin("acme.once")
    with pytest.raises(ValueError, match="invalid plugin expression"):
        pattern("acme.-x")


@pytest.mark.parametrize("expression", ["acme.*", "*", "acme.views", "a.*.c", "alembic.*"])
def test_expressions_match_as_alembic_s(expression: str) -> None:
    from alembic.runtime.plugins import _make_re

    names = ["acme", "acme.views", "acme.views.more", "a.b.c", "a.c", "alembic.ext.x", "acmex"]
    assert [bool(pattern(expression).match(n)) for n in names] == [
        bool(_make_re(expression).match(n)) for n in names
    ]


PLUGIN_MODULE = """
from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority


def setup(plugin):
    assert isinstance(plugin, Plugin)

    def compare(autogen_context, upgrade_ops, schemas):
        from tests.autogenerate.test_plugins import Marker

        upgrade_ops.ops.append(Marker("from entry point"))

    plugin.add_autogenerate_comparator(compare, "schema", priority=DispatchPriority.LAST)
"""


def test_entry_point_plugins_are_set_up(
    db_url: str, tmp_path: Path, fresh_plugins: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sterna_test_plugin.py").write_text(PLUGIN_MODULE)
    info = tmp_path / "sterna_test_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sterna-test-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        textwrap.dedent("""\
        [alembic.plugins]
        sterna_test.marker = sterna_test_plugin
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "_loaded_entry_points", False)
    create_all(db_url, _model())
    with alembic_alias():
        assert _markers(db_url, autogenerate_plugins=["sterna_test.*"]) == ["from entry point"]
        assert importlib.import_module("alembic.runtime.plugins") is plugins
    sys.modules.pop("sterna_test_plugin", None)
