"""The persistent header cache and the listing of version folders."""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path

import pytest

import sterna.script.scan as scan
from sterna.errors import ScriptError
from sterna.script.cache import CACHE_DIR, CACHE_FILE, RACY_WINDOW_NS
from sterna.script.headers import ScriptHeader, parse_header
from sterna.script.scan import find_scripts

OLD_NS = time.time_ns() - 3600 * 10**9  # an hour ago: well outside the racy window


def script(rev: str, down: str | None, message: str = "msg") -> str:
    return (
        f'"""{message}\n\nRevision ID: {rev}\n"""\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\ndef upgrade():\n    pass\n"
    )


def write(path: Path, text: str, *, mtime_ns: int | None = OLD_NS) -> None:
    path.write_text(text)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


class Reads:
    """Counts the files whose source is actually parsed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = parse_header  # the function scan binds as parse_header

        def counting(source: bytes, path: str) -> ScriptHeader:
            self.paths.append(os.path.basename(path))
            return real(source, path)

        monkeypatch.setattr(scan, "parse_header", counting)

    def take(self) -> list[str]:
        out, self.paths = self.paths, []
        return sorted(out)


def cache_entries(folder: Path) -> dict[str, object]:
    data = json.loads((folder / CACHE_DIR / CACHE_FILE).read_text())
    entries = data["entries"]
    assert isinstance(entries, dict)
    return entries


def revisions(folder: Path, **kw: bool) -> dict[str, str]:
    return {os.path.basename(f.path): f.header.revision for f in find_scripts([str(folder)], **kw)}


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    folder = tmp_path / "versions"
    folder.mkdir()
    write(folder / "aaa_first.py", script("aaa", None))
    write(folder / "bbb_second.py", script("bbb", "aaa"))
    write(folder / "ccc_third.py", script("ccc", "bbb"))
    return folder


def test_second_scan_reads_no_file(versions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = Reads(monkeypatch)
    first = revisions(versions)
    assert reads.take() == ["aaa_first.py", "bbb_second.py", "ccc_third.py"]
    assert set(cache_entries(versions)) == {"aaa_first.py", "bbb_second.py", "ccc_third.py"}

    opened: list[str] = []
    real_open = open

    def spy_open(file: str, *args: object, **kw: object) -> object:
        opened.append(str(file))
        return real_open(file, *args, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(scan, "open", spy_open, raising=False)
    assert revisions(versions) == first
    assert reads.take() == []
    assert opened == []


def test_same_size_edit_with_new_mtime_is_reread(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    revisions(versions)
    reads = Reads(monkeypatch)
    target = versions / "bbb_second.py"
    before = target.stat().st_size
    write(target, script("bbx", "aaa"), mtime_ns=OLD_NS + 10**9)
    assert target.stat().st_size == before
    assert revisions(versions)["bbb_second.py"] == "bbx"
    assert reads.take() == ["bbb_second.py"]
    assert revisions(versions)["bbb_second.py"] == "bbx"
    assert reads.take() == []


def test_replaced_file_with_same_size_and_mtime_is_reread(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file swapped in by rename (new inode) keeps neither its cache entry nor its header."""
    revisions(versions)
    reads = Reads(monkeypatch)
    target = versions / "bbb_second.py"
    replacement = versions.parent / "replacement.tmp"
    write(replacement, script("bbz", "aaa"))
    os.replace(replacement, target)
    assert revisions(versions)["bbb_second.py"] == "bbz"
    assert reads.take() == ["bbb_second.py"]


def test_rename_and_delete(versions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    revisions(versions)
    reads = Reads(monkeypatch)
    os.rename(versions / "ccc_third.py", versions / "ccc_renamed.py")
    (versions / "aaa_first.py").unlink()
    assert revisions(versions) == {"bbb_second.py": "bbb", "ccc_renamed.py": "ccc"}
    assert reads.take() == ["ccc_renamed.py"]
    assert set(cache_entries(versions)) == {"bbb_second.py", "ccc_renamed.py"}


def test_new_file_is_read(versions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    revisions(versions)
    reads = Reads(monkeypatch)
    write(versions / "ddd_fourth.py", script("ddd", "ccc"))
    assert revisions(versions)["ddd_fourth.py"] == "ddd"
    assert reads.take() == ["ddd_fourth.py"]


def test_recently_modified_files_are_not_persisted(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry written within the racy window could hide a same-size edit in the same tick."""
    write(versions / "ddd_fresh.py", script("ddd", "ccc"), mtime_ns=None)
    reads = Reads(monkeypatch)
    assert revisions(versions)["ddd_fresh.py"] == "ddd"
    assert "ddd_fresh.py" not in cache_entries(versions)
    # edited again at once, same size: still seen, because it was never trusted
    write(versions / "ddd_fresh.py", script("dde", "ccc"), mtime_ns=None)
    assert revisions(versions)["ddd_fresh.py"] == "dde"
    assert reads.take() == sorted(
        ["aaa_first.py", "bbb_second.py", "ccc_third.py"] + ["ddd_fresh.py", "ddd_fresh.py"]
    )
    # once old enough it is cached like the others
    old = time.time_ns() - 2 * RACY_WINDOW_NS
    os.utime(versions / "ddd_fresh.py", ns=(old, old))
    revisions(versions)
    assert "ddd_fresh.py" in cache_entries(versions)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"format": "other", "version": 1, "entries": {}}',
        b"[]",
        b'{"format": "sterna-headers", "version": 1, "entries": {"x.py": [1, 2]}}',
    ],
    ids=["garbage", "foreign", "wrong-type", "bad-entry"],
)
def test_corrupt_cache_is_ignored_and_rewritten(
    versions: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    expected = revisions(versions)
    (versions / CACHE_DIR / CACHE_FILE).write_bytes(content)
    reads = Reads(monkeypatch)
    assert revisions(versions) == expected
    assert len(reads.take()) == 3
    assert set(cache_entries(versions)) == set(expected)
    leftovers = [p for p in os.listdir(versions / CACHE_DIR) if p != CACHE_FILE]
    assert leftovers == []


def test_poisoned_entry_with_matching_key_is_not_trusted_blindly(versions: Path) -> None:
    """A valid key with a malformed header is dropped and the file is read again."""
    revisions(versions)
    path = versions / CACHE_DIR / CACHE_FILE
    data = json.loads(path.read_text())
    data["entries"]["aaa_first.py"][3] = ["aaa", 42, None, None, None]
    path.write_text(json.dumps(data))
    assert revisions(versions)["aaa_first.py"] == "aaa"


def test_unwritable_cache_location_means_no_cache(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (versions / CACHE_DIR).write_text("a file where the folder should be")
    reads = Reads(monkeypatch)
    assert revisions(versions) == {
        "aaa_first.py": "aaa",
        "bbb_second.py": "bbb",
        "ccc_third.py": "ccc",
    }
    assert revisions(versions)["aaa_first.py"] == "aaa"
    assert len(reads.take()) == 6


def test_file_selection_and_order(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    folder.mkdir()
    for name, rev in [("b_2.py", "b"), ("a_1.py", "a"), ("c_3.py", "c")]:
        write(folder / name, script(rev, None))
    write(folder / "__init__.py", "")
    write(folder / ".#a_1.py", "garbage that is not python (")
    write(folder / "notes.txt", "not a script")
    write(folder / "a_1.py~", "backup")
    sub = folder / "sub"
    sub.mkdir()
    write(sub / "d_4.py", script("d", None))
    deeper = sub / "zz"
    deeper.mkdir()
    write(deeper / "e_5.py", script("e", None))
    write(sub / "a_0.py", script("a0", None))
    assert [f.header.revision for f in find_scripts([str(folder)])] == ["a", "b", "c"]
    assert [f.header.revision for f in find_scripts([str(folder)], recursive=True)] == [
        "a",
        "b",
        "c",
        "a0",
        "d",
        "e",
    ]


def test_missing_locations_are_skipped_and_duplicates_warned(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    folder.mkdir()
    write(folder / "a_1.py", script("a", None))
    (tmp_path / "link").symlink_to(folder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = find_scripts([str(tmp_path / "nope"), str(folder), str(tmp_path / "link")])
    assert [f.header.revision for f in found] == ["a"]
    assert found[0].path == str(folder.resolve() / "a_1.py")
    assert any("more than one version location" in str(w.message) for w in caught)


def test_sourceless_scripts(tmp_path: Path) -> None:
    import py_compile

    folder = tmp_path / "v"
    folder.mkdir()
    for name, rev, down in [("a_1.py", "a", None), ("b_2.py", "b", "a"), ("c_3.py", "c", "b")]:
        write(folder / name, script(rev, down, message=f"about {rev}"))
    # b: legacy bytecode beside the (removed) source; c: pep 3147 bytecode in __pycache__
    py_compile.compile(str(folder / "b_2.py"), cfile=str(folder / "b_2.pyc"))
    py_compile.compile(str(folder / "c_3.py"))
    (folder / "b_2.py").unlink()
    (folder / "c_3.py").unlink()

    assert [f.header.revision for f in find_scripts([str(folder)])] == ["a"]
    found = find_scripts([str(folder)], sourceless=True)
    assert [f.header.revision for f in found] == ["a", "b", "c"]
    assert found[1].header.docstring is not None
    assert found[1].header.docstring.startswith("about b")
    assert found[1].module is not None
    assert os.path.basename(os.path.dirname(found[2].path)) == CACHE_DIR
    # the .pyc of a file that still has its source is not a second copy of it
    py_compile.compile(str(folder / "a_1.py"), cfile=str(folder / "a_1.pyc"))
    assert [f.header.revision for f in find_scripts([str(folder)], sourceless=True)] == [
        "a",
        "b",
        "c",
    ]


def test_unreadable_or_broken_script_is_a_script_error(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    folder.mkdir()
    write(folder / "a_1.py", 'revision = "a"\ndown_revision = make()\n')
    with pytest.raises(ScriptError) as info:
        find_scripts([str(folder)])
    assert str(info.value).startswith(str(folder.resolve() / "a_1.py"))
