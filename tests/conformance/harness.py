"""Running Alembic and Sterna on the same project, in-process, and capturing what each does.

One project directory serves both tools: its env.py and scripts import ``alembic`` as Alembic
users write them; real Alembic runs them as usual, Sterna through its import alias.  Each tool is
given its own database URL (``Config.set_main_option``), its own output buffers, and the INFO log
lines of the ``alembic.*`` loggers (which Sterna uses too) are captured.  ``logging.config.
fileConfig`` is neutralised during the in-process runs so that env.py's logging set-up does not
remove the capture handler; the subprocess tests (templates) keep it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import logging.config
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Outcome:
    """What one tool did for one command."""

    tool: str
    lines: tuple[str, ...]
    sql: str
    log: tuple[str, ...]
    error: str | None = None
    error_kind: str | None = None
    value: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Tool:
    """One of the two tools, driven through its programmatic API."""

    name: str

    @property
    def command(self) -> Any:
        if self.name == "alembic":
            import alembic.command

            return alembic.command
        import sterna.command

        return sterna.command

    @property
    def command_error(self) -> type[BaseException]:
        if self.name == "alembic":
            from alembic.util import CommandError

            return CommandError
        from sterna.errors import CommandError as SternaCommandError

        return SternaCommandError

    def config_class(self) -> Any:
        if self.name == "alembic":
            from alembic.config import Config

            return Config
        from sterna.config import Config as SternaConfig

        return SternaConfig

    def script_directory(self, config: Any) -> Any:
        if self.name == "alembic":
            from alembic.script import ScriptDirectory

            return ScriptDirectory.from_config(config)
        from sterna.script import ScriptDirectory as SternaScriptDirectory

        return SternaScriptDirectory.from_config(config)


ALEMBIC = Tool("alembic")
STERNA = Tool("sterna")
TOOLS = (ALEMBIC, STERNA)


@dataclass
class Settings:
    """What a run gets besides the command: URL(s), -x arguments, config attributes."""

    url: str | None = None
    section_urls: dict[str, str] = field(default_factory=dict)
    x: Sequence[str] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    main_options: dict[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def captured_log() -> Iterator[list[str]]:
    """INFO messages of the ``alembic`` logger tree during the block; env.py's fileConfig is
    made a no-op for the block, so the capture survives it."""
    logger = logging.getLogger("alembic")
    handler = _Capture()
    saved = (logger.level, logger.propagate, logger.disabled, logging.config.fileConfig)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.disabled = False
    logger.addHandler(handler)
    logging.config.fileConfig = lambda *a, **k: None
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate, logger.disabled = saved[1], saved[2]
        logging.config.fileConfig = saved[3]


def make_config(
    tool: Tool, ini: Path, settings: Settings, stdout: io.StringIO, sql: io.StringIO
) -> Any:
    toml = ini.parent / "pyproject.toml"
    config = tool.config_class()(
        str(ini),
        toml_file=str(toml) if toml.exists() else None,
        output_buffer=sql,
        stdout=stdout,
        cmd_opts=argparse.Namespace(x=list(settings.x)),
        attributes=dict(settings.attributes),
    )
    if settings.url is not None:
        config.set_main_option("sqlalchemy.url", settings.url)
    for section, url in settings.section_urls.items():
        config.set_section_option(section, "sqlalchemy.url", url)
    for key, value in settings.main_options.items():
        config.set_main_option(key, value)
    return config


_LIBRARY_ROOTS = (sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[2] / "sterna"))


@contextlib.contextmanager
def fresh_project_imports() -> Iterator[None]:
    """Each run imports the project's own modules (``models``, ``custom_ops``...) afresh, as a
    new process would: modules a run imported from outside the libraries are forgotten after
    it, and the finder cached for the relative ``prepend_sys_path`` entry ``.`` (bound to the
    working directory it was created in) is dropped before and after."""
    for entry in (".", ""):
        sys.path_importer_cache.pop(entry, None)
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file and not file.startswith(_LIBRARY_ROOTS):
                del sys.modules[name]
        for entry in (".", ""):
            sys.path_importer_cache.pop(entry, None)


def run(tool: Tool, ini: Path, settings: Settings, verb: str, *args: Any, **kw: Any) -> Outcome:
    """Run ``<tool>.command.<verb>(config, *args, **kw)`` in the project folder."""
    stdout, sql = io.StringIO(), io.StringIO()
    config = make_config(tool, ini, settings, stdout, sql)
    error: str | None = None
    kind: str | None = None
    value: Any = None
    with working_directory(ini.parent), captured_log() as log, fresh_project_imports():
        try:
            value = getattr(tool.command, verb)(config, *args, **kw)
        except tool.command_error as exc:
            error, kind = str(exc), "CommandError"
        except Exception as exc:  # an internal error is an outcome to compare
            error, kind = str(exc), type(exc).__name__
    return Outcome(
        tool.name,
        tuple(stdout.getvalue().splitlines()),
        sql.getvalue(),
        tuple(log),
        error,
        kind,
        value,
    )


def resolver(tool: Tool, ini: Path) -> Callable[[Any], Outcome]:
    """``identifier -> Outcome`` of ``ScriptDirectory.get_revisions(identifier)`` on one
    ScriptDirectory of ``tool`` (the revisions as sorted ids, or the error)."""
    config = make_config(tool, ini, Settings(), io.StringIO(), io.StringIO())
    with working_directory(ini.parent):
        script = tool.script_directory(config)

    def resolve(identifier: Any) -> Outcome:
        try:
            found = script.get_revisions(identifier)
            ids = tuple(sorted(rev.revision if rev is not None else "<base>" for rev in found))
            return Outcome(tool.name, ids, "", ())
        except tool.command_error as exc:
            return Outcome(tool.name, (), "", (), str(exc), "CommandError")
        except Exception as exc:
            return Outcome(tool.name, (), "", (), str(exc), type(exc).__name__)

    return resolve
