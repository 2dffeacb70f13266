"""alembic-postgresql-enum on PostgreSQL, used as its README says (env.py imports it), run by
Alembic and by Sterna on the same steps: a new enum type, a value added, the values reordered, a
value dropped, the type dropped.  Each step's script must upgrade, downgrade and upgrade again,
``check`` must be clean after each upgrade, and the scripts and schemas must be Alembic's.

Sterna's own enum comparison (beyond Alembic) steps aside while the extension's comparator is
registered: otherwise both would create the new type and the script would fail with
``DuplicateObject: type "color" already exists``.
"""

from __future__ import annotations

from pathlib import Path

from tests.ecosystem._ext_project import Scenario, Step, compare_runs, run_tool

MODELS = """\
import enum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Color(enum.Enum):
{values}


class Thing(Base):
    __tablename__ = "thing"
    id: Mapped[int] = mapped_column(primary_key=True)
{columns}
"""

COLOR_COLUMN = '    color: Mapped[Color] = mapped_column(sa.Enum(Color, name="color"))'


def models(values: tuple[str, ...], with_color: bool = True) -> str:
    members = "\n".join(f"    {value} = {value!r}" for value in values)
    return MODELS.format(values=members, columns=COLOR_COLUMN if with_color else "")


SCENARIO = Scenario(
    env_lines="import alembic_postgresql_enum  # noqa: F401",
    steps=(
        Step("create enum", models(("red", "green"))),
        Step("add value", models(("red", "green", "blue"))),
        Step("reorder values", models(("blue", "red", "green"))),
        Step("drop value", models(("blue", "red"))),
        Step("drop enum", models(("blue", "red"), with_color=False)),
    ),
)


def test_enum_lifecycle_as_alembic(pg_url: str, tmp_path: Path) -> None:
    from tests.conftest import _fresh_database

    for sterna_url in _fresh_database("postgresql"):
        alembic = run_tool("alembic", tmp_path / "a", pg_url, SCENARIO)
        sterna = run_tool("sterna", tmp_path / "s", sterna_url, SCENARIO)
        compare_runs(alembic, sterna, SCENARIO, "postgresql")
        created, added, reordered, dropped, removed = (r["script"] for r in sterna)
        assert created.count(".create(op.get_bind())") == 1, created
        assert "create_enum" not in created, created
        assert "sync_enum_values" in added and "sync_enum_values" in reordered, (added, reordered)
        assert "sync_enum_values" in dropped, dropped
        assert ".drop(op.get_bind())" in removed, removed
        enums = [r["after_upgrade"]["enums"] for r in sterna]
        assert enums == [
            [["color", ["red", "green"]]],
            [["color", ["red", "green", "blue"]]],
            [["color", ["blue", "red", "green"]]],
            [["color", ["blue", "red"]]],
            [],
        ], enums


def test_other_schema_comparators_leave_sterna_enums_on() -> None:
    """Only a comparator of the enum extension turns Sterna's enum comparison off: a project's
    own ``"schema"`` comparator (alembic_utils registers one) does not."""
    from types import SimpleNamespace

    from sqlalchemy.dialects import postgresql

    from sterna.autogenerate.compare.enums import enums_owned_by_extension
    from sterna.autogenerate.compare.registry import Comparators

    def project_comparator(*args: object) -> None:
        """A project's schema comparator."""

    def extension_comparator(*args: object) -> None:
        """Stands for alembic_postgresql_enum.compare_dispatch.compare_enums."""

    extension_comparator.__module__ = "alembic_postgresql_enum.compare_dispatch"
    registry = Comparators()
    # PGDialect_psycopg.__init__ has no annotations in SQLAlchemy
    ctx = SimpleNamespace(dialect=postgresql.dialect(), comparators=registry)  # type: ignore[no-untyped-call]
    assert not enums_owned_by_extension(ctx)  # type: ignore[arg-type]
    registry.dispatch_for("schema")(project_comparator)
    registry.dispatch_for("table")(extension_comparator)
    assert not enums_owned_by_extension(ctx)  # type: ignore[arg-type]
    registry.dispatch_for("schema")(extension_comparator)
    assert enums_owned_by_extension(ctx)  # type: ignore[arg-type]
