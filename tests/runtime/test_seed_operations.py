"""The seed's workflow through the real operations: online on each backend, offline vs Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.runtime.helpers import Chain, downgrade_fn, run_env, upgrade_fn, write_env
from tests.runtime.test_offline import URLS, alembic_sql, normalise

STEPS = [
    (
        "1234567890ab",
        """
        op.create_table(
            "suppliers",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
        )
     """,
        'op.drop_table("suppliers")',
        "create suppliers table",
    ),
    (
        "2345678901bc",
        'op.add_column("suppliers", sa.Column("email", sa.String(100)))',
        'op.drop_column("suppliers", "email")',
        "add email",
    ),
    (
        "3456789012cd",
        """op.execute("INSERT INTO suppliers (id, name) VALUES (1, 'acme')")""",
        'op.execute("DELETE FROM suppliers WHERE id = 1")',
        "first supplier",
    ),
]


def build(folder: Path, package: str = "sterna") -> Chain:
    chain = Chain(folder, package=package)
    for rev, up, down, doc in STEPS:
        chain.add(rev, up, down, doc=doc)
    write_env(folder, package)
    return chain


def columns(url: str) -> list[str] | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            if not insp.has_table("suppliers"):
                return None
            return [c["name"] for c in insp.get_columns("suppliers")]
    finally:
        engine.dispose()


def test_seed_online(db_url: str, tmp_path: Path) -> None:
    chain = build(tmp_path)
    run_env(chain, db_url, upgrade_fn(chain))
    assert columns(db_url) == ["id", "name", "email"]
    run_env(chain, db_url, downgrade_fn(chain, "1234567890ab"))
    assert columns(db_url) == ["id", "name"]
    run_env(chain, db_url, downgrade_fn(chain, "base"))
    assert columns(db_url) is None


@pytest.mark.parametrize("dialect", sorted(URLS))
def test_seed_offline_matches_alembic(tmp_path: Path, dialect: str) -> None:
    ours, theirs = build(tmp_path / "s"), build(tmp_path / "a", "alembic")
    url = URLS[dialect]
    up = run_env(ours, url, upgrade_fn(ours), as_sql=True)
    assert normalise(up) == normalise(alembic_sql(theirs, url, "upgrade", "head"))
    down = run_env(ours, url, downgrade_fn(ours), as_sql=True, starting_rev="3456789012cd")
    assert normalise(down) == normalise(alembic_sql(theirs, url, "downgrade", "3456789012cd:base"))
    assert "ALTER TABLE suppliers DROP COLUMN email;" in normalise(down)
