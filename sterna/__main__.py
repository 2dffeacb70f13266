"""``python -m sterna``: the same command line as the ``sterna`` script."""

from __future__ import annotations

import sys

from sterna.cli import main

if __name__ == "__main__":
    sys.exit(main())
