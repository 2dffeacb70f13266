"""Imports every built-in dialect module so that each registers its DefaultImpl subclass."""

from __future__ import annotations

import sterna.ddl.mysql
import sterna.ddl.postgresql
import sterna.ddl.sqlite

__all__ = ["sterna"]
