"""The commands, one plain function per verb (``alembic.command``'s programmatic API).

Each takes a :class:`~sterna.config.Config` first.  Commands that read only the script directory
(``heads``, ``history``, ``branches``, ``show``, ``revision``...) never import SQLAlchemy; the
runtime is imported only when env.py has to run.
"""

from __future__ import annotations

import os

from sterna.commands.environment import load_script, run_env
from sterna.config import Config, parse_bool
from sterna.errors import CommandError, DatabaseNotAtHead, HistoryValidationError
from sterna.util.messaging import obfuscate_url_pw
from sterna.util.messaging import rev_id as new_rev_id

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from sterna.script import Script

    ProcessRevisionDirectives = Callable[[Any, Any, list[Any]], None]

# The modules behind init/list_templates, history and revision/merge are imported by the verbs
# that use them: every command starts with this module, and they cost as much as a folder scan.

__all__ = [
    "branches",
    "check",
    "current",
    "downgrade",
    "edit",
    "ensure_version",
    "heads",
    "history",
    "init",
    "list_templates",
    "merge",
    "repair",
    "resolve",
    "revision",
    "show",
    "stamp",
    "upgrade",
    "validate",
]


def init(
    config: Config,
    directory: str,
    template: str = "generic",
    package: bool = False,
    alembic_imports: bool = False,
) -> None:
    """Create the scripts folder ``directory`` and the config file(s) from ``template``;
    ``alembic_imports``: env.py and script.py.mako import from ``alembic``, not ``sterna``
    (for a project that Alembic must be able to run too)."""
    from sterna.commands.init import init as _init

    _init(config, directory, template=template, package=package, alembic_imports=alembic_imports)


def list_templates(config: Config) -> None:
    """Print each template with the first line of its README."""
    from sterna.commands.init import list_templates as _list_templates

    _list_templates(config)


def _revision_environment(config: Config) -> bool:
    value = config.get_alembic_option("revision_environment")
    if value is None or isinstance(value, bool):
        return bool(value)
    return parse_bool(str(value), "option 'revision_environment'")


def revision(
    config: Config,
    message: str | None = None,
    autogenerate: bool = False,
    sql: bool = False,
    head: str = "head",
    splice: bool = False,
    branch_label: str | Sequence[str] | None = None,
    version_path: str | os.PathLike[str] | None = None,
    rev_id: str | None = None,
    depends_on: str | Sequence[str] | None = None,
    process_revision_directives: ProcessRevisionDirectives | None = None,
) -> Script | None | list[Script | None]:
    """Write a new revision script; returns it (a list when a hook asked for several)."""
    if autogenerate:
        from sterna.commands.autogenerate import revision as autogenerate_revision

        return autogenerate_revision(
            config,
            message=message,
            sql=sql,
            head=head,
            splice=splice,
            branch_label=branch_label,
            version_path=version_path,
            rev_id=rev_id,
            depends_on=depends_on,
            process_revision_directives=process_revision_directives,
        )
    from sterna.commands.revision import NewRevision, apply_hooks, write

    script = load_script(config)
    environment = _revision_environment(config)
    if sql and not environment:
        raise CommandError(
            "revision --sql needs revision_environment = true in the configuration "
            "(there is nothing to write as SQL otherwise)"
        )
    new = NewRevision(
        rev_id=rev_id or new_rev_id(),
        message=message,
        head=head or "head",
        splice=splice,
        branch_label=branch_label,
        version_path=version_path,
        depends_on=depends_on,
    )
    template_args: dict[str, Any] = {"config": config}
    planned = [new]
    if environment:

        def collect(heads: Any, context: Any) -> list[Any]:
            opts = getattr(context, "opts", None) or {}
            template_args.update(opts.get("template_args") or {})
            # the command's hook first, then env.py's, as in Alembic
            hooks = [process_revision_directives, opts.get("process_revision_directives")]
            planned[:] = apply_hooks(new, [h for h in hooks if h is not None], context, heads)
            return []

        run_env(config, script, collect, as_sql=sql, template_args=template_args)
    written = write(config, script, planned, template_args)
    return written[0] if len(written) == 1 else written


def check(config: Config) -> None:
    """Compare the database with the models: print "No new upgrade operations detected." or
    fail listing the differences (autogenerate's comparison, nothing written)."""
    from sterna.commands.autogenerate import check as autogenerate_check

    autogenerate_check(config)


def merge(
    config: Config,
    revisions: str | Sequence[str],
    message: str | None = None,
    branch_label: str | Sequence[str] | None = None,
    rev_id: str | None = None,
    splice: bool = False,
) -> Script | None:
    """Write a revision whose parents are ``revisions`` (``"heads"`` for all heads)."""
    from sterna.commands.revision import NewRevision, write

    script = load_script(config)
    template_args: dict[str, Any] = {"config": config}
    if _revision_environment(config):

        def collect(heads: Any, context: Any) -> list[Any]:
            opts = getattr(context, "opts", None) or {}
            template_args.update(opts.get("template_args") or {})
            return []

        run_env(config, script, collect, as_sql=False, template_args=template_args)
    new = NewRevision(
        rev_id=rev_id or new_rev_id(),
        message=message,
        head=revisions,
        splice=splice,
        branch_label=branch_label,
    )
    return write(config, script, [new], template_args)[0]


def _split_range(revision: str, sql: bool, verb: str) -> tuple[str | None, str]:
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


def upgrade(
    config: Config,
    revision: str,
    sql: bool = False,
    tag: str | None = None,
    skip_validation: bool = False,
    resume: bool = False,
) -> None:
    """Upgrade the database to ``revision`` (``start:end`` in --sql mode).  The applied scripts
    are checked against the history's checksums first, unless ``skip_validation``; ``resume``
    runs the step that failed part way again, skipping what took effect."""
    script = load_script(config)
    starting_rev, destination = _split_range(revision, sql, "upgrade")
    _migrate(
        config,
        script,
        script.plan_upgrade,
        sql,
        starting_rev,
        destination,
        tag,
        skip_validation,
        resume,
    )


def _migrate(
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


def downgrade(
    config: Config,
    revision: str,
    sql: bool = False,
    tag: str | None = None,
    skip_validation: bool = False,
    resume: bool = False,
) -> None:
    """Downgrade the database to ``revision``; --sql needs ``<fromrev>:<torev>``.  Validates
    the applied scripts first, as :func:`upgrade`."""
    script = load_script(config)
    starting_rev, destination = _split_range(revision, sql, "downgrade")
    if sql and starting_rev is None:
        raise CommandError("downgrade with --sql requires <fromrev>:<torev>")
    _migrate(
        config,
        script,
        script.plan_downgrade,
        sql,
        starting_rev,
        destination,
        tag,
        skip_validation,
        resume,
    )


def show(config: Config, rev: str) -> None:
    """Print the revision(s) ``rev`` names; ``"current"`` asks the database."""
    script = load_script(config)

    def print_revisions(revs: Any) -> None:
        for sc in script.get_revisions(revs):
            if sc is not None:
                config.print_stdout(sc.log_entry)

    if rev != "current":
        print_revisions(rev)
        return

    def show_current(heads: Any, context: Any) -> list[Any]:
        print_revisions(heads)
        return []

    run_env(config, script, show_current, dont_mutate=True)


def history(
    config: Config,
    rev_range: str | None = None,
    verbose: bool = False,
    indicate_current: bool = False,
) -> None:
    """List the revisions in ``rev_range`` (``[start]:[end]``), newest first."""
    from sterna.commands import history as _history

    script = load_script(config)
    rng = _history.HistoryRange.parse(rev_range)
    fmt = _history.HistoryFormat(verbose=verbose, indicate_current=indicate_current)
    if not (rng.uses_current or indicate_current or _revision_environment(config)):
        _history.show(config, script, rng.lower or "base", rng.upper or "heads", fmt)
        return

    def display(heads: Any, context: Any) -> list[Any]:
        _history.show_with_current(config, script, rng, fmt, tuple(heads or ()))
        return []

    run_env(config, script, display, dont_mutate=True)


def heads(config: Config, verbose: bool = False, resolve_dependencies: bool = False) -> None:
    """Print the head revisions of the script directory."""
    script = load_script(config)
    found = script.get_revisions("heads" if resolve_dependencies else script.get_heads())
    for rev in found:
        if rev is not None:
            config.print_stdout(
                rev.cmd_format(verbose, include_branches=True, tree_indicators=False)
            )


def branches(config: Config, verbose: bool = False) -> None:
    """Print each branch point and the revisions it branches into."""
    script = load_script(config)
    if not any(sc.is_branch_point for sc in script.revision_map):
        return  # nothing to print: no need to put every revision in order
    for sc in script.walk_revisions():
        if not sc.is_branch_point:
            continue
        indent = " " * len(str(sc.revision))
        children = []
        for child_id in sorted(sc.nextrev):
            child = script.get_revision(child_id)
            if child is not None:
                line = child.cmd_format(False, include_branches=True, include_doc=verbose)
                children.append(f"{indent} -> {line}")
        config.print_stdout(
            "%s\n%s\n", sc.cmd_format(verbose, include_branches=True), "\n".join(children)
        )


def current(config: Config, check_heads: bool = False, verbose: bool = False) -> None:
    """Print the revision(s) the database is at."""
    script = load_script(config)

    def display(heads: Any, context: Any) -> list[Any]:
        if verbose:
            url = obfuscate_url_pw(context.connection.engine.url)
            config.print_stdout("Current revision(s) for %s:", url)
        at = tuple(heads or ())
        if check_heads and set(at) != set(script.get_heads()):
            raise DatabaseNotAtHead("Database is not on all head revisions")
        for rev in script.get_all_current(at):
            config.print_stdout(rev.cmd_format(verbose))
        return []

    run_env(config, script, display, dont_mutate=True)


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
) -> None:
    """Write ``revision`` (one or several) to the version table without running migrations."""
    script = load_script(config)
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

    def steps(heads: Any, context: Any) -> Any:
        script.import_scripts()  # all of them, in Alembic's order: see import_scripts
        return script.plan_stamp(tuple(destinations), heads, purge=purge)

    run_env(
        config,
        script,
        steps,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=tuple(destinations),
        tag=tag,
        purge=purge,
    )


def edit(config: Config, rev: str) -> None:
    """Open the script(s) of ``rev`` in ``$EDITOR``; ``"current"`` asks the database."""
    from sterna.commands.editor import open_in_editor

    script = load_script(config)
    if rev != "current":
        found = [sc for sc in script.get_revisions(rev) if sc is not None]
        if not found:
            raise CommandError(f"No revision files indicated by symbol {rev!r}")
        for sc in found:
            open_in_editor(sc.path)
        return

    def edit_current(heads: Any, context: Any) -> list[Any]:
        if not heads:
            raise CommandError("No current revisions")
        for sc in script.get_revisions(heads):
            if sc is not None:
                open_in_editor(sc.path)
        return []

    run_env(config, script, edit_current, dont_mutate=True)


def ensure_version(config: Config, sql: bool = False) -> None:
    """Create the version table if it does not exist yet."""
    script = load_script(config)

    def create(heads: Any, context: Any) -> list[Any]:
        # online, run_migrations() has created the table before calling this function
        if context.as_sql:
            context.impl._exec(context._version.create_statement())
        return []

    run_env(config, script, create, as_sql=sql)


def validate(config: Config) -> None:
    """Check the applied scripts against the checksums in the history table (read-only; fails
    naming the first revision at fault)."""
    from sterna.commands.validate import find_problems, summary

    script = load_script(config)

    def check(heads: Any, context: Any) -> list[Any]:
        script.import_scripts()
        problems = find_problems(context, script, heads)
        if problems:
            for problem in problems:
                config.print_stdout(problem.describe())
            raise HistoryValidationError(summary(problems))
        config.print_stdout("The applied scripts match the history.")
        return []

    run_env(config, script, check, dont_mutate=True)


def repair(config: Config) -> None:
    """After review: record the applied scripts' current checksums and mark failed steps
    repaired (prints each change)."""
    from sterna.commands.validate import repair as _repair

    script = load_script(config)

    def fix(heads: Any, context: Any) -> list[Any]:
        script.import_scripts()
        with context.begin_transaction():
            lines = _repair(context, script, heads)
            _commit_own(context)
        for line in lines or ["Nothing to repair."]:
            config.print_stdout(line)
        return []

    run_env(config, script, fix, dont_mutate=True)


def resolve(
    config: Config, revision: str, applied: bool = False, rolled_back: bool = False
) -> None:
    """After a human finished (``applied``) or undid (``rolled_back``) by hand a step that
    failed part way: record it so, under the migration lock (see sterna/commands/resolve.py)."""
    from sterna.commands.resolve import find_open_failure
    from sterna.commands.resolve import resolve as _resolve
    from sterna.commands.validate import history_table

    if applied == rolled_back:
        raise CommandError("resolve: give exactly one of --applied and --rolled-back")
    script = load_script(config)

    def mark(heads: Any, context: Any) -> list[Any]:
        if context.lock_pending:  # done once the lock is held (the run plans again then)
            return []
        script.import_scripts()
        table = history_table(context)
        row = find_open_failure(table, context.connection, revision)
        with context.begin_transaction():
            line = _resolve(context, script, tuple(heads), table, row, applied)
            _commit_own(context)
        config.print_stdout(line)
        return []

    run_env(config, script, mark)


def _commit_own(context: Any) -> None:
    """Commit what was written when no transaction of env.py or the caller holds it."""
    conn = context.connection
    if conn.in_transaction() and context._transaction is None and not context._external_transaction:
        conn.commit()
