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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long` (over a minute in a full run) start first, the rest after in
    their random order: a worker that began one at the end would leave the others idle
    for minutes, as the longest-first order of a schedule avoids. Tests that take the
    machine alone early on (tests/machine.py) are not marked: begun beside the long
    ones, they would wait for them to end, with the other workers idle."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
