"""``revision --autogenerate``, ``upgrade``, ``check`` and ``downgrade`` in the seed's project
layout, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.autogenerate._autogen_project import Project, ruff_check, ruff_format_diff

SUPPLIERS = """
class Supplier(Base):
    __tablename__ = "suppliers"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False)
"""

PURCHASE_ORDERS = (
    SUPPLIERS.replace(
        "sa.String(50), nullable=False)",
        "sa.String(50), nullable=False)\n    email = sa.Column(sa.String(120), index=True)",
    )
    + """

class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    id = sa.Column(sa.Integer, primary_key=True)
    supplier_id = sa.Column(sa.ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False)
    total = sa.Column(sa.Numeric(10, 2), nullable=False, server_default="0")
    note = sa.Column(sa.Text, comment="free text")
    __table_args__ = (sa.UniqueConstraint("supplier_id", "id", name="uq_po_supplier"),)
"""
)


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return Project(tmp_path, db_url)


def test_the_seed_workflow_with_autogenerate(project: Project) -> None:
    project.models(SUPPLIERS)
    first = project.autogenerate("create suppliers table")
    script = first.read_text()
    assert 'op.create_table(\n        "suppliers",' in script
    assert 'sa.Column("name", sa.String(length=50), nullable=False),' in script
    assert 'op.drop_table("suppliers")' in script
    assert not ruff_check(first) and not ruff_format_diff(first)

    project.ok("upgrade", "head")
    assert {"suppliers", "alembic_version"} <= project.tables()
    clean = project.ok("check")
    assert "No new upgrade operations detected." in clean.out

    project.models(PURCHASE_ORDERS)
    dirty = project.sterna("check")
    assert dirty.status == 1
    assert "FAILED: New upgrade operations detected:" in dirty.err
    assert "added table 'purchase_orders'" in dirty.err
    assert "added column 'suppliers.email'" in dirty.err

    second = project.autogenerate("add purchase orders table")
    text = second.read_text()
    assert 'op.create_table(\n        "purchase_orders",' in text
    assert (
        'op.add_column("suppliers", sa.Column("email", sa.String(length=120), nullable=True))'
        in text
    )
    assert (
        'op.create_index(op.f("ix_suppliers_email"), "suppliers", ["email"], unique=False)' in text
    )
    assert not ruff_check(second) and not ruff_format_diff(second)

    project.ok("upgrade", "head")
    assert "purchase_orders" in project.tables()
    assert "No new upgrade operations detected." in project.ok("check").out

    project.ok("downgrade", "-1")
    assert "purchase_orders" not in project.tables()
    not_up_to_date = project.sterna("check")
    assert not_up_to_date.status == 1 and "Target database is not up to date" in not_up_to_date.err
    assert "run 'upgrade head' first" in not_up_to_date.err
    assert "the database was not changed" in not_up_to_date.err
    # the database is back at the first revision: without the second one, check compares it
    # with the first models and finds them identical
    second.unlink()
    project.models(SUPPLIERS)
    assert "No new upgrade operations detected." in project.ok("check").out
    project.ok("downgrade", "base")
    assert project.tables() <= {"alembic_version"}


def test_detected_changes_are_reported(project: Project) -> None:
    project.models(SUPPLIERS)
    result = project.ok("revision", "--autogenerate", "-m", "first")
    assert "Detected added table 'suppliers'" in result.text
    project.ok("upgrade", "head")
    project.models("")
    result = project.ok("revision", "--autogenerate", "-m", "drop it")
    assert "Detected removed table 'suppliers'" in result.text
    assert "This revision drops table 'suppliers'" in result.text


def test_dropping_a_table_with_a_unique_constraint_round_trips(project: Project) -> None:
    """Found by the round-trip property: the downgrade of a dropped table must recreate its
    unique constraints once (inside create_table), not a second time."""
    project.base_args = (
        'metadata=sa.MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"})'
    )
    project.models(SUPPLIERS.replace("nullable=False)", "nullable=False, unique=True)"))
    project.autogenerate("first")
    project.ok("upgrade", "head")
    project.models("")
    dropped = project.autogenerate("drop suppliers")
    project.ok("upgrade", "head")
    project.ok("downgrade", "-1")
    dropped.unlink()
    project.models(SUPPLIERS.replace("nullable=False)", "nullable=False, unique=True)"))
    assert "No new upgrade operations detected." in project.ok("check").out
