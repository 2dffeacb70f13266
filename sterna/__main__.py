"""``python -m sterna``: the same command line as the ``sterna`` script."""

from __future__ import annotations

from sterna.cli import console_main

if __name__ == "__main__":
    console_main()
