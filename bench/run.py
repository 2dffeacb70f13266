"""Time Sterna and Alembic side by side on the same generated workloads and print the ratios.

    python bench/run.py [--scale 0.2] [--only PATTERN] [--pg-url URL] [--repeat K]

Each scenario generates two projects that differ only in their import lines (bench/generate.py),
runs each tool's CLI in a subprocess K times (after untimed set-up), and prints the median wall
time of each and Alembic/Sterna.  Targets come from issue 2; a row says "ok" when met.
The "straight" rows run the same SQL straight through the driver in one transaction
(bench/straight.py), the floor that ``upgrade``/``downgrade`` are held to (within 1.5x).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


@dataclass
class Row:
    name: str
    alembic: float
    sterna: float
    target: str
    ok: bool
    note: str = ""


@dataclass
class Ctx:
    scale: float
    repeat: int
    pg_url: str | None
    only: str | None
    rows: list[Row] = field(default_factory=list)


def tool_cmd(tool: str) -> list[str]:
    return [str(BIN / "alembic")] if tool == "alembic" else [sys.executable, "-m", "sterna"]


def run(tool: str, args: list[str], cwd: Path, out: Path | None = None) -> float:
    t0 = time.perf_counter()
    with open(out or os.devnull, "w") as sink:
        proc = subprocess.run([*tool_cmd(tool), *args], cwd=cwd, stdout=sink,
                              stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{tool} {' '.join(args)} failed in {cwd}:\n{proc.stderr[-2000:]}")
    return elapsed


def median(fn: Callable[[], float], k: int) -> float:
    return statistics.median(fn() for _ in range(k))


def clear_pycache(root: Path) -> None:
    for p in root.rglob("__pycache__"):
        shutil.rmtree(p, ignore_errors=True)


def projects(name: str, n: int, shape: str, url: str = "sqlite:///%(here)s/bench.db"
             ) -> dict[str, Path]:
    paths = {}
    for tool in ("alembic", "sterna"):
        root = OUT / name / tool
        if root.exists():
            shutil.rmtree(root)
        generate(root, n, shape, tool, url)
        paths[tool] = root
    return paths


def record(ctx: Ctx, name: str, a: float, s: float, want: float, note: str = "") -> None:
    ratio = a / s if s else float("inf")
    ctx.rows.append(Row(name, a, s, f">= {want:g}x", ratio >= want, note))
    print(f"{name:<48} alembic {a:8.3f}s  sterna {s:8.3f}s  ratio {ratio:7.1f}x  "
          f"(target >= {want:g}x) {'ok' if ratio >= want else 'MISSED'} {note}", flush=True)


def read_commands(ctx: Ctx) -> None:
    n = max(50, int(5000 * ctx.scale))
    for shape in ("linear", "branched"):
        p = projects(f"read-{shape}", n, shape)
        head = run_capture("sterna", ["heads"], p["sterna"]).split()[0]
        for verb in (["heads"], ["history"], ["branches"], ["show", head]):
            label = f"{verb[0]} {shape} n={n}"
            for tool in p:
                run(tool, verb, p[tool])  # warm the caches
            a = median(partial(run, "alembic", verb, p["alembic"]), ctx.repeat)
            s = median(partial(run, "sterna", verb, p["sterna"]), ctx.repeat)
            record(ctx, label + " (warm)", a, s, 20)
            k = max(1, ctx.repeat // 2)
            a = median(partial(cold, p["alembic"], "alembic", verb), k)
            s = median(partial(cold, p["sterna"], "sterna", verb), k)
            record(ctx, label + " (cold, no cache)", a, s, 3)


def cold(root: Path, tool: str, verb: list[str]) -> float:
    clear_pycache(root)
    return run(tool, verb, root)


def run_capture(tool: str, args: list[str], cwd: Path) -> str:
    proc = subprocess.run([*tool_cmd(tool), *args], cwd=cwd, capture_output=True, text=True,
                          check=True)
    return proc.stdout


def current(ctx: Ctx) -> None:
    n = max(50, int(5000 * ctx.scale))
    p = projects("current", n, "linear")
    for tool in p:
        run(tool, ["stamp", "head"], p[tool])
        run(tool, ["current"], p[tool])
    a = median(lambda: run("alembic", ["current"], p["alembic"]), ctx.repeat)
    s = median(lambda: run("sterna", ["current"], p["sterna"]), ctx.repeat)
    record(ctx, f"current n={n}", a, s, 20)


def offline(ctx: Ctx) -> None:
    n = max(50, int(5000 * ctx.scale))
    p = projects("offline", n, "linear")
    for args, label in ((["upgrade", "head", "--sql"], "upgrade head --sql"),
                        (["downgrade", "head:base", "--sql"], "downgrade head:base --sql")):
        for tool in p:
            run(tool, args, p[tool])
        a = median(partial(run, "alembic", args, p["alembic"]), ctx.repeat)
        s = median(partial(run, "sterna", args, p["sterna"]), ctx.repeat)
        record(ctx, f"{label} n={n}", a, s, 5)


def reset_db(url: str, root: Path) -> None:
    if url.startswith("sqlite"):
        (root / "bench.db").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text

    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def straight(url: str, root: Path, sql: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "straight.py"), url, str(sql)], check=True,
                   cwd=root)
    return time.perf_counter() - t0


def online(ctx: Ctx, backend: str) -> None:
    n = max(20, int(1000 * ctx.scale))
    if backend == "postgresql":
        if not ctx.pg_url:
            print("postgresql: skipped (no --pg-url)")
            return
        url = ctx.pg_url
    else:
        url = "sqlite:///%(here)s/bench.db"
    p = projects(f"online-{backend}", n, "linear", url)
    real = {t: url.replace("%(here)s", str(p[t])) for t in p}
    up_sql, down_sql = OUT / f"up-{backend}.sql", OUT / f"down-{backend}.sql"
    run("alembic", ["upgrade", "head", "--sql"], p["alembic"], out=up_sql)
    run("alembic", ["downgrade", "head:base", "--sql"], p["alembic"], out=down_sql)

    def up(tool: str) -> float:
        reset_db(real[tool], p[tool])
        return run(tool, ["upgrade", "head"], p[tool])

    def down(tool: str) -> float:
        reset_db(real[tool], p[tool])
        run(tool, ["upgrade", "head"], p[tool])
        return run(tool, ["downgrade", "base"], p[tool])

    def straight_up() -> float:
        reset_db(real["sterna"], p["sterna"])
        return straight(real["sterna"], p["sterna"], up_sql)

    def straight_down() -> float:
        reset_db(real["sterna"], p["sterna"])
        run("sterna", ["upgrade", "head"], p["sterna"])
        return straight(real["sterna"], p["sterna"], down_sql)

    for label, fn, base_fn in (("upgrade head", up, straight_up),
                               ("downgrade base", down, straight_down)):
        k = max(1, ctx.repeat // 2)
        a = median(partial(fn, "alembic"), k)
        s = median(partial(fn, "sterna"), k)
        b = median(base_fn, k)
        record(ctx, f"{label} {backend} n={n}", a, s, 3,
               note=f"straight {b:.3f}s, sterna/straight {s / b:.2f} (target <= 1.5)")


def help_cmd(ctx: Ctx) -> None:
    here = OUT
    here.mkdir(parents=True, exist_ok=True)
    a = median(lambda: run("alembic", ["--help"], here), ctx.repeat)
    s = median(lambda: run("sterna", ["--help"], here), ctx.repeat)
    probe = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom sterna import cli\ntry:\n cli.main(['--help'])\n"
         "except SystemExit:\n pass\nprint('SQLA' if 'sqlalchemy' in sys.modules else 'NOSQLA',"
         " file=sys.stderr)"], capture_output=True, text=True)
    note = "sqlalchemy imported!" if "NOSQLA" not in probe.stderr else "no sqlalchemy import"
    record(ctx, "--help", a, s, 1, note)


SCENARIOS: dict[str, Callable[[Ctx], None]] = {
    "help": help_cmd,
    "read": read_commands,
    "current": current,
    "offline": offline,
    "online-sqlite": lambda c: online(c, "sqlite"),
    "online-postgresql": lambda c: online(c, "postgresql"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's sizes")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", default=None, help="regex over scenario names")
    ap.add_argument("--pg-url", default=os.environ.get("STERNA_TEST_PG_URL"))
    a = ap.parse_args()
    ctx = Ctx(a.scale, a.repeat, a.pg_url, a.only)
    for name, fn in SCENARIOS.items():
        if a.only and not re.search(a.only, name):
            continue
        fn(ctx)
    missed = [r.name for r in ctx.rows if not r.ok]
    print(f"\n{len(ctx.rows) - len(missed)} of {len(ctx.rows)} targets met"
          + (f"; missed: {', '.join(missed)}" if missed else ""))


if __name__ == "__main__":
    main()
