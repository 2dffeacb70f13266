"""Configuration through the CLI: -c (ini and/or toml), -n, ALEMBIC_CONFIG, -x, --tag,
prepend_sys_path, revision_environment, process_revision_directives, post-write hooks, edit."""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from sterna import command
from sterna.config import Config
from sterna.script import Script
from tests.cli.conftest import Project, failure, run_in_process


def append_to_env(project: Project, code: str) -> None:
    """Insert ``code`` into the project's env.py just before it runs the migrations."""
    env = project.ours / "migrations" / "env.py"
    source = env.read_text()
    marker = "if context.is_offline_mode():"
    env.write_text(source.replace(marker, code + "\n\n" + marker))


def test_config_in_another_folder(project: Project) -> None:
    project.add("a1", None, "first")
    result = run_in_process(project.root, ["-c", "sterna/alembic.ini", "heads"])
    assert (result.status, result.out) == (0, "a1 (head)\n")


def test_alembic_config_variable(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.add("a1", None, "first")
    monkeypatch.setenv("ALEMBIC_CONFIG", str(project.ours / "alembic.ini"))
    result = run_in_process(project.root, ["history"])
    assert (result.status, result.out) == (0, "<base> -> a1 (head), first\n")
    # -c wins over the variable
    monkeypatch.setenv("ALEMBIC_CONFIG", str(project.root / "nope.ini"))
    result = run_in_process(project.root, ["-c", "sterna/alembic.ini", "heads"])
    assert result.out == "a1 (head)\n"


def test_named_section(project: Project) -> None:
    project.add("a1", None, "first")
    ini = project.ours / "alembic.ini"
    ini.write_text(ini.read_text() + "\n[other]\nscript_location = %(here)s/nowhere\n")
    wrong = project.sterna("-n", "other", "heads")
    assert wrong.status == 1
    assert "nowhere" in wrong.err
    assert project.sterna("heads", "-n", "alembic").out == "a1 (head)\n"


def test_ini_and_toml_given_together(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    assert run_in_process(tmp_path, ["-q", "init", "-t", "pyproject", "migs"]).status == 0
    # move the ini away from pyproject.toml: -c twice names both
    (tmp_path / "alembic.ini").rename(tmp_path / "conf" / "db.ini")
    db = tmp_path / "app.db"
    ini = tmp_path / "conf" / "db.ini"
    ini.write_text(
        ini.read_text().replace("driver://user:pass@localhost/dbname", f"sqlite:///{db}")
    )
    (tmp_path / "migs" / "versions" / "a1_x.py").write_text(
        '"""first"""\nrevision = "a1"\ndown_revision = None\n'
        "def upgrade():\n    pass\ndef downgrade():\n    pass\n"
    )
    result = run_in_process(
        tmp_path / "conf", ["-c", "db.ini", "-c", "../pyproject.toml", "upgrade", "head"]
    )
    assert result.status == 0, result
    result = run_in_process(
        tmp_path / "conf", ["current", "--config", "db.ini", "--config", "../pyproject.toml"]
    )
    assert result.out == "a1 (head)\n"


def test_pyproject_only(tmp_path: Path) -> None:
    (tmp_path / "migs" / "versions").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[tool.alembic]\nscript_location = "%(here)s/migs"\n')
    (tmp_path / "migs" / "versions" / "a1_x.py").write_text(
        '"""first"""\nrevision = "a1"\ndown_revision = None\n'
    )
    result = run_in_process(tmp_path, ["heads"])
    assert (result.status, result.out) == (0, "a1 (head)\n")


def test_x_arguments_and_tag_reach_env_py(project: Project) -> None:
    append_to_env(
        project,
        "print('X=', sorted(context.get_x_argument(as_dictionary=True).items()))\n"
        "print('TAG=', context.get_tag_argument())",
    )
    project.add("a1", None)
    result = project.sterna("-x", "a=1", "upgrade", "head", "-x", "b=two=2", "--tag", "t1")
    assert result.status == 0, result
    assert "X= [('a', '1'), ('b', 'two=2')]" in result.out
    assert "TAG= t1" in result.out


def test_prepend_sys_path(project: Project) -> None:
    lib = project.ours / "lib"
    lib.mkdir()
    (lib / "sterna_test_helper_mod.py").write_text("VALUE = 'from lib'\n")
    project.set_option("prepend_sys_path", "%(here)s/lib")
    append_to_env(project, "import sterna_test_helper_mod\nprint(sterna_test_helper_mod.VALUE)")
    project.add("a1", None)
    result = project.sterna("upgrade", "head")
    assert result.status == 0, result
    assert "from lib" in result.out
    sys.modules.pop("sterna_test_helper_mod", None)


def test_revision_environment(project: Project) -> None:
    append_to_env(project, "print('ENV RAN offline=%s' % context.is_offline_mode())")
    mako = project.ours / "migrations" / "script.py.mako"
    mako.write_text(mako.read_text() + "\n# extra: ${extra}\n")
    env = project.ours / "migrations" / "env.py"
    env.write_text(
        env.read_text()
        .replace(
            "context.configure(connection=connection, target_metadata=target_metadata)",
            "context.configure(connection=connection, target_metadata=target_metadata,"
            " template_args={'extra': 'from-env'})",
        )
        .replace(
            'dialect_opts={"paramstyle": "named"},',
            'dialect_opts={"paramstyle": "named"}, template_args={"extra": "offline-env"},',
        )
    )
    without = project.sterna("revision", "-m", "plain", "--sql")
    assert without.status == 1
    assert "revision_environment" in failure(without.err)

    project.set_option("revision_environment", "true")
    online = project.sterna("revision", "-m", "one", "--rev-id", "r1")
    assert online.status == 0, online
    assert "ENV RAN offline=False" in online.out
    assert "# extra: from-env" in (project.versions / "r1_one.py").read_text()
    offline = project.sterna("revision", "-m", "two", "--rev-id", "r2", "--sql")
    assert offline.status == 0, offline
    assert "ENV RAN offline=True" in offline.out
    assert "# extra: offline-env" in (project.versions / "r2_two.py").read_text()


def test_process_revision_directives(project: Project) -> None:
    project.set_option("revision_environment", "true")
    cfg = Config(project.ours / "alembic.ini")
    seen = []

    def rename(context: object, revision: object, directives: list[Any]) -> None:
        seen.append(revision)
        directives[0].rev_id = "custom1"
        directives[0].message = "renamed by hook"

    script = command.revision(cfg, "original", process_revision_directives=rename)
    assert isinstance(script, Script)
    assert script.revision == "custom1"
    assert (project.versions / "custom1_renamed_by_hook.py").is_file()
    assert seen == [()]

    def drop(context: object, revision: object, directives: list[Any]) -> None:
        directives[:] = []

    assert command.revision(cfg, "dropped", process_revision_directives=drop) == []
    assert not list(project.versions.glob("*_dropped.py"))


def hook_program(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "hook_prog"
    path.write_text(f"#!{sys.executable}\nimport sys\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_post_write_hooks_from_ini(project: Project) -> None:
    marker = hook_program(project.root, "open(sys.argv[1], 'a').write('# hooked\\n')")
    ini = project.ours / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "[post_write_hooks]\n",
            "[post_write_hooks]\nhooks = mark, fmt\nfmt.type = module\nfmt.module = ruff\n"
            "fmt.options = format REVISION_SCRIPT_FILENAME\n"
            f"mark.type = exec\nmark.executable = {marker}\n",
        )
    )
    result = project.sterna("revision", "-m", "hooked one", "--rev-id", "h1")
    assert result.status == 0, result
    assert "Running post write hook 'fmt' ..." in result.out
    script = project.versions / "h1_hooked_one.py"
    assert "# hooked\n" in script.read_text()
    check = __import__("subprocess").run(
        [sys.executable, "-m", "ruff", "format", "--check", str(script)], capture_output=True
    )
    assert check.returncode == 0


def test_post_write_hooks_from_toml_and_failure(tmp_path: Path) -> None:
    assert run_in_process(tmp_path, ["-q", "init", "-t", "pyproject", "migs"]).status == 0
    failing = hook_program(tmp_path, "sys.exit(4)")
    with (tmp_path / "pyproject.toml").open("a") as fh:
        fh.write(
            f'\n[[tool.alembic.post_write_hooks]]\nname = "bad"\ntype = "exec"\n'
            f'executable = "{failing}"\n'
        )
    result = run_in_process(tmp_path, ["revision", "-m", "x", "--rev-id", "f1"])
    assert result.status == 1
    assert failure(result.err).startswith("Post-write hook 'bad'")
    assert "status 4" in result.err
    assert (tmp_path / "migs" / "versions" / "f1_x.py").is_file()


def test_edit(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.add("a1", None)
    project.add("b2", "a1")
    record = project.root / "edited.txt"
    editor = hook_program(project.root, f"open({str(record)!r}, 'a').write(sys.argv[1] + '\\n')")
    monkeypatch.setenv("EDITOR", str(editor))
    assert project.sterna("edit", "a1").status == 0
    assert record.read_text() == f"{project.versions / 'a1_script.py'}\n"
    nothing = project.sterna("edit", "current")
    assert nothing.status == 1
    assert failure(nothing.err) == "No current revisions"
    project.alembic("stamp", "b2")
    assert project.sterna("edit", "current").status == 0
    assert record.read_text().splitlines()[-1] == str(project.versions / "b2_script.py")
    monkeypatch.setenv("EDITOR", "false")
    failed = project.sterna("edit", "a1")
    assert failed.status == 1
    assert "exited with status 1" in failure(failed.err)


def test_directive_hooks_order_command_then_env(project: Project) -> None:
    project.set_option("revision_environment", "true")
    env = project.ours / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "context.configure(connection=connection, target_metadata=target_metadata)",
            "context.configure(connection=connection, target_metadata=target_metadata,"
            " process_revision_directives=lambda c, r, d: (config.attributes['order'].append('env'),"  # noqa: E501
            " setattr(d[0], 'message', d[0].message + ' env')))",
        )
    )
    cfg = Config(project.ours / "alembic.ini", attributes={"order": []})

    def command_hook(context: object, revision: object, directives: list[Any]) -> None:
        cfg.attributes["order"].append("cmd")
        directives[0].message += " cmd"

    script = command.revision(cfg, "msg", rev_id="o1", process_revision_directives=command_hook)
    assert cfg.attributes["order"] == ["cmd", "env"]
    assert isinstance(script, Script)
    assert script.doc == "msg cmd env"


def test_cmd_opts_look_like_alembic(project: Project) -> None:
    append_to_env(
        project,
        "print('AUTOGEN=%s CMD=%s' % (config.cmd_opts.autogenerate,"
        " config.cmd_opts.cmd[0].__name__))",
    )
    project.set_option("revision_environment", "true")
    result = project.sterna("revision", "-m", "x")
    assert "AUTOGEN=False CMD=revision" in result.out
