"""The metrics as the platform holds them: counting what the router served, the
sampler's clock, the event markers on the log bus, and the window the API reads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from minidyno.logs.bus import LogBus
from minidyno.metrics.events import EventMarkers
from minidyno.metrics.router_counts import RouterCounts
from minidyno.metrics.sampler import Sampler
from minidyno.metrics.series import window
from minidyno.metrics.store import MetricsStore
from minidyno.router.access_log import RouterRequest
from minidyno.runtime.driver import Dyno
from minidyno.runtime.memory_quota import MemoryQuota
from minidyno.runtime.usage import Usage
from minidyno.settings import Settings


class Metrics:
    """One object for the platform to hold and the API to ask, so neither wires the
    parts below themselves."""

    def __init__(
        self,
        settings: Settings,
        dynos: Callable[[], list[Dyno]],
        usage: Callable[[list[Dyno]], dict[str, Usage]],
        kill: Callable[[Dyno], None],
        apps: Callable[[], set[str]],
        logs: LogBus,
    ) -> None:
        self.interval = settings.metrics_interval
        self.quota_mb = settings.memory_quota_mb
        self.store = MetricsStore(settings.metrics_path)
        self.counts = RouterCounts(self.interval)
        quota = MemoryQuota(logs, kill, self.quota_mb)
        self.sampler = Sampler(dynos, usage, apps, quota, self.counts, self.store, self.interval)
        # From the first line on, so a start's own lines (a release failed) are marked.
        logs.observe(EventMarkers(self.store).observe)

    def start(self) -> None:
        self.sampler.start()

    def count(self, requests: Iterable[RouterRequest]) -> None:
        self.counts.add(requests)

    def forget(self, app: str) -> None:
        self.counts.forget(app)
        self.store.forget(app)

    def window(self, app: str, since: int, step: int) -> dict[str, Any]:
        return window(self.store, app, time.time(), since, step, self.interval, self.quota_mb)
