"""A dyno's memory quota, enforced as Heroku's dyno manager does: past the quota, R14
lines every 20 seconds while it stays there, and the dyno goes on (on Heroku, paging to
swap; here in memory, as its container may hold twice its quota); past twice the quota,
R15 and SIGKILL.

The dyno's container is limited to twice its quota, so the kernel is what kills it there,
at once, however fast it allocates, and the engine marks the container killed for
memory, which is what the supervisor says R15 of when it exits. When the kernel killed
one process of several (a gunicorn worker, which the master replaces) the dyno is still
running: this kills the rest, as an R15 restarts the whole dyno on Heroku.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from minidyno.logs.bus import LogBus
from minidyno.runtime.driver import Dyno
from minidyno.runtime.usage import Usage

#: Heroku logs R14 about every 20 seconds while a dyno is past its quota.
R14_EVERY = 20.0


def process_running(memory_mb: float, quota_mb: int) -> str:
    """Heroku's line before an R14 or R15: `Process running mem=594M(109.6%)`."""
    return f"Process running mem={memory_mb:.0f}M({memory_mb / quota_mb * 100:.1f}%)"


def log_r15(logs: LogBus, dyno: Dyno, quota_mb: int) -> None:
    """What Heroku logs before the exit of a dyno killed for memory: it was at its
    limit, twice the quota."""
    logs.platform(dyno.app, dyno.name, process_running(2 * quota_mb, quota_mb))
    logs.platform(dyno.app, dyno.name, "Error R15 (Memory quota vastly exceeded)")
    logs.platform(dyno.app, dyno.name, "Stopping process with SIGKILL")


class MemoryQuota:
    """Judges each sample of a running dyno; the sampler's, so it looks as often."""

    def __init__(self, logs: LogBus, kill: Callable[[Dyno], None], quota_mb: int) -> None:
        self.logs = logs
        self.kill = kill
        self.quota_mb = quota_mb
        self._r14_at: dict[str, float] = {}
        self._oom_kills: dict[str, int] = {}

    def check(self, dyno: Dyno, usage: Usage) -> None:
        """One look at a running dyno."""
        # A container starts with none: one killed before its first look counts too.
        if usage.oom_kills > self._oom_kills.get(dyno.id, 0):
            self._oom_kills[dyno.id] = usage.oom_kills
            self.kill(dyno)
            return
        if usage.memory_mb <= self.quota_mb:
            self._r14_at.pop(dyno.id, None)
            return
        now = time.monotonic()
        if now - self._r14_at.get(dyno.id, -R14_EVERY) >= R14_EVERY:
            self._r14_at[dyno.id] = now
            self.logs.platform(dyno.app, dyno.name, process_running(usage.memory_mb, self.quota_mb))
            self.logs.platform(dyno.app, dyno.name, "Error R14 (Memory quota exceeded)")

    def forget_others(self, running: set[str]) -> None:
        for table in (self._r14_at, self._oom_kills):
            for gone in table.keys() - running:
                del table[gone]
