"""Small migration projects built at run time, for the runtime tests.

The runtime consumes planned steps (``sterna.script.plan.Step``) and scripts
(``sterna.script.directory.Script``).  These helpers write real script files in a temporary folder
and plan linear chains themselves, with the version-table changes Alembic makes (INSERT from base,
UPDATE along the chain, DELETE back to base), so that the runtime is tested on its own.
"""

from __future__ import annotations

import importlib.util
import io
import runpy
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection

from sterna.runtime.environment import EnvironmentContext


@dataclass(frozen=True)
class Change:
    kind: str
    old: str | None
    new: str | None


@dataclass
class Script:
    revision: str
    down_revisions: tuple[str, ...]
    path: str
    doc: str
    _module: ModuleType | None = None

    @property
    def module(self) -> ModuleType:
        if self._module is None:
            name = f"_rt_script_{abs(hash(self.path))}"
            spec = importlib.util.spec_from_file_location(name, self.path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._module = module
        return self._module


@dataclass(frozen=True)
class Step:
    script: Any
    is_upgrade: bool
    from_revisions: tuple[str, ...]
    to_revisions: tuple[str, ...]
    changes: tuple[Change, ...]
    is_stamp: bool = False


SCRIPT_TEMPLATE = '''"""{doc}

Revision ID: {rev}
Revises: {down_text}
"""
from {package} import op
import sqlalchemy as sa

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade(**kw):
{upgrade}


def downgrade(**kw):
{downgrade}
'''


def _body(code: str) -> str:
    return textwrap.indent(textwrap.dedent(code).strip() or "pass", "    ")


@dataclass
class Chain:
    """A linear chain of revisions written to ``folder/versions``."""

    folder: Path
    package: str = "sterna"
    scripts: list[Script] = field(default_factory=list)

    def add(self, rev: str, upgrade: str, downgrade: str = "", doc: str | None = None) -> Script:
        versions = self.folder / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        down = self.scripts[-1].revision if self.scripts else None
        doc = doc if doc is not None else f"step {rev}"
        path = versions / f"{rev}_step.py"
        path.write_text(
            SCRIPT_TEMPLATE.format(
                doc=doc,
                rev=rev,
                down=down,
                down_text=down or "",
                package=self.package,
                upgrade=_body(upgrade),
                downgrade=_body(downgrade),
            )
        )
        script = Script(rev, (down,) if down else (), str(path), doc)
        self.scripts.append(script)
        return script

    def ids(self) -> list[str]:
        return [s.revision for s in self.scripts]

    def _index(self, rev: str | None) -> int:
        if rev in (None, "base"):
            return -1
        if rev == "head":
            return len(self.scripts) - 1
        return self.ids().index(rev)

    def upgrade(self, heads: Sequence[str], target: str) -> list[Step]:
        start = self._index(heads[0] if heads else None)
        steps = []
        for script in self.scripts[start + 1 : self._index(target) + 1]:
            down = script.down_revisions
            change = (
                Change("update", down[0], script.revision)
                if down
                else Change("insert", None, script.revision)
            )
            steps.append(Step(script, True, down, (script.revision,), (change,)))
        return steps

    def downgrade(self, heads: Sequence[str], target: str) -> list[Step]:
        start = self._index(heads[0] if heads else None)
        steps = []
        for script in reversed(self.scripts[self._index(target) + 1 : start + 1]):
            down = script.down_revisions
            change = (
                Change("update", script.revision, down[0])
                if down
                else Change("delete", script.revision, None)
            )
            steps.append(Step(script, False, (script.revision,), down, (change,)))
        return steps

    def directory(self) -> FakeDirectory:
        return FakeDirectory(self)


class RevisionMap:
    def __init__(self, chain: Chain) -> None:
        self.chain = chain

    def get_revision(self, rev: str | None) -> Script | None:
        if rev is None:
            return None
        for script in self.chain.scripts:
            if script.revision.startswith(rev):
                return script
        raise LookupError(rev)

    def get_revisions(self, revs: Any) -> tuple[Script | None, ...]:
        return tuple(self.get_revision(r) for r in revs)


class FakeDirectory:
    """The parts of ``ScriptDirectory`` the runtime and EnvironmentContext use."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.revision_map = RevisionMap(chain)

    def get_revision(self, rev: str) -> Script | None:
        return self.revision_map.get_revision(rev)

    def as_revision_number(self, rev: str | None) -> str | tuple[str, ...] | None:
        if rev in (None, "base"):
            return None
        if rev == "heads":
            return (self.chain.ids()[-1],)
        if rev == "head":
            return self.chain.ids()[-1]
        script = self.get_revision(rev)
        return script.revision if script else None

    def plan_stamp(
        self, targets: Sequence[str], heads: Sequence[str], purge: bool = False
    ) -> list[Step]:
        target = self.as_revision_number(targets[0])
        assert isinstance(target, str) or target is None
        old = heads[0] if heads else None
        if old == target:
            return []
        if old is None:
            change = Change("insert", None, target)
        elif target is None:
            change = Change("delete", old, None)
        else:
            change = Change("update", old, target)
        return [Step(None, True, tuple(heads), (target,) if target else (), (change,), True)]


@dataclass
class FakeConfig:
    """The parts of ``sterna.config.Config`` env.py and the runtime read."""

    url: str = "sqlite://"
    x: list[str] | None = None
    output_buffer: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def cmd_opts(self) -> SimpleNamespace:
        return SimpleNamespace(x=self.x)

    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        return self.url if name == "sqlalchemy.url" else default


ENV_PY = """
from {package} import context
from sqlalchemy import create_engine

config = context.config
OPTIONS = config.attributes.get("configure", {{}})


def offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def online():
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **OPTIONS)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    offline()
else:
    online()
"""


def write_env(folder: Path, package: str = "sterna") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "env.py"
    path.write_text(ENV_PY.format(package=package))
    return path


def run_env(
    chain: Chain,
    url: str,
    fn: Callable[[tuple[str, ...], Any], Any],
    *,
    as_sql: bool = False,
    configure: dict[str, Any] | None = None,
    connection: Connection | None = None,
    x: list[str] | None = None,
    **command_kw: Any,
) -> str:
    """Run ``env.py`` of ``chain``'s folder under an EnvironmentContext, as a command would.

    Returns the offline output (empty online).
    """
    buffer = io.StringIO()
    config = FakeConfig(url=url, x=x, output_buffer=buffer)
    config.attributes["configure"] = configure or {}
    if connection is not None:
        config.attributes["connection"] = connection
    env_py = chain.folder / "env.py"
    if not env_py.exists():
        write_env(chain.folder)
    with EnvironmentContext(config, chain.directory(), fn=fn, as_sql=as_sql, **command_kw):
        runpy.run_path(str(env_py))
    return buffer.getvalue()


def upgrade_fn(chain: Chain, target: str = "head") -> Callable[..., list[Step]]:
    return lambda heads, ctx: chain.upgrade(heads, target)


def downgrade_fn(chain: Chain, target: str = "base") -> Callable[..., list[Step]]:
    return lambda heads, ctx: chain.downgrade(heads, target)


def version_rows(
    url: str, table: str = "alembic_version", schema: str | None = None
) -> list[str] | None:
    """Rows of the version table, or None when it does not exist."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(table, schema=schema):
                return None
            name = f"{schema}.{table}" if schema else table
            return sorted(r[0] for r in conn.execute(text(f"SELECT version_num FROM {name}")))
    finally:
        engine.dispose()


def table_names(url: str, history: bool = False) -> set[str]:
    """The tables of the database; Sterna's applied-history table only with ``history``."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            return names if history else names - {"sterna_history"}
    finally:
        engine.dispose()


@contextmanager
def engine_connection(url: str) -> Iterator[Connection]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def forget_modules(prefix: str = "_rt_script_") -> None:
    for name in [n for n in sys.modules if n.startswith(prefix)]:
        del sys.modules[name]
