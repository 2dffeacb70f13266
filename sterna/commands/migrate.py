"""The work behind the migration verbs of :mod:`sterna.command`: reading their targets, the
run of ``upgrade``/``downgrade`` (validation, ``--resume``), and the commit of ``repair`` and
``resolve``.  Kept here so that ``sterna.command`` holds the public functions and their
documentation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sterna.commands.environment import run_env
from sterna.config import Config, parse_bool
from sterna.errors_root import CommandError


def split_range(revision: str, sql: bool, verb: str) -> tuple[str | None, str]:
    """``(start, destination)`` of an upgrade/downgrade target (a range only with ``sql``)."""
    if ":" not in revision:
        return None, revision
    if not sql:
        raise CommandError(
            f"A range ({revision!r}) is only allowed with --sql; give one target revision"
        )
    start, _, end = revision.partition(":")
    if not end or ":" in end:
        raise CommandError(f"Bad {verb} range {revision!r}; expected <fromrev>:<torev>")
    return start or None, end


def _validates(config: Config, skip_validation: bool) -> bool:
    """Whether upgrade/downgrade check the applied scripts first (``sterna_validate``)."""
    if skip_validation:
        return False
    value = config.get_alembic_option("sterna_validate")
    if value is None or isinstance(value, bool):
        return value is None or bool(value)
    return parse_bool(str(value), "option 'sterna_validate'")


def _check_applied(config: Config, skip_validation: bool) -> Callable[[Any, Any, Any], None]:
    if not _validates(config, skip_validation):
        return lambda context, script, heads: None
    from sterna.commands.validate import check_before_run

    return check_before_run


def migrate(
    config: Config,
    script: Any,
    plan: Callable[[str, Any], Any],
    sql: bool,
    starting_rev: str | None,
    destination: str,
    tag: str | None,
    skip_validation: bool,
    resume: bool,
) -> None:
    """Run env.py for ``upgrade``/``downgrade``: every script imported (in Alembic's order: see
    ``import_scripts``) and the applied ones validated before ``plan`` makes the steps."""
    check = _check_applied(config, skip_validation)

    def steps(heads: Any, context: Any) -> Any:
        script.import_scripts()
        check(context, script, heads)
        return plan(destination, heads)

    _run_resumable(
        config,
        resume,
        sql,
        lambda: run_env(
            config,
            script,
            steps,
            as_sql=sql,
            starting_rev=starting_rev,
            destination_rev=destination,
            tag=tag,
        ),
    )


def _run_resumable(config: Config, resume: bool, sql: bool, run: Callable[[], None]) -> None:
    """``run()`` with ``--resume`` set for the run (``config.attributes['sterna.resume']``)."""
    if not resume:
        run()
        return
    if sql:
        raise CommandError("--resume cannot be used with --sql (offline mode runs no step)")
    config.attributes["sterna.resume"] = True
    try:
        run()
    finally:
        config.attributes.pop("sterna.resume", None)


def commit_own(context: Any) -> None:
    """Commit what was written when no transaction of env.py or the caller holds it."""
    conn = context.connection
    if conn.in_transaction() and context._transaction is None and not context._external_transaction:
        conn.commit()


def stamp_targets(revision: str | Sequence[str], sql: bool) -> tuple[str | None, list[str]]:
    """``(start, destinations)`` of stamp's targets: ranges (``sql`` only) share one start."""
    targets = [revision] if isinstance(revision, str) else list(revision)
    starting_rev: str | None = None
    destinations: list[str] = []
    for target in targets:
        if ":" in target:
            if not sql:
                raise CommandError(f"A range ({target!r}) is only allowed with --sql")
            start, _, target = target.partition(":")
            if starting_rev is not None and start != starting_rev:
                raise CommandError(
                    f"stamp --sql takes one starting revision; got {starting_rev!r} and {start!r}"
                )
            starting_rev = start
        destinations.append(target)
    return starting_rev, destinations
