"""Running a command on a real pseudo-terminal, and what a terminal would then show.

:func:`run_on_terminal` starts a process whose standard input, output and error are the slave
side of a ``pty`` (so ``isatty()`` is true, as in an interactive shell) and returns every byte it
wrote; :func:`screen` replays those bytes the way a terminal does for the few controls Sterna
may send (carriage return, ``ESC [ K`` erase to the end of the line, newline), giving the lines
left on the screen at the end.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ERASE = "\x1b[K"


def run_on_terminal(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None, columns: int = 160
) -> tuple[int, str]:
    """Run ``argv`` with a pseudo-terminal as its standard streams; its status and output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join([str(REPO), full_env.get("PYTHONPATH", "")])
    full_env["TERM"] = "xterm"
    full_env.update(env or {})
    proc = subprocess.Popen(
        argv, cwd=cwd, env=full_env, stdin=slave, stdout=slave, stderr=slave, close_fds=True
    )
    os.close(slave)
    chunks: list[bytes] = []
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every holder of the slave side has closed it
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    status = proc.wait(timeout=120)
    return status, b"".join(chunks).decode()


def sterna_on_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """``python -m sterna ARGS`` on a pseudo-terminal."""
    return run_on_terminal([sys.executable, "-m", "sterna", *args], cwd, env)


def screen(output: str) -> list[str]:
    """The lines a terminal shows after ``output`` (the pty turns ``\\n`` into ``\\r\\n``)."""
    lines: list[str] = []
    line = ""
    column = 0
    index = 0
    while index < len(output):
        if output.startswith(ERASE, index):
            line = line[:column]
            index += len(ERASE)
            continue
        char = output[index]
        index += 1
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append(line)
            line, column = "", 0
        else:
            line = line[:column] + char + line[column + 1 :]
            column += 1
    if line:
        lines.append(line)
    return lines
