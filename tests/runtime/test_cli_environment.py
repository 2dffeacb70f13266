"""What env.py sees through the real CLI and command layer: -x, --tag, start:end, heads."""

from __future__ import annotations

from pathlib import Path

import pytest

ENV_PY = """
from {package} import context

context.configure(url=context.config.get_main_option("sqlalchemy.url"))
context.static_output("-- x=%r" % (context.get_x_argument(as_dictionary=True),))
context.static_output("-- xs=%r" % (context.get_x_argument(),))
context.static_output("-- tag=%r" % (context.get_tag_argument(),))
context.static_output("-- start=%r" % (context.get_starting_revision_argument(),))
context.static_output("-- dest=%r" % (context.get_revision_argument(),))
context.static_output("-- head=%r heads=%r" % (context.get_head_revision(),
                                               context.get_head_revisions()))
context.static_output("-- offline=%r" % (context.is_offline_mode(),))
with context.begin_transaction():
    context.run_migrations()
"""

SCRIPT = '''"""{rev}"""
from {package} import op

revision = {rev!r}
down_revision = {down!r}


def upgrade():
    op.execute("SELECT '{rev}'")


def downgrade():
    pass
'''


def project(root: Path, package: str) -> Path:
    folder = root / "migrations"
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(ENV_PY.format(package=package))
    (folder / "script.py.mako").write_text("")
    for rev, down in (("aaa111", None), ("bbb222", "aaa111"), ("ccc333", "bbb222")):
        (folder / "versions" / f"{rev}.py").write_text(
            SCRIPT.format(rev=rev, down=down, package=package)
        )
    (root / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
        "sqlalchemy.url = postgresql://u:p@localhost/db\n"
    )
    return root


ARGV = ["-x", "tenant=acme", "-x", "dry", "upgrade", "aaa:ccc", "--sql", "--tag", "v7"]


def test_env_py_sees_the_command_line_as_with_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sterna.script.plan")
    import alembic.config

    from sterna.cli import main

    monkeypatch.chdir(project(tmp_path / "alembic", "alembic"))
    alembic.config.main(argv=ARGV)
    theirs = capsys.readouterr().out
    monkeypatch.chdir(project(tmp_path / "sterna", "sterna"))
    status = main(ARGV)
    ours = capsys.readouterr().out
    assert status == 0, ours

    def comments(out: str) -> list[str]:
        return [line for line in out.splitlines() if line.startswith("--")]

    assert comments(ours) == comments(theirs)
    assert comments(ours)[:3] == [
        "-- x={'tenant': 'acme', 'dry': ''}",
        "-- xs=['tenant=acme', 'dry']",
        "-- tag='v7'",
    ]
    assert (
        "UPDATE alembic_version SET version_num='ccc333' "
        "WHERE alembic_version.version_num = 'bbb222';" in ours
    )
