"""The bytecode bundle of a script directory (sterna.script.bundle), used by import_scripts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sterna.errors import ScriptError
from sterna.script import ScriptDirectory
from sterna.script.bundle import _read, bundle_file
from sterna.script.cache import CACHE_DIR
from sterna.script.loader import bytecode_path

OLD_NS = time.time_ns() - 3600 * 10**9  # an hour ago: outside the racy window


def script(rev: str, down: str | None, value: str) -> str:
    return (
        f'"""rev {rev}\n\nRevision ID: {rev}\n"""\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\n"
        f"VALUE = {value!r}\n\n\ndef upgrade():\n    pass\n"
    )


def write(path: Path, text: str, mtime_ns: int = OLD_NS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    versions = tmp_path / "versions"
    write(versions / "a1_first.py", script("a1", None, "one"))
    write(versions / "b2_second.py", script("b2", "a1", "two"))
    write(versions / "c3_third.py", script("c3", "b2", "three"))
    return tmp_path


def imported(root: Path) -> dict[str, str]:
    """Each revision's VALUE after a fresh ScriptDirectory imported every script."""
    scripts = ScriptDirectory(str(root))
    scripts.import_scripts()
    return {s.revision: s.module.VALUE for s in scripts.walk_revisions()}


def stored(root: Path) -> set[str]:
    return {os.path.basename(p) for p in _read(str(root / CACHE_DIR / bundle_file()))}


def pyc_files(root: Path) -> list[Path]:
    return sorted((root / "versions" / CACHE_DIR).glob("*.pyc"))


def test_a_run_writes_the_bundle_and_the_next_one_reads_it(project: Path) -> None:
    assert imported(project) == {"a1": "one", "b2": "two", "c3": "three"}
    assert stored(project) == {"a1_first.py", "b2_second.py", "c3_third.py"}
    for pyc in pyc_files(project):
        pyc.unlink()
    assert imported(project) == {"a1": "one", "b2": "two", "c3": "three"}
    assert pyc_files(project) == []  # every code object came from the bundle


def test_an_edited_script_runs_its_new_code(project: Path) -> None:
    imported(project)
    path = project / "versions" / "b2_second.py"
    write(path, script("b2", "a1", "TWO"), mtime_ns=OLD_NS + 10**9)  # same size
    assert imported(project)["b2"] == "TWO"
    assert imported(project)["b2"] == "TWO"  # the rewritten bundle holds the new code


def test_a_replaced_file_with_the_same_size_and_time_is_read_again(project: Path) -> None:
    """Another file renamed over the script (a checkout does that) keeps size and mtime here,
    but not the inode.  (Its ``.pyc``, checked by time and size as Python checks it, would
    still give the old code: Python's own rule, removed here to see what the bundle gives.)"""
    imported(project)
    path = project / "versions" / "b2_second.py"
    other = project / "b2.tmp"
    write(other, script("b2", "a1", "TWO"))
    os.replace(other, path)
    Path(bytecode_path(str(path))).unlink()
    assert imported(project)["b2"] == "TWO"


def test_a_moved_project_compiles_for_its_new_place(project: Path, tmp_path: Path) -> None:
    imported(project)
    moved = tmp_path / "moved"
    moved.mkdir()
    os.rename(project / "versions", moved / "versions")
    os.rename(project / CACHE_DIR, moved / CACHE_DIR)
    scripts = ScriptDirectory(str(moved))
    scripts.import_scripts()
    files = {s.module.__file__ for s in scripts.walk_revisions()}
    assert files == {str(p) for p in (moved / "versions").glob("*.py")}
    codes = {s.module.upgrade.__code__.co_filename for s in scripts.walk_revisions()}
    assert codes == files


def test_a_damaged_bundle_is_ignored_and_written_again(project: Path) -> None:
    imported(project)
    target = project / CACHE_DIR / bundle_file()
    target.write_bytes(target.read_bytes()[:40])
    assert imported(project) == {"a1": "one", "b2": "two", "c3": "three"}
    assert stored(project) == {"a1_first.py", "b2_second.py", "c3_third.py"}


def test_a_damaged_entry_is_a_miss_and_the_others_are_used(project: Path) -> None:
    """Entries are checked when looked up, not all when the bundle is read: a foreign entry
    (a text mtime, a string for the code) means that script's own source, the others still
    come from the bundle, and the bundle is written again whole."""
    import marshal

    from sterna.script import bundle

    imported(project)
    target = project / CACHE_DIR / bundle_file()
    data = target.read_bytes()
    magic = len(bundle._MAGIC)
    entries = marshal.loads(data[magic:])
    a1, b2 = (
        next(p for p in entries if p.endswith(name)) for name in ("a1_first.py", "b2_second.py")
    )
    entries[a1] = ("1", *entries[a1][1:])
    entries[b2] = (*entries[b2][:3], "not code")
    target.write_bytes(data[:magic] + marshal.dumps(entries))
    # c3's source changes under the same size, time and inode, and its .pyc goes: only the
    # bundle still holds its old code, and the run takes it from there
    c3 = project / "versions" / "c3_third.py"
    c3.write_text(c3.read_text().replace("three", "THREE"))
    os.utime(c3, ns=(OLD_NS, OLD_NS))
    for pyc in pyc_files(project):
        pyc.unlink()
    assert imported(project) == {"a1": "one", "b2": "two", "c3": "three"}
    again = _read(str(target))
    assert sorted(os.path.basename(p) for p in again) == [
        "a1_first.py",
        "b2_second.py",
        "c3_third.py",
    ]
    assert all(
        type(e) is tuple and type(e[0]) is int and type(e[3]) is not str for e in again.values()
    )


def test_a_removed_script_leaves_the_bundle(project: Path) -> None:
    imported(project)
    (project / "versions" / "c3_third.py").unlink()
    assert imported(project) == {"a1": "one", "b2": "two"}
    assert stored(project) == {"a1_first.py", "b2_second.py"}


def test_a_script_modified_just_now_is_not_kept(project: Path) -> None:
    path = project / "versions" / "c3_third.py"
    write(path, script("c3", "b2", "three"), mtime_ns=time.time_ns())
    assert imported(project)["c3"] == "three"
    assert stored(project) == {"a1_first.py", "b2_second.py"}


def test_a_script_that_does_not_compile_names_its_file_and_line(project: Path) -> None:
    imported(project)
    path = project / "versions" / "b2_second.py"
    write(path, script("b2", "a1", "two") + "def broken(:\n", mtime_ns=OLD_NS + 10**9)
    with pytest.raises(ScriptError, match=r"b2_second\.py.*line 12"):
        imported(project)


def test_the_scripts_own_bytecode_is_still_written_on_a_miss(project: Path) -> None:
    """Python and Alembic share the .pyc files: a script read from source gets one."""
    imported(project)
    assert {Path(bytecode_path(str(p))) for p in (project / "versions").glob("*.py")} == set(
        pyc_files(project)
    )
