"""The five corpus checks of Sterna's autogenerate, per model set and backend (see
``tests/corpus/harness.py``).  One module-scoped cell per (set, backend): its batches run once,
when its first check asks, and each check judges its own steps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import ENV_VARS
from tests.corpus.harness import CHECKS, MODEL_FAULTS, Cell, cells, open_cell


def _params() -> list[object]:
    params: list[object] = []
    for set_name, backend in cells():
        for check in CHECKS:
            fault = MODEL_FAULTS.get((set_name, backend, check))
            marks = (
                [
                    pytest.mark.xfail(
                        strict=True, reason=f"{fault.reason} -- Sterna prints: {fault.prints}"
                    )
                ]
                if fault
                else []
            )
            marks.append(pytest.mark.xdist_group(f"{set_name}-{backend}"))  # one cell, one worker
            params.append(
                pytest.param(
                    (set_name, backend), check, marks=marks, id=f"{set_name}-{backend}-{check}"
                )
            )
    return params


@pytest.fixture(scope="module")
def cell(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cell]:
    set_name, backend = request.param
    if backend in ENV_VARS:
        from tests.conftest import _admin_url

        _admin_url(backend)  # skips (or fails under CI) when the server is not configured
    folder = tmp_path_factory.mktemp(f"corpus-{set_name}-{backend}")
    with open_cell(set_name, backend, "sterna", folder) as opened:
        yield opened


@pytest.mark.parametrize(("cell", "check"), _params(), indirect=["cell"], scope="module")
def test_corpus(cell: Cell, check: str) -> None:
    verdict = cell.judge(check)
    if not verdict.passed:
        pytest.fail(
            f"{cell.set_name}/{cell.backend} {check}: {verdict.reason}\n\n{verdict.detail[-6000:]}",
            pytrace=False,
        )
