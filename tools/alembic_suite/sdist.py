"""Fetch Alembic's sdist with pip, unpack it once, and install its ``tests`` dependency group."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

from sterna.compat import ALEMBIC_API_VERSION

VERSION = ALEMBIC_API_VERSION


def ensure_sdist(cache: Path, version: str = VERSION) -> Path:
    """The unpacked ``alembic-<version>`` folder under ``cache`` (downloaded when missing)."""
    root = cache / f"alembic-{version}"
    if (root / "tests").is_dir():
        return root
    archive = cache / f"alembic-{version}.tar.gz"
    if not archive.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-binary",
                ":all:",
                "--no-deps",
                f"alembic=={version}",
                "-d",
                str(cache),
            ],
            check=True,
        )
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
            tar.extractall(cache, filter="data")
        else:
            tar.extractall(cache)  # an sdist pip downloaded from the index
    return root


def ensure_test_requirements(sdist: Path) -> None:
    """Install the sdist's ``[dependency-groups] tests`` (pytest, black...) into this venv."""
    stamp = Path(sys.prefix) / f".alembic-suite-{sdist.name}"
    if stamp.exists():
        return
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run(
        [
            *pip,
            "pytest-timeout",
            "psycopg[binary]",
            "PyMySQL",
            "--group",
            f"{sdist / 'pyproject.toml'}:tests",
        ],
        check=True,
    )
    stamp.write_text("installed\n")
