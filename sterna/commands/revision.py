"""Writing new revision scripts for ``revision`` and ``merge``, then running post-write hooks.

With ``revision_environment`` the revision is first described as a ``MigrationScript`` (empty
upgrade and downgrade) so that ``process_revision_directives`` hooks (from env.py's
``configure()`` or the ``revision()`` call) can change its id, message, parent, branch label,
version path or dependencies, drop it, or add more revisions, as in Alembic.  Operations a hook
adds are rendered into the script by autogenerate's renderer (with env.py's rendering options,
such as ``render_item``), as Alembic renders them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sterna.config import Config

if TYPE_CHECKING:
    from sterna.script import Script, ScriptDirectory

Hook = Callable[[Any, Any, list[Any]], None]


@dataclass(frozen=True)
class NewRevision:
    """What to write: the arguments of ``ScriptDirectory.generate_revision``."""

    rev_id: str
    message: str | None = None
    head: str | Sequence[str] | None = "head"
    splice: bool = False
    branch_label: str | Sequence[str] | None = None
    version_path: str | os.PathLike[str] | None = None
    depends_on: str | Sequence[str] | None = None
    imports: tuple[str, ...] = ()
    #: rendered ``upgrades``/``downgrades`` (or per-engine tokens), when a hook added operations
    bodies: tuple[tuple[str, str], ...] = ()


def apply_hooks(
    new: NewRevision, hooks: Sequence[Hook], context: Any, heads: Any
) -> list[NewRevision]:
    """Let ``process_revision_directives`` hooks rewrite ``new``; returns what to write."""
    if not hooks:
        return [new]
    from sterna.operations.ops import DowngradeOps, MigrationScript, UpgradeOps

    directives: list[Any] = [
        MigrationScript(
            new.rev_id,
            UpgradeOps(ops=[]),
            DowngradeOps(ops=[]),
            message=new.message,
            head=_single(new.head),
            splice=new.splice,
            branch_label=new.branch_label,
            version_path=new.version_path,
            depends_on=new.depends_on,
        )
    ]
    for hook in hooks:
        hook(context, heads, directives)
    return [_from_directive(directive, new, context) for directive in directives]


def _single(head: str | Sequence[str] | None) -> str | None:
    return head if isinstance(head, str) or head is None else None


def _from_directive(directive: Any, default: NewRevision, context: Any) -> NewRevision:
    imports = set(directive.imports)
    bodies: tuple[tuple[str, str], ...] = ()
    if not all(
        ops.is_empty() for ops in [*directive.upgrade_ops_list, *directive.downgrade_ops_list]
    ):
        from sterna.autogenerate.api import AutogenContext  # only when needed
        from sterna.autogenerate.render import render_script

        rendered = render_script(AutogenContext(context, autogenerate=False), directive)
        bodies = tuple(rendered.bodies.items())
        imports.update(rendered.imports)
    return replace(
        default,
        rev_id=directive.rev_id or default.rev_id,
        message=directive.message,
        head=directive.head if directive.head is not None else "head",
        splice=bool(directive.splice),
        branch_label=directive.branch_label,
        version_path=directive.version_path,
        depends_on=directive.depends_on,
        imports=tuple(sorted(imports)),
        bodies=bodies,
    )


def write(
    config: Config,
    script: ScriptDirectory,
    revisions: Sequence[NewRevision],
    template_args: dict[str, Any],
) -> list[Script | None]:
    """Write each revision, then run the post-write hooks on the new file."""
    written: list[Script | None] = []
    hooks = config.get_hooks_list()
    quiet = config.messaging_opts["quiet"]
    for new in revisions:
        args = dict(template_args)
        args.update(new.bodies)
        if new.imports:
            args["imports"] = "\n".join(new.imports)
        sc = script.generate_revision(
            new.rev_id,
            new.message,
            head=new.head,
            splice=new.splice,
            branch_labels=new.branch_label,
            version_path=new.version_path,
            depends_on=new.depends_on,
            **args,
        )
        if sc is not None and hooks:
            from sterna.hooks import run_hooks

            run_hooks(sc.path, hooks, quiet=quiet)
        written.append(sc)
    return written


def write_plain(
    config: Config,
    new: NewRevision,
    environment: bool,
    *,
    sql: bool = False,
    hook: Hook | None = None,
    directives: bool = True,
) -> list[Script | None]:
    """Write ``new`` for ``revision`` (without autogenerate) or ``merge``.  With
    ``environment`` (``revision_environment``) env.py runs first, for its ``template_args`` and,
    with ``directives``, the ``process_revision_directives`` hooks (the command's ``hook``
    first, then env.py's, as in Alembic)."""
    from sterna.commands.environment import load_script, run_env
    from sterna.errors_root import CommandError

    script = load_script(config)
    if sql and not environment:
        raise CommandError(
            "revision --sql needs revision_environment = true in the configuration "
            "(there is nothing to write as SQL otherwise)"
        )
    template_args: dict[str, Any] = {"config": config}
    planned = [new]
    if environment:

        def collect(heads: Any, context: Any) -> list[Any]:
            opts = getattr(context, "opts", None) or {}
            template_args.update(opts.get("template_args") or {})
            if directives:
                hooks = [hook, opts.get("process_revision_directives")]
                planned[:] = apply_hooks(new, [h for h in hooks if h is not None], context, heads)
            return []

        run_env(config, script, collect, as_sql=sql, template_args=template_args)
    return write(config, script, planned, template_args)
