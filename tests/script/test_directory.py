"""ScriptDirectory and Script against Alembic's, on the same generated project.

Every expectation here is Alembic's own answer for the same folder (its ScriptDirectory imports the
scripts; ours reads their headers), so the text forms and graph answers are compared line by line.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sterna.errors import CommandError, ConfigError, ScriptError
from sterna.script import Script, ScriptDirectory


@dataclass(frozen=True)
class Spec:
    rev: str
    down: str | tuple[str, ...] | None
    labels: tuple[str, ...] | None = None
    depends: str | tuple[str, ...] | None = None
    doc: str | None = "message for {rev}"


RICH = [
    Spec("a1b2c3", None, labels=("alpha",), doc="create suppliers table"),
    Spec("b2c3d4", "a1b2c3", doc="add column\n\nwith a second paragraph\n  indented line"),
    Spec("c3d4e5", "b2c3d4", doc=""),
    Spec("d4e5f6", "c3d4e5", doc=None),
    Spec("e5f6a7", "c3d4e5", labels=("beta",)),
    Spec("f6a7b8", ("d4e5f6", "e5f6a7"), doc="merge heads\nsecond line of the first paragraph"),
    Spec("a7b8c9", "f6a7b8"),
    Spec("b8c9d0", None, labels=("other",), doc="second base"),
    Spec("c9d0e1", "b8c9d0", depends="c3d4e5"),
    Spec("d0e1f2", "c9d0e1", depends=("beta", "a1b2c3")),
    Spec("e1f2a3", "c3d4e5", doc="third child of the branch point"),
    Spec("f2a3b4", "e1f2a3", doc="a head that another revision depends on"),
    Spec("a3b4c5", "d0e1f2", depends="f2a3b4"),
]

LINEAR = [Spec("1111aa", None), Spec("2222bb", "1111aa"), Spec("3333cc", "2222bb")]


def script_source(spec: Spec) -> str:
    doc = ""
    if spec.doc is not None:
        text = spec.doc.format(rev=spec.rev)
        doc = f'"""{text}\n\nRevision ID: {spec.rev}\nRevises: {spec.down}\n\n"""\n'
    return (
        f"{doc}\n# revision identifiers\nrevision = {spec.rev!r}\n"
        f"down_revision = {spec.down!r}\nbranch_labels = {spec.labels!r}\n"
        f"depends_on = {spec.depends!r}\n\n\ndef upgrade():\n    pass\n\n\n"
        "def downgrade():\n    pass\n"
    )


def make_project(root: Path, specs: list[Spec], versions: str = "versions") -> Path:
    folder = root / versions
    folder.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        (folder / f"{spec.rev}_x.py").write_text(script_source(spec))
    return root


def alembic_dir(path: Path, **kw: object) -> object:
    from alembic.script import ScriptDirectory as AlembicScriptDirectory

    return AlembicScriptDirectory(str(path), **kw)  # type: ignore[arg-type]


_GROUP = re.compile(r"\(([^()]*)\)")


def normalise(text: str) -> str:
    """Sort the members of comma lists that Alembic prints in set order."""

    def sort_group(match: re.Match[str]) -> str:
        return "(" + ", ".join(sorted(match.group(1).split(", "))) + ")"

    lines = []
    for line in _GROUP.sub(sort_group, text).split("\n"):
        for prefix in ("Branches into: ", "Branch names: "):
            if line.startswith(prefix):
                line = prefix + ", ".join(sorted(line[len(prefix) :].split(", ")))
        lines.append(line)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ScriptDirectory, object]]:
    root = make_project(tmp_path_factory.mktemp("rich"), RICH)
    yield ScriptDirectory(str(root)), alembic_dir(root)


FLAGS = list(itertools.product([False, True], repeat=4))


def test_every_text_form_matches_alembic(rich: tuple[ScriptDirectory, object]) -> None:
    ours, theirs = rich
    compared = 0
    for ref in theirs.walk_revisions():  # type: ignore[attr-defined]
        mine = ours.get_revision(ref.revision)
        assert isinstance(mine, Script)
        assert mine.path == ref.path
        assert mine.doc == ref.doc
        assert mine.longdoc == ref.longdoc
        assert normalise(mine.log_entry) == normalise(ref.log_entry)
        assert str(mine) == str(ref)
        for branches, doc, parents, tree in FLAGS:
            expected = ref.cmd_format(False, branches, doc, parents, tree)
            got = mine.cmd_format(False, branches, doc, parents, tree)
            assert normalise(got) == normalise(expected), (ref.revision, branches, doc, parents)
            compared += 1
        assert normalise(mine.cmd_format(True)) == normalise(ref.cmd_format(True))
    assert compared == len(RICH) * len(FLAGS)


def test_current_indicator_matches_alembic(rich: tuple[ScriptDirectory, object]) -> None:
    ours, theirs = rich
    for rev in ("c3d4e5", "a7b8c9", "f2a3b4"):
        mine, ref = ours.get_revision(rev), theirs.get_revision(rev)  # type: ignore[attr-defined]
        mine._db_current_indicator = ref._db_current_indicator = True
        try:
            assert normalise(mine.log_entry) == normalise(ref.log_entry)
            expected = normalise(ref.cmd_format(False, True, True, True))
            assert normalise(mine.cmd_format(False, True, True, True)) == expected
        finally:
            mine._db_current_indicator = ref._db_current_indicator = None


def test_graph_answers_match_alembic(rich: tuple[ScriptDirectory, object]) -> None:
    ours, theirs = rich
    assert [s.revision for s in ours.walk_revisions()] == [
        s.revision
        for s in theirs.walk_revisions()  # type: ignore[attr-defined]
    ]
    assert ours.get_heads() == theirs.get_heads()  # type: ignore[attr-defined]
    assert ours.get_heads(consider_depends_on=True) == theirs.get_heads(  # type: ignore[attr-defined]
        consider_depends_on=True
    )
    assert ours.get_bases() == theirs.get_bases()  # type: ignore[attr-defined]
    idents = (
        "heads",
        "alpha@head",
        "alpha@heads",
        "beta@head",
        "other@head",
        "base",
        "e5f6a7",
        "a1b2",
        "f2a3b4@head",
        "head",
        "nosuch",
    )
    for ident in idents:
        for method in ("as_revision_number", "get_revisions"):
            expected = outcome(functools.partial(getattr(theirs, method), ident))
            got = outcome(functools.partial(getattr(ours, method), ident))
            assert got == expected, (method, ident)
    assert {s.revision for s in ours.get_all_current(("a1b2c3", "c3d4e5", "b8c9d0"))} == {
        s.revision
        for s in theirs.get_all_current(("a1b2c3", "c3d4e5", "b8c9d0"))  # type: ignore[attr-defined]
    }
    for upper, lower in [("a7b8c9", "a1b2c3"), ("heads", "base"), ("d0e1f2", "base")]:
        assert [s.revision for s in ours.iterate_revisions(upper, lower)] == [
            s.revision
            for s in theirs.iterate_revisions(upper, lower)  # type: ignore[attr-defined]
        ]


def outcome(call: object) -> object:
    """What a call returns (revisions as their ids) or the message it fails with."""
    try:
        value = call()  # type: ignore[operator]
    except Exception as err:  # compared across implementations
        return f"error: {err}"
    if isinstance(value, tuple) and value and hasattr(value[0], "revision"):
        return tuple(v.revision if v is not None else None for v in value)
    return value


def reference_error(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except Exception as err:  # we want Alembic's message, whatever its class
        return str(err)
    raise AssertionError("Alembic did not fail")


@pytest.mark.parametrize(
    "method,args",
    [
        ("get_revision", ("zzzz",)),
        ("get_revision", ("heads",)),
        ("get_revision", ("head",)),
        ("get_revisions", ("nope@head",)),
        ("get_current_head", ()),
        ("get_base", ()),
        ("as_revision_number", ("x@head",)),
    ],
)
def test_error_messages_match_alembic(
    rich: tuple[ScriptDirectory, object], method: str, args: tuple[str, ...]
) -> None:
    ours, theirs = rich
    expected = reference_error(lambda: getattr(theirs, method)(*args))
    with pytest.raises(CommandError) as info:
        getattr(ours, method)(*args)
    assert str(info.value) == expected


def test_walk_revisions_range_error_matches_alembic(rich: tuple[ScriptDirectory, object]) -> None:
    ours, theirs = rich
    expected = reference_error(
        lambda: list(theirs.walk_revisions("e5f6a7", "d4e5f6"))  # type: ignore[attr-defined]
    )
    with pytest.raises(CommandError) as info:
        list(ours.walk_revisions("e5f6a7", "d4e5f6"))
    assert str(info.value) == expected


def test_ambiguous_prefix_names_candidates(rich: tuple[ScriptDirectory, object]) -> None:
    ours, _ = rich
    with pytest.raises(CommandError) as info:
        ours.get_revision("a")
    assert "a1b2c3" in str(info.value) and "a7b8c9" in str(info.value)


def test_single_head_and_base(tmp_path: Path) -> None:
    ours = ScriptDirectory(str(make_project(tmp_path, LINEAR)))
    assert ours.get_current_head() == "3333cc"
    assert ours.get_base() == "1111aa"
    assert ours.as_revision_number("head") == "3333cc"
    assert ours.as_revision_number("base") is None
    assert ours.versions == str(tmp_path / "versions")


def test_empty_and_missing_versions_folder(tmp_path: Path) -> None:
    ours = ScriptDirectory(str(tmp_path))
    assert ours.get_heads() == []
    assert ours.get_current_head() is None
    assert ours.get_base() is None
    assert list(ours.walk_revisions()) == []


def test_missing_script_folder_message_matches_alembic(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    expected = reference_error(lambda: alembic_dir(Path(missing)))
    with pytest.raises(ConfigError) as info:
        ScriptDirectory(missing)
    assert str(info.value) == expected


def test_several_version_locations_and_recursion(tmp_path: Path) -> None:
    make_project(tmp_path, LINEAR[:2], versions="one")
    make_project(tmp_path, [Spec("3333cc", "2222bb")], versions="two/deeper")
    locations = [str(tmp_path / "one"), str(tmp_path / "two")]
    flat = ScriptDirectory(str(tmp_path), version_locations=locations)
    assert flat.get_heads() == ["2222bb"]
    deep = ScriptDirectory(
        str(tmp_path), version_locations=locations, recursive_version_locations=True
    )
    reference = alembic_dir(tmp_path, version_locations=locations, recursive_version_locations=True)
    assert deep.get_heads() == reference.get_heads() == ["3333cc"]  # type: ignore[attr-defined]
    assert deep.get_revision("3333cc").path == reference.get_revision("3333cc").path  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="Multiple version_locations present"):
        _ = deep.versions


def test_overlapping_locations_warn_and_read_once(tmp_path: Path) -> None:
    make_project(tmp_path, LINEAR)
    locations = [str(tmp_path / "versions"), str(tmp_path / "versions")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        heads = ScriptDirectory(str(tmp_path), version_locations=locations).get_heads()
    assert heads == ["3333cc"]
    assert caught


# ------------------------------------------------------------------------------ modules


def test_module_is_imported_lazily_once_with_unique_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    make_project(tmp_path, [Spec("aaaa11", None)], versions="one")
    other = tmp_path / "two"
    other.mkdir()
    (other / "aaaa11_x.py").write_text(script_source(Spec("bbbb22", "aaaa11")))
    scripts = ScriptDirectory(str(tmp_path), version_locations=[str(tmp_path / "one"), str(other)])
    first, second = scripts.get_revision("aaaa11"), scripts.get_revision("bbbb22")
    assert first._module is None, "listing must not import scripts"
    module = first.module
    assert module is first.module
    assert module.revision == "aaaa11"
    assert second.module.revision == "bbbb22"
    assert module.__name__ != second.module.__name__
    assert (tmp_path / "one" / "__pycache__").is_dir()
    assert any(p.suffix == ".pyc" for p in (tmp_path / "one" / "__pycache__").iterdir())


def test_syntax_error_in_body_surfaces_when_run(tmp_path: Path) -> None:
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / "abc_x.py").write_text(
        'revision = "abc"\ndown_revision = None\n\n\ndef upgrade(:\n    pass\n'
    )
    scripts = ScriptDirectory(str(tmp_path))
    script = scripts.get_revision("abc")
    with pytest.raises(ScriptError) as info:
        _ = script.module
    assert str(info.value) == f"{folder / 'abc_x.py'}: syntax error at line 5: invalid syntax"


def test_run_env_executes_env_py_and_propagates_errors(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    (tmp_path / "env.py").write_text(f"open({str(marker)!r}, 'w').write(__name__)\n")
    scripts = ScriptDirectory(str(tmp_path))
    assert scripts.env_py_location == str(tmp_path / "env.py")
    scripts.run_env()
    assert marker.read_text() == "env_py"
    (tmp_path / "env.py").write_text("raise RuntimeError('boom from env')\n")
    with pytest.raises(RuntimeError, match="boom from env"):
        scripts.run_env()
    (tmp_path / "env.py").unlink()
    with pytest.raises(ScriptError, match="env.py: file not found"):
        scripts.run_env()


def test_run_env_sourceless(tmp_path: Path) -> None:
    import py_compile

    marker = tmp_path / "ran.txt"
    (tmp_path / "env.py").write_text(f"open({str(marker)!r}, 'w').write('pyc')\n")
    py_compile.compile(str(tmp_path / "env.py"), cfile=str(tmp_path / "env.pyc"))
    (tmp_path / "env.py").unlink()
    ScriptDirectory(str(tmp_path), sourceless=True).run_env()
    assert marker.read_text() == "pyc"


def test_listing_imports_neither_sqlalchemy_nor_mako(tmp_path: Path) -> None:
    make_project(tmp_path, RICH)
    repo = Path(__file__).resolve().parents[2]
    code = (
        "import sys\nfrom sterna.script import ScriptDirectory\n"
        f"s = ScriptDirectory({str(tmp_path)!r})\n"
        "lines = [sc.cmd_format(False, True, True, True) for sc in s.walk_revisions()]\n"
        "lines += [sc.log_entry for sc in s.walk_revisions()]\n"
        "s.get_heads(); s.get_bases()\n"
        "print(len(lines), 'sqlalchemy' in sys.modules, 'mako' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(repo)},
    ).stdout.split()
    assert out == [str(2 * len(RICH)), "False", "False"]


# ------------------------------------------------------------------------------ planning wrappers

UPGRADES = [("heads", ()), ("a7b8c9", ("c3d4e5",)), ("beta@head", ()), ("a3b4c5", ("a7b8c9",))]
DOWNGRADES = [("base", ("a7b8c9",)), ("c3d4e5", ("a7b8c9",)), ("-1", ("a7b8c9",))]


@pytest.mark.parametrize("destination,current", UPGRADES)
def test_plan_upgrade_runs_the_scripts_alembic_runs(
    rich: tuple[ScriptDirectory, object], destination: str, current: tuple[str, ...]
) -> None:
    ours, theirs = rich
    expected = [s.revision.revision for s in theirs._upgrade_revs(destination, current)]  # type: ignore[attr-defined]
    steps = ours.plan_upgrade(destination, current)
    assert [s.script.revision for s in steps if s.script is not None] == expected
    assert all(isinstance(s.script, Script) for s in steps)
    assert [s.script.revision for s in ours._upgrade_revs(destination, current)] == expected  # type: ignore[union-attr]


@pytest.mark.parametrize("destination,current", DOWNGRADES)
def test_plan_downgrade_runs_the_scripts_alembic_runs(
    rich: tuple[ScriptDirectory, object], destination: str, current: tuple[str, ...]
) -> None:
    ours, theirs = rich
    expected = [s.revision.revision for s in theirs._downgrade_revs(destination, current)]  # type: ignore[attr-defined]
    steps = ours.plan_downgrade(destination, current)
    assert [s.script.revision for s in steps if s.script is not None] == expected
    assert all(isinstance(s.script, Script) for s in steps)


def test_plan_stamp_and_errors(rich: tuple[ScriptDirectory, object]) -> None:
    ours, theirs = rich
    reference = theirs._stamp_revs("a7b8c9", ("c3d4e5",))  # type: ignore[attr-defined]
    steps = ours.plan_stamp("a7b8c9", ("c3d4e5",))
    assert [(s.from_revisions, s.to_revisions) for s in steps] == [
        (tuple(r.from_revisions), tuple(r.to_revisions)) for r in reference
    ]
    assert all(s.is_stamp for s in steps)
    expected = reference_error(lambda: theirs._upgrade_revs("nosuch", ()))  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as info:
        ours.plan_upgrade("nosuch", ())
    assert str(info.value) == expected
    expected = reference_error(lambda: theirs._downgrade_revs("e5f6a7", ("d4e5f6",)))  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as info:
        ours.plan_downgrade("e5f6a7", ("d4e5f6",))
    assert str(info.value).startswith(expected)
