"""The conformance suite's session summary: what was compared and which known differences were
met, summed over xdist workers.

Hooks of a plugin module: ``tests/conformance/conftest.py`` imports them, which is enough when
the conformance folder is named on the command line (or without xdist).  For a whole-suite run
under xdist the controller process only loads the top-level conftest, so that file (or the
pytest options) must load this module as a plugin:
``pytest_plugins = ["tests.conformance.summary"]``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.conformance import tally
from tests.conformance.known_differences import KNOWN

_WORKER_KEY = "sterna_conformance_tally"
#: Per xdist worker id: its counts (a dict, so that hooks registered twice count once).
_COLLECTED: dict[str, dict[str, dict[str, int]]] = {}
_PRINTED: list[bool] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the controller
        workeroutput[_WORKER_KEY] = {"counts": dict(tally.COUNTS), "known": dict(tally.KNOWN_HITS)}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    data = getattr(node, "workeroutput", {}).get(_WORKER_KEY)
    if data:
        _COLLECTED[str(getattr(getattr(node, "gateway", None), "id", id(node)))] = data


def pytest_terminal_summary(terminalreporter: Any) -> None:
    counts: Counter[str] = Counter(tally.COUNTS)
    known: Counter[str] = Counter(tally.KNOWN_HITS)
    for data in _COLLECTED.values():
        counts.update(data["counts"])
        known.update(data["known"])
    if not counts or _PRINTED:
        return
    _PRINTED.append(True)
    write = terminalreporter.write_line
    terminalreporter.section("Sterna/Alembic conformance")
    for kind, label in tally.KINDS.items():
        write(f"{counts.get(kind, 0):>8}  {label}")
    write("known differences met (tests/conformance/known_differences.py):")
    for entry in KNOWN:
        write(f"{known.get(entry.key, 0):>8}  {entry.key}")
