"""The wheel and the sdist, built from the repository's tracked files with this venv's build
backend (tests extra: ``build``, ``setuptools>=77``): what they carry and their metadata."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import sterna

REPO = Path(__file__).resolve().parent.parent


def _tracked() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    return [name for name in out.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(wheel, sdist)`` built from a copy of the tracked files (the working tree untouched)."""
    root = tmp_path_factory.mktemp("pkg")
    source = root / "src"
    for name in _tracked():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name).read_bytes())
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    return wheel, sdist


def _metadata(wheel: Path) -> tuple[dict[str, list[str]], str]:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"sterna-{sterna.__version__}.dist-info/METADATA").decode()
    message = Parser().parsestr(text)
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key, []).append(value)
    return fields, str(message.get_payload())


def test_wheel_metadata_is_for_users(built: tuple[Path, Path]) -> None:
    fields, description = _metadata(built[0])
    assert fields["Name"] == ["sterna"] and fields["Version"] == [sterna.__version__]
    assert fields["License-Expression"] == ["MIT"]
    assert "Typing :: Typed" in fields["Classifier"]
    assert "Programming Language :: Python :: 3.10" in fields["Classifier"]
    assert fields["Requires-Python"] == [">=3.10"]
    runtime = [r for r in fields["Requires-Dist"] if "extra ==" not in r]
    assert sorted(r.split(">")[0].split(";")[0] for r in runtime) == ["Mako", "SQLAlchemy", "tomli"]
    assert {url.split(",")[0] for url in fields["Project-URL"]} >= {"Homepage", "Changelog"}
    # the user description, not the developers' README
    assert description.startswith("# Sterna") and "pip install sterna" in description
    assert "./dev" not in description


def test_wheel_carries_the_package_whole_and_nothing_else(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[0]) as archive:
        names = set(archive.namelist())
    tracked = {
        name for name in _tracked() if name.startswith("sterna/") and "__pycache__" not in name
    }
    assert tracked <= names  # every module, py.typed, every template file
    assert "sterna/py.typed" in names and "sterna/templates/generic/env.py" in names
    info = f"sterna-{sterna.__version__}.dist-info/"
    assert {name for name in names if not name.startswith("sterna/")} <= {
        info + "METADATA", info + "WHEEL", info + "RECORD", info + "entry_points.txt",
        info + "top_level.txt", info + "licenses/LICENSE",
    }  # fmt: skip
    with zipfile.ZipFile(built[0]) as archive:
        entry_points = archive.read(info + "entry_points.txt").decode()
    assert "sterna = sterna.cli:console_main" in entry_points


def test_sdist_has_no_stray_test_files(built: tuple[Path, Path]) -> None:
    """Neither the documentation nor the test suite: none of it rather than a part."""
    with tarfile.open(built[1]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for kept in ("LICENSE", "CHANGELOG.md", "DESCRIPTION.md", "pyproject.toml"):
        assert kept in names
    assert not [n for n in names if n.startswith(("tests/", "docs/", "bench/", "tools/"))]
    package = {n for n in _tracked() if n.startswith("sterna/")}
    assert package <= names
