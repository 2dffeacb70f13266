"""One test's outcome, read from the JUnit XML pytest writes for one file and one run."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

#: parametrised ids carry the backend (``Foo_sqlite+pysqlite_3_40_1``); strip it so runs compare
_BACKEND_SUFFIX = re.compile(r"_(sqlite|postgresql|mysql|mariadb)\+\w+?_[\d_]+(?=::|$|\[)")


@dataclass(frozen=True)
class Outcome:
    test_id: str
    status: str  # passed / failed / error / skipped
    message: str = ""
    text: str = ""


def _status(case: ET.Element) -> tuple[str, str, str]:
    for tag in ("failure", "error", "skipped"):
        node = case.find(tag)
        if node is not None:
            status = "skipped" if tag == "skipped" else ("failed" if tag == "failure" else "error")
            return status, node.get("message", ""), node.text or ""
    return "passed", "", ""


def read_junit(path: Path) -> dict[str, Outcome]:
    """Test id -> outcome; a test with an error in teardown after passing counts as error."""
    if not path.exists():
        return {}
    outcomes: dict[str, Outcome] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        classname = case.get("classname", "")
        test_id = _BACKEND_SUFFIX.sub("", f"{classname}::{case.get('name', '')}")
        status, message, text = _status(case)
        known = outcomes.get(test_id)
        if known is not None and known.status != "passed":
            continue
        outcomes[test_id] = Outcome(test_id, status, message, text)
    return outcomes
