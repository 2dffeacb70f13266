"""One batch of a cell's steps in one process (``python -m tests.corpus.driver TOOL STEPS OUT``).

A step is a dict with ``id``, ``kind`` and ``needs`` (ids of steps that must have succeeded,
else it is not run):

* ``cmd`` -- the tool's command line (``argv``) in-process (``sterna.cli.main`` /
  ``alembic.config.CommandLine``), with ``env`` set first; stdout and stderr are captured at the
  file-descriptor level (Alembic binds ``sys.stdout`` at import);
* ``move`` -- move the one file of the folder ``src`` matching ``pattern`` to ``dst``;
* ``create_all`` -- ``metadata.create_all()`` of the set (``env`` names it and the URL);
* ``dump`` -- :func:`tests.corpus.schema_dump.dump` of ``url`` (the default schema and those the
  models name);
* ``create_schemas`` -- create the schemas the models name in each of ``urls`` (PostgreSQL).

The parent side (:func:`run_steps`) spawns the process, reads the results and its resource use
(``os.wait4``: peak RSS of that process alone).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.corpus.harness import REPO, StepResult

TIMEOUT = 900.0


@dataclass(frozen=True)
class Spawned:
    status: int
    out: str
    err: str
    seconds: float
    maxrss_kb: int


def spawn(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    stdin: str | None = None,
    timeout: float = TIMEOUT,
) -> Spawned:
    """Run ``argv``; its own peak RSS comes from ``wait4`` (not the children's maximum)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join([str(REPO), full_env.get("PYTHONPATH", "")])
    full_env.update(env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=full_env,
            stdout=out,
            stderr=err,
            stdin=subprocess.PIPE if stdin is not None else None,
        )
        if stdin is not None and proc.stdin is not None:
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        status, rss = _wait(proc, start + timeout)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Spawned(
            status,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            seconds,
            rss,
        )


def _wait(proc: subprocess.Popen[bytes], deadline: float) -> tuple[int, int]:
    while True:
        pid, wstatus, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(wstatus)
            return proc.returncode, int(usage.ru_maxrss)
        if time.perf_counter() > deadline:
            proc.kill()
        time.sleep(0.02)


def run_steps(
    tool: str,
    steps: list[dict[str, Any]],
    cwd: Path,
    base: Path,
    stats: dict[str, float] | None = None,
    ok_before: list[str] | None = None,
) -> list[StepResult]:
    """Run the steps in one process (or one process each with ``STERNA_CORPUS_ISOLATE=1``);
    ``ok_before``: the steps of earlier batches that succeeded."""
    if os.environ.get("STERNA_CORPUS_ISOLATE") == "1" and len(steps) > 1:
        done: list[StepResult] = []
        for i, step in enumerate(steps):
            ok = {r.id for r in done if r.ok} | set(ok_before or ())
            if not set(step.get("needs", ())) <= ok:
                done.append(StepResult(step["id"], -1))
                continue
            done += run_steps(
                tool, [{**step, "needs": []}], cwd, base.with_name(f"{base.name}-{i}"), stats
            )
        return done
    steps_file, results_file = base.with_suffix(".steps.json"), base.with_suffix(".results.json")
    steps_file.write_text(json.dumps({"steps": steps, "ok": ok_before or []}, indent=1))
    proc = spawn(
        [sys.executable, "-m", "tests.corpus.driver", tool, str(steps_file), str(results_file)],
        cwd,
        {},
    )
    if stats is not None:
        stats["seconds"] = stats.get("seconds", 0.0) + proc.seconds
        stats["maxrss_kb"] = max(stats.get("maxrss_kb", 0), proc.maxrss_kb)
    if not results_file.exists():
        crash = f"driver exited {proc.status}: {proc.err.strip()[-2000:]}"
        return [StepResult(s["id"], 1, "", crash) for s in steps]
    return [StepResult(**r) for r in json.loads(results_file.read_text())]


# -- the child side ------------------------------------------------------------------------------


@contextlib.contextmanager
def _captured() -> Iterator[dict[str, str]]:
    box: dict[str, str] = {}
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        saved = os.dup(1), os.dup(2)
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            yield box
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            out.seek(0)
            err.seek(0)
            box["out"] = out.read().decode(errors="replace")
            box["err"] = err.read().decode(errors="replace")


def _tool_main(tool: str, argv: list[str]) -> int:
    if tool == "sterna":
        from sterna.cli import main

        return main(argv)
    from alembic.config import CommandLine

    try:
        CommandLine(prog="alembic").main(argv)
    except SystemExit as exc:
        return 0 if exc.code in (None, 0) else 1
    return 0


def _create_all() -> None:
    from sqlalchemy import create_engine

    from tests.corpus.harness import env_target_metadata

    target = env_target_metadata()
    engine = create_engine(os.environ["STERNA_CORPUS_URL"])
    try:
        for md in target if isinstance(target, list) else [target]:
            md.create_all(engine)
    finally:
        engine.dispose()


def _schemas() -> list[str]:
    """The named schemas of the set's tables."""
    from tests.corpus.harness import env_target_metadata

    target = env_target_metadata()
    mds = target if isinstance(target, list) else [target]
    return sorted({t.schema for md in mds for t in md.tables.values() if t.schema})


def _create_schemas(urls: list[str]) -> None:
    """Create the schemas the models name (a project does so before its first migration)."""
    from sqlalchemy import create_engine, text

    for url in urls:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                for schema in _schemas() if engine.dialect.name == "postgresql" else []:
                    conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        finally:
            engine.dispose()


def _move(src: str, pattern: str, dst: str) -> None:
    (script,) = Path(src).glob(pattern)
    shutil.move(str(script), dst)


def _run_one(tool: str, step: dict[str, Any]) -> StepResult:
    os.environ.update(step.get("env", {}))
    data: Any = None
    start = time.perf_counter()
    with _captured() as box:
        try:
            status = 0
            if step["kind"] == "cmd":
                status = _tool_main(tool, step["argv"])
            elif step["kind"] == "move":
                _move(step["src"], step.get("pattern", "*.py"), step["dst"])
            elif step["kind"] == "create_all":
                _create_all()
            elif step["kind"] == "dump":
                from tests.corpus.schema_dump import dump

                data = dump(step["url"], bool(step.get("version_table")), _schemas())
            elif step["kind"] == "create_schemas":
                _create_schemas(step["urls"])
        except BaseException:  # a step's crash is its result
            traceback.print_exc()
            status = 1
    seconds = round(time.perf_counter() - start, 3)
    return StepResult(step["id"], status, box["out"], box["err"], seconds, data)


def main(argv: list[str]) -> int:
    tool, steps_file, results_file = argv
    given = json.loads(Path(steps_file).read_text())
    steps, ok_before = given["steps"], set(given["ok"])
    results: list[StepResult] = []
    for step in steps:
        ok = {r.id for r in results if r.ok} | ok_before
        if set(step.get("needs", ())) <= ok:
            results.append(_run_one(tool, step))
        else:
            results.append(StepResult(step["id"], -1))
    Path(results_file).write_text(json.dumps([asdict(r) for r in results], default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
