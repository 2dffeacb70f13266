"""Generate a migration project with N realistic revisions, for Sterna or Alembic.

The two tools get byte-identical projects except for the import line of the scripts and env.py
(``from alembic import ...`` vs ``from sterna import ...``), so their timings compare like for like.

    python bench/generate.py DIR --revisions 5000 --shape linear|branched --tool sterna|alembic \
        [--workload simple|realistic]

``simple`` (the default) is below: 4-column tables and added columns.  ``realistic`` (linear only)
is bench/realistic.py: 20-40 line scripts shaped like autogenerate's, issue 15's mix.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realistic

ENV_PY = """\
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from {tool} import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
target_metadata = None


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      dialect_opts={{"paramstyle": "named"}})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = engine_from_config(config.get_section(config.config_ini_section, {{}}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""

INI = """\
[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = {url}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = WARNING
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

SCRIPT = '''\
"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: 2026-01-01 00:00:00.000000

"""
from {tool} import op
import sqlalchemy as sa

# revision identifiers, used by {tool_title}.
revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


@dataclass(frozen=True)
class Rev:
    index: int
    rev: str
    down: str | tuple[str, ...] | None
    labels: tuple[str, ...] | None = None


def rev_id(i: int) -> str:
    return hashlib.sha1(f"rev-{i}".encode()).hexdigest()[:12]


def linear(n: int) -> list[Rev]:
    return [Rev(i, rev_id(i), rev_id(i - 1) if i else None) for i in range(n)]


def branched(n: int, every: int = 25, width: int = 5) -> list[Rev]:
    """A main line that forks into two branches of ``width`` every ``every`` steps, then merges."""
    revs: list[Rev] = []
    prev: str | None = None
    i = 0
    while i < n:
        if i and i % every == 0 and n - i > 2 * width + 1:
            fork = prev
            tips = []
            for _side in range(2):
                down = fork
                for _ in range(width):
                    revs.append(Rev(i, rev_id(i), down))
                    down = rev_id(i)
                    i += 1
                tips.append(down)
            revs.append(Rev(i, rev_id(i), (tips[0], tips[1])))  # type: ignore[arg-type]
        else:
            revs.append(Rev(i, rev_id(i), prev))
        prev = rev_id(i)
        i += 1
    return revs


def body(r: Rev, parent: int | None) -> tuple[str, str, str]:
    """A realistic step: most revisions create a table; some add a column to the parent's table."""
    t = f"t_{r.index}"
    if r.index % 10 == 7 and parent is not None and parent % 10 != 7:
        tgt = f"t_{parent}"
        col = f'sa.Column("extra_{r.index}", sa.String(40), nullable=True)'
        up = f'    op.add_column("{tgt}", {col})'
        down = f'    op.drop_column("{tgt}", "extra_{r.index}")'
        return f"add extra_{r.index} to {tgt}", up, down
    up = (
        f'    op.create_table(\n        "{t}",\n'
        f'        sa.Column("id", sa.Integer, primary_key=True),\n'
        f'        sa.Column("name", sa.String(50), nullable=False),\n'
        f'        sa.Column("created_at", sa.DateTime(), nullable=True),\n'
        f'        sa.Column("amount", sa.Numeric(10, 2), server_default="0"),\n    )'
    )
    down = f'    op.drop_table("{t}")'
    return f"create table {t}", up, down


def simple_bodies(revs: list[Rev]) -> list[tuple[str, str, str]]:
    index_of = {r.rev: r.index for r in revs}
    return [body(r, index_of[r.down] if isinstance(r.down, str) else None) for r in revs]


def write(root: Path, revs: list[Rev], tool: str, url: str, workload: str = "simple") -> None:
    mig = root / "migrations"
    (mig / "versions").mkdir(parents=True, exist_ok=True)
    (root / "alembic.ini").write_text(INI.format(url=url))
    (mig / "env.py").write_text(ENV_PY.format(tool=tool))
    (mig / "script.py.mako").write_text('"""${message}"""\n')
    steps = simple_bodies(revs) if workload == "simple" else realistic.bodies(len(revs))
    for r, (message, up, down) in zip(revs, steps, strict=True):
        down_id = r.down
        revises = ", ".join(down_id) if isinstance(down_id, tuple) else (down_id or "")
        text = SCRIPT.format(
            message=message,
            rev=r.rev,
            revises=revises,
            tool=tool,
            tool_title=tool.title(),
            down=down_id,
            labels=r.labels,
            upgrade=up,
            downgrade=down,
        )
        (mig / "versions" / f"{r.rev}_{message.replace(' ', '_')}.py").write_text(text)


def generate(
    root: Path, n: int, shape: str, tool: str, url: str, workload: str = "simple"
) -> list[Rev]:
    if workload == "realistic" and shape != "linear":
        raise SystemExit(
            "bench/generate.py: --workload realistic writes linear histories only "
            f"(--shape {shape} asked)"
        )
    revs = linear(n) if shape == "linear" else branched(n)
    write(root, revs, tool, url, workload)
    return revs


def main() -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("dir", type=Path)
    p.add_argument("--revisions", type=int, default=1000)
    p.add_argument("--shape", choices=["linear", "branched"], default="linear")
    p.add_argument("--tool", choices=["sterna", "alembic"], default="sterna")
    p.add_argument("--url", default="sqlite:///%(here)s/bench.db")
    p.add_argument("--workload", choices=["simple", "realistic"], default="simple")
    a = p.parse_args()
    generate(a.dir, a.revisions, a.shape, a.tool, a.url, a.workload)


if __name__ == "__main__":
    main()
