"""Baseline: run a file of SQL statements straight through the driver, in one transaction.

    python bench/straight.py URL FILE.sql

The statements are the offline output of a migration run (comments and BEGIN/COMMIT dropped), so
this is "the same DDL with no migration tool around it": what ``upgrade head`` is compared with.
"""

from __future__ import annotations

import sys

from sqlalchemy import create_engine


def statements(sql: str) -> list[str]:
    out = []
    for chunk in sql.split(";\n\n"):
        lines = [ln for ln in chunk.strip().splitlines() if not ln.startswith("--")]
        stmt = "\n".join(lines).strip().rstrip(";")
        if stmt and stmt.upper() not in ("BEGIN", "COMMIT"):
            out.append(stmt)
    return out


def main() -> None:
    url, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        stmts = statements(f.read())
    engine = create_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")
        for stmt in stmts:
            conn.exec_driver_sql(
                stmt.replace("%", "%%") if engine.dialect.name != "sqlite" else stmt
            )
        conn.commit()
    engine.dispose()


if __name__ == "__main__":
    main()
