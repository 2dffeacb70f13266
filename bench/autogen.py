"""Autogenerate, Sterna vs Alembic, on generated schemas that differ from their models.

    python bench/autogen.py [--tables 50,500,2000] [--backends sqlite,postgresql] [--repeat 3]

For each size, a model module of N tables (integer keys, strings, numerics, dates, booleans,
foreign keys to the previous table, indexes, unique constraints) is generated, and a database is
built from an *older* version of it: about 3% of the tables are missing, 1% are extra, and about
5% of the remaining tables differ by an added or dropped column, a changed type or nullability,
or a missing index.  Both tools then run ``revision --autogenerate`` on identical projects (the
same env.py but for its import line) against the same database; the timing is the median wall
time of the whole command and the memory is the process's peak RSS.  Issue 4's target: at 2,000
tables Sterna is at least 3x faster than Alembic on PostgreSQL and on SQLite, with no more memory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from pgserver import own_pg_server  # noqa: E402

OUT = HERE / "out" / "autogen"

ENV_PY = """\
import sys
from sqlalchemy import engine_from_config, pool
from {tool} import context

sys.path.insert(0, {models_dir!r})
import models  # noqa: E402

config = context.config
target_metadata = models.metadata


def run_migrations_online() -> None:
    engine = engine_from_config(config.get_section(config.config_ini_section, {{}}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"""

SCRIPT_MAKO = '''"""${message}"""
from ${tool} import op
import sqlalchemy as sa
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


def missing_in_old(i: int, n: int) -> bool:
    return i % 33 == 5 and i != n - 1


def table_source(i: int, old: bool, parent: bool) -> str:
    """One table; ``old`` gives the database's (older) version of tables picked to differ."""
    differs = old and i % 20 == 3
    cols = [
        '    sa.Column("id", sa.Integer, primary_key=True)',
        f'    sa.Column("name", sa.String({80 if differs and i % 40 == 3 else 50}), '
        "nullable=False)",
        f'    sa.Column("amount", sa.Numeric(12, 2), nullable={differs})',
        '    sa.Column("created_at", sa.DateTime(), nullable=True)',
        '    sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.false())',
    ]
    if not (differs and i % 60 == 3):
        cols.append(f'    sa.Column("code_{i}", sa.String(20), nullable=True)')
    if differs and i % 80 == 23:
        cols.append('    sa.Column("legacy", sa.Text(), nullable=True)')
    if i and parent:
        cols.append(
            f'    sa.Column("parent_id", sa.Integer, sa.ForeignKey("t_{i - 1}.id"), nullable=True)'
        )
    extras = [f'    sa.UniqueConstraint("name", name="uq_t_{i}_name")']
    if not (differs and i % 100 == 43):
        extras.append(f'    sa.Index("ix_t_{i}_created", "created_at")')
    body = ",\n".join(cols + extras)
    return f't_{i} = sa.Table(\n    "t_{i}",\n    metadata,\n{body},\n)\n'


def models_source(n: int, old: bool) -> str:
    out = ["import sqlalchemy as sa\n", "metadata = sa.MetaData()\n"]
    for i in range(n):
        if old and missing_in_old(i, n):
            continue  # missing in the database: autogenerate must add it
        out.append(table_source(i, old, parent=not (old and missing_in_old(i - 1, n))))
    if old:
        for j in range(max(1, n // 100)):
            out.append(
                f'x_{j} = sa.Table("extra_{j}", metadata, '
                'sa.Column("id", sa.Integer, primary_key=True))\n'
            )
    return "\n".join(out)


def build_database(url: str, n: int, work: Path) -> None:
    from sqlalchemy import create_engine, text

    old_dir = work / "old"
    old_dir.mkdir(parents=True, exist_ok=True)
    (old_dir / "old_models.py").write_text(models_source(n, old=True))
    sys.path.insert(0, str(old_dir))
    import importlib

    mod = importlib.import_module("old_models")
    importlib.reload(mod)
    sys.path.remove(str(old_dir))
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        # in batches: one DROP of thousands of tables needs more locks than a default server has
        with engine.connect() as conn:
            names = (
                conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
                .scalars()
                .all()
            )
        for start in range(0, len(names), 100):
            quoted = ", ".join(f'"{name}"' for name in names[start : start + 100])
            with engine.begin() as conn:
                conn.execute(text(f"DROP TABLE IF EXISTS {quoted} CASCADE"))
    mod.metadata.create_all(engine)
    engine.dispose()


def project(work: Path, tool: str, url: str) -> Path:
    root = work / tool
    if root.exists():
        shutil.rmtree(root)
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text(
        f"[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {url}\n"
    )
    (root / "migrations" / "env.py").write_text(
        ENV_PY.format(tool=tool, models_dir=str(work / "models"))
    )
    (root / "migrations" / "script.py.mako").write_text(SCRIPT_MAKO.replace("${tool}", tool))
    return root


def run_autogen(root: Path, tool: str) -> tuple[float, int]:
    for p in (root / "migrations" / "versions").glob("*.py"):
        p.unlink()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(HERE / "peak.py"), tool, "revision", "--autogenerate", "-m", "x"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{tool} autogenerate failed in {root}:\n{proc.stderr[-3000:]}")
    peak = int(proc.stderr.strip().splitlines()[-1].split()[-1])
    return elapsed, peak


def bench(n: int, backend: str, pg_url: str | None, repeat: int) -> tuple[bool, str]:
    work = OUT / f"{backend}-{n}"
    if work.exists():
        shutil.rmtree(work)
    (work / "models").mkdir(parents=True)
    (work / "models" / "models.py").write_text(models_source(n, old=False))
    if backend == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
    elif pg_url:
        url = pg_url
    else:
        return True, f"autogenerate {backend} n={n}: skipped (no --pg-url)"
    # in a child process: a peak RSS reading is inherited across fork/exec, so this (large)
    # process must never hold the 2,000-table models itself
    subprocess.run(
        [sys.executable, __file__, "--build-database", url, str(n), str(work)], check=True
    )
    times: dict[str, list[float]] = {"alembic": [], "sterna": []}
    peaks: dict[str, int] = {}
    roots = {tool: project(work, tool, url) for tool in times}
    for _ in range(repeat):
        for tool, root in roots.items():
            elapsed, peak = run_autogen(root, tool)
            times[tool].append(elapsed)
            peaks[tool] = max(peaks.get(tool, 0), peak)
    a, s = statistics.median(times["alembic"]), statistics.median(times["sterna"])
    ratio = a / s
    ok = ratio >= 3 and peaks["sterna"] <= peaks["alembic"]
    mib = {tool: peak // 1024 for tool, peak in peaks.items()}
    line = (
        f"autogenerate {backend:<10} n={n:<5} alembic {a:7.2f}s {mib['alembic']:5d} MiB"
        f"  sterna {s:7.2f}s {mib['sterna']:5d} MiB  ratio {ratio:5.1f}x"
        f"  (target at n=2000: >= 3x, memory <= alembic) "
        f"{'ok' if ok else ('MISSED' if n >= 2000 else '')}"
    )
    return ok or n < 2000, line


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--tables", default="50,500,2000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("STERNA_BENCH_PG_URL"),
        help="an existing PostgreSQL server (default: start one, data on tmpfs)",
    )
    ap.add_argument(
        "--build-database", nargs=3, metavar=("URL", "N", "DIR"), help=argparse.SUPPRESS
    )
    a = ap.parse_args()
    if a.build_database:
        url, n, work = a.build_database
        build_database(url, int(n), Path(work))
        return
    if "postgresql" in a.backends.split(",") and not a.pg_url:
        with own_pg_server() as a.pg_url:
            run_all(a)
    else:
        run_all(a)


def run_all(a: argparse.Namespace) -> None:
    results = []
    for backend in a.backends.split(","):
        for n in (int(x) for x in a.tables.split(",")):
            ok, line = bench(n, backend, a.pg_url, a.repeat)
            print(line, flush=True)
            results.append(ok)
    print(f"\n{sum(results)} of {len(results)} rows within target")


if __name__ == "__main__":
    main()
