"""The cost of the history table and checksum validation: Sterna trees side by side.

    python bench/history.py TREE [TREE ...] [--revisions 1000] [--deploy 5000] [--repeat 3]
                            [--pg-url URL] [--switched-off]

For each Sterna source tree (e.g. ``git archive <commit>`` unpacked), times ``upgrade head`` of
a linear project (bench/generate.py) on SQLite (and PostgreSQL with ``--pg-url``: a database
``sterna_bench_hist`` on that server, dropped and created before each run): "cold" deletes the
project's ``__pycache__`` folders before each run (no bytecode, no header or checksum cache),
"warm" runs once untimed first. ``--deploy N`` times the one-revision ``upgrade`` of an
N-revision history on SQLite (warm; the database at N-1 is copied back before each run). Prints
the median wall and CPU (user + system of the child) time of ``--repeat`` samples. Samples of
the trees alternate, so that all see the same load; with two trees or more, the mean of the
paired differences against the first tree is printed too (the steadier figure on a loaded
machine). ``--switched-off`` adds, for each tree, a copy of it with the history rows, the lock
and the validation switched off (three lines patched; the copy is made under bench/out), so that
their cost is measured on the same code: the issue's target is that difference.  See
bench/README.md, "History table".
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

OUT = HERE / "out" / "history"
DB = "sterna_bench_hist"


def run(tree: Path, root: Path, *args: str) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sterna", *args],
        cwd=root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def drop_caches(root: Path) -> None:
    for folder in root.rglob("__pycache__"):
        shutil.rmtree(folder)


def reset(root: Path, pg_url: str | None) -> None:
    (root / "bench.db").unlink(missing_ok=True)
    if pg_url:
        from sqlalchemy import create_engine, text

        eng = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"))
            c.execute(text(f"CREATE DATABASE {DB}"))
        eng.dispose()


def project(name: str, n: int, url: str) -> Path:
    root = OUT / name
    if root.exists():
        shutil.rmtree(root)
    generate(root, n, "linear", "sterna", url)
    old = time.time() - 3600  # older than the racy window, as a committed project is
    for path in root.rglob("*.py"):
        os.utime(path, (old, old))
    return root


# what --switched-off patches: (file, text, replacement); each must match exactly once
_OFF = (
    (
        "sterna/runtime/migration.py",
        "            None\n            if self.as_sql\n            else StepHistory(",
        "            None\n            if True\n            else StepHistory(",
    ),
    (
        "sterna/commands/migrate.py",
        "    if skip_validation:\n        return False",
        "    if True:\n        return False",
    ),
    (
        "sterna/runtime/lock.py",
        "    config = ctx.config\n    attributes =",
        "    return False, 0.0\n    config = ctx.config\n    attributes =",
    ),
)


def switched_off(tree: Path) -> Path:
    """A copy of ``tree`` without the history rows, the lock and the validation."""
    copy = OUT / f"{tree.name}-off"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(tree / "sterna", copy / "sterna", ignore=shutil.ignore_patterns("__pycache__"))
    for name, old, new in _OFF:
        path = copy / name
        text = path.read_text()
        if text.count(old) != 1:
            raise SystemExit(f"--switched-off: {name} of {tree} no longer has {old!r}")
        path.write_text(text.replace(old, new))
    return copy


def sample(trees: list[Path], repeat: int, one: Callable[[Path], tuple[float, float]]) -> None:
    got: dict[Path, list[tuple[float, float]]] = {t: [] for t in trees}
    for _ in range(repeat):
        for tree in trees:
            got[tree].append(one(tree))
    for tree in trees:
        wall = statistics.median(w for w, _ in got[tree])
        cpu = statistics.median(c for _, c in got[tree])
        print(f"    {tree.name:<24} wall {wall:6.3f} s  cpu {cpu:6.3f} s", flush=True)
    if len(trees) > 1 and repeat > 1:
        _paired(trees[0], trees[1:], got)


def _paired(first: Path, others: list[Path], got: dict[Path, list[tuple[float, float]]]) -> None:
    """The mean of the paired differences against the first tree (samples taken side by side
    see the same load, so the machine's drift cancels out), with its standard error: on a
    loaded machine a steadier figure than two medians."""
    for tree in others:
        for index, what in ((0, "wall"), (1, "cpu")):
            diffs = [b[index] - a[index] for a, b in zip(got[first], got[tree], strict=True)]
            base = statistics.mean(a[index] for a in got[first])
            mean = statistics.mean(diffs)
            error = statistics.stdev(diffs) / len(diffs) ** 0.5
            print(
                f"    {tree.name} - {first.name}: {what} {mean * 1000:+.0f} ms "
                f"+- {error * 1000:.0f} ({mean / base:+.1%}), mean of {len(diffs)} pairs",
                flush=True,
            )


def upgrade_rows(trees: list[Path], n: int, repeat: int, backend: str, pg: str | None) -> None:
    url = "sqlite:///%(here)s/bench.db" if pg is None else pg.rsplit("/", 1)[0] + f"/{DB}"
    root = project(f"upgrade-{backend}", n, url.replace("%", "%%") if pg else url)

    def cold(tree: Path) -> tuple[float, float]:
        reset(root, pg)
        drop_caches(root)
        return run(tree, root, "upgrade", "head")

    def warm(tree: Path) -> tuple[float, float]:
        reset(root, pg)
        run(tree, root, "upgrade", "head")
        reset(root, pg)
        return run(tree, root, "upgrade", "head")

    print(f"upgrade head {backend} n={n} (cold)", flush=True)
    sample(trees, repeat, cold)
    print(f"upgrade head {backend} n={n} (warm)", flush=True)
    sample(trees, repeat, warm)


def deploy_row(trees: list[Path], n: int, repeat: int) -> None:
    root = project("deploy", n, "sqlite:///%(here)s/bench.db")
    saved = {}
    for tree in trees:
        reset(root, None)
        run(tree, root, "upgrade", "head")
        run(tree, root, "downgrade", "-1")
        saved[tree] = OUT / f"deploy-{tree.name}.db"
        shutil.copy(root / "bench.db", saved[tree])

    def one(tree: Path) -> tuple[float, float]:
        # warm for this tree: an older Sterna drops the checksums a newer one cached
        shutil.copy(saved[tree], root / "bench.db")
        run(tree, root, "upgrade", "head")
        shutil.copy(saved[tree], root / "bench.db")
        return run(tree, root, "upgrade", "head")

    print(f"upgrade of the last revision, n={n} (warm)", flush=True)
    sample(trees, repeat, one)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("trees", nargs="+", type=Path)
    p.add_argument("--revisions", type=int, default=1000)
    p.add_argument("--deploy", type=int, default=5000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pg-url")
    p.add_argument("--only", default="sqlite,postgresql,deploy")
    p.add_argument("--switched-off", action="store_true")
    a = p.parse_args()
    trees = [t.resolve() for t in a.trees]
    if a.switched_off:
        OUT.mkdir(parents=True, exist_ok=True)
        trees = [t for tree in trees for t in (switched_off(tree), tree)]
    only = a.only.split(",")
    if "sqlite" in only:
        upgrade_rows(trees, a.revisions, a.repeat, "sqlite", None)
    if "postgresql" in only and a.pg_url:
        upgrade_rows(trees, a.revisions, a.repeat, "postgresql", a.pg_url)
    if "deploy" in only and a.deploy:
        deploy_row(trees, a.deploy, a.repeat)


if __name__ == "__main__":
    main()
