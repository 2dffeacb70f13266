"""Hostile ``revision`` input: rev ids and file names that would leave ``versions/``, messages that
would break out of the new script's docstring.  Every refusal is one ``FAILED:`` line, a non-zero
exit, and no file written anywhere; every accepted message reads back verbatim."""

from __future__ import annotations

import ast
import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import alembic
import pytest

from sterna import command
from sterna.cli import main
from sterna.config import Config
from sterna.errors import ScriptError
from sterna.script import ScriptDirectory
from tests.conftest import run_sterna

ALEMBIC_TEMPLATES = Path(alembic.__file__).parent / "templates"
SAFE_RULE = "use only ASCII letters, digits, '_' and '.' (not first)"


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    """``contextlib.chdir`` (Python 3.11+) for 3.10."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (``__pycache__`` aside) with its content."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def _project(root: Path, template: str = "generic") -> Path:
    """A project at ``root/deep/er/project`` (so that ``../..`` stays under ``root``)."""
    folder = root / "deep" / "er" / "project"
    folder.mkdir(parents=True)
    with _cwd(folder), contextlib.redirect_stdout(io.StringIO()):
        command.init(Config("alembic.ini"), "migrations", template=template)
    ini = folder / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "sqlalchemy.url = driver://user:pass@localhost/dbname",
            f"sqlalchemy.url = sqlite:///{folder / 'app.db'}",
        )
    )
    return folder


def _sterna(cwd: Path, *argv: str) -> tuple[int, str]:
    """``sterna ARGV`` in-process; the exit status and standard error."""
    err = io.StringIO()
    with _cwd(cwd), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, err.getvalue()


def _one_failure(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("FAILED: "), err
    return lines[0]


# --------------------------------------------------------------------------- rev ids


@pytest.mark.parametrize(
    "rev_id",
    [
        "../../x",
        "/tmp/sterna_hostile_abs",
        "a/b",
        "a\\b",
        "..",
        ".hidden",
        "x/../../y",
        " lead",
        "has space",
        "tab\there",
        "ctl\x01",
        "new\nline",
        "é1",
    ],
)
def test_unsafe_rev_id_is_refused_and_nothing_is_written(tmp_path: Path, rev_id: str) -> None:
    project = _project(tmp_path)
    before = _files(tmp_path)
    status, err = _sterna(project, "revision", "-m", "m", "--rev-id", rev_id)
    assert status == 1
    line = _one_failure(err)
    assert "(--rev-id) is not allowed" in line and SAFE_RULE in line
    assert "nothing was written" in line
    assert _files(tmp_path) == before
    assert not Path("/tmp/sterna_hostile_abs_m.py").exists()


def test_nul_in_rev_id_is_refused(tmp_path: Path) -> None:
    """NUL cannot travel in argv: through the API."""
    project = _project(tmp_path)
    before = _files(tmp_path)
    with _cwd(project), pytest.raises(Exception, match=r"'a\\x00b' \(--rev-id\)"):
        command.revision(Config("alembic.ini"), "m", rev_id="a\x00b")
    assert _files(tmp_path) == before


@pytest.mark.parametrize(
    "rev_id", ["0001", "a1b2_init", "2024_01_01_1200", "1a2b3c4d5e6f", "v1.2", "_x", "ABC_def"]
)
def test_ordinary_rev_ids_are_accepted(tmp_path: Path, rev_id: str) -> None:
    project = _project(tmp_path)
    status, err = _sterna(project, "revision", "-m", "ok", "--rev-id", rev_id)
    assert status == 0, err
    written = list((project / "migrations" / "versions").glob("*.py"))
    assert [p.name for p in written] == [f"{rev_id}_ok.py"]


def test_unsafe_rev_id_from_a_subprocess(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = _files(tmp_path)
    proc = run_sterna("revision", "-m", "m", "--rev-id", "../../../escaped", cwd=project)
    assert proc.returncode == 1
    assert "'../../../escaped' (--rev-id) is not allowed" in _one_failure(proc.stderr)
    assert _files(tmp_path) == before


# --------------------------------------------------------------------------- file_template


@pytest.mark.parametrize("message", ["../../etc", "a/b/../../c", "..", "/etc/passwd", "x\\..\\y"])
def test_slug_from_hostile_message_stays_in_versions(tmp_path: Path, message: str) -> None:
    project = _project(tmp_path)
    ini = project / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "[alembic]", "[alembic]\nfile_template = %%(year)d_%%(rev)s_%%(slug)s", 1
        )
    )
    before = set(_files(tmp_path))
    status, err = _sterna(project, "revision", "-m", message, "--rev-id", "r1")
    assert status == 0, err
    new = set(_files(tmp_path)) - before
    assert len(new) == 1
    (path,) = new
    versions = Path("deep/er/project/migrations/versions")
    assert Path(path).parent == versions, path


@pytest.mark.parametrize(
    "file_template", ["../%%(rev)s", "%%(year)d/../../%%(rev)s", "/tmp/sterna_hostile_%%(rev)s"]
)
def test_file_template_leaving_versions_is_refused(tmp_path: Path, file_template: str) -> None:
    project = _project(tmp_path)
    ini = project / "alembic.ini"
    ini.write_text(
        ini.read_text().replace("[alembic]", f"[alembic]\nfile_template = {file_template}", 1)
    )
    before = _files(tmp_path)
    status, err = _sterna(project, "revision", "-m", "m", "--rev-id", "r1")
    assert status == 1
    line = _one_failure(err)
    assert "file_template" in line and "outside the version folder" in line
    assert "nothing was written" in line
    assert _files(tmp_path) == before
    assert not Path("/tmp/sterna_hostile_r1.py").exists()


def test_file_template_sub_folders_still_work(tmp_path: Path) -> None:
    project = _project(tmp_path)
    ini = project / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "[alembic]", "[alembic]\nfile_template = %%(year)d/%%(rev)s_%%(slug)s", 1
        )
    )
    status, err = _sterna(project, "revision", "-m", "sub", "--rev-id", "r1")
    assert status == 0, err
    assert len(list((project / "migrations" / "versions").glob("*/r1_sub.py"))) == 1


# --------------------------------------------------------------------------- messages

HOSTILE_MESSAGES = [
    'x"""\nraise SystemExit("injected")\n"""',
    "ends with a backslash \\",
    "escapes \\N{BULLET} \\n \\x41 \\u0041 \\t stay text",
    'ends with a quote "',
    'ends with two quotes ""',
    "single '''triple''' quotes '",
    "carriage\rreturn, form\x0cfeed, vt\x0b, del\x7f, nel\x85, ls\u2028ps\u2029",
    'several """""" quotes and \\""" escaped ones',
    "two lines\nraise SystemExit('second line is text')",
]

#: Alembic-style custom templates (the message is all of the docstring)
ONE_LINE_TEMPLATE = '''"""${message}"""
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    pass


def downgrade():
    pass
'''
SINGLE_QUOTES_TEMPLATE = ONE_LINE_TEMPLATE.replace('"""', "'''")


def _use_template(project: Path, source: str) -> None:
    (project / "migrations" / "script.py.mako").write_text(source)


def _docstring(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_bytes()), clean=False)
    assert doc is not None
    return doc


def _check_written(project: Path, rev: str, message: str, whole_doc: bool) -> None:
    (path,) = (project / "migrations" / "versions").glob(f"{rev}_*.py")
    tree = ast.parse(path.read_bytes())
    doc = _docstring(path)
    assert doc == message if whole_doc else doc.startswith(message + "\n\nRevision ID: ")
    # nothing but the docstring, imports, the four names and two functions
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "Import", "ImportFrom", "Assign", "AnnAssign", "FunctionDef"}
    assert sum(isinstance(node, ast.Expr) for node in tree.body) == 1
    with _cwd(project):
        script = ScriptDirectory.from_config(Config("alembic.ini")).get_revision(rev)
    assert script is not None and script.revision == rev
    docstring = message if whole_doc else message + "\n\nRevision ID"
    assert script.doc == docstring.strip().partition("\n\n")[0]


@pytest.mark.parametrize("message", HOSTILE_MESSAGES)
@pytest.mark.parametrize(
    "template", ["generic", "async", "multidb", "alembic-generic", "one-line", "single-quotes"]
)
def test_message_stays_text_in_the_docstring(tmp_path: Path, message: str, template: str) -> None:
    project = _project(
        tmp_path, template if template in ("generic", "async", "multidb") else "generic"
    )
    if template == "alembic-generic":
        _use_template(project, (ALEMBIC_TEMPLATES / "generic" / "script.py.mako").read_text())
    elif template == "one-line":
        _use_template(project, ONE_LINE_TEMPLATE)
    elif template == "single-quotes":
        _use_template(project, SINGLE_QUOTES_TEMPLATE)
    with _cwd(project), contextlib.redirect_stdout(io.StringIO()):
        command.revision(Config("alembic.ini"), message, rev_id="r1")
    _check_written(project, "r1", message, whole_doc=template in ("one-line", "single-quotes"))


def test_nul_in_message_becomes_an_escape(tmp_path: Path) -> None:
    project = _project(tmp_path)
    message = "nul \x00 inside"
    with _cwd(project), contextlib.redirect_stdout(io.StringIO()):
        command.revision(Config("alembic.ini"), message, rev_id="r1")
    _check_written(project, "r1", message, whole_doc=False)


def test_ordinary_message_is_written_unchanged(tmp_path: Path) -> None:
    project = _project(tmp_path)
    message = "add \"users\" table, don't drop 'orders' (50% faster) — ünïcode"
    status, err = _sterna(project, "revision", "-m", message, "--rev-id", "r1")
    assert status == 0, err
    (path,) = (project / "migrations" / "versions").glob("r1_*.py")
    assert path.read_text().startswith(f'"""{message}\n\nRevision ID: r1\n')


def test_hostile_message_through_the_cli_history_and_upgrade(tmp_path: Path) -> None:
    """Subprocess: the message reads back in ``history`` and the script runs (no injection)."""
    project = _project(tmp_path)
    message = 'm"""\nraise SystemExit(3)\n"""\\'
    run_sterna("revision", "-m", message, "--rev-id", "r1", cwd=project, check=True)
    history = run_sterna("history", cwd=project, check=True)
    assert history.stdout == f"<base> -> r1 (head), {message}\n"
    upgrade = run_sterna("upgrade", "head", cwd=project)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "Running upgrade  -> r1" in upgrade.stderr


def test_template_rendering_invalid_python_is_refused(tmp_path: Path) -> None:
    """The message is not the only way to break a script: a template that renders something
    Python cannot parse is refused, naming the template, and nothing is written."""
    project = _project(tmp_path)
    _use_template(project, ONE_LINE_TEMPLATE + "\ndef broken(:\n    pass\n")
    before = _files(tmp_path)
    status, err = _sterna(project, "revision", "-m", "m", "--rev-id", "r1")
    assert status == 1
    line = _one_failure(err)
    template = project / "migrations" / "script.py.mako"
    assert line.startswith(f"FAILED: {template}: the rendered script is not valid Python (line ")
    assert line.endswith("nothing was written")
    assert _files(tmp_path) == before


def test_template_check_through_the_api(tmp_path: Path) -> None:
    (tmp_path / "script.py.mako").write_text("revision = ${repr(up_revision)}\nx = (\n")
    with pytest.raises(ScriptError, match="is not valid Python"):
        ScriptDirectory(str(tmp_path)).generate_revision("abc1", "m")
    assert not (tmp_path / "versions").exists() or os.listdir(tmp_path / "versions") == []
