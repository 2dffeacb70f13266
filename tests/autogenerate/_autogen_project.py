"""The seed's project layout, built at run time, for the autogenerate command tests.

``backend/`` holds ``alembic.ini`` and ``alembic/`` (made by ``sterna init alembic``),
``app/infrastructure/db.py`` with ``Base``, ``engine`` and the models (rewritten for each model
version), and ``alembic/env.py`` with the seed's two lines (``from app.infrastructure.db import
Base`` / ``target_metadata = Base.metadata``).  Commands run in-process through
``sterna.cli.main`` with ``backend/`` as working directory; the ``app`` modules are dropped from
``sys.modules`` before each command so that every run sees the current models.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, create_engine, inspect

from sterna.cli import main

DB_PY = '''\
"""Database access of the application: Base, engine and the models."""

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

DATABASE_URL = {url!r}

Base = declarative_base({base_args})
engine = sa.create_engine(DATABASE_URL)

{models}
'''


@dataclass(frozen=True)
class Result:
    status: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@contextlib.contextmanager
def restored_logging() -> Iterator[None]:
    """env.py configures logging from alembic.ini: undo that after the command."""
    manager = logging.Logger.manager
    root = logging.getLogger()
    saved_root = (root.level, root.handlers[:])
    saved = {
        name: (logger.disabled, logger.level, logger.handlers[:], logger.propagate)
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        for name, logger in list(manager.loggerDict.items()):
            if not isinstance(logger, logging.Logger):
                continue
            if name in saved:
                logger.disabled, level, handlers, logger.propagate = saved[name]
                logger.setLevel(level)
                logger.handlers[:] = handlers
            else:
                logger.disabled = False


def forget_app_modules() -> None:
    """Forget the project's ``app`` package, as a new process would; also the finder of "." on
    ``sys.path`` (prepend_sys_path), which stays bound to the working directory of its first
    use."""
    for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[name]
    for entry in [".", ""]:
        sys.path_importer_cache.pop(entry, None)


class Project:
    """A seed-style project on the database at ``url``."""

    def __init__(self, root: Path, url: str, base_args: str = "") -> None:
        self.root = root
        self.backend = root / "backend"
        self.url = url
        self.base_args = base_args
        self.backend.mkdir(parents=True)
        package = self.backend / "app" / "infrastructure"
        package.mkdir(parents=True)
        (self.backend / "app" / "__init__.py").write_text("")
        (package / "__init__.py").write_text("")
        self.models("")
        created = self.sterna("init", "alembic")
        assert created.status == 0, created.text
        ini = self.backend / "alembic.ini"
        ini.write_text(
            ini.read_text().replace(
                "sqlalchemy.url = driver://user:pass@localhost/dbname", f"sqlalchemy.url = {url}"
            )
        )
        env = self.backend / "alembic" / "env.py"
        env.write_text(
            env.read_text().replace(
                "target_metadata = None",
                "from app.infrastructure.db import Base\ntarget_metadata = Base.metadata",
                1,
            )
        )

    def models(self, source: str) -> None:
        """Replace the models in ``app/infrastructure/db.py``."""
        path = self.backend / "app" / "infrastructure" / "db.py"
        path.write_text(
            DB_PY.format(url=self.url, base_args=self.base_args, models=textwrap.dedent(source))
        )

    def sterna(self, *argv: str, stdin: io.TextIOBase | None = None) -> Result:
        forget_app_modules()
        out, err = io.StringIO(), io.StringIO()
        with contextlib.ExitStack() as stack:
            stack.enter_context(_cwd(self.backend))
            stack.enter_context(restored_logging())
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(err))
            if stdin is not None:
                old_stdin = sys.stdin
                sys.stdin = stdin
                stack.callback(setattr, sys, "stdin", old_stdin)
            stack.callback(forget_app_modules)
            status = main(list(argv))
        return Result(status, out.getvalue(), err.getvalue())

    def ok(self, *argv: str, stdin: io.TextIOBase | None = None) -> Result:
        result = self.sterna(*argv, stdin=stdin)
        assert result.status == 0, f"sterna {' '.join(argv)} failed:\n{result.text}"
        return result

    def autogenerate(self, message: str, *extra: str) -> Path:
        """``revision --autogenerate -m message``; returns the new script."""
        before = set(self.versions())
        self.ok("revision", "--autogenerate", "-m", message, *extra)
        (new,) = set(self.versions()) - before
        return new

    def versions(self) -> list[Path]:
        return sorted((self.backend / "alembic" / "versions").glob("*.py"))

    def tables(self) -> set[str]:
        """The tables, less Sterna's applied-history table (tests/runtime/test_history.py)."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return set(inspect(conn).get_table_names()) - {"sterna_history"}
        finally:
            engine.dispose()


def run_alembic(project: Project, *argv: str) -> Result:
    """``alembic ARGV`` (the reference implementation) in-process on the same project, with
    its env.py importing ``alembic`` instead of ``sterna``; env.py is restored afterwards."""
    from alembic.config import CommandLine
    from alembic.config import Config as AlembicConfig

    env = project.backend / "alembic" / "env.py"
    original = env.read_text()
    env.write_text(original.replace("from sterna import context", "from alembic import context"))
    out, err = io.StringIO(), io.StringIO()
    status = 0
    forget_app_modules()
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_cwd(project.backend))
            stack.enter_context(restored_logging())
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(err))
            cli = CommandLine(prog="alembic")
            options = cli.parser.parse_args(list(argv))
            config = AlembicConfig(file_="alembic.ini", cmd_opts=options, stdout=out)
            try:
                cli.run_cmd(config, options)
            except SystemExit as exc:
                status = 1 if exc.code else 0
    finally:
        env.write_text(original)
        forget_app_modules()
    return Result(status, out.getvalue(), err.getvalue())


class Terminal(io.StringIO):
    """Standard input that says it is a terminal, with the user's answers."""

    def isatty(self) -> bool:
        return True


def ruff_check(path: Path) -> str:
    """Problems ``ruff check`` finds in a generated script ("" when none), with the rules that
    make sense for generated code: pyflakes, pycodestyle, bugbear, pyupgrade, simplify."""
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [
            str(ruff),
            "check",
            "--isolated",
            "--select",
            "E,F,W,B,UP,SIM",
            "--target-version",
            "py310",
            "--output-format",
            "concise",
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    problems = [line for line in (done.stdout + done.stderr).splitlines() if ": " in line]
    return "\n".join(problems)


def ruff_format_diff(path: Path) -> str:
    """What ``ruff format`` would change in the generated functions ("" when nothing); the
    template's header is left out (its quoting is the template's business)."""
    ruff = Path(sys.executable).parent / "ruff"
    text = path.read_text()
    functions = text[text.index("def upgrade") :]
    done = subprocess.run(
        [str(ruff), "format", "--isolated", "-"],
        input=functions,
        capture_output=True,
        text=True,
        check=True,
    )
    if done.stdout == functions:
        return ""
    import difflib

    return "\n".join(
        difflib.unified_diff(functions.splitlines(), done.stdout.splitlines(), lineterm="")
    )


CLEAN = "No new upgrade operations detected."


def model_metadata(project: Project) -> MetaData:
    """The project's ``Base.metadata``, imported as env.py imports it."""
    forget_app_modules()
    sys.path.insert(0, str(project.backend))
    try:
        module = importlib.import_module("app.infrastructure.db")
        module.engine.dispose()
        metadata: MetaData = module.Base.metadata
        return metadata
    finally:
        sys.path.remove(str(project.backend))
        forget_app_modules()
