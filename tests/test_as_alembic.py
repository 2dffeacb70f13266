"""The switch for tools that import ``alembic`` themselves: ``sterna.compat.use_as_alembic()``
and ``sterna.as_alembic``.  Each case runs in a fresh interpreter, since the switch lasts for the
rest of its process; the real Alembic of the test environment plays the user's own."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _ok(code: str) -> str:
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_switch_makes_alembic_sterna_for_the_rest_of_the_process() -> None:
    out = _ok("""
        import sterna, sterna.command, sterna.compat
        sterna.compat.use_as_alembic()
        sterna.compat.use_as_alembic()  # idempotent
        import alembic
        from alembic import command
        from alembic.config import Config
        import sterna.config
        assert alembic.__sterna_version__ == sterna.__version__
        assert command is sterna.command and Config is sterna.config.Config
        with sterna.compat.alembic_alias():  # a run of Sterna's own commands, nested
            pass
        import alembic.script
        import sterna.script
        assert alembic.script is sterna.script and sterna.compat.is_active()
        print("served")
    """)
    assert out == "served\n"


def test_sterna_alone_never_switches() -> None:
    out = _ok("""
        import sterna, sterna.command, sterna.compat, sterna.config, sterna.script
        import alembic
        print(sterna.compat.is_active(), hasattr(alembic, "__sterna_version__"))
    """)
    assert out == "False False\n"


def test_switch_refuses_a_process_that_imported_the_real_alembic() -> None:
    proc = _python("""
        import sys
        import alembic.config
        import sterna.compat
        from sterna.errors import RealAlembicAlreadyImported
        finders = list(sys.meta_path)
        try:
            sterna.compat.use_as_alembic()
        except RealAlembicAlreadyImported as exc:
            print(exc)
        assert sys.meta_path == finders and not sterna.compat.is_active()
        import alembic
        assert not hasattr(alembic, "__sterna_version__")
    """)
    assert proc.returncode == 0, proc.stderr
    [line] = proc.stdout.splitlines()
    assert line.startswith("sterna.compat.use_as_alembic(): the real Alembic is already imported")
    assert "alembic/__init__.py" in line and "-p sterna.as_alembic" in line


def test_switch_refuses_inside_a_run_that_set_the_real_alembic_aside() -> None:
    proc = _python("""
        import alembic
        import sterna.compat
        from sterna.errors import RealAlembicAlreadyImported
        with sterna.compat.alembic_alias():
            try:
                sterna.compat.use_as_alembic()
            except RealAlembicAlreadyImported:
                print("refused")
        import alembic
        print(hasattr(alembic, "__sterna_version__"))
    """)
    assert proc.stdout == "refused\nFalse\n", proc.stderr


def test_importing_as_alembic_is_the_switch() -> None:
    assert (
        _ok("""
        import sterna.as_alembic
        import alembic.command, sterna.command
        print(alembic.command is sterna.command)
    """)
        == "True\n"
    )
    proc = _python("import alembic\nimport sterna.as_alembic")
    assert proc.returncode == 1
    assert "RealAlembicAlreadyImported: sterna.compat.use_as_alembic()" in proc.stderr


def test_nothing_in_sterna_imports_the_switch_module() -> None:
    """Only a user's explicit import switches a process (``sterna`` itself never does)."""
    imports = ("import sterna.as_alembic", "from sterna import as_alembic")
    users = [
        path
        for path in (REPO / "sterna").rglob("*.py")
        if any(statement in path.read_text() for statement in imports)
    ]
    assert users == []
