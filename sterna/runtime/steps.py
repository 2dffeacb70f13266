"""What the step loop needs from a planned step, and what ``on_version_apply`` receives.

Steps are planned by the script layer (``sterna.script.plan.Step``); the runtime only reads them,
through the structural types below, so that tools and tests may pass their own step objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from sterna.errors_script import ScriptError
from sterna.runtime.versions import VersionChangeLike
from sterna.util.progress import Reporter, RunProgress, reporter_for


class ScriptLike(Protocol):
    """A revision whose module can be run (``sterna.script.directory.Script``)."""

    @property
    def revision(self) -> str: ...

    @property
    def down_revisions(self) -> tuple[str, ...]: ...

    @property
    def module(self) -> Any: ...


class StepLike(Protocol):
    """One step of a run (``sterna.script.plan.Step``)."""

    @property
    def script(self) -> Any: ...

    @property
    def is_upgrade(self) -> bool: ...

    @property
    def from_revisions(self) -> tuple[str, ...]: ...

    @property
    def to_revisions(self) -> tuple[str, ...]: ...

    @property
    def changes(self) -> Sequence[VersionChangeLike]: ...

    @property
    def is_stamp(self) -> bool: ...


class RevisionMapLike(Protocol):
    def get_revision(self, id_: str | None) -> Any: ...

    def get_revisions(self, id_: Any) -> tuple[Any, ...]: ...


class MigrationInfo:
    """A completed step, as given to ``on_version_apply`` callbacks (Alembic's MigrationInfo)."""

    def __init__(
        self,
        revision_map: RevisionMapLike | None,
        is_upgrade: bool,
        is_stamp: bool,
        up_revisions: str | Iterable[str] | None,
        down_revisions: str | Iterable[str] | None,
    ) -> None:
        self.revision_map = revision_map
        self.is_upgrade = is_upgrade
        self.is_stamp = is_stamp
        self.up_revision_ids: tuple[str, ...] = _as_tuple(up_revisions)
        self.up_revision_id: str | None = self.up_revision_ids[0] if self.up_revision_ids else None
        self.down_revision_ids: tuple[str, ...] = _as_tuple(down_revisions)

    @classmethod
    def from_step(cls, step: StepLike, revision_map: RevisionMapLike | None) -> MigrationInfo:
        if step.is_upgrade:
            up, down = step.to_revisions, step.from_revisions
        else:
            up, down = step.from_revisions, step.to_revisions
        return cls(revision_map, step.is_upgrade, step.is_stamp, up, down)

    @property
    def is_migration(self) -> bool:
        return not self.is_stamp

    @property
    def source_revision_ids(self) -> tuple[str, ...]:
        return self.down_revision_ids if self.is_upgrade else self.up_revision_ids

    @property
    def destination_revision_ids(self) -> tuple[str, ...]:
        return self.up_revision_ids if self.is_upgrade else self.down_revision_ids

    @property
    def up_revision(self) -> Any:
        return self._map().get_revision(self.up_revision_id)

    @property
    def up_revisions(self) -> tuple[Any, ...]:
        return self._map().get_revisions(self.up_revision_ids)

    @property
    def down_revisions(self) -> tuple[Any, ...]:
        return self._map().get_revisions(self.down_revision_ids)

    @property
    def source_revisions(self) -> tuple[Any, ...]:
        return self._map().get_revisions(self.source_revision_ids)

    @property
    def destination_revisions(self) -> tuple[Any, ...]:
        return self._map().get_revisions(self.destination_revision_ids)

    def _map(self) -> RevisionMapLike:
        if self.revision_map is None:
            raise LookupError("this migration step was run without a script directory")
        return self.revision_map

    def __repr__(self) -> str:
        kind = "stamp" if self.is_stamp else ("upgrade" if self.is_upgrade else "downgrade")
        return (
            f"MigrationInfo({kind}, up={self.up_revision_ids!r}, down={self.down_revision_ids!r})"
        )


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def direction(step: StepLike) -> str:
    if step.is_stamp:
        return "stamp"
    return "upgrade" if step.is_upgrade else "downgrade"


def step_revision_label(step: StepLike) -> str:
    """The revision a failure message names: the script's, or the stamp's target."""
    script = step.script
    if script is not None:
        return str(script.revision)
    revs = step.to_revisions if step.is_upgrade else step.from_revisions
    return ", ".join(revs) or "base"


def short_log(step: StepLike) -> str:
    """``upgrade a -> b`` as Alembic writes it (``-- Running ...`` offline); no dependencies."""
    script = step.script
    if step.is_stamp or script is None:
        return f"stamp_revision {', '.join(step.from_revisions)} -> {', '.join(step.to_revisions)}"
    own = (script.revision,)
    down = tuple(script.down_revisions)
    src, dst = (down, own) if step.is_upgrade else (own, down)
    name = "upgrade" if step.is_upgrade else "downgrade"
    return f"{name} {', '.join(src)} -> {', '.join(dst)}"


def long_log(step: StepLike, short: str) -> str:
    """``upgrade a -> b, message``: the INFO log line after ``Running``."""
    script = step.script
    doc = getattr(script, "doc", None) if script is not None and not step.is_stamp else None
    return f"{short}, {doc}" if doc else short


def migration_function(step: StepLike) -> Callable[..., Any]:
    """The script's ``upgrade``/``downgrade`` function; ScriptError naming the file if missing."""
    script = step.script
    name = "upgrade" if step.is_upgrade else "downgrade"
    module = script.module
    fn = getattr(module, name, None)
    if not callable(fn):
        path = getattr(script, "path", None) or getattr(module, "__file__", None) or "<unknown>"
        raise ScriptError(str(path), f"revision {script.revision} has no {name}() function to run")
    return fn  # type: ignore[no-any-return]


def preflight(steps: Iterable[StepLike]) -> list[tuple[StepLike, Callable[..., Any] | None]]:
    """Each step of a run with the function it will call (``None`` for a stamp), all resolved
    before the first one runs: a script that cannot be imported or has no such function fails
    the run before anything is written."""
    return [(step, None if step.is_stamp else migration_function(step)) for step in steps]


def step_progress(
    context: Any, planned: Sequence[tuple[StepLike, Callable[..., Any] | None]]
) -> RunProgress:
    """The progress of a run's steps, reported as the run's Config asks
    (:mod:`sterna.util.progress`): never offline (``--sql`` steps take no time and standard
    output carries the script) nor for stamps."""
    if context.as_sql or not planned or any(step.is_stamp for step, _ in planned):
        reporter = Reporter()
    else:
        reporter = reporter_for(context.config)
    verb = direction(planned[0][0]) if planned else "upgrade"
    return RunProgress(reporter, len(planned), verb, _describe)


def _describe(step: StepLike) -> tuple[str, str]:
    """A step's name in the summary (its revision) and its label: ``upgrade b2 (add orders)``."""
    revision = step_revision_label(step)
    doc = getattr(step.script, "doc", None)
    return revision, f"{direction(step)} {revision}" + (f" ({doc})" if doc else "")


def plan_and_preflight(
    fn: Callable[[Any, Any], Iterable[StepLike]], heads: tuple[str, ...], context: Any
) -> list[tuple[StepLike, Callable[..., Any] | None]]:
    """The run's plan (the command's ``fn(heads, context)``, which imports every script first),
    through :func:`preflight`; a script that either refuses fails saying that nothing ran."""
    try:
        return preflight(fn(heads, context))
    except ScriptError as exc:
        exc.add_state("nothing was done to the database")
        raise
