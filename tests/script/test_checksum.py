"""The script checksum: what a script runs, not how it is written (sterna/script/checksum.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sterna.script.checksum import file_checksum, source_checksum

RUFF = "/work/main/.venv/bin/ruff"

SCRIPT = '''"""add x

Revision ID: 3f2a1b
Create Date: 2026-12-01 10:22:00
"""
from alembic import op
import sqlalchemy as sa
revision = '3f2a1b'
down_revision = None
def upgrade():
    op.create_table('x', sa.Column('n', sa.String(length=50), nullable=True))
def downgrade():
    """Drop it."""
    op.drop_table('x')
'''


def test_ruff_format_keeps_the_checksum(tmp_path: Path) -> None:
    path = tmp_path / "3f2a1b_add_x.py"
    path.write_text(SCRIPT)
    before = file_checksum(str(path))
    subprocess.run([RUFF, "format", "--no-cache", str(path)], check=True, capture_output=True)
    assert path.read_text() != SCRIPT  # the formatter did change the text
    assert file_checksum(str(path)) == before


def test_comments_docstrings_and_quotes_do_not_count() -> None:
    changed = (
        SCRIPT.replace('"""add x', '"""add the x table')
        .replace("2026-12-01", "2027-01-01")
        .replace('"""Drop it."""', "# drop it\n    '''Another docstring.'''")
        .replace("'x'", '"x"')
    )
    assert source_checksum(changed) == source_checksum(SCRIPT)


def test_what_runs_changes_the_checksum() -> None:
    base = source_checksum(SCRIPT)
    for old, new in (
        ("length=50", "length=60"),
        ("nullable=True", "nullable=False"),
        ("op.drop_table('x')", "op.drop_table('y')"),
        ("'3f2a1b'", "'3f2a1c'"),
    ):
        assert old in SCRIPT
        assert source_checksum(SCRIPT.replace(old, new)) != base, (old, new)
    # a string expression that is not the first statement is code, not a docstring
    assert (
        source_checksum(
            SCRIPT.replace("    op.drop_table('x')", "    op.drop_table('x')\n    'note'")
        )
        != base
    )


def test_constants_keep_their_type() -> None:
    assert source_checksum("x = 1\n") != source_checksum("x = 1.0\n")
    assert source_checksum("x = 1\n") != source_checksum("x = True\n")
