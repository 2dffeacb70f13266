"""Time Sterna and Alembic side by side on the same generated workloads and print the ratios.

    python bench/run.py [--scale 0.2] [--only REGEX] [--pg-url URL] [--repeat K]

Each scenario generates two projects that differ only in their import lines (bench/generate.py),
runs each tool's command line in a subprocess K times (after untimed set-up), and prints the
median wall time of each, Alembic/Sterna, and the same ratio of CPU time (user + system of the
child), which the load of a shared machine disturbs less.  Targets come from issue 2; a row says
"ok" when the wall-time ratio meets its target.  The "straight" rows run the same SQL straight
through the driver in one transaction (bench/straight.py), the floor that ``upgrade`` and
``downgrade`` are held to (within 1.5x).  See bench/README.md.
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
from typing import Protocol

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchlib import (  # noqa: E402
    ENV,
    OUT,
    REPO,
    VENV,
    Ctx,
    Timing,
    both,
    clear_pycache,
    make_venv,
    median,
    projects,
    record,
    run,
    timed,
    tool_cmd,
)
from generate import rev_id  # noqa: E402
from pgserver import own_pg_server  # noqa: E402


def read_commands(ctx: Ctx) -> None:
    n = max(50, int(5000 * ctx.scale))
    for shape in ("linear", "branched"):
        p = projects(f"read-{shape}", n, shape)
        head = run_capture("sterna", ["heads"], p["sterna"]).split()[0]
        for verb in (["heads"], ["history"], ["branches"], ["show", head]):
            label = f"{verb[0]} {shape} n={n}"
            for tool in p:
                run(tool, verb, p[tool])  # warm the caches
            # three times the samples: a warm Sterna run is under 0.1 s, and a burst of load on
            # a shared machine moves the median of a few such runs far more than Alembic's
            a, s = both(ctx, p, verb, 3 * ctx.repeat)
            record(ctx, label + " (warm)", a, s, 20)
            k = max(1, ctx.repeat // 2)
            a = median(partial(cold, p["alembic"], "alembic", verb), k)
            s = median(partial(cold, p["sterna"], "sterna", verb), k)
            record(ctx, label + " (cold)", a, s, 3)


def cold(root: Path, tool: str, verb: list[str]) -> Timing:
    clear_pycache(root)
    return run(tool, verb, root)


def run_capture(tool: str, args: list[str], cwd: Path) -> str:
    proc = subprocess.run(
        [*tool_cmd(tool), *args], cwd=cwd, capture_output=True, text=True, check=True, env=ENV
    )
    return proc.stdout


def current(ctx: Ctx) -> None:
    n = max(50, int(5000 * ctx.scale))
    p = projects("current", n, "linear")
    for tool in p:
        run(tool, ["stamp", "head"], p[tool])
        run(tool, ["current"], p[tool])
    a, s = both(ctx, p, ["current"], ctx.repeat)
    record(ctx, f"current n={n}", a, s, 20)


def interleaved_cmd(url: str, project: Path, sql: Path, direction: str) -> list[str]:
    """bench/interleaved.py: ``sql`` sent on ``url`` as ``project``'s scripts run."""
    versions = project / "migrations" / "versions"
    script = HERE / "interleaved.py"
    return [str(VENV / "bin" / "python"), str(script), url, str(versions), str(sql), direction]


def floor_cmd(project: Path, direction: str) -> list[str]:
    """bench/floor.py over ``project``'s scripts, ``upgrade`` or ``downgrade``."""
    versions = project / "migrations" / "versions"
    return [str(VENV / "bin" / "python"), str(HERE / "floor.py"), str(versions), direction]


# issue 15's targets for the realistic rows; a row it sets none for must not be slower (1x)
REALISTIC_TARGETS = {
    "upgrade head --sql": 2.5,
    "upgrade head postgresql": 2.0,
    "downgrade base postgresql": 2.0,
    "upgrade last 1": 5.0,
}
# offline, the realistic scripts are compiled for PostgreSQL: a SQLite batch rebuild needs the
# live table, so --sql refuses it (both tools); this URL is never connected to
OFFLINE_PG_URL = "postgresql+psycopg://bench@localhost/bench"


def offline(ctx: Ctx, workload: str = "simple") -> None:
    n = max(50, int(5000 * ctx.scale))
    simple = workload == "simple"
    p = (
        projects("offline", n, "linear")
        if simple
        else projects("offline-realistic", n, "linear", OFFLINE_PG_URL, workload)
    )
    for args, label in (
        (["upgrade", "head", "--sql"], "upgrade head --sql"),
        (["downgrade", "head:base", "--sql"], "downgrade head:base --sql"),
    ):
        for tool in p:
            run(tool, args, p[tool])
        a, s = both(ctx, p, args, ctx.repeat)
        f = median(partial(timed, floor_cmd(p["sterna"], args[0]), p["sterna"]), ctx.repeat)
        name = f"{label} n={n}" if simple else f"{label} realistic n={n}"
        record(
            ctx,
            name,
            a,
            s,
            5 if simple else REALISTIC_TARGETS.get(label, 1),
            note=f"floor {f.wall:.3f}s (import SQLAlchemy, run each script, build its "
            f"Tables); alembic/floor {a.wall / f.wall:.1f}x, the most a drop-in could reach",
        )


BENCH_DB = os.environ.get("STERNA_BENCH_DB", "sterna_bench")  # another name on a shared server


def bench_pg_url(server_url: str) -> str:
    """The benchmark's own database on the server of ``server_url`` (dropped and created anew
    before each timed run, which is cheaper than dropping a thousand tables)."""
    from sqlalchemy.engine import make_url

    return make_url(server_url).set(database=BENCH_DB).render_as_string(hide_password=False)


def reset_db(
    url: str, root: Path, server_url: str | None = None, template: str | None = None
) -> None:
    """An empty database for the next run, or (``template``) a copy of a saved one."""
    if url.startswith("sqlite"):
        (root / "bench.db").unlink(missing_ok=True)
        if template:
            shutil.copyfile(root / template, root / "bench.db")
        return
    from sqlalchemy import create_engine, text

    eng = create_engine(server_url or url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        c.execute(
            text(f"CREATE DATABASE {BENCH_DB}" + (f" TEMPLATE {template}" if template else ""))
        )
    eng.dispose()


def straight(url: str, root: Path, sql: Path, *flags: str, out: Path | None = None) -> Timing:
    """bench/straight.py: ``sql`` replayed statement by statement on ``url`` (``flags``: its
    options, e.g. ``--net-version-writes``; ``out``: where its output goes)."""
    cmd = [str(VENV / "bin" / "python"), str(HERE / "straight.py"), url, str(sql), *flags]
    return timed(cmd, root, out)


NET = "--net-version-writes"  # straight.py: the version table written once, as an online run does


class NetReplay(Protocol):
    """A straight replay without intermediate version-table writes, on a fresh database."""

    def __call__(self, *flags: str, out: Path | None = None) -> Timing: ...


def version_rows(url: str) -> list[str]:
    """The versions in ``url``'s ``alembic_version`` table, sorted."""
    from sqlalchemy import create_engine
    from straight import version_table

    eng = create_engine(url)
    with eng.connect() as c:
        found = version_table(c)
    eng.dispose()
    return found


def checked_net_replay(
    url: str, real_run: Callable[[], Timing], replay: NetReplay, what: str = f"straight.py {NET}"
) -> int:
    """How many statements the straight replay without intermediate version-table writes sends,
    after checking that it leaves ``url``'s version table as a real Sterna run does
    (``real_run()``, then ``replay`` with ``--check``, each on a fresh database; untimed)."""
    real_run()
    want = version_rows(url)
    out = OUT / "straight-net-check.txt"
    replay("--check", out=out)
    line = out.read_text().strip()
    found = re.match(r"replayed (\d+) statements\b[^;]*; alembic_version: ?(.*)$", line)
    if found is None or found.group(2).split() != want:
        raise SystemExit(f"{what} does not end where a real run does ({want}): {line}")
    return int(found.group(1))


def capture_cmd(project: Path, out: Path, verb: str, target: str) -> list[str]:
    """bench/capture.py: the SQL an online Alembic run of ``project`` sends, into ``out``."""
    return [
        str(VENV / "bin" / "python"),
        str(HERE / "capture.py"),
        str(project),
        str(out),
        verb,
        target,
    ]


def online_targets(workload: str, label: str, backend: str) -> tuple[float, float | None]:
    """The ratio to Alembic and the most Sterna ÷ straight that a row is held to."""
    if workload == "simple":
        return 3, 1.5
    within = 1.6 if (label, backend) == ("upgrade head", "sqlite") else None
    return REALISTIC_TARGETS.get(f"{label} {backend}", 1), within


def online(ctx: Ctx, backend: str, workload: str = "simple") -> None:
    n = max(20, int(1000 * ctx.scale))
    if backend == "postgresql":
        if not ctx.pg_url:
            with own_pg_server() as server_url:
                ctx.pg_url = server_url
                try:
                    online(ctx, backend, workload)
                finally:
                    ctx.pg_url = None
            return
        url = bench_pg_url(ctx.pg_url)
    else:
        url = "sqlite:///%(here)s/bench.db"
    ini_url = url if backend == "sqlite" else url.replace("%", "%%")  # ini interpolation
    simple = workload == "simple"
    kind = "" if simple else "realistic-"
    p = projects(f"online-{kind}{backend}", n, "linear", ini_url, workload)
    real = {t: url.replace("%(here)s", str(p[t])) for t in p}
    reset = partial(reset_db, server_url=ctx.pg_url)
    up_sql, down_sql = OUT / f"up-{kind}{backend}.sql", OUT / f"down-{kind}{backend}.sql"
    reset(real["alembic"], p["alembic"])
    if not simple and backend == "sqlite":  # --sql cannot write SQLite batch rebuilds
        timed(capture_cmd(p["alembic"], up_sql, "upgrade", "head"), p["alembic"])
        timed(capture_cmd(p["alembic"], down_sql, "downgrade", "base"), p["alembic"])
    else:
        run("alembic", ["upgrade", "head", "--sql"], p["alembic"], out=up_sql)
        run("alembic", ["downgrade", "head:base", "--sql"], p["alembic"], out=down_sql)

    def up(tool: str) -> Timing:
        reset(real[tool], p[tool])
        return run(tool, ["upgrade", "head"], p[tool])

    def down(tool: str) -> Timing:
        reset(real[tool], p[tool])
        run(tool, ["upgrade", "head"], p[tool])
        return run(tool, ["downgrade", "base"], p[tool])

    def straight_up(*flags: str, out: Path | None = None) -> Timing:
        reset(real["sterna"], p["sterna"])
        return straight(real["sterna"], p["sterna"], up_sql, *flags, out=out)

    def straight_down(*flags: str, out: Path | None = None) -> Timing:
        reset(real["sterna"], p["sterna"])
        run("sterna", ["upgrade", "head"], p["sterna"])
        return straight(real["sterna"], p["sterna"], down_sql, *flags, out=out)

    def interleaved(direction: str, *flags: str, out: Path | None = None) -> Timing:
        sql = up_sql if direction == "upgrade" else down_sql
        reset(real["sterna"], p["sterna"])
        if direction == "downgrade":
            run("sterna", ["upgrade", "head"], p["sterna"])
        cmd = [*interleaved_cmd(real["sterna"], p["sterna"], sql, direction), *flags]
        return timed(cmd, p["sterna"], out)

    up("alembic"), up("sterna")  # write the bytecode of both projects
    for label, fn, base_fn in (
        ("upgrade head", up, straight_up),
        ("downgrade base", down, straight_down),
    ):
        row = OnlineRow(f"{label} {'' if simple else 'realistic '}{backend} n={n}", fn, base_fn)
        if not simple:  # the straight run of the statements an online run must send
            net_fn = partial(base_fn, NET)
            row.net = (checked_net_replay(real["sterna"], partial(fn, "sterna"), net_fn), net_fn)
            inter_fn = partial(interleaved, label.split()[0])
            what = "interleaved.py"
            sent = checked_net_replay(real["sterna"], partial(fn, "sterna"), inter_fn, what)
            if sent != row.net[0]:
                raise SystemExit(f"interleaved.py does not send what straight.py {NET} does")
            row.interleaved = inter_fn
        row.floor_cmd = floor_cmd(p["sterna"], label.split()[0])
        time_online_row(ctx, row, p["sterna"], online_targets(workload, label, backend))


@dataclass
class OnlineRow:
    """What one online row times: each tool's run, the straight replay, and (``net``) the number
    of statements and the replay of the straight variant without intermediate version writes."""

    name: str
    tool_run: Callable[[str], Timing]
    straight: Callable[[], Timing]
    net: tuple[int, Callable[[], Timing]] | None = None
    floor_cmd: list[str] = field(default_factory=list)
    interleaved: Callable[[], Timing] | None = None


def time_online_row(
    ctx: Ctx, row: OnlineRow, root: Path, targets: tuple[float, float | None]
) -> None:
    """Time ``row``'s figures interleaved (medians of ``repeat // 2`` samples) and record it."""
    bare_cmd = [str(VENV / "bin" / "python"), "-c", "import sqlalchemy"]
    samples: dict[str, list[Timing]] = {}
    for _ in range(max(1, ctx.repeat // 2)):  # interleaved: every figure sees the same load
        for key, fn in (
            ("alembic", partial(row.tool_run, "alembic")),
            ("sterna", partial(row.tool_run, "sterna")),
            ("straight", row.straight),
            *((("net", row.net[1]),) if row.net else ()),
            *((("interleaved", row.interleaved),) if row.interleaved else ()),
            ("floor", partial(timed, row.floor_cmd, root)),
            ("bare", partial(timed, bare_cmd, root)),
        ):
            samples.setdefault(key, []).append(fn())
    m = {
        key: Timing(statistics.median(t.wall for t in v), statistics.median(t.cpu for t in v))
        for key, v in samples.items()
    }
    a, s, b, f, bare = m["alembic"], m["sterna"], m["straight"], m["floor"], m["bare"]
    least = (b.wall + f.wall - bare.wall) / b.wall
    want, within = targets
    note = (
        f"straight {b.wall:.3f}s, sterna/straight {s.wall / b.wall:.2f} "
        f"(target <= {within or '-'}; least for a drop-in ~{least:.2f}: the straight run "
        f"plus running the scripts, floor.py); alembic/straight {a.wall / b.wall:.1f}x, "
        f"the most any tool running this SQL could reach"
    )
    if row.net:
        note += net_note(row.net[0], m)
    extra_ok = within is None or s.wall <= within * b.wall
    record(ctx, row.name, a, s, want, note=note, extra_ok=extra_ok)


def net_note(count: int, m: dict[str, Timing]) -> str:
    """The part of an online row's note on the straight replay without intermediate
    version-table writes (``m["net"]``) and the least a drop-in sending each statement alone
    could spend: that replay plus running the scripts (floor.py less the bare interpreter)."""
    net, f, bare = m["net"].wall, m["floor"].wall, m["bare"].wall
    least = net + f - bare
    note = (
        f"; without intermediate version writes ({count} statements) straight {net:.3f}s, "
        f"floor {f:.3f}s, bare {bare:.3f}s, least for a drop-in sending each statement alone "
        f"{least:.3f}s: sterna/least {m['sterna'].wall / least:.2f}, "
        f"alembic/least {m['alembic'].wall / least:.2f}x (the ceiling of the ratio)"
    )
    if "interleaved" in m:
        inter = m["interleaved"].wall
        note += (
            f"; the same sent as the scripts run, a statement an operation (interleaved.py) "
            f"{inter:.3f}s: sterna/interleaved {m['sterna'].wall / inter:.2f}, "
            f"alembic/interleaved {m['alembic'].wall / inter:.2f}x"
        )
    return note


def deploy(ctx: Ctx) -> None:
    """The common production run: a database one revision behind head, ``upgrade head`` on
    SQLite with a 5,000-revision history (every script of the directory is imported first,
    as Alembic does, so this is the cost of that pre-flight)."""
    n = max(50, int(5000 * ctx.scale))
    p = projects("deploy", n, "linear")
    behind = rev_id(n - 2)

    def one(tool: str) -> Timing:
        (p[tool] / "bench.db").unlink(missing_ok=True)
        run(tool, ["stamp", behind], p[tool])
        return run(tool, ["upgrade", "head"], p[tool])

    one("alembic"), one("sterna")  # write the bytecode of both projects
    samples: dict[str, list[Timing]] = {"alembic": [], "sterna": []}
    for _ in range(ctx.repeat):
        for tool in samples:
            samples[tool].append(one(tool))
    a, s = (
        Timing(statistics.median(t.wall for t in v), statistics.median(t.cpu for t in v))
        for v in samples.values()
    )
    record(ctx, f"upgrade 1 of n={n} sqlite", a, s, 1)


def on_pg(ctx: Ctx, fn: Callable[[Ctx], None]) -> None:
    """``fn(ctx)`` with ``ctx.pg_url`` naming a server: the one given, or a throw-away one."""
    if ctx.pg_url:
        fn(ctx)
        return
    with own_pg_server() as server_url:
        ctx.pg_url = server_url
        try:
            fn(ctx)
        finally:
            ctx.pg_url = None


def deploy_realistic(ctx: Ctx, backend: str) -> None:
    """The everyday deploy on the realistic workload: ``upgrade head`` of the last 1 and the last
    10 revisions of a 5,000-revision history.  Each tool first upgrades its own database to 10
    and to 1 revision behind (untimed) and saves a copy of each; every timed run starts from a
    fresh copy (SQLite: the file; PostgreSQL: ``CREATE DATABASE ... TEMPLATE``)."""
    n = max(50, int(5000 * ctx.scale))
    url = "sqlite:///%(here)s/bench.db" if backend == "sqlite" else bench_pg_url(ctx.pg_url or "")
    p = projects(
        f"deploy-realistic-{backend}",
        n,
        "linear",
        url.replace("%", "%%") if backend != "sqlite" else url,
        "realistic",
    )
    real = {t: url.replace("%(here)s", str(p[t])) for t in p}
    saved = {
        (t, k): f"{BENCH_DB}_{t}_{k}" + (".db" if backend == "sqlite" else "")
        for t in p
        for k in (10, 1)
    }
    for tool in p:
        reset_db(real[tool], p[tool], ctx.pg_url)
        for k in (10, 1):
            run(tool, ["upgrade", rev_id(n - 1 - k)], p[tool])
            save_db(real[tool], p[tool], saved[tool, k], ctx.pg_url)
    try:
        for k in (1, 10):

            def one(tool: str, k: int = k) -> Timing:
                reset_db(real[tool], p[tool], ctx.pg_url, template=saved[tool, k])
                return run(tool, ["upgrade", "head"], p[tool])

            one("alembic"), one("sterna")  # the bytecode of the last scripts, as a deploy has
            a, s = both_fn(one, ctx.repeat)
            record(
                ctx,
                f"upgrade last {k} of n={n} realistic {backend}",
                a,
                s,
                REALISTIC_TARGETS.get(f"upgrade last {k}", 1),
            )
    finally:
        if backend != "sqlite":
            drop_dbs(ctx.pg_url or "", list(saved.values()))


def save_db(url: str, root: Path, name: str, server_url: str | None) -> None:
    """Keep a copy of the benchmark's database as ``name`` (a file or a database)."""
    if url.startswith("sqlite"):
        shutil.copyfile(root / "bench.db", root / name)
        return
    from sqlalchemy import create_engine, text

    drop_dbs(server_url or url, [name])
    eng = create_engine(server_url or url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} TEMPLATE {BENCH_DB}"))
    eng.dispose()


def drop_dbs(server_url: str, names: list[str]) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        for name in names:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    eng.dispose()


def both_fn(fn: Callable[[str], Timing], k: int) -> tuple[Timing, Timing]:
    """Medians of ``k`` calls of ``fn`` per tool, Alembic and Sterna alternating."""
    samples: dict[str, list[Timing]] = {"alembic": [], "sterna": []}
    for _ in range(k):
        for tool in samples:
            samples[tool].append(fn(tool))
    a, s = (
        Timing(statistics.median(t.wall for t in v), statistics.median(t.cpu for t in v))
        for v in samples.values()
    )
    return a, s


def help_cmd(ctx: Ctx) -> None:
    here = OUT
    here.mkdir(parents=True, exist_ok=True)
    a, s = both(ctx, {"alembic": here, "sterna": here}, ["--help"], ctx.repeat)
    probe = subprocess.run(
        [
            str(VENV / "bin" / "python"),
            "-c",
            "import sys\nfrom sterna import cli\ntry:\n cli.main(['--help'])\n"
            "except SystemExit:\n pass\nprint('SQLA' if 'sqlalchemy' in sys.modules else 'NOSQLA',"
            " file=sys.stderr)",
        ],
        capture_output=True,
        text=True,
        env=ENV,
    )
    note = "sqlalchemy imported!" if "NOSQLA" not in probe.stderr else "no sqlalchemy import"
    record(ctx, "--help", a, s, 1, note)


SCENARIOS: dict[str, Callable[[Ctx], None]] = {
    "help": help_cmd,
    "read": read_commands,
    "current": current,
    "offline": offline,
    "online-sqlite": lambda c: online(c, "sqlite"),
    "online-postgresql": lambda c: online(c, "postgresql"),
    "deploy": deploy,
    "offline-realistic": lambda c: offline(c, "realistic"),
    "online-realistic-sqlite": lambda c: online(c, "sqlite", "realistic"),
    "online-realistic-postgresql": lambda c: online(c, "postgresql", "realistic"),
    "deploy-realistic-sqlite": lambda c: deploy_realistic(c, "sqlite"),
    "deploy-realistic-postgresql": lambda c: on_pg(
        c, lambda c2: deploy_realistic(c2, "postgresql")
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's sizes")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", default=None, help="regex over scenario names")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("STERNA_BENCH_PG_URL"),
        help="an existing PostgreSQL server (default: start one, data on tmpfs)",
    )
    ap.add_argument(
        "--source",
        type=Path,
        default=REPO,
        help="the Sterna tree to time (e.g. a `git worktree` of one commit)",
    )
    a = ap.parse_args()
    make_venv(a.source.resolve())
    ctx = Ctx(a.scale, a.repeat, a.pg_url, a.only)
    commit = subprocess.run(
        ["git", "-C", str(a.source), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}, scale {a.scale:g}, repeat {a.repeat}, sterna from "
        f"{a.source} ({commit or 'no git'})",
        flush=True,
    )
    for name, fn in SCENARIOS.items():
        if a.only and not re.search(a.only, name):
            continue
        fn(ctx)
    missed = [r.name for r in ctx.rows if not r.ok]
    print(
        f"\n{len(ctx.rows) - len(missed)} of {len(ctx.rows)} targets met"
        + (f"; missed: {', '.join(missed)}" if missed else "")
    )


if __name__ == "__main__":
    main()
