"""Every test holds the machine shared with the other pytest-xdist workers' tests
(`tests/machine.py`); the steps that need it alone take it inside the test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests import machine


@pytest.fixture(autouse=True)
def _machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Held for the whole test, fixtures included, in the run's own folder (where each
    worker's base temp folder is), so two runs do not wait on each other; a run
    without workers has nobody to share with."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    with machine.shared(tmp_path_factory.getbasetemp().parent):
        yield
