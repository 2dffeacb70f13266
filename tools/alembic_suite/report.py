"""The per-file table, the classification counts and the top (b) causes; ``docs/conformance.md``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from alembic_suite import public
from alembic_suite.classify import Verdict, classify
from alembic_suite.results import Outcome, read_junit

TOP_CAUSES = 25


@dataclass
class FileRow:
    name: str
    tests: int = 0
    passed_alembic: int = 0
    passed_sterna: int = 0
    placeholders: list[str] = field(default_factory=list)
    timed_out: bool = False
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def count(self, category: str) -> int:
        return sum(1 for v in self.verdicts.values() if v.category == category)


def _collection_error(outcomes: dict[str, Outcome]) -> Outcome | None:
    for test_id, outcome in outcomes.items():
        if test_id.startswith("::") or "::" not in test_id or test_id.split("::")[0] == "":
            return outcome if outcome.status == "error" else None
    return None


def _row(out: Path, test_file: str, surface: public.PublicSurface) -> FileRow:
    stem = Path(test_file).stem
    row = FileRow(test_file)
    alembic = read_junit(out / "alembic" / f"{stem}.xml")
    sterna = read_junit(out / "sterna" / f"{stem}.xml")
    missing = out / "sterna" / f"{stem}.missing.json"
    row.placeholders = json.loads(missing.read_text()) if missing.exists() else []
    row.timed_out = (out / "sterna" / f"{stem}.timeout").exists()
    broken = _collection_error(sterna)
    for test_id, outcome in alembic.items():
        if test_id.split("::")[0] == "":
            continue
        row.tests += 1
        if outcome.status != "passed":
            continue
        row.passed_alembic += 1
        mine = sterna.get(test_id)
        if mine is not None and mine.status == "passed":
            row.passed_sterna += 1
            continue
        if mine is None and row.timed_out:
            mine = Outcome(test_id, "timeout")
        verdict = classify(test_id, mine or broken, surface)
        row.verdicts[test_id] = _cascade(row.verdicts, test_id, mine, verdict)
    return row


def _cascade(
    earlier: dict[str, Verdict], test_id: str, outcome: Outcome | None, verdict: Verdict
) -> Verdict:
    """A setup failure after an (a)/(c) failure of the same class follows from it (a setUp that
    failed on an internal name skips tearDown, and the next setUp trips on what it left)."""
    if verdict.category != "b" or outcome is None:
        return verdict
    if not outcome.message.startswith("failed on setup"):
        return verdict
    cls = test_id.split("::")[0]
    first = next((v for t, v in earlier.items() if t.split("::")[0] == cls), None)
    if first is None or first.category == "b":
        return verdict
    return Verdict(first.category, f"follows from: {first.cause}", verdict.detail)


def summarise(sdist: Path, out: Path, files: list[str]) -> list[FileRow]:
    surface = public.load(sdist)
    return [_row(out, test_file, surface) for test_file in files]


def table(rows: list[FileRow]) -> str:
    head = (
        "| file | tests | passed Alembic | passed Sterna | (a) internals | (b) public "
        "| (c) harness | names only placeholders |"
    )
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        note = str(len(r.placeholders)) + (" (file timed out)" if r.timed_out else "")
        lines.append(
            f"| {r.name} | {r.tests} | {r.passed_alembic} | {r.passed_sterna} | "
            f"{r.count('a')} | {r.count('b')} | {r.count('c')} | {note} |"
        )
    total = [sum(getattr(r, k) for r in rows) for k in ("tests", "passed_alembic", "passed_sterna")]
    cats = [sum(r.count(c) for r in rows) for c in "abc"]
    lines.append(
        f"| **total** | {total[0]} | {total[1]} | {total[2]} | {cats[0]} | {cats[1]} | "
        f"{cats[2]} | {sum(1 for r in rows if not r.placeholders)} of {len(rows)} files "
        "import cleanly |"
    )
    strict = sum(r.passed_sterna for r in rows if not r.placeholders)
    lines += [
        "",
        f"Passed under Sterna with strict imports (a file that imports a name Sterna "
        f"lacks fails as a whole, as a user's project would): {strict}.",
    ]
    return "\n".join(lines)


def causes(rows: list[FileRow], category: str) -> list[tuple[str, int, str, str]]:
    """(cause, count, one example test id, its message), most frequent first."""
    counts: Counter[str] = Counter()
    example: dict[str, tuple[str, str]] = {}
    for r in rows:
        for test_id, verdict in r.verdicts.items():
            if verdict.category == category:
                counts[verdict.cause] += 1
                example.setdefault(verdict.cause, (test_id, verdict.detail))
    return [(cause, n, *example[cause]) for cause, n in counts.most_common()]


def _cell(text: str, width: int = 110) -> str:
    text = text.replace("|", "/").replace("`", "'")
    return text if len(text) <= width else text[: width - 3] + "..."


def _cause_lines(rows: list[FileRow], category: str, limit: int) -> list[str]:
    found = causes(rows, category)
    lines = ["| count | cause | example test | its message |", "|---|---|---|---|"]
    lines += [f"| {n} | {_cell(c, 90)} | `{t}` | {_cell(m)} |" for c, n, t, m in found[:limit]]
    if len(found) > limit:
        rest = sum(n for _c, n, _t, _m in found[limit:])
        lines.append(f"| {rest} | ({len(found) - limit} other causes) | | |")
    return lines


def backend_section(backend: str, rows: list[FileRow]) -> str:
    parts = [f"## {backend}", "", table(rows), "", f"### Top (b) causes on {backend}", ""]
    parts += _cause_lines(rows, "b", TOP_CAUSES)
    parts += ["", f"### (a) and (c) causes on {backend}", ""]
    parts += _cause_lines(rows, "a", 10) + [""] + _cause_lines(rows, "c", 10)
    return "\n".join(parts) + "\n"


def write_doc(path: Path, sdist: Path, results: Path) -> None:
    from alembic_suite.doc_text import INTRO

    files = [f"tests/{p.name}" for p in sorted((sdist / "tests").glob("test_*.py"))]
    sections = []
    for backend in ("sqlite", "postgresql", "mysql", "mariadb"):
        if (results / backend / "sterna").is_dir():
            sections.append(backend_section(backend, summarise(sdist, results / backend, files)))
    path.write_text(INTRO + "\n" + "\n".join(sections))
