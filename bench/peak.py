"""Run a module as ``python -m`` would, then print this process's peak memory to stderr.

python bench/peak.py MODULE ARGS...   ->  last stderr line: "peak-rss-kib N"
"""

from __future__ import annotations

import atexit
import resource
import runpy
import sys


def _report() -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"peak-rss-kib {peak}", file=sys.stderr)


def main() -> None:
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    atexit.register(_report)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
