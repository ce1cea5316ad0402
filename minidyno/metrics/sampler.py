"""Every metrics interval: each running dyno's memory and load, the router's finished
buckets, into the store; the memory quota looked at on the same sample.

Load is Heroku's load_avg_1m in spirit: the CPU time a dyno used over the interval, in
cores, damped over a minute as the kernel damps its load average (a dyno busy on one
core climbs towards 1.0 in about a minute and falls back as slowly).
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
from minidyno.runtime.usage import UsageReader

log = logging.getLogger("minidyno.metrics")

LOAD_WINDOW = 60.0
PRUNE_EVERY = 60.0


class Sampler:
    def __init__(
        self,
        dynos: Callable[[], list[Dyno]],
        usage: UsageReader,
        quota: MemoryQuota,
        router: RouterCounts,
        store: MetricsStore,
        interval: int,
    ) -> None:
        self.dynos = dynos
        self.usage = usage
        self.quota = quota
        self.router = router
        self.store = store
        self.interval = interval
        #: Per container: (its CPU seconds, when read, its damped load).
        self._cpu: dict[str, tuple[float, float, float | None]] = {}
        self._pruned = 0.0

    def start(self) -> None:
        threading.Thread(target=self._loop, name="metrics-sampler", daemon=True).start()

    def _loop(self) -> None:
        while True:
            # On the interval's boundaries, so every dyno's sample and the router's
            # bucket of an interval line up.
            time.sleep(self.interval - time.time() % self.interval)
            try:
                self.sample(time.time())
            except Exception:
                log.exception("metrics sample failed")

    def sample(self, now: float) -> None:
        t = int(now // self.interval * self.interval)
        samples = []
        running = {d.id: d for d in self.dynos() if d.running}
        for dyno in running.values():
            usage = self.usage.read(dyno)
            if usage is None:
                continue
            load = self._load(dyno.id, usage.cpu_seconds, now)
            samples.append(
                DynoSample(dyno.app, dyno.name, t, usage.rss_mb, usage.cache_mb, usage.swap_mb, load)
            )
            self.quota.check(dyno, usage)
        for gone in self._cpu.keys() - running.keys():
            del self._cpu[gone]
        self.usage.forget_others(set(running))
        self.quota.forget_others(set(running))
        self.store.write(self.router.take(before=t), samples)
        if now - self._pruned >= PRUNE_EVERY:
            self.store.prune(now - RETENTION)
            self._pruned = now

    def _load(self, container: str, cpu_seconds: float, now: float) -> float | None:
        before = self._cpu.get(container)
        load = None
        if before:
            cpu_then, then, damped = before
            busy = max(0.0, cpu_seconds - cpu_then) / max(now - then, 1e-3)
            decay = math.exp(-(now - then) / LOAD_WINDOW)
            load = round(busy if damped is None else damped * decay + busy * (1 - decay), 3)
        self._cpu[container] = (cpu_seconds, now, load)
        return load
