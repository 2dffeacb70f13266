"""The machinery of bench/run.py: the bench venv, running either tool's command line in a
subprocess and timing it (wall and CPU of the child), medians, the generated projects, and the
rows with their ratios.  See bench/run.py and bench/README.md."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
VENV = OUT / "venv"
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

LAUNCHER = """\
#!{python}
import sys
from {module} import {function}
if __name__ == "__main__":
    sys.exit({function}())
"""


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


@dataclass
class Row:
    name: str
    alembic: Timing
    sterna: Timing
    target: float
    note: str = ""
    extra_ok: bool = True  # a second condition of the row (online: within 1.5x of straight)

    @property
    def ratio(self) -> float:
        return self.alembic.wall / self.sterna.wall if self.sterna.wall else float("inf")

    @property
    def cpu_ratio(self) -> float:
        return self.alembic.cpu / self.sterna.cpu if self.sterna.cpu else float("inf")

    @property
    def ok(self) -> bool:
        return self.ratio >= self.target and self.extra_ok


@dataclass
class Ctx:
    scale: float
    repeat: int
    pg_url: str | None
    only: str | None
    rows: list[Row] = field(default_factory=list)


def bench_env() -> dict[str, str]:
    """The environment of every timed subprocess: PYTHONDONTWRITEBYTECODE removed (both tools)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


ENV = bench_env()


def make_venv(source: Path = REPO) -> Path:
    """A virtual environment in which both tools are installed as a user would have them.

    The development environment installs Sterna in editable mode, whose import hook runs at every
    interpreter start (tens of milliseconds, for Alembic as well).  This one has no hook: a .pth
    file puts the repository and the development environment's site-packages on ``sys.path``
    (their own .pth files are not run), and ``bin/sterna``, ``bin/alembic`` are the launchers pip
    writes for console scripts.
    """
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(VENV)], check=True)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "bench-paths.pth").write_text(
        f"{source}\n{sysconfig.get_paths()['purelib']}\n"
    )
    for tool, entry in (("sterna", sterna_entry_point(source)), ("alembic", "alembic.config:main")):
        module, function = entry.split(":")
        launcher = VENV / "bin" / tool
        launcher.write_text(LAUNCHER.format(python=python, module=module, function=function))
        launcher.chmod(0o755)
    return python


def sterna_entry_point(source: Path) -> str:
    """``module:function`` of the ``sterna`` console script, as the tree at ``source`` declares."""
    import tomllib  # Python 3.11+, which the benchmarks run on

    with open(source / "pyproject.toml", "rb") as fh:
        return str(tomllib.load(fh)["project"]["scripts"]["sterna"])


def tool_cmd(tool: str) -> list[str]:
    return [str(VENV / "bin" / tool)]


def timed(cmd: list[str], cwd: Path, out: Path | None = None) -> Timing:
    """Run ``cmd``; its wall time and the CPU time (user + system) of the child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(out or os.devnull, "w") as sink:
        proc = subprocess.run(cmd, cwd=cwd, stdout=sink, stderr=subprocess.PIPE, text=True, env=ENV)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def run(tool: str, args: list[str], cwd: Path, out: Path | None = None) -> Timing:
    return timed([*tool_cmd(tool), *args], cwd, out)


def median(fn: Callable[[], Timing], k: int) -> Timing:
    samples = [fn() for _ in range(k)]
    return Timing(
        statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples)
    )


def clear_pycache(root: Path) -> None:
    for p in root.rglob("__pycache__"):
        shutil.rmtree(p, ignore_errors=True)


def projects(
    name: str,
    n: int,
    shape: str,
    url: str = "sqlite:///%(here)s/bench.db",
    workload: str = "simple",
) -> dict[str, Path]:
    paths = {}
    for tool in ("alembic", "sterna"):
        root = OUT / name / tool
        if root.exists():
            shutil.rmtree(root)
        generate(root, n, shape, tool, url, workload)
        paths[tool] = root
    return paths


def record(
    ctx: Ctx, name: str, a: Timing, s: Timing, want: float, note: str = "", extra_ok: bool = True
) -> None:
    row = Row(name, a, s, want, note, extra_ok)
    ctx.rows.append(row)
    print(
        f"{name:<40} alembic {a.wall:7.3f}s  sterna {s.wall:7.3f}s  ratio {row.ratio:6.1f}x  "
        f"cpu ratio {row.cpu_ratio:6.1f}x  (target >= {want:g}x) "
        f"{'ok' if row.ok else 'MISSED'} {note}",
        flush=True,
    )


def both(ctx: Ctx, p: dict[str, Path], args: list[str], k: int) -> tuple[Timing, Timing]:
    """Medians of ``k`` runs of each tool, interleaved so that both see the same load."""
    samples: dict[str, list[Timing]] = {"alembic": [], "sterna": []}
    for _ in range(k):
        for tool in ("alembic", "sterna"):
            samples[tool].append(run(tool, args, p[tool]))
    a, s = (
        Timing(
            statistics.median(t.wall for t in samples[tool]),
            statistics.median(t.cpu for t in samples[tool]),
        )
        for tool in ("alembic", "sterna")
    )
    return a, s
