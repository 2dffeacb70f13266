"""The ``sterna`` command line: argument parsing, then one call into :mod:`sterna.command`.

The verbs and their options are Alembic's.  The global options (``-c``, ``-n``, ``-x``,
``--raiseerr``, ``-q``, ``--version``) are accepted before or after the verb; after the verb,
``current`` keeps Alembic's meaning of ``-c`` (``--check-heads``), so there the config file is
given with ``--config``.

Nothing here imports SQLAlchemy: ``--help`` and the commands that need no database stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import namedtuple

from sterna import __version__
from sterna.cli_argv import attach_range_values, leftover_error
from sterna.config import Config
from sterna.errors_config import ConfigError
from sterna.errors_root import CommandError
from sterna.util.console import ConsolePolicy
from sterna.util.messaging import hide_passwords

# ``typing`` is imported for the type checker only: importing it would cost every command line
# about 3 ms.  The records are built with ``collections.namedtuple`` at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, NamedTuple

    class _ArgFields(NamedTuple):
        flags: tuple[str, ...]
        options: dict[str, Any]

    class _VerbFields(NamedTuple):
        help: str
        args: tuple[Arg, ...] = ()
        positional: tuple[str, ...] = ()
else:
    _ArgFields = namedtuple("Arg", "flags options")
    _VerbFields = namedtuple("Verb", "help args positional", defaults=((), ()))


class Arg(_ArgFields):
    """One argument of a verb: argparse flags and keyword arguments."""

    __slots__ = ()


class Verb(_VerbFields):
    """A verb: its help line, its arguments, and the command parameters they feed."""

    __slots__ = ()


def _flag(*flags: str, help: str) -> Arg:  # mirrors argparse's keyword
    return Arg(flags, {"action": "store_true", "help": help})


def _value(*flags: str, help: str, **options: Any) -> Arg:
    return Arg(flags, {"help": help, **options})


_SQL = _flag("--sql", help="Write the SQL to standard output instead of running it (offline mode).")
_TAG = _value("--tag", help="A free-form tag passed to env.py (context.get_tag_argument()).")
_LOCK_TIMEOUT = _value(
    "--lock-timeout",
    type=float,
    metavar="SECONDS",
    help="How long to wait for another run's migration lock on this database (default 600, "
    "or sterna_lock_timeout in the config).",
)
_NO_LOCK = _flag("--no-lock", help="Run without taking the migration lock (sterna_lock = false).")
#: options for the run rather than the command function: passed in ``config.attributes``
_RUN_OPTIONS = {"lock_timeout": "sterna.lock_timeout", "no_lock": "sterna.lock"}
#: sterna.util.progress.SETTING (not imported: --help and the read commands stay cheap)
_PROGRESS = "sterna.progress"
_VERBOSE = _flag("-v", "--verbose", help="Show more detail.")
_MESSAGE = _value("-m", "--message", help="The message (title) of the new revision.")
_BRANCH_LABEL = _value("--branch-label", help="A branch label for the new revision.")
_REV_ID = _value("--rev-id", help="Use this revision id instead of a generated one.")
_SPLICE = _flag("--splice", help="Allow a revision that is not a head as the parent.")
_REVISIONS = Arg(("revisions",), {"nargs": "+", "help": "One or more revisions, or 'heads'."})
_REVISION = Arg(("revision",), {"help": "The target revision (for --sql also start:end)."})
_SKIP_VALIDATION = _flag(
    "--skip-validation",
    help="Do not check the applied scripts against the checksums in the history table "
    "for this run.",
)

_RESUME = _flag(
    "--resume",
    help="Run the step that failed part way again with the fixed script, skipping the "
    "statements that took effect (recorded in the history table) when they are unchanged.",
)

VERBS: dict[str, Verb] = {
    "branches": Verb("Show the branch points of the revision graph.", (_VERBOSE,)),
    "check": Verb(
        "Check whether the database matches the models: fail, listing the differences, when "
        "autogenerate would write operations."
    ),
    "current": Verb(
        "Show the revision(s) the database is at.",
        (
            _flag(
                "-c", "--check-heads", help="Fail unless the database is at every head revision."
            ),
            _VERBOSE,
        ),
    ),
    "downgrade": Verb(
        "Revert the database to an earlier revision.",
        (_SQL, _TAG, _LOCK_TIMEOUT, _NO_LOCK, _SKIP_VALIDATION, _RESUME, _REVISION),
        ("revision",),
    ),
    "edit": Verb(
        "Open revision script(s) in $EDITOR.",
        (Arg(("rev",), {"help": "The revision to edit, or 'current'."}),),
        ("rev",),
    ),
    "ensure_version": Verb("Create the version table if it does not exist yet.", (_SQL,)),
    "heads": Verb(
        "Show the head revisions of the script directory.",
        (
            _VERBOSE,
            _flag(
                "--resolve-dependencies", help="Count dependencies as parents when finding heads."
            ),
        ),
    ),
    "history": Verb(
        "List the revisions, newest first.",
        (
            _value(
                "-r",
                "--rev-range",
                dest="rev_range",
                help="Only the revisions in [start]:[end]; either side may be 'current'.",
            ),
            _VERBOSE,
            _flag("-i", "--indicate-current", help="Mark the database's current revision(s)."),
        ),
    ),
    "init": Verb(
        "Create a new migration environment (scripts folder and config file).",
        (
            _value(
                "-t",
                "--template",
                default="generic",
                help="The template to use (see list_templates); default 'generic'.",
            ),
            _flag("--package", help="Also write __init__.py in the folder and in versions/."),
            _flag(
                "--alembic-imports",
                help="Write 'from alembic import context/op' in env.py and script.py.mako, "
                "so that Alembic can run the project too (default: 'from sterna import').",
            ),
            Arg(("directory",), {"help": "The folder to create."}),
        ),
        ("directory",),
    ),
    "list_templates": Verb("List the templates 'init' can use."),
    "merge": Verb(
        "Write a revision that merges several revisions into one.",
        (_MESSAGE, _BRANCH_LABEL, _REV_ID, _SPLICE, _REVISIONS),
        ("revisions",),
    ),
    "resolve": Verb(
        "After fixing a step that failed part way by hand: record it as applied (the version "
        "table moves past it) or as rolled back (it will run again).",
        (
            _flag("--applied", help="The step's changes are complete in the database."),
            _flag("--rolled-back", help="The step's changes are undone in the database."),
            _LOCK_TIMEOUT,
            _NO_LOCK,
            Arg(("revision",), {"help": "The revision whose step failed part way."}),
        ),
        ("revision",),
    ),
    "revision": Verb(
        "Write a new revision script.",
        (
            _MESSAGE,
            _flag(
                "--autogenerate",
                help="Compare the database with the models (env.py's target_metadata) and "
                "write the operations that bring it up to date.",
            ),
            _SQL,
            _value(
                "--head",
                default="head",
                help="The parent: a head revision or <branchname>@head (default 'head').",
            ),
            _SPLICE,
            _BRANCH_LABEL,
            _value("--version-path", help="The version folder to write the script in."),
            _REV_ID,
            _value(
                "--depends-on",
                action="append",
                help="A revision the new one depends on (may be repeated).",
            ),
        ),
    ),
    "show": Verb(
        "Show the revision(s) named by an identifier.",
        (Arg(("rev",), {"help": "A revision identifier, or 'current'."}),),
        ("rev",),
    ),
    "stamp": Verb(
        "Set the version table to the given revision(s) without running migrations.",
        (
            _SQL,
            _TAG,
            _flag("--purge", help="Empty the version table before stamping."),
            _LOCK_TIMEOUT,
            _NO_LOCK,
            _REVISIONS,
        ),
        ("revisions",),
    ),
    "repair": Verb(
        "After reviewing the changes: record the applied scripts' current checksums in the "
        "history table and mark failed steps repaired."
    ),
    "upgrade": Verb(
        "Upgrade the database to a later revision.",
        (_SQL, _TAG, _LOCK_TIMEOUT, _NO_LOCK, _SKIP_VALIDATION, _RESUME, _REVISION),
        ("revision",),
    ),
    "validate": Verb(
        "Check that the applied scripts still match the checksums in the history table "
        "(read-only; exit status 1 when one differs, is gone or failed part way)."
    ),
}

_GLOBAL_SUFFIX = "_after_verb"


class _VersionAction(argparse.Action):
    """``--version``: Sterna's version and the Alembic release it follows (read only when asked:
    ``sterna.compat`` imports ``typing``, which the read-only commands avoid)."""

    def __init__(self, option_strings: list[str], prog: str, **kw: Any) -> None:
        kw.update(dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0)
        super().__init__(option_strings, **kw)
        self.prog = prog

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from sterna.compat import ALEMBIC_API_VERSION

        sys.stdout.write(f"{self.prog} {__version__} (Alembic {ALEMBIC_API_VERSION} compatible)\n")
        parser.exit()


def _add_globals(
    parser: argparse.ArgumentParser, prog: str, *, after_verb: bool, short_c: bool
) -> None:
    """The global options; after the verb their values go to ``<dest>_after_verb``."""
    suffix = _GLOBAL_SUFFIX if after_verb else ""
    extra: dict[str, Any] = {"default": argparse.SUPPRESS} if after_verb else {}
    group: Any = parser.add_argument_group("global options") if after_verb else parser
    group.add_argument(
        "--version",
        action=_VersionAction,
        prog=prog,
        help="Show Sterna's version (and the Alembic release it follows) and exit.",
    )
    config_flags = ("-c", "--config") if short_c else ("--config",)
    group.add_argument(
        *config_flags,
        action="append",
        dest="config" + suffix,
        metavar="FILE",
        **extra,
        help="The config file: an .ini file and/or a pyproject.toml (give -c twice for both). "
        "Default: $ALEMBIC_CONFIG, else alembic.ini and pyproject.toml.",
    )
    group.add_argument(
        "-n",
        "--name",
        dest="name" + suffix,
        metavar="NAME",
        **(extra or {"default": "alembic"}),
        help="The section of the .ini file to read (default 'alembic').",
    )
    group.add_argument(
        "-x",
        action="append",
        dest="x" + suffix,
        metavar="KEY=VALUE",
        **extra,
        help="KEY=VALUE for env.py (context.get_x_argument()); may be repeated.",
    )
    group.add_argument(
        "--raiseerr",
        action="store_true",
        dest="raiseerr" + suffix,
        **extra,
        help="Show the full traceback of an error.",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        dest="quiet" + suffix,
        **extra,
        help="Print nothing on standard output.",
    )


def _terminal_columns() -> int:
    """The width argparse would take for help text: ``$COLUMNS`` when it is a positive number,
    else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80
    return size.columns or 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, given its width without importing :mod:`shutil` (and with it bz2,
    lzma...), which argparse does for every argument added, though only help output needs it."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def build_parser(
    prog: str = "sterna", only: frozenset[str] | None = None
) -> argparse.ArgumentParser:
    """The argument parser for every verb (for the verbs in ``only``, when given: building
    all of them costs more than a command that only reads the script directory)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Sterna: schema migrations for SQLAlchemy (Alembic-compatible).",
        formatter_class=_HelpFormatter,
    )
    _add_globals(parser, prog, after_verb=False, short_c=True)
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", title="verbs")
    for name in sorted(VERBS):
        if only is not None and name not in only:
            continue
        verb = VERBS[name]
        sub = add_verb(verbs, prog, name, verb.help)
        for arg in verb.args:
            sub.add_argument(*arg.flags, **arg.options)
        if name == "revision":
            # env.py files test config.cmd_opts.autogenerate; Sterna does not offer it yet
            sub.set_defaults(autogenerate=False)
    return parser


def add_verb(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], prog: str, name: str, help: str
) -> argparse.ArgumentParser:
    """Add the parser of verb ``name`` (with the global options after it) to ``verbs``."""
    sub = verbs.add_parser(name, help=help, description=help, formatter_class=_HelpFormatter)
    _add_globals(sub, prog, after_verb=True, short_c=name != "current")
    return sub


def _merge_globals(options: argparse.Namespace) -> None:
    """Fold the global options given after the verb into the ones given before it."""
    for key in ("config", "x"):
        after = getattr(options, key + _GLOBAL_SUFFIX, None)
        if after:
            setattr(options, key, (getattr(options, key) or []) + after)
    for key in ("name", "raiseerr", "quiet"):
        if hasattr(options, key + _GLOBAL_SUFFIX):
            setattr(options, key, getattr(options, key + _GLOBAL_SUFFIX))
    for key in ("config", "x", "name", "raiseerr", "quiet"):
        if hasattr(options, key + _GLOBAL_SUFFIX):
            delattr(options, key + _GLOBAL_SUFFIX)


def config_files(names: Sequence[str] | None) -> tuple[str | None, str]:
    """``(toml, ini)`` from the ``-c`` values, falling back to ``ALEMBIC_CONFIG``.

    A name ending in ``.toml`` is the pyproject file, anything else the ini file.
    """
    env = os.environ.get("ALEMBIC_CONFIG")
    default_ini, default_toml = "alembic.ini", "pyproject.toml"
    if env and env.endswith(".toml"):
        default_toml = env
    elif env:
        default_ini = env
    toml: str | None = None
    ini: str | None = None
    for name in names or ():
        if name.endswith(".toml"):
            if toml is not None:
                raise ConfigError(f"Only one pyproject.toml may be given (got {toml} and {name})")
            toml = name
        else:
            if ini is not None:
                raise ConfigError(f"Only one ini file may be given (got {ini} and {name})")
            ini = name
    return toml or default_toml, ini or default_ini


def verb_call(options: argparse.Namespace) -> tuple[Any, list[str], list[str]]:
    """``(function, positional names, keyword names)`` of the command ``options`` ask for:
    ``options.cmd`` when set (a command added with ``CommandLine.register_command``), else the
    verb's function of :mod:`sterna.command`."""
    cmd = getattr(options, "cmd", None)
    if cmd is not None:
        return cmd  # type: ignore[no-any-return]
    from sterna import command  # keeps --help and parse errors cheap

    verb = VERBS[options.verb]
    keywords: list[str] = []
    for arg in verb.args:
        dest = arg.options.get("dest") or arg.flags[-1].lstrip("-").replace("-", "_")
        if dest not in verb.positional and dest not in _RUN_OPTIONS:
            keywords.append(dest)
    return getattr(command, options.verb), list(verb.positional), sorted(keywords)


def _check_explicit_files(options: argparse.Namespace) -> None:
    """A config file named with -c must exist (except for init, which creates it)."""
    if options.verb in ("init", "list_templates") or options.verb not in VERBS:
        return
    for name in options.config or ():
        if not os.path.isfile(name):
            raise ConfigError(f"Config file {name!r} not found")


def config_for(options: argparse.Namespace, console: ConsolePolicy | None = None) -> Config:
    """The Config a parsed command line runs with (``console``: the console script's policy,
    carried by the Config as ``config.console``)."""
    toml, ini = config_files(options.config)
    config = Config(file_=ini, toml_file=toml, ini_section=options.name, cmd_opts=options)
    config.console = console
    _run_attributes(options, config)
    return config


def call(config: Config, options: argparse.Namespace) -> None:
    """Run the command of parsed ``options`` with ``config`` (a config file named with -c must
    exist, except for init and list_templates)."""
    _check_explicit_files(options)
    function, positional, keywords = options.cmd = verb_call(options)
    function(
        config,
        *[getattr(options, name) for name in positional],
        **{name: getattr(options, name, None) for name in keywords},
    )


def run(options: argparse.Namespace, console: ConsolePolicy | None = None) -> None:
    """Build the Config for parsed ``options`` and run the verb."""
    call(config_for(options, console), options)


def _run_attributes(options: argparse.Namespace, config: Config) -> None:
    """``--lock-timeout`` and ``--no-lock``, for the runtime, in ``config.attributes``; and
    progress output (sterna.util.progress), which the command line asks for unless ``-q``."""
    if not getattr(options, "quiet", False):
        config.attributes[_PROGRESS] = True
    timeout = getattr(options, "lock_timeout", None)
    if timeout is not None:
        config.attributes[_RUN_OPTIONS["lock_timeout"]] = timeout
    if getattr(options, "no_lock", False):
        config.attributes[_RUN_OPTIONS["no_lock"]] = False


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return hide_passwords(" ".join(lines) if len(lines) <= 3 else lines[0])


def _fail(message: str) -> int:
    sys.stdout.flush()
    sys.stderr.write(f"FAILED: {_one_line(message)}\n")
    sys.stderr.flush()
    return 1


def _os_error_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    return reason


def _verbs_named(argv: Sequence[str]) -> frozenset[str] | None:
    """The verbs whose parsers ``argv`` can reach: every word that is a verb's name (one may be
    an option's value, so all of them), or ``None`` (all verbs) when there is none or when a
    help option comes before the first, since the overall help lists every verb."""
    named: set[str] = set()
    for item in argv:
        if item in VERBS:
            named.add(item)
        elif not named and item.startswith(("-h", "--h")):
            return None
    return frozenset(named) or None


def parse_args(argv: Sequence[str] | None, prog: str = "sterna") -> argparse.Namespace:
    """Parse a command line (``sys.argv[1:]`` when None) into options for :func:`run`."""
    args = attach_range_values(sys.argv[1:] if argv is None else argv)
    return parse_with(build_parser(prog, _verbs_named(args)), args)


def parse_with(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv`` (``sys.argv[1:]`` when None) with ``parser`` (one of :func:`build_parser`'s,
    maybe with more verbs): a verb is required; global options after it are folded in."""
    args = attach_range_values(sys.argv[1:] if argv is None else argv)
    options, extras = parser.parse_known_args(args)
    if extras:
        parser.error(leftover_error(options, args, extras))
    if options.verb is None:
        parser.error("a verb is required (see --help)")
    _merge_globals(options)
    return options


def main(
    argv: Sequence[str] | None = None,
    prog: str = "sterna",
    console: ConsolePolicy | None = None,
) -> int:
    """Run the command line; returns the exit status: 0 on success, 1 on a user error
    (``FAILED: ...`` on stderr), 2 for a usage error, 130 when interrupted.  ``console``: the
    speed measures the console script takes on its own process (none for a library call)."""
    options = parse_args(argv, prog)
    return guarded(options, lambda: run(options, console))


def guarded(options: argparse.Namespace, action: Callable[[], object]) -> int:
    """Run ``action`` and return the exit status for its outcome: 0 on success, 1 on a user error
    (``FAILED: ...`` on stderr), 130 when interrupted; with ``--raiseerr`` errors propagate."""
    try:
        action()
    except CommandError as exc:
        if options.raiseerr:
            raise
        return _fail(str(exc) or type(exc).__name__)
    except OSError as exc:
        if options.raiseerr:
            raise
        return _fail(_os_error_message(exc))
    except KeyboardInterrupt as exc:
        if options.raiseerr:
            raise
        _fail(f"interrupted: {exc}" if str(exc) else "interrupted")
        return 130
    return 0


def console_main() -> None:
    """The ``sterna`` console script and ``python -m sterna``: :func:`main` with the speed
    measures a process that ends with the command may take (:class:`ConsolePolicy`: revision
    graphs kept until exit, no cyclic garbage collection until env.py runs, a fast exit)."""
    console = ConsolePolicy()
    console.start()
    console.exit(main(console=console))
