"""The snapshot of the built revision graph (sterna.script.snapshot)."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import pytest

import sterna.script.directory as directory
from sterna.script import ScriptDirectory, snapshot
from sterna.script.cache import CACHE_DIR
from sterna.script.revision import RevisionMap

OLD_NS = time.time_ns() - 3600 * 10**9  # an hour ago: outside the racy window


def script(rev: str, down: str | None, message: str = "msg", labels: str | None = None) -> str:
    return (
        f'"""{message}\n\nRevision ID: {rev}\n"""\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = {labels!r}\n\n\n"
        "def upgrade():\n    pass\n"
    )


def write(path: Path, text: str, *, mtime_ns: int | None = OLD_NS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    versions = tmp_path / "versions"
    write(versions / "a1_first.py", script("a1", None, "first", labels="main"))
    write(versions / "b2_second.py", script("b2", "a1", "second"))
    write(versions / "c3_third.py", script("c3", "b2", "third"))
    write(versions / "d4_fork.py", script("d4", "b2", "fork"))
    return tmp_path


def add_merge_and_second_base(versions: Path) -> None:
    """A merge of the fork (which also depends on the first script) and a second, labelled base."""
    merge = script("e5", None, "merge").replace(
        "down_revision = None", "down_revision = ('c3', 'd4')"
    )
    write(versions / "e5_merge.py", merge + "depends_on = ['a1']\n")
    write(versions / "f6_other.py", script("f6", None, "other base", labels="side"))


class Builds:
    """Counts the graph builds (header reads) as opposed to snapshot loads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = getattr(directory, "read_scripts")  # noqa: B009 - patched below

        def counting(*args: object, **kw: object) -> object:
            self.count += 1
            return real(*args, **kw)

        monkeypatch.setattr(directory, "read_scripts", counting)


def describe(root: Path, **kw: object) -> dict[str, object]:
    scripts = ScriptDirectory(str(root), **kw)  # type: ignore[arg-type]
    revmap = scripts.revision_map
    return {
        "heads": sorted(scripts.get_heads()),
        "bases": sorted(scripts.get_bases()),
        "revs": sorted(
            (s.revision, s.down_revision, sorted(s.nextrev), sorted(s.branch_labels), s.doc, s.path)
            for s in scripts.walk_revisions()
        ),
        "label": scripts.get_revision("main").revision,
        "len": len(revmap),
    }


def test_second_run_loads_the_snapshot_with_the_same_graph(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = Builds(monkeypatch)
    first = describe(project)
    assert builds.count == 1
    assert (project / CACHE_DIR / snapshot.SNAPSHOT_FILE).is_file()
    second = describe(project)
    assert builds.count == 1, "the unchanged folder must not be read again"
    assert second == first
    assert first["heads"] == ["c3", "d4"]
    module = ScriptDirectory(str(project)).get_revision("c3").module
    assert module.revision == "c3"  # scripts of a loaded graph still import


@pytest.mark.parametrize("change", ["edit-size", "edit-same-size", "add", "remove", "rename"])
def test_any_change_of_the_files_rebuilds(
    project: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    describe(project)
    versions = project / "versions"
    if change == "edit-size":
        write(versions / "d4_fork.py", script("d4", "a1", "fork moved"))
    elif change == "edit-same-size":
        write(versions / "d4_fork.py", script("d4", "a1", "fork"), mtime_ns=OLD_NS + 10**9)
    elif change == "add":
        write(versions / "e5_more.py", script("e5", "c3", "more"))
    elif change == "remove":
        (versions / "d4_fork.py").unlink()
    else:
        (versions / "d4_fork.py").rename(versions / "d4_renamed.py")
    builds = Builds(monkeypatch)
    expected = {
        "edit-size": ["c3", "d4"],
        "edit-same-size": ["c3", "d4"],
        "add": ["d4", "e5"],
        "remove": ["c3"],
        "rename": ["c3", "d4"],
    }[change]
    heads = describe(project)["heads"]
    assert builds.count == 1
    assert heads == expected
    if change in ("edit-size", "edit-same-size"):  # d4 now follows a1 instead of b2
        assert sorted(ScriptDirectory(str(project)).get_revision("a1").nextrev) == ["b2", "d4"]


def test_recently_modified_script_means_no_snapshot(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "versions" / "e5_fresh.py", script("e5", "c3"), mtime_ns=None)
    builds = Builds(monkeypatch)
    describe(project)
    describe(project)
    assert builds.count == 2
    assert not (project / CACHE_DIR / snapshot.SNAPSHOT_FILE).exists()


def test_other_code_or_options_do_not_use_the_snapshot(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    describe(project)
    builds = Builds(monkeypatch)
    monkeypatch.setattr(snapshot, "_code_fingerprint", lambda: (("other.py", 1, 2),))
    describe(project)
    assert builds.count == 1
    describe(project, recursive_version_locations=True)
    assert builds.count == 2


@pytest.mark.parametrize("damage", [b"", b"STGRAPH1", b"garbage" * 10, "truncate"])
def test_damaged_snapshot_is_rebuilt_and_replaced(
    project: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes | str
) -> None:
    expected = describe(project)
    path = project / CACHE_DIR / snapshot.SNAPSHOT_FILE
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:-200])
    else:
        assert isinstance(damage, bytes)
        path.write_bytes(damage)
    builds = Builds(monkeypatch)
    assert describe(project) == expected
    assert builds.count == 1
    assert describe(project) == expected
    assert builds.count == 1  # rewritten, so loaded this time
    assert not [p for p in os.listdir(project / CACHE_DIR) if p.endswith(".tmp")]


def test_file_reached_twice_warns_every_time(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locations = [str(project / "versions"), str(project / "versions")]
    builds = Builds(monkeypatch)
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ScriptDirectory(str(project), version_locations=locations).get_heads()
        assert any("more than one version location" in str(w.message) for w in caught)
    assert builds.count == 2


def test_unwritable_cache_folder_still_works(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / CACHE_DIR).write_text("a file where the folder should be")
    builds = Builds(monkeypatch)
    assert describe(project) == describe(project)
    assert builds.count == 2


def test_sourceless_project_gets_no_snapshot(project: Path) -> None:
    ScriptDirectory(str(project), sourceless=True).get_heads()
    assert not (project / CACHE_DIR / snapshot.SNAPSHOT_FILE).exists()


def test_errors_still_reported_from_a_snapshot_project(project: Path) -> None:
    from sterna.errors import CommandError

    describe(project)
    with pytest.raises(CommandError, match="zz9"):
        ScriptDirectory(str(project)).get_revision("zz9")


def test_loaded_scripts_answer_every_attribute_as_built(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows leave out attributes equal to the class defaults; every attribute (and the graph's
    derived data) must still read the same as on the scripts that were built."""
    add_merge_and_second_base(project / "versions")
    builds = Builds(monkeypatch)
    built = ScriptDirectory(str(project)).revision_map
    loaded = ScriptDirectory(str(project)).revision_map
    assert builds.count == 1, "the second map must come from the snapshot"
    assert loaded is not built
    for original in built:
        copy = loaded.get_revision(original.revision)
        assert copy is not original
        for name in vars(original):
            assert getattr(copy, name) == getattr(original, name), (original.revision, name)
    for field in ("heads", "bases", "real_heads", "real_bases", "order", "topo"):
        assert getattr(loaded._graph, field) == getattr(built._graph, field), field
    assert {k: v.revision for k, v in loaded._graph.labels.items()} == {
        k: v.revision for k, v in built._graph.labels.items()
    }
    assert loaded._full_walk is not None, "the walk order comes with the snapshot"
    assert [r.revision for r in loaded.iterate_revisions("heads", "base")] == [
        r.revision for r in RevisionMap(list(built)).iterate_revisions("heads", "base")
    ]
    e5 = loaded.get_revision("e5")
    assert e5 is not None
    assert e5.dependencies == "a1" and e5.dependency_ids == ("a1",)
    assert e5.down_revisions == ("c3", "d4")


def test_plain_history_is_stored_with_the_snapshot(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text a plain ``history`` prints for the whole graph comes with the snapshot, is the
    text the scripts format line by line, and is what the command prints without formatting."""
    from sterna import command
    from sterna.config import Config
    from sterna.script.base import Script

    add_merge_and_second_base(project / "versions")
    builds = Builds(monkeypatch)
    built = ScriptDirectory(str(project))
    expected = "\n".join(s.history_line() for s in built.walk_revisions())
    assert "(mergepoint)" in expected and "(branchpoint)" in expected
    loaded = ScriptDirectory(str(project)).revision_map
    assert builds.count == 1, "the second map must come from the snapshot"
    assert loaded.history_text == expected

    def no_formatting(self: Script) -> str:
        raise AssertionError(f"{self.revision} formatted again")

    monkeypatch.setattr(Script, "history_line", no_formatting)
    config = Config()
    config.set_main_option("script_location", str(project))
    command.history(config)
    assert capsys.readouterr().out == expected + "\n"
    with pytest.raises(AssertionError, match="formatted again"):
        command.history(config, "a1:heads")  # a range is formatted, not taken from the store
