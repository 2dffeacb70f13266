"""Baseline: run a file of SQL statements straight through the driver, in one transaction.

    python bench/straight.py URL FILE.sql [--net-version-writes] [--batch K] [--check]

The statements are the offline output of a migration run (comments and BEGIN/COMMIT dropped), so
this is "the same DDL with no migration tool around it": what ``upgrade head`` is compared with.

``--net-version-writes``: the offline SQL writes ``alembic_version`` once per revision, while an
online run need only write it once (Sterna does, at the end).  The version-table writes (``INSERT
INTO``/``UPDATE``/``DELETE FROM alembic_version``) are folded into the one write with the same
effect (from the version before the first to the version after the last), sent where the last
one was; ``CREATE TABLE alembic_version`` stays.  The writes must form one chain (each starts from
the version the one before left), else the file is refused.

``--batch K``: K statements joined with ``;\\n`` per ``execute`` (not SQLite), sent without
parameters, which psycopg 3 sends with the simple query protocol: one round trip for K.

``--check``: print how many statements were replayed and the version table afterwards.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

VERSION_WRITE = re.compile(r"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+alembic_version\b", re.I)
QUOTED = r"'([^']*)'"


def statements(sql: str) -> list[str]:
    out = []
    for chunk in sql.split(";\n\n"):
        lines = [ln for ln in chunk.strip().splitlines() if not ln.startswith("--")]
        stmt = "\n".join(lines).strip().rstrip(";")
        if stmt and stmt.upper() not in ("BEGIN", "COMMIT"):
            out.append(stmt)
    return out


@dataclass(frozen=True)
class VersionWrite:
    """One write of the version table: the version it replaces (None: a new row) and the version
    it leaves (None: the row deleted)."""

    before: str | None
    after: str | None


def version_write(stmt: str) -> VersionWrite | None:
    """The version-table write ``stmt`` is, or None when it is another statement."""
    head = VERSION_WRITE.match(stmt)
    if head is None:
        return None
    verb = head.group(1).split()[0].upper()
    where = re.search(r"WHERE\s+(?:alembic_version\.)?version_num\s*=\s*" + QUOTED, stmt, re.I)
    if verb == "INSERT":
        value = re.search(r"VALUES\s*\(\s*" + QUOTED, stmt, re.I)
        if value is None:
            raise SystemExit(f"straight.py: cannot read the version this INSERT writes: {stmt}")
        return VersionWrite(None, value.group(1))
    if where is None:
        raise SystemExit(f"straight.py: a version-table {verb} without a version: {stmt}")
    if verb == "DELETE":
        return VersionWrite(where.group(1), None)
    new = re.search(r"SET\s+version_num\s*=\s*" + QUOTED, stmt, re.I)
    if new is None:
        raise SystemExit(f"straight.py: cannot read the version this UPDATE writes: {stmt}")
    return VersionWrite(where.group(1), new.group(1))


def render_write(write: VersionWrite) -> str | None:
    """The one statement with the effect of ``write`` (None when it has none)."""
    if write.before is None:
        if write.after is None:
            return None
        return f"INSERT INTO alembic_version (version_num) VALUES ('{write.after}')"
    if write.after is None:
        return f"DELETE FROM alembic_version WHERE alembic_version.version_num = '{write.before}'"
    return (
        f"UPDATE alembic_version SET version_num='{write.after}' "
        f"WHERE alembic_version.version_num = '{write.before}'"
    )


def net_version_writes(stmts: list[str]) -> tuple[list[str], int]:
    """``stmts`` with their version-table writes folded into one, sent where the last was; and
    how many writes there were."""
    writes = [(i, w) for i, stmt in enumerate(stmts) if (w := version_write(stmt)) is not None]
    if not writes:
        return stmts, 0
    for (_, prev), (i, cur) in zip(writes, writes[1:], strict=False):
        if cur.before != prev.after:
            raise SystemExit(
                f"straight.py: the version-table writes are not one chain at statement {i + 1}: "
                f"it replaces {cur.before!r}, the write before left {prev.after!r}"
            )
    net = render_write(VersionWrite(writes[0][1].before, writes[-1][1].after))
    dropped = {i for i, _ in writes}
    out: list[str] = []
    for i, stmt in enumerate(stmts):
        if i not in dropped:
            out.append(stmt)
        elif i == writes[-1][0] and net is not None:
            out.append(net)
    return out, len(writes)


def batched(stmts: list[str], k: int) -> list[str]:
    """Groups of ``k`` statements joined into one string each."""
    return [";\n".join(stmts[i : i + k]) for i in range(0, len(stmts), k)]


def send(conn: Connection, stmt: str, sqlite: bool) -> None:
    """Send one recorded statement as it is (outside SQLite, its ``%`` escaped for the
    driver's parameter style)."""
    conn.exec_driver_sql(stmt if sqlite else stmt.replace("%", "%%"))


def version_table(conn: Connection) -> list[str]:
    """The versions in ``alembic_version``, sorted."""
    return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def replay(url: str, stmts: list[str], batch: int | None, check: bool) -> list[str]:
    """Send ``stmts`` in one transaction; the version table afterwards when ``check``."""
    engine = create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    if batch and sqlite:
        raise SystemExit("straight.py: --batch needs a driver that runs several statements")
    sent = batched(stmts, batch) if batch else stmts
    with engine.connect() as conn:
        if sqlite:
            conn.exec_driver_sql("BEGIN")
        for stmt in sent:
            if batch:  # no parameters at all: psycopg 3 uses the simple query protocol
                conn.exec_driver_sql(stmt, execution_options={"no_parameters": True})
            else:
                send(conn, stmt, sqlite)
        conn.commit()
        versions = version_table(conn) if check else []
    engine.dispose()
    return versions


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("file")
    ap.add_argument("--net-version-writes", action="store_true")
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    with open(a.file, encoding="utf-8") as f:
        stmts = statements(f.read())
    writes = None
    if a.net_version_writes:
        stmts, writes = net_version_writes(stmts)
    versions = replay(a.url, stmts, a.batch, a.check)
    if a.check:
        folded = "" if writes is None else f" ({writes} version-table writes folded into one)"
        sent = f" in {-(-len(stmts) // a.batch)} executes" if a.batch else ""
        print(
            f"replayed {len(stmts)} statements{folded}{sent}; alembic_version: {' '.join(versions)}"
        )


if __name__ == "__main__":
    main()
