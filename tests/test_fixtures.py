"""The fixtures themselves reach real servers: a missing backend shows up here first."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def test_each_backend_answers(db_url: str, backend: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    assert (
        engine.dialect.name
        == {"sqlite": "sqlite", "postgresql": "postgresql", "mariadb": "mysql"}[backend]
    )
    engine.dispose()
