"""Imports every built-in dialect module so that each registers its DefaultImpl subclass."""

from __future__ import annotations
