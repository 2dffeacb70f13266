"""What the ``sterna`` console script may do to its own process, and a library call may not.

The console script (:func:`sterna.cli.console_main`) owns its process: it ends with the command.
So it may take three measures for speed that would harm a program using Sterna as a library
(a web app running ``command.upgrade`` at start-up, a test session running many commands, a
server with other threads): keep the revision graphs alive until exit instead of freeing them
object by object; change the cyclic garbage collector (off while the graphs are read, what exists
when env.py starts frozen out of its reach, thresholds raised while autogenerate compares a large
model); and leave with ``os._exit`` once nothing needs tearing down.  A :class:`ConsolePolicy`
holds these measures; the console script makes one and passes it down on the
:class:`~sterna.config.Config` it builds (``config.console``), and the code that would take a
measure asks for it there.  Without one (every library call, including ``sterna.cli.main`` and
``alembic.config.main``) the collector and the process are left alone.

Standard library only (not even ``typing`` at run time): the bottom layer.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys

# names used in annotations only: ``typing`` is not imported at run time (the read-only commands
# avoid it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any, NoReturn

#: While autogenerate compares: young objects still collected often enough to free short-lived
#: cycles, but full collections, which walk every object of a large MetaData again and again as
#: it grows, (almost) never happen.
FEW_COLLECTIONS = (50_000, 20, 100)


class ConsolePolicy:
    """The speed measures of a process the console script owns (see the module docstring)."""

    def __init__(self) -> None:
        self._kept: list[object] = []
        self._collector_held = False

    def start(self) -> None:
        """The command begins: no cyclic garbage collection until env.py runs (everything
        made before, the revision graphs above all, stays alive until exit)."""
        gc.disable()
        self._collector_held = True

    def keep(self, *objects: object) -> None:
        """Keep ``objects`` until the process ends (never freed one by one)."""
        self._kept.extend(objects)

    def env_starts(self) -> None:
        """env.py is about to run: the user's code gets the collector back.  What is alive
        now (the imported modules, the revision graphs, the scripts' code: everything the
        command made with the collector off) is moved out of its reach first (``gc.freeze``):
        it lives until exit anyway, and the first collections would otherwise walk all of it
        (on a migration run of 200 revisions, a tenth of the time outside the database)."""
        if self._collector_held:
            self._collector_held = False
            gc.freeze()  # what was made so far stays alive: no collection walks it again
            gc.enable()

    @contextlib.contextmanager
    def collector_paused(self) -> Iterator[None]:
        """No collection while thousands of objects that all stay alive are made (the collector
        would only walk them again and again: a fifth of the time of a graph load)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if enabled:
                gc.freeze()  # and no collection walks them afterwards either
                gc.enable()

    @contextlib.contextmanager
    def few_collections(self) -> Iterator[None]:
        """:data:`FEW_COLLECTIONS` for the block and after it: the process ends with the
        command, and restoring them would only buy a full collection just before exit."""
        gc.set_threshold(*FEW_COLLECTIONS)
        yield

    def exit(self, status: int) -> NoReturn:
        """Leave with ``status``.  A command that never imported SQLAlchemy opened no connection
        and started no thread: after the exit handlers ran and the output is flushed, the
        process leaves at once instead of freeing its objects one by one (a tenth of a
        ``heads`` run over 5,000 revisions).  Anything else exits as usual."""
        if "sqlalchemy" in sys.modules:
            sys.exit(status)
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            # a closed pipe (`sterna history | head`), a closed stream: nothing more to say
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(status)


def console_of(config: Any) -> ConsolePolicy | None:
    """The policy a config carries (``None``: a library call, take no measure)."""
    policy = getattr(config, "console", None)
    return policy if isinstance(policy, ConsolePolicy) else None


def collector_paused(policy: ConsolePolicy | None) -> contextlib.AbstractContextManager[None]:
    """``policy.collector_paused()``, or nothing for a library call."""
    return policy.collector_paused() if policy is not None else contextlib.nullcontext()
