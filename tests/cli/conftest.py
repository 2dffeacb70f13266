"""A migration project built at run time, run through Sterna's CLI and, for comparison, through
real Alembic on an identical copy (same ini, same scripts; env.py importing ``alembic``).

Both run in-process (Sterna through ``sterna.cli.main``, Alembic through its ``CommandLine``
with a ``Config`` writing to a buffer), which keeps the suite fast; the few tests that check
process-level behaviour use ``run_sterna`` from the top-level conftest.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from sterna import command
from sterna.cli import main
from sterna.config import Config


@dataclass(frozen=True)
class Result:
    status: int
    out: str
    err: str


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_in_process(cwd: Path, argv: Sequence[str]) -> Result:
    """``sterna ARGV`` in-process in ``cwd``."""
    out, err = io.StringIO(), io.StringIO()
    with working_directory(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return Result(status, out.getvalue(), err.getvalue())


def run_alembic(cwd: Path, argv: Sequence[str]) -> Result:
    """``alembic ARGV`` in-process in ``cwd`` (print output captured through its Config)."""
    from alembic.config import CommandLine
    from alembic.config import Config as AlembicConfig

    cli = CommandLine(prog="alembic")
    options = cli.parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with working_directory(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        toml, ini = cli._inis_from_config(options)
        cfg = AlembicConfig(
            file_=ini, toml_file=toml, ini_section=options.name, cmd_opts=options, stdout=out
        )
        try:
            cli.run_cmd(cfg, options)
        except SystemExit as exc:
            status = 1 if exc.code else 0
    return Result(status, out.getvalue(), err.getvalue())


SCRIPT = '''\
"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: 2024-05-01 12:00:00.000000

{body_doc}"""
from {package} import op
import sqlalchemy as sa

revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {depends!r}


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


class Project:
    """Two identical projects: ``root/sterna`` run by Sterna, ``root/alembic`` by Alembic."""

    def __init__(self, root: Path, url: str, template: str = "generic") -> None:
        self.root = root
        self.url = url
        self.ours = root / "sterna"
        self.theirs = root / "alembic"
        self.ours.mkdir(parents=True)
        with working_directory(self.ours), contextlib.redirect_stdout(io.StringIO()):
            command.init(Config("alembic.ini"), "migrations", template=template)
        self.set_option("sqlalchemy.url", url)
        shutil.copytree(self.ours, self.theirs)
        env = self.theirs / "migrations" / "env.py"
        env.write_text(env.read_text().replace("from sterna import", "from alembic import"))

    @property
    def versions(self) -> Path:
        return self.ours / "migrations" / "versions"

    def set_option(self, key: str, value: str, section: str = "alembic") -> None:
        """Set an ini option in both projects (text edit, comments kept)."""
        for side in (self.ours, getattr(self, "theirs", None)):
            if side is None or not (side / "alembic.ini").exists():
                continue
            path = side / "alembic.ini"
            lines = path.read_text().splitlines()
            header = f"[{section}]"
            start = lines.index(header)
            for index in range(start + 1, len(lines)):
                if lines[index].startswith("["):
                    lines.insert(index, f"{key} = {value}")
                    break
                if lines[index].split("=", 1)[0].strip() == key:
                    lines[index] = f"{key} = {value}"
                    break
            else:
                lines.append(f"{key} = {value}")
            path.write_text("\n".join(lines) + "\n")

    def add(
        self,
        rev: str,
        down: str | tuple[str, ...] | None,
        message: str | None = None,
        labels: str | tuple[str, ...] | None = None,
        depends: str | tuple[str, ...] | None = None,
        upgrade: str = "pass",
        downgrade: str = "pass",
        body_doc: str = "",
    ) -> None:
        """Write the same revision script into both projects."""
        revises = ", ".join(down) if isinstance(down, tuple) else (down or "")
        for side, package in ((self.ours, "sterna"), (self.theirs, "alembic")):
            text = SCRIPT.format(
                message=message or f"revision {rev}",
                rev=rev,
                revises=revises,
                down=down,
                labels=labels,
                depends=depends,
                package=package,
                body_doc=body_doc,
                upgrade=textwrap.indent(upgrade, "    "),
                downgrade=textwrap.indent(downgrade, "    "),
            )
            (side / "migrations" / "versions" / f"{rev}_script.py").write_text(text)

    def sterna(self, *argv: str) -> Result:
        return run_in_process(self.ours, argv)

    def alembic(self, *argv: str) -> Result:
        return run_alembic(self.theirs, argv)

    def same(self, *argv: str, sort: bool = False, may_fail: bool = False) -> str:
        """Run ``argv`` with both tools; assert equal output (paths normalised); return it.

        With ``may_fail``, both may instead fail (Alembic prints ``FAILED:`` on stdout, Sterna
        on stderr); the output is then the empty string.
        """
        ours, theirs = self.sterna(*argv), self.alembic(*argv)
        if may_fail and theirs.status != 0:
            assert theirs.out.startswith("FAILED: "), theirs
            assert ours.status == 1, ours
            assert failure(ours.err), ours
            return ""
        assert ours.status == 0, ours
        assert theirs.status == 0, theirs
        mine = unordered_lists(ours.out.replace(str(self.ours), "<ROOT>"))
        reference = unordered_lists(theirs.out.replace(str(self.theirs), "<ROOT>"))
        if sort:
            mine = "\n".join(sorted(mine.splitlines()))
            reference = "\n".join(sorted(reference.splitlines()))
        assert mine == reference, f"sterna {' '.join(argv)}"
        return mine


_SET_LISTS = re.compile(r"^(Branches into|Branch names): (.*)$", re.M)


def unordered_lists(text: str) -> str:
    """Sort the lists Alembic prints in set order (``Branches into: b, a``); Sterna sorts them."""
    return _SET_LISTS.sub(
        lambda m: f"{m.group(1)}: {', '.join(sorted(m.group(2).split(', ')))}", text
    )


def failure(err: str) -> str:
    """The message of the ``FAILED:`` line ending ``err`` (log lines may come before it)."""
    assert "Traceback" not in err, err
    lines = err.rstrip("\n").splitlines()
    assert lines, "no error output"
    assert lines[-1].startswith("FAILED: "), err
    return lines[-1][len("FAILED: ") :]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """env.py calls logging.config.fileConfig(): undo it after each test, so that later tests
    (and other test files in the same worker) see the logging set-up they started with."""
    loggers = logging.Logger.manager.loggerDict
    root = logging.getLogger()
    saved_root = (root.level, root.handlers[:])
    saved = {
        name: (logger.disabled, logger.level, logger.handlers[:], logger.propagate)
        for name, logger in loggers.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    for name, logger in list(loggers.items()):
        if not isinstance(logger, logging.Logger):
            continue
        if name in saved:
            logger.disabled, level, handlers, logger.propagate = saved[name]
            logger.setLevel(level)
            logger.handlers[:] = handlers
        else:
            logger.disabled = False


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A generic project on a SQLite file, with no revisions yet."""
    return Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
