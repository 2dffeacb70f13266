"""A throw-away PostgreSQL server for the benchmarks, when none is named with ``--pg-url``."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def own_pg_server() -> Iterator[str]:
    """A throw-away PostgreSQL server for the online rows (tools/testdb.py), data kept in memory.

    Every timed run drops a database of a thousand tables, and on ext4 the kernel then spends
    milliseconds per new file skipping recently deleted inodes: on a disk-backed data folder the
    server's share of ``upgrade head`` grows about threefold for every tool alike, and with it
    the noise.  A tmpfs data folder (``/dev/shm``) keeps the server's work what a healthy
    server's is.
    """
    sys.path.insert(0, str(REPO / "tools"))
    import testdb  # the test suite's server tooling: installs and starts PostgreSQL

    shm = Path("/dev/shm")
    parent = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    root = Path(tempfile.mkdtemp(prefix="sterna-bench-pg.", dir=parent))
    try:
        url = testdb.start_pg(root)
        print(f"postgresql: own server, data in {root}", flush=True)
        yield url
    finally:
        testdb.stop(root)
        shutil.rmtree(root, ignore_errors=True)
