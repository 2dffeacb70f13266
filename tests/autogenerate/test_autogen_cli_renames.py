"""Likely renames: asked in a terminal, written as renames when accepted (the data survives),
and never silently dropped: without a terminal the drop and add carry a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.autogenerate._autogen_project import Project, Terminal, ruff_check, ruff_format_diff


def suppliers(column: str, table: str = "suppliers") -> str:
    return f'''
sa.Table(
    "{table}", Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("{column}", sa.String(50), nullable=False),
    sa.Column("city", sa.String(30)),
)
'''


def rows(project: Project, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(project.url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def project(tmp_path: Path, sqlite_url: str) -> Project:
    project = Project(tmp_path, sqlite_url)
    project.models(suppliers("name"))
    project.autogenerate("first")
    project.ok("upgrade", "head")
    rows(project, "INSERT INTO suppliers (id, name, city) VALUES (1, 'Acme', 'Oslo')")
    return project


def test_accepted_column_rename_keeps_the_data(tmp_path: Path, db_url: str) -> None:
    project = Project(tmp_path, db_url)
    project.models(suppliers("name"))
    project.autogenerate("first")
    project.ok("upgrade", "head")
    rows(project, "INSERT INTO suppliers (id, name, city) VALUES (1, 'Acme', 'Oslo')")

    project.models(suppliers("full_name"))
    before = set(project.versions())
    result = project.ok("revision", "--autogenerate", "-m", "rename", stdin=Terminal("y\n"))
    assert "Did you rename suppliers.name to suppliers.full_name? [y/N]" in result.out
    (script,) = set(project.versions()) - before
    source = script.read_text()
    assert 'new_column_name="full_name"' in source and "drop_column" not in source
    assert not ruff_check(script) and not ruff_format_diff(script)
    project.ok("upgrade", "head")
    assert rows(project, "SELECT id, full_name FROM suppliers") == [(1, "Acme")]
    assert "No new upgrade operations detected." in project.ok("check").out
    project.ok("downgrade", "-1")
    assert rows(project, "SELECT id, name FROM suppliers") == [(1, "Acme")]


def test_declined_rename_is_a_drop_and_an_add(project: Project) -> None:
    project.models(suppliers("full_name"))
    before = set(project.versions())
    result = project.ok("revision", "--autogenerate", "-m", "x", stdin=Terminal("n\n"))
    assert "Did you rename suppliers.name to suppliers.full_name?" in result.out
    (script,) = set(project.versions()) - before
    source = script.read_text()
    assert 'op.drop_column("suppliers", "name")' in source
    assert "WARNING" not in source
    assert "This revision drops column 'suppliers.name'" in result.text


def test_without_a_terminal_nothing_is_renamed_or_dropped_silently(project: Project) -> None:
    project.models(suppliers("full_name"))
    result = project.sterna("check")
    assert "added column 'suppliers.full_name'; removed column 'suppliers.name'" in result.err
    script = project.autogenerate("x")
    source = script.read_text()
    assert 'op.drop_column("suppliers", "name")' in source
    upgrade = source[source.index("def upgrade") : source.index("def downgrade")]
    warning = upgrade.index("# WARNING: column suppliers.name is dropped")
    assert warning < upgrade.index('op.drop_column("suppliers", "name")')
    assert 'op.alter_column("suppliers", "name", new_column_name="full_name")' in upgrade
    downgrade = source[source.index("def downgrade") :]
    assert "# WARNING: column suppliers.full_name is dropped" in downgrade
    assert not ruff_check(script)


def test_console_warns_without_a_terminal(project: Project) -> None:
    project.models(suppliers("full_name"))
    result = project.ok("revision", "--autogenerate", "-m", "x")
    assert (
        "Possible rename: column suppliers.name was dropped and suppliers.full_name added"
        in result.text
    )
    assert "-x sterna.accept_renames=true" in result.text


def test_renames_accepted_by_option(project: Project) -> None:
    """-x sterna.accept_renames=true (here after the verb) renames without asking."""
    project.models(suppliers("full_name"))
    script = project.autogenerate("x", "-x", "sterna.accept_renames=true")
    assert 'new_column_name="full_name"' in script.read_text()
    project.ok("upgrade", "head")
    assert rows(project, "SELECT full_name FROM suppliers") == [("Acme",)]


def test_a_bad_option_value_is_an_error(project: Project) -> None:
    project.models(suppliers("full_name"))
    result = project.sterna(
        "-x", "sterna.accept_renames=maybe", "revision", "--autogenerate", "-m", "x"
    )
    assert result.status == 1
    assert "sterna.accept_renames=maybe: expected true or false" in result.err


def test_accepted_table_rename(project: Project) -> None:
    project.models(suppliers("name", table="vendors"))
    before = set(project.versions())
    result = project.ok("revision", "--autogenerate", "-m", "x", stdin=Terminal("y\n"))
    assert "Did you rename table suppliers to vendors? [y/N]" in result.out
    (script,) = set(project.versions()) - before
    source = script.read_text()
    assert 'op.rename_table("suppliers", "vendors")' in source
    assert 'op.rename_table("vendors", "suppliers")' in source
    assert "drop_table" not in source
    project.ok("upgrade", "head")
    assert rows(project, "SELECT name FROM vendors") == [("Acme",)]
    assert "No new upgrade operations detected." in project.ok("check").out
