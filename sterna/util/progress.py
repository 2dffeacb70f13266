"""Progress of long runs: one live line on a terminal, log records anywhere else, nothing for a
library call.

Who asks: the ``sterna`` command line sets ``config.attributes["sterna.progress"] = True``
(:data:`SETTING`) unless ``-q`` is given; a program calling :mod:`sterna.command` gets progress
only when it sets that key itself.  :func:`reporter_for` turns the setting into a
:class:`Reporter`:

* standard error is a terminal (``isatty()``, and ``TERM`` is not ``dumb``): a
  :class:`TerminalReporter` draws one status line (``[3/12] upgrade a1 -> b2, add orders  4.2s``)
  that a ticker thread keeps current, and erases it before anything else reaches the terminal
  (``print`` in a migration, log lines, warnings), drawing it again below;
* otherwise (a pipe, a file, CI): a :class:`LogReporter`, plain records on the ``sterna.progress``
  logger at INFO (one per finished step, the summary), which show where the logging
  configuration lets them through (a ``[logger_sterna]`` section) -- so output compared with
  Alembic's, and every existing log, stays the same unless the project asks;
* without the setting: the base :class:`Reporter`, which reports nothing.

:class:`RunProgress` times the steps of one migration run (step i of N, the summary with the
total and the slowest steps); :func:`status` is how deeper code (autogenerate's reflection and
comparison) names what it is doing to whichever reporter is live.

Standard library only (no ``rich``/``tqdm``: see docs/production.md, "Progress output").
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import sys
import threading
import time
import unicodedata

# names used in annotations only (``typing`` is not imported at run time, as in the other util
# modules)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any, TextIO

#: the ``config.attributes`` key that asks for progress (true: report on standard error)
SETTING = "sterna.progress"
#: how many of the slowest steps the summary names
SLOWEST = 3
#: seconds between two redraws of the live line (its clock)
TICK = 0.2
#: the shortest time between two redraws asked by :func:`status` (a line per table would
#: otherwise write thousands of lines to the terminal)
REDRAW = 0.05

log = logging.getLogger("sterna.progress")

_ERASE = "\r\x1b[K"  # back to the start of the line, clear to its end


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal that understands ``\\r`` and erasing."""
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


def reporter_for(config: Any) -> Reporter:
    """The reporter ``config`` asks for (see the module docstring); no config, or no
    :data:`SETTING` in its attributes: the silent base :class:`Reporter`."""
    attributes = getattr(config, "attributes", None)
    if not isinstance(attributes, dict) or attributes.get(SETTING) is not True:
        return Reporter()
    if is_terminal(sys.stderr):
        return TerminalReporter(sys.stderr)
    # the records would be dropped (the usual logging set-up): time and describe nothing
    return LogReporter() if log.isEnabledFor(logging.INFO) else Reporter()


def seconds(value: float) -> str:
    """A duration as people read it: ``0.42s``, ``12.30s``, ``2m05s``, ``1h02m05s``."""
    if value < 60:
        return f"{value:.2f}s"
    minutes, secs = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s"


def _clock(value: float) -> str:
    """The live line's clock: tenths under a minute, then as :func:`seconds`."""
    return f"{value:.1f}s" if value < 60 else seconds(value)


_ACTIVE: contextvars.ContextVar[Reporter | None] = contextvars.ContextVar(
    "sterna_progress", default=None
)


def status(text: str) -> None:
    """Show ``text`` as what is being done now, on the live reporter if there is one (called
    once per table: the terminal's line is redrawn at most every :data:`REDRAW` seconds)."""
    reporter = _ACTIVE.get()
    if reporter is not None:
        reporter.status(text, immediate=False)


class Reporter:
    """Reports nothing: a library call, ``-q``, offline ``--sql``.  The base of the others."""

    #: whether anything is reported (the steps are then described and timed)
    reports = False

    def status(self, text: str, immediate: bool = True) -> None:
        """What is being done now (the live line; ``immediate``: drawn now, not throttled)."""

    def step_done(self, text: str) -> None:
        """One step finished (``text`` names it with its time)."""

    def summary(self, lines: Sequence[str]) -> None:
        """The run finished: its summary."""

    @contextlib.contextmanager
    def live(self) -> Iterator[Reporter]:
        """Report during the block (:func:`status` reaches this reporter)."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)


class LogReporter(Reporter):
    """Plain records on the ``sterna.progress`` logger: no live line, no ``\\r``, no colour."""

    reports = True

    def step_done(self, text: str) -> None:
        log.info("%s", text)

    def summary(self, lines: Sequence[str]) -> None:
        for line in lines:
            log.info("%s", line)


class RunProgress:
    """The steps of one migration run: each one timed and shown as ``[i/N] label``; the
    summary gives the total and the slowest steps.  ``describe(step)`` returns the step's short
    name (its revision) and its label; it is only called when something is reported."""

    def __init__(
        self,
        reporter: Reporter,
        total: int,
        verb: str,
        describe: Callable[[Any], tuple[str, str]],
    ) -> None:
        self.reporter = reporter
        self.total = total
        self.verb = verb
        self.describe = describe
        self.times: list[tuple[str, float]] = []
        self._started = time.monotonic()

    @contextlib.contextmanager
    def step(self, step: Any) -> Iterator[None]:
        """Time ``step`` (the block runs it); a step that fails is not counted."""
        if not self.reporter.reports:
            yield
            return
        name, label = self.describe(step)
        counter = f"[{len(self.times) + 1}/{self.total}]"
        self.reporter.status(f"{counter} {label}")
        began = time.monotonic()
        yield
        took = time.monotonic() - began
        self.times.append((name, took))
        self.reporter.step_done(f"{counter} {label} done in {seconds(took)}")

    def finish(self) -> None:
        """Report the summary of the steps that ran (none ran: nothing to say)."""
        if not self.times or not self.reporter.reports:
            return
        count = len(self.times)
        noun = "revision" if count == 1 else "revisions"
        total = time.monotonic() - self._started
        lines = [f"{self.verb.capitalize()}d {count} {noun} in {seconds(total)}."]
        if count > 1:
            slowest = sorted(self.times, key=lambda item: -item[1])[:SLOWEST]
            lines.append("Slowest: " + ", ".join(f"{n} {seconds(t)}" for n, t in slowest) + ".")
        self.reporter.summary(lines)


class TerminalReporter(Reporter):
    """One status line on a terminal, with the time since the block began; everything else
    written to the terminal meanwhile (standard output and error, log handlers writing there)
    goes through :class:`_Guard`, which erases the line first and draws it again after a
    complete line.  A ticker thread redraws it, so the clock moves during a slow step."""

    reports = True

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.RLock()
        self._text = ""
        self._shown = False
        self._partial = False  # someone left an unfinished line: draw nothing under it
        self._started = time.monotonic()
        self._drawn = 0.0  # when the line was last drawn
        self._stop = threading.Event()

    def status(self, text: str, immediate: bool = True) -> None:
        with self._lock:
            self._text = text
            if immediate or time.monotonic() - self._drawn >= REDRAW:
                self._draw()

    def summary(self, lines: Sequence[str]) -> None:
        with self._lock:
            self._text = ""
            self._erase()
            self._raw("".join(f"{line}\n" for line in lines))

    @contextlib.contextmanager
    def live(self) -> Iterator[Reporter]:
        self._started = time.monotonic()
        self._stop.clear()
        ticker = threading.Thread(target=self._tick, name="sterna-progress", daemon=True)
        with contextlib.ExitStack() as stack:
            stack.enter_context(super().live())
            stack.callback(self._close, ticker)
            _guard_terminal_streams(self, stack)
            ticker.start()
            yield self

    def _close(self, ticker: threading.Thread) -> None:
        self._stop.set()
        if ticker.is_alive():
            ticker.join()
        with self._lock:
            self._text = ""
            self._erase()

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            with self._lock:
                self._draw()

    def write_through(self, target: TextIO, text: str) -> None:
        """Write ``text`` to ``target`` (the same terminal) with the status line out of its way."""
        with self._lock:
            self._erase()
            target.write(text)
            with contextlib.suppress(OSError, ValueError):
                target.flush()
            if text:
                self._partial = not text.endswith("\n")
            self._draw()

    def _draw(self) -> None:
        if not self._text or self._partial:
            return
        self._drawn = time.monotonic()
        line = f"{self._text}  {_clock(self._drawn - self._started)}"
        # the last column would wrap on some terminals, and a wrapped line cannot be erased
        self._raw(_ERASE + fit(line, _width(self.stream) - 1))
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self._shown = False
            self._raw(_ERASE)

    def _raw(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # a terminal that went away
            self.stream.write(text)
            self.stream.flush()


def fit(line: str, columns: int) -> str:
    """``line`` cut to ``columns`` terminal columns, ending ``...`` when cut; wide characters
    (CJK: a revision message in Chinese) take two columns."""
    if len(line) * 2 <= columns:
        return line
    widths = [2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line]
    if sum(widths) <= columns:
        return line
    used, keep = 0, 0
    for width in widths:
        if used + width > columns - 3:
            break
        used, keep = used + width, keep + 1
    return line[:keep].rstrip() + "..."


def _width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


class _Guard:
    """A terminal stream whose writes go through :meth:`TerminalReporter.write_through`; every
    other attribute is the stream's."""

    def __init__(self, reporter: TerminalReporter, stream: TextIO) -> None:
        self._reporter = reporter
        self._stream = stream

    def write(self, text: str) -> int:
        self._reporter.write_through(self._stream, text)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _guard_terminal_streams(reporter: TerminalReporter, stack: contextlib.ExitStack) -> None:
    """Route ``sys.stdout``, ``sys.stderr`` and the log handlers writing to a terminal through
    :class:`_Guard` until ``stack`` closes."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if is_terminal(stream) and not isinstance(stream, _Guard):
            setattr(sys, name, _Guard(reporter, stream))
            stack.callback(setattr, sys, name, stream)
    for handler in _stream_handlers():
        stream = handler.stream
        if is_terminal(stream) and not isinstance(stream, _Guard):
            handler.setStream(_Guard(reporter, stream))
            stack.callback(handler.setStream, stream)


def _stream_handlers() -> list[logging.StreamHandler[Any]]:
    loggers: list[Any] = [logging.getLogger()]
    loggers.extend(logging.Logger.manager.loggerDict.values())
    found: list[logging.StreamHandler[Any]] = []
    for item in loggers:
        for handler in getattr(item, "handlers", ()):
            if isinstance(handler, logging.StreamHandler) and handler not in found:
                found.append(handler)
    return found
