"""The machine, shared by the pytest-xdist workers of one run (`./dev test`), and taken
alone by the few steps that cannot share it: restarting dockerd under everyone's dynos,
and driving Chromium, which aborts a navigation whenever a container starts or stops
anywhere on the host.

A readers-writer lock over files in the run's own folder: every test holds the machine
shared; a step that needs it alone lets go, passes a turnstile that stops new tests
from starting, and waits for the running ones to end. Letting go first means two such
steps never wait on each other's share. The kernel drops a dead worker's locks, so a
crash cannot wedge the run.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

#: This worker's open lock files while a test runs: the turnstile, then the machine.
_held: tuple[IO[str], IO[str]] | None = None


@contextmanager
def shared(folder: Path) -> Iterator[None]:
    """The machine shared with the other workers' tests, for the length of one test."""
    global _held
    with open(folder / "turnstile.lock", "w") as turnstile, open(folder / "machine.lock", "w") as machine:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        fcntl.flock(machine, fcntl.LOCK_SH)
        fcntl.flock(turnstile, fcntl.LOCK_UN)
        _held = (turnstile, machine)
        try:
            yield
        finally:
            _held = None


@contextmanager
def alone() -> Iterator[None]:
    """The machine to this test alone, then shared again; a run without workers has
    it alone already."""
    if _held is None:
        yield
        return
    turnstile, machine = _held
    fcntl.flock(machine, fcntl.LOCK_UN)
    fcntl.flock(turnstile, fcntl.LOCK_EX)
    fcntl.flock(machine, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(machine, fcntl.LOCK_SH)
        fcntl.flock(turnstile, fcntl.LOCK_UN)
