"""Shared plumbing of the commands: loading the script directory and running env.py.

SQLAlchemy and the runtime are imported only inside :func:`run_env`, so the commands that need
no database never load them.
"""

from __future__ import annotations

import sys

from sterna.config import Config, parse_bool
from sterna.errors import CommandError, DatabaseError
from sterna.script._locations import prepend_sys_path

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from sterna.script import ScriptDirectory

    #: ``fn(current_heads, migration_context) -> steps`` as given to ``EnvironmentContext``.
    StepsFunction = Callable[[Any, Any], Iterable[Any]]


def load_script(config: Config) -> ScriptDirectory:
    """The project's :class:`ScriptDirectory`, after checking that a config exists and
    putting ``prepend_sys_path`` in front of ``sys.path``.  A sourceless directory is read at
    once, under the ``alembic`` import alias."""
    config.require()
    prepend_sys_path(config)
    from sterna.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    if script.sourceless:
        # the headers of bytecode-only scripts are read by importing them: under the alias,
        # so that their `from alembic import op` is Sterna's (Alembic need not be installed)
        from sterna.compat import alembic_alias

        with alembic_alias():
            script.revision_map  # noqa: B018 - reading the map loads the scripts
    return script


def revision_environment(config: Config) -> bool:
    """Whether env.py runs for ``revision``, ``merge`` and ``history`` too
    (``revision_environment``)."""
    value = config.get_alembic_option("revision_environment")
    if value is None or isinstance(value, bool):
        return bool(value)
    return parse_bool(str(value), "option 'revision_environment'")


def run_env(config: Config, script: ScriptDirectory, fn: StepsFunction, **kw: Any) -> None:
    """Run ``env.py`` with an ``EnvironmentContext`` whose migration function is ``fn``.

    While it runs, ``import alembic`` resolves to Sterna (:func:`sterna.compat.alembic_alias`),
    so env.py and scripts written for Alembic run unchanged.

    SQLAlchemy errors that escape env.py (an unusable ``sqlalchemy.url``, a failed connect, a
    statement failing outside the migration steps) become one-line :class:`DatabaseError`\\ s
    that show the URL without its password and say what the database is left in.  SQLAlchemy's
    warning about URL query arguments a driver ignores is one of them.
    """
    import warnings

    from sqlalchemy.exc import SAWarning

    from sterna.compat import alembic_alias
    from sterna.runtime.environment import EnvironmentContext
    from sterna.runtime.errors import UNACCEPTED_QUERY_WARNING

    history_table = config.get_alembic_option("sterna_history_table")
    if history_table and "sterna_history_table" not in kw:
        kw["sterna_history_table"] = str(history_table)
    environment = EnvironmentContext(config, script, fn=fn, **kw)
    try:
        with warnings.catch_warnings(), alembic_alias(), environment:
            warnings.filterwarnings("error", UNACCEPTED_QUERY_WARNING, SAWarning)
            script.run_env()
    except CommandError:
        raise
    except Exception as exc:
        converted = database_error(exc, config, environment.steps_started)
        if converted is None:
            raise
        raise converted from exc


def database_error(exc: BaseException, config: Config, steps_run: int = 0) -> DatabaseError | None:
    """A one-line :class:`DatabaseError` for a SQLAlchemy error, or None for other errors."""
    if sys.modules.get("sqlalchemy.exc") is None:
        return None
    from sterna.runtime.errors import describe_env_error

    return describe_env_error(exc, config.get_main_option("sqlalchemy.url"), steps_run)
