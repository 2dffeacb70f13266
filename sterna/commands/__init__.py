"""Implementation modules of the commands; the public API is :mod:`sterna.command`."""

from __future__ import annotations
