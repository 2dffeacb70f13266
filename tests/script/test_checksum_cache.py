"""Script checksums kept in the header cache: parsed once per file version, not per run."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

import sterna.script.cache as cache
from sterna.runtime.history import checksum_of
from sterna.script.base import Script
from sterna.script.cache import CACHE_DIR, CACHE_FILE
from sterna.script.checksum import source_checksum
from sterna.script.scan import find_scripts

OLD_NS = time.time_ns() - 3600 * 10**9


def script(rev: str, body: str = "pass") -> str:
    return (
        f'"""m\n\nRevision ID: {rev}\n"""\n'
        f"revision = {rev!r}\ndown_revision = None\n\n\ndef upgrade():\n    {body}\n"
    )


def write(path: Path, text: str, mtime_ns: int = OLD_NS) -> None:
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


class Parses:
    """Counts the files actually parsed for their checksum; each test starts a fresh
    "process" (no cache object left open)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import sterna.runtime.history as history
        from sterna.script.checksum import file_checksum as real

        self.names: list[str] = []

        def counting(path: str) -> str:
            self.names.append(os.path.basename(path))
            return real(path)

        monkeypatch.setattr(history, "file_checksum", counting)
        self.monkeypatch = monkeypatch
        self.new_process()

    def new_process(self) -> None:
        self.monkeypatch.setattr(cache, "_OPEN", {})

    def take(self) -> list[str]:
        out, self.names = self.names, []
        return sorted(out)


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    folder = tmp_path / "versions"
    folder.mkdir()
    for rev in ("a1", "b2"):
        write(folder / f"{rev}_x.py", script(rev))
    find_scripts([str(folder)])  # the header cache, as any command writes it
    return folder


def entries(folder: Path) -> dict[str, list[object]]:
    data = json.loads((folder / CACHE_DIR / CACHE_FILE).read_text())
    out: dict[str, list[object]] = data["entries"]
    return out


def test_checksum_is_parsed_once_then_read_from_the_cache(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    path = str(versions / "a1_x.py")
    expected = source_checksum(script("a1"))
    assert checksum_of(path) == expected
    cache.save_checksums()
    assert parses.take() == ["a1_x.py"]
    raw = hashlib.sha256((versions / "a1_x.py").read_bytes()).hexdigest()
    # the slot holds the checksum and the SHA-256 of the file's bytes
    assert entries(versions)["a1_x.py"][4] == f"{expected} {raw}"
    assert len(entries(versions)["b2_x.py"]) == 4  # not asked: not computed, not dropped
    parses.new_process()
    assert checksum_of(path) == expected
    assert parses.take() == []
    # the header scan still uses entries that carry a checksum
    assert [f.header.revision for f in find_scripts([str(versions)])] == ["a1", "b2"]
    assert entries(versions)["a1_x.py"][4] == f"{expected} {raw}"


def test_edited_script_is_parsed_again(versions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses = Parses(monkeypatch)
    path = versions / "a1_x.py"
    checksum_of(str(path))
    cache.save_checksums()
    parses.new_process()
    parses.take()
    write(path, script("a1", "op.drop_table('t')"), OLD_NS + 10**9)
    assert checksum_of(str(path)) == source_checksum(script("a1", "op.drop_table('t')"))
    assert parses.take() == ["a1_x.py"]


def test_digests_keyed_by_the_listing_stat_take_no_stat(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history takes each applied script's checksum with the stat the graph's listing
    took: no ``stat`` per step, and the checksum is that of the file the revisions were read
    from (an edit made after the listing has a new key, so it is not mistaken for it)."""
    from sterna.runtime.history import listed_digests
    from sterna.script.directory import ScriptDirectory

    root = versions.parent
    (root / "env.py").write_text("")
    directory = ScriptDirectory(str(root), version_locations=[str(versions)])
    path = str(versions / "a1_x.py")
    a1 = directory.revision_map.get_revision("a1")
    assert isinstance(a1, Script)
    assert a1.path == path
    listed = directory.listed_stat(path)
    assert listed is not None and listed.st_ino == os.stat(path).st_ino
    assert directory.listed_stat(str(versions / "nope.py")) is None
    expected = listed_digests(directory, path)
    assert expected[0] == source_checksum(script("a1"))
    cache.save_checksums()

    stats: list[str] = []
    real_stat = os.stat

    def counting_stat(target: object, *args: object, **kw: object) -> os.stat_result:
        stats.append(str(target))
        return real_stat(target, *args, **kw)  # type: ignore[arg-type]

    parses = Parses(monkeypatch)
    monkeypatch.setattr(os, "stat", counting_stat)
    assert listed_digests(directory, path) == expected
    assert stats == [] and parses.take() == []
    monkeypatch.setattr(os, "stat", real_stat)
    # an edit is seen by the next listing: a new key, so the checksum is computed again
    write(Path(path), script("a1", "op.drop_table('t')"), OLD_NS + 10**9)
    fresh = ScriptDirectory(str(root), version_locations=[str(versions)])
    fresh.revision_map  # noqa: B018 - lists the folder again
    assert listed_digests(fresh, path)[0] == source_checksum(script("a1", "op.drop_table('t')"))


def test_gone_or_broken_script_has_no_checksum(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    assert checksum_of(str(versions / "zz_gone.py")) is None
    write(versions / "a1_x.py", "def broken(:\n")
    assert checksum_of(str(versions / "a1_x.py")) is None
    cache.save_checksums()
    assert all(len(e) == 4 for e in entries(versions).values())
    assert parses.take() == ["a1_x.py"]


def test_recently_modified_script_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    write(tmp_path / "a1_x.py", script("a1"), time.time_ns())
    find_scripts([str(tmp_path)])
    for _ in range(2):
        parses.new_process()
        assert checksum_of(str(tmp_path / "a1_x.py")) == source_checksum(script("a1"))
        cache.save_checksums()
    assert parses.take() == ["a1_x.py", "a1_x.py"]


def test_corrupt_cache_is_ignored_and_rewritten(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Parses(monkeypatch)
    (versions / CACHE_DIR / CACHE_FILE).write_bytes(b"{not json")
    assert checksum_of(str(versions / "a1_x.py")) == source_checksum(script("a1"))
    cache.save_checksums()
    assert entries(versions) == {}  # rewritten; the next scan fills it again


def test_unwritable_folder_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder that cannot be made (here a file stands in its place, which stops root
    too) means no cache: each run parses again, and nothing fails."""
    parses = Parses(monkeypatch)
    write(tmp_path / "a1_x.py", script("a1"))
    (tmp_path / CACHE_DIR).write_text("not a folder")
    for _ in range(2):
        parses.new_process()
        assert checksum_of(str(tmp_path / "a1_x.py")) == source_checksum(script("a1"))
        cache.save_checksums()
    assert parses.take() == ["a1_x.py", "a1_x.py"]
    assert (tmp_path / CACHE_DIR).read_text() == "not a folder"


def test_checksums_in_one_pass_agree_with_one_by_one(
    versions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation looks its thousands of applied scripts up in one pass: the same checksums as
    one call each, from the cache where it holds them (no parse), computed where it does not
    (a script never asked about, an edit after the listing's stat, no stat at all), and a
    script in another folder found in that folder's cache."""
    from sterna.runtime.history import current_checksum, current_checksums

    other = versions.parent / "more"
    other.mkdir()
    write(other / "c3_x.py", script("c3", "op.drop_table('c')"))
    find_scripts([str(other)])
    a1, b2, c3 = str(versions / "a1_x.py"), str(versions / "b2_x.py"), str(other / "c3_x.py")
    checksum_of(a1), checksum_of(c3)
    cache.save_checksums()
    parses = Parses(monkeypatch)
    stats: list[os.stat_result | None] = [os.stat(a1), os.stat(b2), os.stat(c3), None]
    paths = [a1, b2, c3, a1]
    recorded: list[tuple[str | None, str | None]] = [(None, None)] * 4
    got = current_checksums(paths, recorded, stats)
    assert got == [
        source_checksum(script("a1")),
        source_checksum(script("b2")),
        source_checksum(script("c3", "op.drop_table('c')")),
        source_checksum(script("a1")),
    ]
    assert parses.take() == ["b2_x.py"]  # only the one the cache did not hold
    write(versions / "a1_x.py", script("a1", "op.drop_table('t')"), OLD_NS + 10**9)
    parses.new_process()
    fresh: list[os.stat_result | None] = [os.stat(a1)]
    edited = current_checksums([a1], [(None, None)], fresh)
    assert edited == [source_checksum(script("a1", "op.drop_table('t')"))]
    assert edited == [current_checksum(a1, None, None, fresh[0])]
    assert parses.take() == ["a1_x.py", "a1_x.py"]  # the edit is parsed, never taken as cached
