"""Every metrics interval: each running dyno's memory and load, and the router's
finished buckets, into the store; the memory quota judged on the same samples.

Load stands in for Heroku's load_avg_1m: the CPU time a dyno used over the interval, in
cores, damped over a minute as the kernel damps its load average, so a dyno busy on one
core climbs towards 1.0 in about a minute and falls back as slowly. Heroku's counts the
tasks waiting for a CPU too, so a dyno with more busy threads than cores reads higher
there than here.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from minidyno.metrics.router_counts import RouterCounts
from minidyno.metrics.store import RETENTION, DynoSample, MetricsStore
from minidyno.runtime.driver import Dyno
from minidyno.runtime.memory_quota import MemoryQuota
from minidyno.runtime.usage import Usage

log = logging.getLogger("minidyno.metrics")

LOAD_WINDOW = 60.0
PRUNE_EVERY = 60


class Sampler:
    """The metrics' clock: one thread, one engine listing and one read of every dyno's
    cgroup an interval."""

    def __init__(
        self,
        dynos: Callable[[], list[Dyno]],
        usage: Callable[[list[Dyno]], dict[str, Usage]],
        apps: Callable[[], set[str]],
        quota: MemoryQuota,
        router: RouterCounts,
        store: MetricsStore,
        interval: int,
    ) -> None:
        self.dynos = dynos
        self.usage = usage
        #: The apps that exist: what a destroyed app served late, and doctor's probe
        #: dynos (of no app), are not kept.
        self.apps = apps
        self.quota = quota
        self.router = router
        self.store = store
        self.interval = interval
        #: Per container: its CPU seconds and their time at the last sample, and its load.
        self._cpu: dict[str, tuple[float, float, float | None]] = {}
        self._pruned = 0

    def start(self) -> None:
        threading.Thread(target=self._loop, name="metrics-sampler", daemon=True).start()

    def _loop(self) -> None:
        last = 0
        while True:
            # On the interval's boundaries, so every dyno's sample and the router's bucket
            # of an interval line up; never the same boundary twice, if woken early.
            t = max((int(time.time()) // self.interval + 1) * self.interval, last + self.interval)
            time.sleep(max(0.0, t - time.time()))
            try:
                self.sample(t)
            except Exception:
                log.exception("metrics sample failed")
            last = t

    def sample(self, t: int) -> None:
        known = self.apps()
        running = [d for d in self.dynos() if d.running and d.app in known]
        usages = self.usage(running)
        samples = []
        for dyno in running:
            if (usage := usages.get(dyno.id)) is None:
                continue
            self.quota.check(dyno, usage)
            load = self._load(dyno.id, usage.cpu_seconds, t)
            # One-off dynos are held to their quota as every dyno is, but charted as
            # Heroku's Metrics charts: the formation's dynos only.
            if dyno.process_type != "run":
                samples.append(
                    DynoSample(dyno.app, dyno.name, t, usage.rss_mb, usage.cache_mb, usage.swap_mb, load)
                )
        ids = {d.id for d in running}
        for gone in self._cpu.keys() - ids:
            del self._cpu[gone]
        self.quota.forget_others(ids)
        served = {key: b for key, b in self.router.take(before=t).items() if key[0] in known}
        self.store.write(served, samples)
        if t - self._pruned >= PRUNE_EVERY:
            self.store.prune(t - RETENTION)
            self._pruned = t

    def _load(self, container: str, cpu_seconds: float, now: float) -> float | None:
        """None at a dyno's first sample: load is CPU time between two."""
        before = self._cpu.get(container)
        load = None
        if before:
            cpu_then, then, damped = before
            busy = max(0.0, cpu_seconds - cpu_then) / max(now - then, 1e-3)
            decay = math.exp(-(now - then) / LOAD_WINDOW)
            load = round(busy if damped is None else damped * decay + busy * (1 - decay), 3)
        self._cpu[container] = (cpu_seconds, now, load)
        return load
