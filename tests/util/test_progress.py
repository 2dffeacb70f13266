"""Progress of ``upgrade``/``downgrade`` (sterna.util.progress), driven for real: ``sterna``
on a pseudo-terminal, through a pipe, under ``-q``, and ``sterna.command`` called from a
program, on a SQLite project of five revisions whose third one sleeps."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

from sterna import command
from sterna.config import Config
from sterna.util.progress import fit, seconds
from tests.conftest import run_sterna
from tests.util._terminal import run_on_terminal, screen, sterna_on_terminal

SLOW = 1.0  # seconds r3's upgrade sleeps

SCRIPT = '''\
"""{message}

Revision ID: {rev}
Revises: {down}
"""
import time

import sqlalchemy as sa
from sterna import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t_{rev}", sa.Column("id", sa.Integer, primary_key=True))
{extra}

def downgrade():
    op.drop_table("t_{rev}")
'''

EXTRA = {
    "r2": '    print("hello from r2")\n',
    "r3": f"    time.sleep({SLOW})\n",
}

INFO_LINES = [
    "INFO  [alembic.runtime.migration] Context impl SQLiteImpl.",
    "INFO  [alembic.runtime.migration] Will assume transactional DDL.",
    "INFO  [alembic.runtime.migration] Running upgrade  -> r1, add r1",
    "INFO  [alembic.runtime.migration] Running upgrade r1 -> r2, add r2",
    "INFO  [alembic.runtime.migration] Running upgrade r2 -> r3, add r3",
    "INFO  [alembic.runtime.migration] Running upgrade r3 -> r4, add r4",
    "INFO  [alembic.runtime.migration] Running upgrade r4 -> r5, add r5",
]

LOGGER_SECTIONS = """
[logger_sterna]
level = INFO
handlers =
qualname = sterna
"""


def make_project(root: Path) -> Path:
    """``sterna init`` in ``root``, a SQLite URL, and revisions r1..r5 (r3 sleeps)."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            command.init(Config("alembic.ini"), "migrations")
    finally:
        os.chdir(cwd)
    ini = root / "alembic.ini"
    text = re.sub(
        r"^sqlalchemy\.url = .*$",
        f"sqlalchemy.url = sqlite:///{root / 'app.db'}",
        ini.read_text(),
        flags=re.M,
    )
    ini.write_text(text)
    down = None
    for number in range(1, 6):
        rev = f"r{number}"
        body = SCRIPT.format(message=f"add {rev}", rev=rev, down=down, extra=EXTRA.get(rev, ""))
        (root / "migrations" / "versions" / f"{rev}_add.py").write_text(body)
        down = rev
    return root


def enable_sterna_logger(root: Path) -> None:
    """Let the ``sterna`` loggers' INFO records through env.py's logging set-up."""
    ini = root / "alembic.ini"
    text = ini.read_text().replace("[loggers]\nkeys = root,", "[loggers]\nkeys = root,sterna,")
    assert "keys = root,sterna," in text, "the template's [loggers] section moved"
    ini.write_text(text + LOGGER_SECTIONS)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def summary_time(lines: list[str], revision: str) -> float:
    """The time the ``Slowest:`` line gives ``revision``."""
    (slowest,) = [line for line in lines if line.startswith("Slowest: ")]
    found = re.search(rf"\b{revision} (\d+\.\d\d)s", slowest)
    assert found, slowest
    return float(found.group(1))


def test_terminal_shows_each_step_and_a_summary(project: Path) -> None:
    status, output = sterna_on_terminal("upgrade", "head", cwd=project)
    assert status == 0, output
    for number in range(1, 6):  # the live line named each step as it began
        assert f"[{number}/5] upgrade r{number} (add r{number})" in output, output
    shown = screen(output)
    # the live line is gone; log lines and the script's print are whole, not glued to it
    assert shown[: len(INFO_LINES) + 1] == INFO_LINES[:4] + ["hello from r2"] + INFO_LINES[4:]
    assert not any("/5]" in line for line in shown), shown
    summary = shown[len(INFO_LINES) + 1 :]
    assert len(summary) == 2, shown
    assert re.fullmatch(r"Upgraded 5 revisions in \d+\.\d\ds\.", summary[0]), summary
    assert summary[1].startswith("Slowest: r3 "), summary  # the sleeping revision comes first
    assert SLOW <= summary_time(summary, "r3") < SLOW + 1
    total = float(summary[0].split(" in ")[1].rstrip("s."))
    assert total >= SLOW


def test_downgrade_on_terminal_counts_its_steps(project: Path) -> None:
    assert sterna_on_terminal("upgrade", "head", "-q", cwd=project)[0] == 0
    status, output = sterna_on_terminal("downgrade", "r2", cwd=project)
    assert status == 0, output
    for number, revision in ((1, "r5"), (2, "r4"), (3, "r3")):
        assert f"[{number}/3] downgrade {revision} (add {revision})" in output, output
    assert re.search(r"^Downgraded 3 revisions in \d+\.\d\ds\.$", "\n".join(screen(output)), re.M)


def test_pipe_gets_plain_lines_only(project: Path) -> None:
    """Not a terminal: no live line, no ``\\r``, no escape; the default logging configuration
    shows exactly the log lines it showed before (those Alembic shows)."""
    done = run_sterna("upgrade", "head", cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello from r2\n"
    assert done.stderr.splitlines() == INFO_LINES
    assert "\r" not in done.stderr and "\x1b" not in done.stderr


def test_pipe_with_sterna_logger_gets_step_times_and_summary(project: Path) -> None:
    enable_sterna_logger(project)
    done = run_sterna("upgrade", "head", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "[sterna.progress]" in line]
    steps = [re.sub(r"\d+\.\d\ds$", "<t>", line) for line in lines[:5]]
    assert steps == [
        f"INFO  [sterna.progress] [{n}/5] upgrade r{n} (add r{n}) done in <t>" for n in range(1, 6)
    ]
    assert float(lines[2].rsplit(" ", 1)[1].rstrip("s")) >= SLOW
    assert re.fullmatch(r"INFO  \[sterna\.progress\] Upgraded 5 revisions in \S+\.", lines[5])
    assert lines[6].startswith("INFO  [sterna.progress] Slowest: r3 "), lines
    assert len(lines) == 7, lines


def test_quiet_adds_nothing(project: Path) -> None:
    status, output = sterna_on_terminal("upgrade", "head", "-q", cwd=project)
    assert status == 0, output
    assert "/5]" not in output and "Upgraded" not in output and "Slowest" not in output
    assert "\x1b" not in output
    assert screen(output) == INFO_LINES[:4] + ["hello from r2"] + INFO_LINES[4:]


def test_dumb_terminal_is_not_a_terminal(project: Path) -> None:
    status, output = sterna_on_terminal("upgrade", "head", cwd=project, env={"TERM": "dumb"})
    assert status == 0, output
    assert "\x1b" not in output and "Upgraded" not in output
    assert output.replace("\r\n", "\n").count("\r") == 0


LIBRARY_CALL = """
import sys
from sterna import command
from sterna.config import Config

config = Config("alembic.ini")
if sys.argv[1] == "ask":
    config.attributes["sterna.progress"] = True
command.upgrade(config, sys.argv[2])
print("returned")
"""


def test_library_call_prints_nothing_new_unless_asked(project: Path) -> None:
    argv = [sys.executable, "-c", textwrap.dedent(LIBRARY_CALL)]
    status, output = run_on_terminal([*argv, "plain", "r3"], project)
    assert status == 0, output
    assert "\x1b" not in output and "/3]" not in output and "Upgraded" not in output
    assert screen(output) == [*INFO_LINES[:4], "hello from r2", INFO_LINES[4], "returned"]
    # the program may ask for it, on the same terminal
    status, output = run_on_terminal([*argv, "ask", "head"], project)
    assert status == 0, output
    assert "[1/2] upgrade r4 (add r4)" in output, output
    assert re.search(r"^Upgraded 2 revisions in \S+\.$", "\n".join(screen(output)), re.M)


def test_offline_sql_has_no_progress(project: Path) -> None:
    status, output = sterna_on_terminal("upgrade", "head", "--sql", cwd=project)
    assert status == 0, output
    assert "\x1b" not in output and "Upgraded" not in output and "/5]" not in output


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.004, "0.00s"), (1.234, "1.23s"), (59.994, "59.99s"), (125.4, "2m05s"), (3725, "1h02m05s")],
)
def test_durations_read_as_people_write_them(value: float, text: str) -> None:
    assert seconds(value) == text


@pytest.mark.parametrize(
    ("line", "columns", "shown"),
    [
        ("[1/5] upgrade r1", 40, "[1/5] upgrade r1"),
        ("[1/5] upgrade r1 (add orders)", 20, "[1/5] upgrade r1..."),
        # wide characters take two columns: 4 + 5 * 2 = 14 fits 14; in 13, 4 + 3 * 2 + "..."
        ("[1] 添加订单表", 14, "[1] 添加订单表"),
        ("[1] 添加订单表", 13, "[1] 添加订..."),
        ("[1] 添加", 8, "[1] 添加"),  # exactly 8 columns: whole
    ],
)
def test_live_line_fits_the_terminal_width(line: str, columns: int, shown: str) -> None:
    assert fit(line, columns) == shown
