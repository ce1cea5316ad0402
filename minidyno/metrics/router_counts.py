"""What the router served, counted per app into buckets of the metrics interval: requests
by status class, H-codes, and a histogram of response times from which any window's
percentiles are read (percentiles of buckets cannot be merged; histograms can).

Counting costs a dictionary update a request, on the thread that already reads the
access log, so the router itself never waits on it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from minidyno.router.access_log import RouterRequest

#: Histogram buckets grow by 2^(1/8), about 9 %: a percentile is read to within that.
_GROWTH = 2 ** (1 / 8)
CLASSES = ("2xx", "3xx", "4xx", "5xx")


def bucket_of(ms: float) -> int:
    """The histogram bucket holding `ms`: 0 for up to 1 ms, then (growth^(i-1), growth^i]."""
    return 0 if ms <= 1 else math.ceil(math.log(ms, _GROWTH) - 1e-9)


def percentile(histogram: dict[int, int], q: float, max_ms: float) -> float | None:
    """The `q` quantile (0–1) by nearest rank, interpolated inside its bucket and never
    past the slowest request seen."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for index in sorted(histogram):
        count = histogram[index]
        if seen + count >= rank:
            low = 0.0 if index == 0 else _GROWTH ** (index - 1)
            high = 1.0 if index == 0 else _GROWTH**index
            value = low + (high - low) * (rank - seen) / count
            return round(min(value, max_ms), 1)
        seen += count
    return float(max_ms)


@dataclass
class Bucket:
    """One app's requests in one interval."""

    status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))
    codes: dict[str, int] = field(default_factory=dict)
    histogram: dict[int, int] = field(default_factory=dict)
    max_ms: int = 0

    @property
    def requests(self) -> int:
        return sum(self.status.values())

    def add(self, request: RouterRequest) -> None:
        klass = f"{request.status // 100}xx"
        self.status[klass] = self.status.get(klass, 0) + 1
        if request.code:
            self.codes[request.code] = self.codes.get(request.code, 0) + 1
        index = bucket_of(request.service_ms)
        self.histogram[index] = self.histogram.get(index, 0) + 1
        self.max_ms = max(self.max_ms, request.service_ms)

    def merge(self, other: Bucket) -> None:
        for table, more in (
            (self.status, other.status),
            (self.codes, other.codes),
            (self.histogram, other.histogram),
        ):
            for key, count in more.items():
                table[key] = table.get(key, 0) + count
        self.max_ms = max(self.max_ms, other.max_ms)


class RouterCounts:
    """Requests counted into the interval they were read in, until the sampler takes
    each finished interval away to keep."""

    def __init__(self, interval: int) -> None:
        self.interval = interval
        self._buckets: dict[tuple[str, int], Bucket] = {}
        self._lock = threading.Lock()
        #: Intervals before this were taken: a request read late (or a clock stepped
        #: back) counts in the next one, never in one already kept.
        self._taken = 0

    def add(self, requests: Iterable[RouterRequest]) -> None:
        with self._lock:
            t = max(int(time.time() // self.interval * self.interval), self._taken)
            for request in requests:
                key = (request.app, t)
                bucket = self._buckets.get(key)
                if bucket is None:
                    bucket = self._buckets[key] = Bucket()
                bucket.add(request)

    def take(self, before: int) -> dict[tuple[str, int], Bucket]:
        """The buckets of intervals that started before `before`, removed."""
        with self._lock:
            self._taken = max(self._taken, before)
            done = {key: b for key, b in self._buckets.items() if key[1] < before}
            for key in done:
                del self._buckets[key]
        return done

    def forget(self, app: str) -> None:
        """An app destroyed: what it served and was not yet kept is dropped."""
        with self._lock:
            for key in [key for key in self._buckets if key[0] == app]:
                del self._buckets[key]
