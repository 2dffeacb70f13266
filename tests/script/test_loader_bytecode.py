"""The script loader's own bytecode cache (sterna.script.loader)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import inspect
import marshal
import os
import py_compile
import re
import sys
import time
import traceback
import zlib
from pathlib import Path

import pytest

from sterna.script.loader import bytecode_path, load_module, module_name_for, script_names

OLD = time.time() - 3600  # well outside the racy window


def write_script(path: Path, body: str, mtime: float | None = OLD) -> Path:
    path.write_text(body)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_bytecode_path_is_the_interpreters() -> None:
    path = "/some/where/abc_x.py"
    assert bytecode_path(path) == importlib.util.cache_from_source(path)


def test_bytecode_written_even_when_python_would_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    script = write_script(tmp_path / "a1_x.py", "value = 41 + 1\n")
    module = load_module(str(script))
    assert module.value == 42
    cached = Path(importlib.util.cache_from_source(str(script)))
    assert cached.is_file()
    # Python's own loader accepts the file as the valid bytecode of the source: give the .pyc
    # different code under the same header and see Python's loader return that code.
    data = cached.read_bytes()
    cached.write_bytes(data[:16] + marshal.dumps(compile("value = 7", str(script), "exec")))
    code = importlib.machinery.SourceFileLoader("probe", str(script)).get_code("probe")
    assert code is not None
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert namespace["value"] == 7
    # ... and so does ours
    assert load_module(str(script)).value == 7


def test_fresh_source_not_cached_when_python_would_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    script = write_script(tmp_path / "a2_x.py", "value = 1\n", mtime=None)
    assert load_module(str(script)).value == 1
    assert not Path(bytecode_path(str(script))).exists()


def test_fresh_source_cached_like_python_when_bytecode_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    script = write_script(tmp_path / "a3_x.py", "value = 1\n", mtime=None)
    assert load_module(str(script)).value == 1
    assert Path(bytecode_path(str(script))).is_file()


def test_edited_source_is_compiled_again(tmp_path: Path) -> None:
    script = write_script(tmp_path / "a4_x.py", "value = 1\n")
    assert load_module(str(script)).value == 1
    write_script(script, "value = 2222\n", mtime=OLD)  # same mtime, other size
    assert load_module(str(script)).value == 2222
    write_script(script, "value = 3333\n", mtime=OLD + 10)  # same size, other mtime
    assert load_module(str(script)).value == 3333


def test_corrupt_or_foreign_bytecode_is_replaced(tmp_path: Path) -> None:
    script = write_script(tmp_path / "a5_x.py", "value = 5\n")
    load_module(str(script))
    cached = Path(bytecode_path(str(script)))
    header = cached.read_bytes()[:16]
    cached.write_bytes(header + b"\x00garbage")
    assert load_module(str(script)).value == 5
    other = marshal.dumps(compile("value = 9", str(script), "exec"))
    cached.write_bytes(b"\x00\x00\x00\x00" + header[4:] + other)
    assert load_module(str(script)).value == 5  # another interpreter's magic: not trusted
    assert cached.read_bytes()[:4] == importlib.util.MAGIC_NUMBER


def test_copied_bytecode_compiled_for_another_path_is_not_used(tmp_path: Path) -> None:
    first = tmp_path / "one"
    second = tmp_path / "two"
    for folder in (first, second):
        folder.mkdir()
        write_script(folder / "a6_x.py", "def f():\n    raise ValueError('x')\n")
    load_module(str(first / "a6_x.py"))
    (second / "__pycache__").mkdir()
    src = Path(bytecode_path(str(first / "a6_x.py")))
    Path(bytecode_path(str(second / "a6_x.py"))).write_bytes(src.read_bytes())
    module = load_module(str(second / "a6_x.py"))
    with pytest.raises(ValueError) as info:
        module.f()
    assert traceback.extract_tb(info.tb)[-1].filename == str(second / "a6_x.py")


def test_module_attributes_as_an_import_gives_them(tmp_path: Path) -> None:
    script = write_script(tmp_path / "a7_x.py", '"""Doc."""\ndef upgrade():\n    return 1\n')
    module = load_module(str(script), name="my_mod")
    assert module.__name__ == "my_mod"
    assert module.__file__ == str(script)
    assert module.__cached__ == bytecode_path(str(script))
    assert module.__doc__ == "Doc."
    assert module.__spec__ is not None and module.__spec__.origin == str(script)
    assert module.__spec__.has_location
    assert "return 1" in inspect.getsource(module.upgrade)
    assert "my_mod" not in sys.modules


def test_hash_based_bytecode_goes_through_importlib(tmp_path: Path) -> None:
    script = write_script(tmp_path / "a8_x.py", "value = 8\n")
    cached = bytecode_path(str(script))
    py_compile.compile(
        str(script), cfile=cached, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
    )
    before = Path(cached).read_bytes()
    assert load_module(str(script)).value == 8
    assert Path(cached).read_bytes() == before
    write_script(script, "value = 88\n")
    assert load_module(str(script)).value == 88  # the hash check notices the edit


def test_unwritable_cache_folder_still_loads(tmp_path: Path) -> None:
    script = write_script(tmp_path / "a9_x.py", "value = 9\n")
    (tmp_path / "__pycache__").write_text("not a folder")
    assert load_module(str(script)).value == 9
    assert load_module(str(script)).value == 9
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_syntax_error_and_missing_file(tmp_path: Path) -> None:
    from sterna.errors import ScriptError

    bad = write_script(tmp_path / "b1_x.py", "def upgrade(:\n    pass\n")
    with pytest.raises(SyntaxError):
        load_module(str(bad))
    assert not Path(bytecode_path(str(bad))).exists()
    with pytest.raises(ScriptError, match="file not found"):
        load_module(str(tmp_path / "nope.py"))


def test_env_py_bytecode_follows_the_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sterna.script import ScriptDirectory

    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    env = write_script(tmp_path / "env.py", "x = 1\n")
    ScriptDirectory(str(tmp_path)).run_env()
    assert not Path(bytecode_path(str(env))).exists()


#: script paths as a version location can spell them (a file name ending in .py in a folder)
ODD_PATHS = [
    "/a/b/c.py",
    "b.py",
    "a/b.py",
    "./x.py",
    "/a//b.py",
    "//a/b.py",
    "/a/b/../c.py",
    "/a/./b.py",
    "/a/.b.py",
    "/a/b.c.py",
    "/a/b c/é d.py",
    "/a/x-y z+(1).py",
    "/a/0005a8cf4327_amount_of_x.py",
    "/a/日本.py",
]


@pytest.mark.parametrize("path", ODD_PATHS)
def test_bytecode_path_and_module_name_on_any_path(path: str) -> None:
    """The shortcuts for plain absolute paths give what the generic computation gives: PEP
    3147's place (importlib's own ``cache_from_source``) and a name made of the file name's
    word characters and the checksum of the normalised absolute path."""
    assert bytecode_path(path) == importlib.util.cache_from_source(path)
    digest = zlib.crc32(os.path.abspath(path).encode("utf-8", "surrogateescape"))
    stem = re.sub(r"\W", "_", os.path.basename(path))
    assert module_name_for(path) == f"sterna_script_{stem}_{digest:08x}"


def test_names_worked_out_per_folder_are_the_generic_ones() -> None:
    """``script_names`` keeps what depends on the folder for the next script of the folder:
    each path, met first or after others of its folder, gets exactly the generic name and
    bytecode place."""
    paths = [*ODD_PATHS, *ODD_PATHS, "/a/c.py", "/a/.hidden.py", "/a/b/d.e.py", "/a/b/", "/x.py"]
    for path in paths:
        assert script_names(path) == (module_name_for(path), bytecode_path(path)), path
