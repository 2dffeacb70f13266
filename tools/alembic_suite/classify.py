"""Rule-based first pass over Sterna's failures (tests that pass under real Alembic).

Categories: ``a`` a test of Alembic internals a drop-in does not share, ``b`` a difference in
public behaviour, ``c`` a problem of the harness (of running Alembic's harness over Sterna).
Each :class:`Verdict` carries a ``cause``: the key under which the report groups failures.
Rules, first match wins:

1. hang: pytest-timeout or the per-file timeout -> b; SQLAlchemy's pool exhausted (earlier
   failures kept connections checked out) -> b;
2. the test file (or class) is listed in :data:`INTERNAL_TESTS` -> a;
3. a missing name (``NotInSterna``, ``AliasNotProvided``, ``cannot import name``, ``No module
   named``, ``module 'alembic.x' has no attribute``): raised from the harness and internal -> c,
   public (see :mod:`.public`) -> b (marked ``intended:`` when the test is listed, see 4),
   otherwise -> a;
4. the failing line of the test uses ``obj._private`` (not ``self._helper``) -> a;
   ``mock.patch`` of a target the Sterna module lacks -> a; a test listed in
   ``ALEMBIC_SUITE_INTENDED`` (tests/conformance/known_differences.py: a test id prefix, or a
   whole id when the key ends in ``$``) -> b, marked ``intended:``; a missing attribute of an object
   (``'X' object has no attribute 'y'``) raised outside Sterna's code: ``_private`` or an
   owner in :data:`INTERNAL_OWNERS` -> a, else b;
5. a test of ``test_mssql.py`` / ``test_oracle.py`` -> b, one cause per dialect (Sterna has no
   implementation of these dialects), marked ``intended:``; an assertion that two strings are
   equal where both are the same Python code in another layout (:mod:`.layout`) -> b, marked
   ``intended:`` (Sterna writes ``ruff format``'s layout);
6. an exception other than ``AssertionError`` / ``TypeError`` raised in the harness
   (``alembic/testing`` but not its ``suite/test_*.py`` test modules, or the sdist's private
   ``util`` copy), with no Sterna frame on the stack -> c (an assertion of the harness, e.g.
   ``assert_contains`` comparing SQL, or a call the harness makes with Alembic's public
   signature is a verdict on Sterna: b);
7. anything else -> b, grouped by exception type and the innermost Sterna frame; an assertion
   failing in the test itself is grouped by test class.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from alembic_suite.layout import same_code_failure
from alembic_suite.public import PublicSurface
from alembic_suite.results import Outcome

#: test id prefix -> why the tests there exercise Alembic internals
INTERNAL_TESTS: dict[str, str] = {
    "tests.test_stubs.": "checks Alembic's generated .pyi stubs against its own source",
    "tests.test_editor.": "alembic.util.editor (how Alembic finds an editor) is internal",
}

#: raised in the harness, these are still the verdict on Sterna's public API (an assertion; a
#: call with Alembic's signature; ``opts`` that cannot be assigned to)
_PUBLIC_KINDS = {"AssertionError", "TypeError"}

#: test modules of dialects Sterna does not implement (it renders their DDL generically)
_UNSUPPORTED_DIALECTS = {"test_mssql": "MSSQL", "test_oracle": "Oracle"}

#: Sterna objects standing for Alembic internals that tests inspect (reached through internal API)
INTERNAL_OWNERS: dict[str, str] = {
    "Step": "Alembic's internal MigrationStep (tests get it from ScriptDirectory._upgrade_revs)",
}

_SOURCE = re.compile(r'^\s*File "([^"]+)", line \d+, in \S+\n\s*(.+)$', re.M)
_PRIVATE_USE = re.compile(r"(\w+)\.(_[a-z]\w*)")
_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+), in (\S+)', re.M)
_MISSING = [
    re.compile(r"NotInSterna: (alembic[\w.]*) is not provided"),
    re.compile(r"No module named '(alembic[\w.]*)'"),
    re.compile(r"cannot import name '(\w+)' from '(alembic[\w.]*)'"),
    re.compile(r"module '(alembic[\w.]*)' has no attribute '(\w+)'"),
]
_ATTRIBUTE = re.compile(
    r"'(\w+)' object has no attribute '(\w+)'|type object '(\w+)' has no "
    r"attribute '(\w+)'"
)
_PATCHED = re.compile(r"<module '([\w.]+)'.*> does not have the attribute '(\w+)'")
_SETUP = re.compile(r'^failed on (?:setup|teardown) with "(.*)', re.S)


def _intended() -> dict[str, str]:
    """``ALEMBIC_SUITE_INTENDED`` of tests/conformance/known_differences.py, read with ``ast``
    (a literal dict whose values are strings or the name of a module-level string)."""
    global _INTENDED
    if _INTENDED is None:
        source = Path(__file__).resolve().parents[2] / "tests/conformance/known_differences.py"
        tree = ast.parse(source.read_text())
        names: dict[str, str] = {}
        _INTENDED = {}
        for node in tree.body:
            target = node.target if isinstance(node, ast.AnnAssign) else None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            if not isinstance(target, ast.Name) or node.value is None:  # type: ignore[union-attr]
                continue
            value = node.value  # type: ignore[union-attr]
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                names[target.id] = value.value
            elif target.id == "ALEMBIC_SUITE_INTENDED" and isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    text = names[item.id] if isinstance(item, ast.Name) else ast.literal_eval(item)
                    _INTENDED[ast.literal_eval(key)] = text  # type: ignore[arg-type]
    return _INTENDED


_INTENDED: dict[str, str] | None = None


@dataclass(frozen=True)
class Verdict:
    category: str
    cause: str
    detail: str = ""  # the failure's first line, for the report's example column


def _listed(test_id: str, key: str) -> bool:
    """``key`` is a test id prefix, or, ending with ``$``, one whole test id."""
    if key.endswith("$"):
        return test_id == key[:-1]
    return test_id.startswith(key)


def _missing_name(text: str) -> str | None:
    for pattern in _MISSING:
        found = pattern.search(text)
        if found is None:
            continue
        groups = [g for g in found.groups() if g]
        if pattern.pattern.startswith("cannot import"):
            return f"{groups[1]}.{groups[0]}"
        return ".".join(groups)
    return None


def _frames(text: str) -> list[tuple[str, str]]:
    return [(path, func) for path, _line, func in _FRAME.findall(text)]


def _short(path: str) -> str:
    for marker in ("/sterna/", "/alembic/testing/", "/alembic/util/", "/tests/"):
        if marker in path:
            return marker.strip("/") + "/" + path.split(marker, 1)[1]
    return path.rsplit("/", 1)[-1]


def _last_line(outcome: Outcome) -> str:
    message = outcome.message.strip()
    if not message:
        lines = outcome.text.strip().splitlines()
        message = lines[-1] if lines else ""
    found = _SETUP.match(message)
    if found is not None:
        message = found.group(1)
    return message.splitlines()[0].rstrip('"') if message else ""


def _normalise(message: str) -> str:
    message = re.sub(r"0x[0-9a-f]+", "0x..", message)
    message = re.sub(r"'[^']{40,}'", "'...'", message)
    return message[:140]


def is_harness(path: str) -> bool:
    """A file of the harness (``alembic/testing``, the private ``util`` copy), not a test
    module (``alembic/testing/suite/test_*.py`` are tests)."""
    if "/alembic/testing/suite/test_" in path:
        return False
    return "/alembic/testing/" in path or "/alembic/util/" in path


def _innermost_suite(frames: list[tuple[str, str]]) -> str:
    """The innermost frame in the sdist (a test or the harness), or ''."""
    inside = [p for p, _ in frames if "/alembic-" in p and "/sterna/" not in p]
    return inside[-1] if inside else ""


def _missing_verdict(name: str, frames: list[tuple[str, str]], surface: PublicSurface) -> Verdict:
    from_harness = is_harness(_innermost_suite(frames))
    if surface.is_public(name):
        return Verdict("b", f"missing public name `{name}`")
    if from_harness:
        return Verdict("c", f"harness needs internal `{name}`")
    return Verdict("a", f"internal name `{name}`")


def _is_test_file(path: str) -> bool:
    return "/alembic/testing/suite/test_" in path or ("/alembic-" in path and "/tests/" in path)


def _private_use(text: str) -> str | None:
    """``obj._name`` on the failing line of the test (``self._x`` / ``cls._x`` are the test's
    own helpers), or None."""
    lines = [line for path, line in _SOURCE.findall(text) if _is_test_file(path)]
    if not lines:
        return None
    for owner, attr in _PRIVATE_USE.findall(lines[-1]):
        if owner not in ("self", "cls"):
            return f"{owner}.{attr}"
    return None


def _attribute_verdict(found: re.Match[str]) -> Verdict:
    owner, attr = [g for g in found.groups() if g]
    if owner in INTERNAL_OWNERS:
        return Verdict("a", f"`{owner}.{attr}`: {INTERNAL_OWNERS[owner]}")
    if attr.startswith("_"):
        return Verdict("a", f"internal attribute `{owner}.{attr}`")
    return Verdict("b", f"missing attribute `{owner}.{attr}`")


def _fallback(test_id: str, outcome: Outcome, frames: list[tuple[str, str]]) -> Verdict:
    line = _last_line(outcome)
    kind = line.split(":", 1)[0] if ":" in line else line[:60]
    sterna = [(p, f) for p, f in frames if "/sterna/" in p]
    if kind == "AssertionError" and not sterna:
        return Verdict("b", f"assertion fails in `{test_id.split('::')[0]}`")
    if kind not in _PUBLIC_KINDS and not sterna and frames and is_harness(frames[-1][0]):
        return Verdict("c", f"{kind} in harness {_short(frames[-1][0])}:{frames[-1][1]}")
    if sterna:
        path, func = sterna[-1]
        return Verdict("b", f"{kind} from {_short(path)}:{func}")
    return Verdict("b", f"{_normalise(line)}")


def classify(test_id: str, outcome: Outcome | None, surface: PublicSurface) -> Verdict:
    """The category and cause of one Sterna failure (``outcome`` None: never collected)."""
    verdict = _classify(test_id, outcome, surface)
    if outcome is None:
        return verdict
    return Verdict(verdict.category, verdict.cause, _normalise(_last_line(outcome)))


def _classify(test_id: str, outcome: Outcome | None, surface: PublicSurface) -> Verdict:
    if outcome is None:
        return Verdict("c", "not collected under Sterna")
    text = f"{outcome.message}\n{outcome.text}"
    if "from pytest-timeout" in outcome.message or outcome.status == "timeout":
        return Verdict("b", "hang (timeout)")
    if "QueuePool limit" in outcome.message:
        return Verdict("b", "connection pool exhausted: earlier failures left connections out")
    for prefix, reason in INTERNAL_TESTS.items():
        if test_id.startswith(prefix):
            return Verdict("a", reason)
    frames = _frames(outcome.text)
    name = _missing_name(text)
    listed = next((why for key, why in _intended().items() if _listed(test_id, key)), None)
    if name is not None:
        verdict = _missing_verdict(name, frames, surface)
        if verdict.category == "b" and listed is not None:  # a public name left out by design
            return Verdict("b", f"intended: {listed}")
        return verdict
    private = _private_use(outcome.text)
    if private is not None:
        return Verdict("a", f"the failing line of the test uses `{private}`")
    patched = _PATCHED.search(text)
    if patched is not None:
        return Verdict("a", f"mock.patch of internal `{patched.group(1)}.{patched.group(2)}`")
    if listed is not None:
        return Verdict("b", f"intended: {listed}")
    found = _ATTRIBUTE.search(text)
    if found is not None and frames and "/sterna/" not in frames[-1][0]:
        return _attribute_verdict(found)
    dialect = _UNSUPPORTED_DIALECTS.get(test_id.split(".")[1] if "." in test_id else "")
    if dialect is not None:
        return Verdict(
            "b", f"intended: {dialect} DDL (Sterna implements SQLite, PostgreSQL, MySQL/MariaDB)"
        )
    if same_code_failure(outcome.message, outcome.text):
        return Verdict("b", "intended: the same code in Sterna's layout (quotes, line breaks)")
    return _fallback(test_id, outcome, frames)
