"""The corpus harness: five checks of autogenerate per model set, backend and tool.

A :class:`Cell` is one (set, backend, tool) with a migration project made at run time in a tmp
folder (``sterna init`` / ``alembic init`` once per tool, copied per cell; env.py replaced by
:data:`ENV_PY`) and two empty databases: ``A`` is migrated, ``B`` gets ``metadata.create_all()``.
The commands run in subprocesses of this module (``python -m tests.corpus.harness run``, see
:mod:`tests.corpus.driver`): one process runs a batch of steps with the set's models imported
once, and a process never sees another set's models or other (mutated / original) models.

* batch 1 (the models as they are): checks 1-3 -- autogenerate twice (the first script kept
  aside), ``upgrade head`` on A, ``create_all`` + ``stamp head`` on B, the two schema dumps,
  ``check`` on A and B with ``compare_server_default`` off and on;
* batch 2 (the models mutated, :mod:`tests.corpus.mutations`): autogenerate, ``upgrade head``,
  ``check``;
* batch 3 (the models as they are): ``downgrade -1``, ``check`` (end of check 5), then check 4:
  ``downgrade base``, a dump, ``upgrade head`` again.  Checks 4 and 5 therefore run together.

Each check then judges the results of its steps (:meth:`Cell.judge`).  With
``STERNA_CORPUS_ISOLATE=1`` every step runs in a process of its own (slower; for a suspected
leak between commands of one process).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.corpus import schema_dump
from tests.corpus.mutations import Mutation, missing_ops

REPO = Path(__file__).resolve().parents[2]
CHECKS = ("autogenerate", "upgrade", "check", "downgrade", "mutations")
TOOLS = ("sterna", "alembic")
REV_ID = "c0c0a0000001"
MUT_REV_ID = "c0c0a0000002"

ENV_PY = '''\
"""The corpus harness's environment (written by tests/corpus/harness.py)."""

import os

from sqlalchemy import create_engine, pool

from {tool} import context
from tests.corpus.harness import env_options, env_target_metadata

target_metadata = env_target_metadata()
engine = create_engine(os.environ["STERNA_CORPUS_URL"], poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        **env_options(context.get_x_argument(as_dictionary=True), connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
'''


# -- the set registry (the sets helper's tests/corpus/sets.py) -----------------------------------


def model_sets() -> dict[str, Any]:
    from tests.corpus.sets import SETS

    return dict(SETS)


def cells() -> list[tuple[str, str]]:
    """Every (set, backend) the registry asks for, in registry order."""
    return [(name, b) for name, ms in model_sets().items() for b in ms.backends]


# -- cells that fail through the model's own fault -----------------------------------------------


@dataclass(frozen=True)
class ModelFault:
    """A (set, backend, check) that fails because the model itself is wrong there, never because
    of Sterna: why, and what Sterna prints."""

    reason: str
    prints: str


#: (set, backend, check) -> the fault; the test is ``xfail(strict=True)``.
MODEL_FAULTS: dict[tuple[str, str, str], ModelFault] = {}


# -- env.py side (runs inside the command's process) ---------------------------------------------

_LOADED: dict[str, Any] = {}


def env_target_metadata() -> Any:
    """The set's MetaData (one, or a list), mutated when ``STERNA_CORPUS_MUTATE=1``; loaded once
    per process (a process never mixes mutated and original models)."""
    from tests.corpus import mutations
    from tests.corpus.sets import load_metadata

    name = os.environ["STERNA_CORPUS_SET"]
    mutate = os.environ.get("STERNA_CORPUS_MUTATE") == "1"
    if "mds" not in _LOADED:
        mds = load_metadata(model_sets()[name])
        if mutate:
            plan = mutations.plan(
                mds, os.environ["STERNA_CORPUS_BACKEND"], os.environ["STERNA_CORPUS_TOOL"]
            )
            mutations.apply(mds, plan)
            Path(os.environ["STERNA_CORPUS_PLAN"]).write_text(
                json.dumps([m.to_json() for m in plan], indent=1)
            )
        _LOADED.update(mds=mds, key=(name, mutate))
    if _LOADED["key"] != (name, mutate):
        raise RuntimeError(f"corpus: one process ran {_LOADED['key']} then {(name, mutate)}")
    mds = _LOADED["mds"]
    return mds[0] if len(mds) == 1 else mds


def env_options(x: dict[str, str], dialect_name: str) -> dict[str, Any]:
    """``context.configure`` options: ``-x csd=true`` turns ``compare_server_default`` on;
    SQLite scripts use batch mode, as projects on SQLite do; models in named schemas turn
    ``include_schemas`` on."""
    mds = _LOADED.get("mds", [])
    return {
        "include_schemas": any(t.schema for md in mds for t in md.tables.values()),
        "compare_type": True,
        "compare_server_default": x.get("csd") == "true",
        "render_as_batch": dialect_name == "sqlite",
    }


# -- projects and databases ----------------------------------------------------------------------


@functools.cache
def _template_project(tool: str) -> Path:
    """``TOOL init corpus`` once per process; cells copy it."""
    root = Path(tempfile.mkdtemp(prefix=f"corpus-{tool}-"))
    from tests.corpus.driver import spawn

    result = spawn([sys.executable, "-m", tool, "init", "corpus"], root, {})
    if result.status != 0:
        raise RuntimeError(f"{tool} init failed: {result.err.strip()}")
    (root / "corpus" / "env.py").write_text(ENV_PY.format(tool=tool))
    return root


@contextlib.contextmanager
def fresh_database(backend: str, folder: Path, label: str) -> Iterator[str]:
    """An empty database (``tests/conftest.py``'s, a file on SQLite), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / (label + '.db')}"
        return
    from tests.conftest import _fresh_database

    gen = _fresh_database(backend)
    url = next(gen)
    try:
        yield url
    finally:
        with contextlib.suppress(StopIteration):
            next(gen)


# -- results -------------------------------------------------------------------------------------


@dataclass
class StepResult:
    id: str
    status: int  # -1: not run (a step it needs failed)
    out: str = ""
    err: str = ""
    seconds: float = 0.0
    data: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 0

    def error_line(self) -> str:
        if self.status == -1:
            return "not run"
        text = [
            ln
            for ln in (self.err + "\n" + self.out).strip().splitlines()
            if not ln.startswith("(Background on this error")
        ]
        failed = [ln for ln in text if "FAILED" in ln or "Error" in ln or "error" in ln]
        return short_error((failed or text or [f"exit {self.status}"])[-1])


def short_error(line: str) -> str:
    """A command's error line with the database's error first: ``FAILED:`` and the tail about
    applied statements dropped, the failing statement cut to its start, paths to ``versions/``."""
    line = line.strip().removeprefix("FAILED: ")
    line = re.sub(r" \((?:no )?statements? of this step .*$", "", line)
    line = re.sub(r"\S*/versions/", "versions/", line)
    match = re.match(r"""(.*?) while running (['"])(.*?)\2: (\(.*)$""", line)
    if match:
        head, _, sql, error = match.groups()
        sql = " ".join(sql.split())
        return f"{head}: {error} [{sql[:40]}...]"
    return line


@dataclass
class Verdict:
    check: str
    passed: bool
    reason: str = ""
    detail: str = ""

    def cell_text(self) -> str:
        return "pass" if self.passed else f"FAIL ({self.reason})"


class CheckFailed(AssertionError):
    pass


# -- one cell ------------------------------------------------------------------------------------


@dataclass
class Cell:
    set_name: str
    backend: str
    tool: str
    folder: Path
    url_a: str
    url_b: str
    results: dict[str, StepResult] = field(default_factory=dict)
    plan: list[Mutation] = field(default_factory=list)
    first_script: str = ""
    scripts: dict[str, str] = field(default_factory=dict)
    stats: dict[str, dict[str, float]] = field(default_factory=dict)
    _ran: set[str] = field(default_factory=set)

    @property
    def project(self) -> Path:
        return self.folder / "project"

    def env(self, url: str, **extra: str) -> dict[str, str]:
        return {
            "STERNA_CORPUS_SET": self.set_name,
            "STERNA_CORPUS_URL": url,
            "STERNA_CORPUS_BACKEND": self.backend,
            "STERNA_CORPUS_TOOL": self.tool,
            "STERNA_CORPUS_MUTATE": "0",
            **extra,
        }

    def setup(self) -> None:
        shutil.copytree(_template_project(self.tool), self.project)

    def run_batch(self, name: str, steps: list[dict[str, Any]]) -> None:
        from tests.corpus.driver import run_steps

        stats = self.stats.setdefault(name, {})
        ok = [id for id, r in self.results.items() if r.ok]
        for result in run_steps(self.tool, steps, self.project, self.folder / name, stats, ok):
            self.results[result.id] = result

    def cmd(
        self, id: str, url: str, *argv: str, needs: tuple[str, ...] = (), **env: str
    ) -> dict[str, Any]:
        return {
            "id": id,
            "kind": "cmd",
            "argv": list(argv),
            "env": self.env(url, **env),
            "needs": list(needs),
        }

    # batch 1: checks 1-4
    def batch_main(self) -> None:
        if "main" in self._ran:
            return
        self._ran.add("main")
        a, b = self.url_a, self.url_b
        versions = self.project / "corpus" / "versions"
        first = self.folder / "first_script.py"
        csd = ("false", "true")
        steps = [
            {
                "id": "schemas",
                "kind": "create_schemas",
                "urls": [a, b],
                "env": self.env(a),
                "needs": [],
            },
            self.cmd(
                "gen1",
                a,
                "revision",
                "--autogenerate",
                "-m",
                "corpus",
                "--rev-id",
                REV_ID,
                needs=("schemas",),
            ),
            {
                "id": "move",
                "kind": "move",
                "src": str(versions),
                "dst": str(first),
                "needs": ["gen1"],
            },
            self.cmd(
                "gen2",
                a,
                "revision",
                "--autogenerate",
                "-m",
                "corpus",
                "--rev-id",
                REV_ID,
                needs=("move",),
            ),
            self.cmd("upgrade", a, "upgrade", "head", needs=("gen2",)),
            {"id": "create_all", "kind": "create_all", "env": self.env(b), "needs": ["schemas"]},
            self.cmd("stamp", b, "stamp", "head", needs=("gen2", "create_all")),
            {"id": "dump_a", "kind": "dump", "url": a, "needs": ["upgrade"], "env": self.env(a)},
            {"id": "dump_b", "kind": "dump", "url": b, "needs": ["create_all"], "env": self.env(b)},
            *[
                self.cmd(f"check_a_{v}", a, "-x", f"csd={v}", "check", needs=("upgrade",))
                for v in csd
            ],
            *[
                self.cmd(f"check_b_{v}", b, "-x", f"csd={v}", "check", needs=("stamp",))
                for v in csd
            ],
        ]
        self.run_batch("main", steps)
        if first.exists():
            self.first_script = first.read_text()
        for path in versions.glob("*.py"):
            self.scripts[path.name] = path.read_text()

    # batches 2 and 3: check 5, then check 4 (a failed downgrade base cannot spoil check 5)
    def batch_later(self) -> None:
        self.batch_main()
        if "later" in self._ran:
            return
        self._ran.add("later")
        a = self.url_a
        plan_file = self.folder / "plan.json"
        mutated = {"STERNA_CORPUS_MUTATE": "1", "STERNA_CORPUS_PLAN": str(plan_file)}
        x = ("-x", "csd=true", "-x", "sterna.accept_renames=true")
        self.run_batch(
            "mutated",
            [
                self.cmd(
                    "mut_gen",
                    a,
                    *x,
                    "revision",
                    "--autogenerate",
                    "-m",
                    "mutations",
                    "--rev-id",
                    MUT_REV_ID,
                    needs=("upgrade",),
                    **mutated,
                ),
                self.cmd("mut_upgrade", a, *x, "upgrade", "head", needs=("mut_gen",), **mutated),
                self.cmd("mut_check", a, *x, "check", needs=("mut_upgrade",), **mutated),
            ],
        )
        if plan_file.exists():
            self.plan = [Mutation.from_json(d) for d in json.loads(plan_file.read_text())]
        versions = self.project / "corpus" / "versions"
        script = next(versions.glob(f"{MUT_REV_ID}_*.py"), None)
        self.scripts["mutations"] = script.read_text() if script else ""
        self.run_batch(
            "restored",
            [
                self.cmd("mut_down", a, "downgrade", "-1", needs=("mut_upgrade",)),
                {
                    "id": "mut_remove",
                    "kind": "move",
                    "src": str(versions),
                    "pattern": f"{MUT_REV_ID}_*.py",
                    "dst": str(self.folder / "mut_script.py"),
                    "needs": ["mut_gen"],
                },
                self.cmd(
                    "mut_check_orig", a, "-x", "csd=true", "check", needs=("mut_down", "mut_remove")
                ),
                self.cmd("down_base", a, "downgrade", "base", needs=("upgrade",)),
                {
                    "id": "dump_base",
                    "kind": "dump",
                    "url": a,
                    "version_table": True,
                    "needs": ["down_base"],
                    "env": self.env(a),
                },
                self.cmd("reupgrade", a, "upgrade", "head", needs=("down_base",)),
            ],
        )

    def judge(self, check: str) -> Verdict:
        if check in ("mutations", "downgrade"):
            self.batch_later()
        else:
            self.batch_main()
        try:
            JUDGES[check](self)
        except CheckFailed as exc:
            reason, _, detail = str(exc).partition("\n")
            return Verdict(check, False, reason, detail)
        return Verdict(check, True)

    def step(self, id: str) -> StepResult:
        return self.results.get(id) or StepResult(id, -1)


def masked(script: str) -> str:
    """A script without its creation date."""
    return re.sub(r"(?m)^Create Date: .*$", "Create Date: <masked>", script)


@contextlib.contextmanager
def open_cell(set_name: str, backend: str, tool: str, folder: Path) -> Iterator[Cell]:
    """A cell with its project and its two fresh databases (dropped afterwards)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (
        fresh_database(backend, folder, "a") as url_a,
        fresh_database(backend, folder, "b") as url_b,
    ):
        cell = Cell(set_name, backend, tool, folder, url_a, url_b)
        cell.setup()
        yield cell


def _fail_step(cell: Cell, id: str, what: str) -> None:
    result = cell.step(id)
    if not result.ok:
        raise CheckFailed(f"{what}: {result.error_line()}\n{result.out}\n{result.err}")


def judge_autogenerate(cell: Cell) -> None:
    """Check 1: the script passes pyflakes and is the same when generated twice."""
    _fail_step(cell, "gen1", "revision --autogenerate")
    _fail_step(cell, "move", "moving the first script")
    problems = pyflakes_messages(cell.first_script)
    if problems:
        raise CheckFailed(f"pyflakes: {problems[0]}\n" + "\n".join(problems))
    _fail_step(cell, "gen2", "second revision --autogenerate")
    (second,) = [s for name, s in cell.scripts.items() if name.startswith(REV_ID)] or [""]
    if masked(second) != masked(cell.first_script):
        text = "\n".join(
            difflib.unified_diff(
                masked(cell.first_script).splitlines(),
                masked(second).splitlines(),
                "first",
                "second",
                lineterm="",
            )
        )
        raise CheckFailed(f"second script differs: {schema_dump.short_diff(text, 1)}\n{text}")


def judge_upgrade(cell: Cell) -> None:
    """Check 2: upgrade head works and gives the schema create_all gives."""
    _fail_step(cell, "upgrade", "upgrade head")
    _fail_step(cell, "create_all", "create_all")
    _fail_step(cell, "dump_a", "dump of the upgraded database")
    _fail_step(cell, "dump_b", "dump of the create_all database")
    text = schema_dump.diff(
        cell.step("dump_a").data, cell.step("dump_b").data, "upgrade head", "create_all"
    )
    if text:
        raise CheckFailed(f"schema differs: {schema_dump.short_diff(text)}\n{text}")


def judge_check(cell: Cell) -> None:
    """Check 3: check is clean on the upgraded and the create_all database, csd off and on."""
    failures = []
    for db, label in (("a", "upgraded"), ("b", "create_all")):
        for csd in ("false", "true"):
            result = cell.step(f"check_{db}_{csd}")
            if not result.ok:
                failures.append((f"{label} db, csd={'on' if csd == 'true' else 'off'}", result))
    if failures:
        head = "; ".join(f"{what}: {r.error_line()[:160]}" for what, r in failures[:2])
        raise CheckFailed(
            head + "\n" + "\n".join(f"== {what}\n{r.out}\n{r.err}" for what, r in failures)
        )


def judge_downgrade(cell: Cell) -> None:
    """Check 4: downgrade base leaves only the bookkeeping tables (alembic_version, and
    Sterna's sterna_history); upgrade head works again."""
    _fail_step(cell, "down_base", "downgrade base")
    _fail_step(cell, "dump_base", "dump after downgrade base")
    left = cell.step("dump_base").data
    extra = sorted(set(left["tables"]) - set(schema_dump.BOOKKEEPING))
    extra += [f"sequence {s}" for s in left["sequences"]]
    extra += [f"enum {e}" for e in left.get("enums", {})]
    if extra:
        raise CheckFailed(f"left behind: {', '.join(extra[:6])}\n{extra}")
    _fail_step(cell, "reupgrade", "upgrade head after downgrade base")


def judge_mutations(cell: Cell) -> None:
    """Check 5: the mutations are detected, applied, checked clean, reversed, checked clean."""
    _fail_step(cell, "mut_gen", "revision --autogenerate (mutated models)")
    problems = []
    missing = missing_ops(cell.scripts.get("mutations", ""), cell.plan)
    if missing:
        problems.append(f"missing ops: {', '.join(missing)}")
    for id, what in (
        ("mut_upgrade", "upgrade head"),
        ("mut_check", "check (mutated)"),
        ("mut_down", "downgrade -1"),
        ("mut_check_orig", "check (original)"),
    ):
        result = cell.step(id)
        if not result.ok:
            problems.append(f"{what}: {result.error_line()[:200]}")
            break
    if problems:
        kinds = ", ".join(m.kind for m in cell.plan)
        raise CheckFailed(
            "; ".join(problems)
            + f"\nmutations: {kinds}\n--- script:\n"
            + cell.scripts.get("mutations", "")
        )


JUDGES = {
    "autogenerate": judge_autogenerate,
    "upgrade": judge_upgrade,
    "check": judge_check,
    "downgrade": judge_downgrade,
    "mutations": judge_mutations,
}


def pyflakes_messages(source: str) -> list[str]:
    """pyflakes' findings on a script (none when it is clean); an unused import (the template's
    ``op`` and ``sa`` in an empty script) is no fault."""
    import io

    from pyflakes.api import check  # type: ignore[import-untyped]
    from pyflakes.reporter import Reporter  # type: ignore[import-untyped]

    out = io.StringIO()
    check(source, "script.py", Reporter(out, out))
    return [ln for ln in out.getvalue().splitlines() if "imported but unused" not in ln]
