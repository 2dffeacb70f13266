"""``./dev alembic-suite``: Alembic's suite per test file, under real Alembic and under Sterna.

    python -m alembic_suite.run [--server URL | --dburi URL] [--write-doc] [--report-only]
                                [FILE ...]

Each test file runs in its own pytest process per tool (``timeout`` per file, pytest-timeout per
test), from the unpacked sdist, writing JUnit XML under ``.cache-alembic-suite/results/<db>/``.
SQLite by default; ``--server URL`` (a PostgreSQL or MySQL/MariaDB server) recreates a database
``alembic_suite`` before each process and passes it as SQLAlchemy's ``--dburi``; ``--dburi URL``
uses that database as it is.  ``--report-only`` re-reads the XML of an earlier run (to
re-classify without re-running).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from alembic_suite import report
from alembic_suite.sdist import ensure_sdist, ensure_test_requirements

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache-alembic-suite"
TOOLS = ("alembic", "sterna")
PER_TEST_TIMEOUT = 60
PER_FILE_TIMEOUT = 900


def _backend_name(server: str | None) -> str:
    if server is None:
        return "sqlite"
    from alembic_suite.databases import backend_label

    return backend_label(server)


def _database(args: argparse.Namespace) -> str | None:
    """The ``--dburi`` for the next pytest process (a fresh database with ``--server``)."""
    if args.server:
        from alembic_suite.databases import fresh_database

        return fresh_database(args.server)
    dburi: str | None = args.dburi
    return dburi


def _env(sdist: Path, tool: str, missing: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tools"), str(sdist)])
    env["ALEMBIC_SUITE_SDIST"] = str(sdist)
    env["ALEMBIC_SUITE_MISSING"] = str(missing)
    env["ALEMBIC_SUITE_TOOL"] = tool
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_file(sdist: Path, test_file: str, tool: str, out: Path, dburi: str | None) -> None:
    """One pytest process: ``test_file`` under ``tool``, JUnit XML to ``out/<tool>/``."""
    folder = out / tool
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(test_file).stem
    xml, missing = folder / f"{stem}.xml", folder / f"{stem}.missing.json"
    for stale in (xml, missing, folder / f"{stem}.timeout"):
        stale.unlink(missing_ok=True)
    shutil.rmtree(sdist / "scratch", ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        test_file,
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "alembic_suite.plugin",
        "--maxfail=1000000",
        "--timeout",
        str(PER_TEST_TIMEOUT),
        f"--junitxml={xml}",
        "-o",
        "junit_family=xunit1",
    ]
    if dburi:
        cmd.append(f"--dburi={dburi}")
    try:
        subprocess.run(
            cmd,
            cwd=sdist,
            env=_env(sdist, tool, missing),
            timeout=PER_FILE_TIMEOUT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        (folder / f"{stem}.timeout").write_text(f"{PER_FILE_TIMEOUT}\n")


def test_files(sdist: Path, chosen: list[str]) -> list[str]:
    files = sorted(p.name for p in (sdist / "tests").glob("test_*.py"))
    if chosen:
        files = [f for f in files if f in {Path(c).name for c in chosen}]
    return [f"tests/{name}" for name in files]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev alembic-suite", description=__doc__)
    parser.add_argument("files", nargs="*", help="test files (default: all of tests/)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--server", help="PostgreSQL/MySQL server URL (a fresh database per file)")
    where.add_argument("--dburi", help="SQLAlchemy URL of the database to use as it is")
    parser.add_argument("--write-doc", action="store_true", help="write docs/conformance.md")
    parser.add_argument("--report-only", action="store_true", help="reuse the last results")
    args = parser.parse_args(argv)
    sdist = ensure_sdist(CACHE)
    ensure_test_requirements(sdist)
    out = CACHE / "results" / _backend_name(args.server or args.dburi)
    files = test_files(sdist, args.files)
    if not args.report_only:
        for test_file in files:
            for tool in TOOLS:
                run_file(sdist, test_file, tool, out, _database(args))
            print(f"ran {test_file}", file=sys.stderr, flush=True)
    summary = report.summarise(sdist, out, files)
    print(report.table(summary))
    if args.write_doc:
        report.write_doc(REPO / "docs" / "conformance.md", sdist, CACHE / "results")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
