"""Runtime test fixtures: the tests use the real operations layer and per-dialect DDL."""

from __future__ import annotations
