"""generate_revision against Alembic's: twin projects receive the same requests and must end with
the same files (name and content, less the create date), the same output and the same errors."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sterna.errors import CommandError, NewRevisionError, ScriptError
from sterna.script import ScriptDirectory

TEMPLATE = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
${imports if imports else ""}
# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}
# extra: ${context.get("extra_arg", "none")}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

_DATE_LINE = re.compile(r"^Create Date: .*$", re.MULTILINE)


class Twins:
    """An Alembic project and a Sterna project, fed the same requests."""

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str], **kw: Any) -> None:
        from alembic.script import ScriptDirectory as AlembicScriptDirectory

        self.capsys = capsys
        self.roots = {"alembic": root / "alembic", "sterna": root / "sterna"}
        self.dirs: dict[str, Any] = {}
        for tool, folder in self.roots.items():
            folder.mkdir()
            (folder / "script.py.mako").write_text(TEMPLATE)
            options = dict(kw)
            if "version_locations" in options:
                options["version_locations"] = [
                    str(folder / loc) for loc in options["version_locations"]
                ]
            cls = AlembicScriptDirectory if tool == "alembic" else ScriptDirectory
            self.dirs[tool] = cls(str(folder), **options)

    def call(self, tool: str, fn: Callable[[Any], Any]) -> tuple[str, str]:
        """Run ``fn`` on one side; the outcome ('ok' or the error) and what it printed."""
        self.capsys.readouterr()
        try:
            fn(self.dirs[tool])
            outcome = "ok"
        except Exception as err:  # compared with the other side's error
            outcome = f"error: {self.mask(tool, str(err))}"
        return outcome, self.mask(tool, self.capsys.readouterr().out)

    def mask(self, tool: str, text: str) -> str:
        return text.replace(str(self.roots[tool].resolve()), "<root>").replace(
            str(self.roots[tool]), "<root>"
        )

    def files(self, tool: str) -> dict[str, str]:
        out = {}
        for path in sorted(self.roots[tool].rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            rel = str(path.relative_to(self.roots[tool]))
            out[rel] = _DATE_LINE.sub("Create Date: <date>", path.read_text())
        return out

    def same(self, fn: Callable[[Any], Any]) -> str:
        """Apply ``fn`` to both; assert equal outcomes, output and files; return the outcome."""
        theirs = self.call("alembic", fn)
        ours = self.call("sterna", fn)
        assert ours == theirs
        assert self.files("sterna") == self.files("alembic")
        return ours[0]


def gen(revid: str, message: str | None, **kw: Any) -> Callable[[Any], Any]:
    return lambda d: d.generate_revision(revid, message, **kw)


def test_sequence_of_revisions_matches_alembic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twins = Twins(tmp_path, capsys)
    steps: list[tuple[Callable[[Any], Any], str]] = [
        (gen("aaa001", "create suppliers table"), "ok"),
        (gen("aaa002", "Add a column; with punctuation & ünïcode!"), "ok"),
        (gen("aaa003", "no splice", head="aaa001"), "error"),
        (gen("aaa003", "feature start", head="aaa001", splice=True, branch_labels="feature"), "ok"),
        (gen("aaa004", "ambiguous head"), "error"),
        (gen("aaa004", "x" * 80, head="feature@head"), "ok"),
        (gen("aaa005", "merge", head=["aaa002", "aaa004"]), "ok"),
        (gen("aaa006", "deps", head="aaa005", depends_on=["feature", "aaa002"]), "ok"),
        (gen("aaa007", "partial dep", head="aaa006", depends_on="zzz"), "error"),
        (gen("aaa007", "bad head", head="zzz"), "error"),
        (gen("a-b", "bad id", head="aaa006"), "error"),
        (gen("aaa007", None, head="aaa006", extra_arg="from template_args"), "ok"),
        (gen("aaa008", "second base", head="base"), "ok"),
        (gen("aaa009", "two labels", head="aaa008", branch_labels=["l1", "l2"]), "ok"),
        (gen("aaa010", "duplicate head", head=["aaa009", "aaa009"]), "error"),
        (gen("aaa010", "bad path", head="aaa009", version_path=str(tmp_path)), "error"),
        (
            gen(
                "aaa010",
                "imports",
                head="aaa009",
                imports="import os",
                upgrades="op.do_something()",
            ),
            "ok",
        ),
    ]
    for fn, expected in steps:
        assert twins.same(fn).split(":")[0] == expected
    # an ambiguous prefix: Alembic says it cannot locate it; we name the candidates instead
    ambiguous = gen("aaa011", "partial dep", head="aaa010", depends_on="aaa00")
    assert twins.call("alembic", ambiguous)[0] == (
        "error: Can't locate revision identified by 'aaa00'"
    )
    ours = twins.call("sterna", ambiguous)[0]
    assert ours.startswith("error: Multiple revisions start with 'aaa00': aaa001, aaa002")
    assert twins.files("sterna") == twins.files("alembic")


def test_new_script_joins_the_map_and_a_fresh_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twins = Twins(tmp_path, capsys)
    twins.same(gen("bbb001", "first"))
    twins.same(gen("bbb002", "second"))
    ours = twins.dirs["sterna"]
    assert ours.get_heads() == ["bbb002"]
    script = ours.get_revision("bbb002")
    assert script.doc == "second"
    fresh = ScriptDirectory(str(twins.roots["sterna"]))
    assert fresh.get_heads() == ["bbb002"]
    # the just-written file is edited at once, same size: a new scan must see the edit
    path = Path(script.path)
    text = path.read_text()
    path.write_text(text.replace("'bbb002'", "'bbb00X'"))
    assert ScriptDirectory(str(twins.roots["sterna"])).get_heads() == ["bbb00X"]


def test_multiple_version_locations_match_alembic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twins = Twins(tmp_path, capsys, version_locations=["v1", "v2"])
    root = {tool: twins.roots[tool] for tool in twins.roots}
    assert twins.same(gen("ccc001", "no path given")).startswith("error")

    def with_path(revid: str, message: str, folder: str, **kw: Any) -> Callable[[Any], Any]:
        def call(d: Any) -> Any:
            tool = "sterna" if isinstance(d, ScriptDirectory) else "alembic"
            return d.generate_revision(revid, message, version_path=str(root[tool] / folder), **kw)

        return call

    assert twins.same(with_path("ccc001", "first in v2", "v2")) == "ok"
    assert twins.same(gen("ccc002", "follows its head into v2")) == "ok"
    assert twins.same(with_path("ccc003", "other base in v1", "v1", head="base")) == "ok"
    assert twins.same(with_path("ccc004", "not a location", "v3", head="ccc003")).startswith(
        "error"
    )
    assert sorted(twins.files("sterna")) == [
        "v1/ccc003_other_base_in_v1.py",
        "v2/ccc001_first_in_v2.py",
        "v2/ccc002_follows_its_head_into_v2.py",
    ]


def test_file_template_with_subfolders_and_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twins = Twins(
        tmp_path, capsys, file_template="%(year)d/%(rev)s_%(slug)s", truncate_slug_length=8
    )
    assert twins.same(gen("ddd001", "a long message to truncate")) == "ok"
    assert list(twins.files("sterna")) == [f"versions/{_year()}/ddd001_a_long_.py"]


def _year() -> int:
    import datetime

    return datetime.datetime.now().year


def test_timezone_create_date(tmp_path: Path) -> None:
    (tmp_path / "script.py.mako").write_text(TEMPLATE)
    scripts = ScriptDirectory(str(tmp_path), timezone="Asia/Tokyo")
    script = scripts.generate_revision("eee001", "tz")
    assert script is not None
    assert re.search(r"^Create Date: .*\+09:00$", Path(script.path).read_text(), re.MULTILINE)


def test_duplicate_rev_id_is_refused_before_writing(tmp_path: Path) -> None:
    (tmp_path / "script.py.mako").write_text(TEMPLATE)
    scripts = ScriptDirectory(str(tmp_path))
    first = scripts.generate_revision("fff001", "first")
    assert first is not None
    with pytest.raises(NewRevisionError) as info:
        scripts.generate_revision("fff001", "again", head="fff001")
    assert str(info.value) == (
        f"Revision fff001 already exists in {first.path}; choose another --rev-id"
    )
    assert os.listdir(tmp_path / "versions") == ["fff001_first.py"]


def test_failing_template_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "script.py.mako").write_text("revision = ${repr(up_revision)}\n${1/0}\n")
    scripts = ScriptDirectory(str(tmp_path))
    with pytest.raises(ScriptError) as info:
        scripts.generate_revision("ggg001", "boom")
    assert str(info.value).startswith(f"{tmp_path / 'script.py.mako'}: template rendering failed")
    assert "ZeroDivisionError" in str(info.value)
    assert not (tmp_path / "versions").exists() or os.listdir(tmp_path / "versions") == []
    assert scripts.get_heads() == []


def test_template_without_branch_labels_is_refused(tmp_path: Path) -> None:
    (tmp_path / "script.py.mako").write_text(
        "revision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n"
    )
    scripts = ScriptDirectory(str(tmp_path))
    with pytest.raises(
        CommandError,
        match=r"branch labels .* were asked for, but .*script\.py\.mako writes no branch_labels",
    ):
        scripts.generate_revision("hhh001", "labels", branch_labels="lbl")
    assert list((tmp_path / "versions").glob("*.py")) == []


def test_template_that_does_not_declare_the_revision_is_refused(tmp_path: Path) -> None:
    (tmp_path / "script.py.mako").write_text("revision = 'other'\ndown_revision = None\n")
    with pytest.raises(ScriptError, match="declares revision 'other', not 'iii001'"):
        ScriptDirectory(str(tmp_path)).generate_revision("iii001", "x")


def test_reserved_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "script.py.mako").write_text(TEMPLATE)
    for revid in ("head", "base", "heads", "current", " "):
        with pytest.raises(NewRevisionError):
            ScriptDirectory(str(tmp_path)).generate_revision(revid, "x")


def test_quiet_messaging(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "script.py.mako").write_text(TEMPLATE)
    ScriptDirectory(str(tmp_path), messaging_opts={"quiet": True}).generate_revision("jjj001", "q")
    assert capsys.readouterr().out == ""
    ScriptDirectory(str(tmp_path)).generate_revision("jjj002", "loud")
    out = capsys.readouterr().out
    assert out == f"Generating {tmp_path / 'versions' / 'jjj002_loud.py'} ...  done\n"


def test_write_hooks_registered_through_alembics_path_run(tmp_path: Path) -> None:
    from sterna.hooks import run_hooks
    from sterna.script import write_hooks

    seen: list[tuple[str, str]] = []

    @write_hooks.register("a2_recording_hook")
    def record(path: str, options: Any) -> None:
        seen.append((path, options["extra"]))

    target = tmp_path / "x.py"
    target.write_text("")
    run_hooks(
        target, [{"_hook_name": "rec", "type": "a2_recording_hook", "extra": "yes"}], quiet=True
    )
    assert seen == [(str(target), "yes")]
