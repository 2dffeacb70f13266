"""``prepend_sys_path``: the folders are in front of ``sys.path`` in the configured order,
also when one of them is already further down (it stayed there, so the order could be the
reverse of the configured one: Alembic's suite, ``CWDTest.test_sys_path_prepend``), and none is
added twice when the configuration is read again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sterna.config import Config
from sterna.script import ScriptDirectory


def test_configured_order_in_front_of_sys_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "migrations").mkdir()
    config = Config()
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    config.set_main_option("path_separator", ":")
    config.set_main_option("prepend_sys_path", "/tmp/h2_foo:/tmp/h2_bar")
    monkeypatch.setattr(sys, "path", ["/somewhere", "/tmp/h2_bar", "/elsewhere"])
    ScriptDirectory.from_config(config)
    ScriptDirectory.from_config(config)
    assert sys.path == ["/tmp/h2_foo", "/tmp/h2_bar", "/somewhere", "/elsewhere"]
