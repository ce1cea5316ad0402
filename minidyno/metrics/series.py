"""An app's metrics over a window, in rows of `step` seconds, as the dashboard's charts
and `minidyno metrics` show them: requests by status class and H-code, response-time
percentiles from the merged histograms, each dyno's memory (the highest of a step, as R14
is about peaks) and load (the mean), and the events to mark."""

from __future__ import annotations

import math
from typing import Any

from minidyno.metrics.router_counts import CLASSES, Bucket, percentile
from minidyno.metrics.store import MetricsStore

#: The narrowest window worth asking for, and the most rows one may have (a day of 10 s
#: rows is 8,640: a day is asked for in wider steps).
MIN_SINCE = 60
MAX_ROWS = 2000


def window(
    store: MetricsStore, app: str, now: float, since: int, step: int, interval: int, quota_mb: int
) -> dict[str, Any]:
    # At most MAX_ROWS rows, each a whole number of intervals.
    step = max(interval, math.ceil(max(step, since / MAX_ROWS) / interval) * interval)
    # Rows count back from the last finished interval, so the newest is a whole step.
    end = int(now // interval * interval)
    start = end - math.ceil(since / step) * step
    buckets: dict[int, Bucket] = {t: Bucket() for t in range(start, end, step)}
    total = Bucket()
    for t, bucket in store.router(app, start, end):
        buckets[start + (t - start) // step * step].merge(bucket)
        total.merge(bucket)
    return {
        "app": app,
        "interval": interval,
        "step": step,
        "start": start,
        "end": end,
        "quota_mb": quota_mb,
        "router": [_router_row(t, b, step) for t, b in buckets.items()],
        "dynos": _dyno_rows(store, app, start, end, step),
        "events": [vars(e) for e in store.events(app, start)],
        "summary": {
            **_figures(total, max(end - start, step)),
            "dynos": _dyno_summaries(store, app, start, end),
        },
    }


def _figures(bucket: Bucket, seconds: int) -> dict[str, Any]:
    requests = bucket.requests
    return {
        "requests": requests,
        "rps": round(requests / seconds, 3),
        "status": {k: bucket.status.get(k, 0) for k in CLASSES},
        "codes": dict(sorted(bucket.codes.items())),
        **{f"p{q}_ms": percentile(bucket.histogram, q / 100, bucket.max_ms) for q in (50, 95, 99)},
        "max_ms": bucket.max_ms if requests else None,
    }


def _router_row(t: int, bucket: Bucket, step: int) -> dict[str, Any]:
    return {"t": t, **_figures(bucket, step)}


def _dyno_order(name: str) -> tuple[str, int]:
    kind, _, number = name.rpartition(".")
    return (kind, int(number)) if number.isdigit() else (name, 0)


def _dyno_rows(store: MetricsStore, app: str, start: int, end: int, step: int) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for dyno, t, memory, rss, cache, swap, load in store.dyno_rows(app, start, end, step):
        rows.setdefault(dyno, []).append(
            {
                "t": t,
                "memory_mb": round(memory, 1),
                "rss_mb": round(rss, 1),
                "cache_mb": round(cache, 1),
                "swap_mb": round(swap, 1),
                "load": _rounded(load, 3),
            }
        )
    return dict(sorted(rows.items(), key=lambda item: _dyno_order(item[0])))


def _dyno_summaries(store: MetricsStore, app: str, start: int, end: int) -> dict[str, dict]:
    found = {
        dyno: {
            "memory_mb_avg": round(avg, 1),
            "memory_mb_max": round(peak, 1),
            "memory_mb_last": round(last, 1),
            "load_avg": _rounded(load_avg, 3),
            "load_max": load_max,
            "load_last": load_last,
        }
        for dyno, avg, peak, last, load_avg, load_max, load_last in store.dyno_summaries(app, start, end)
    }
    return dict(sorted(found.items(), key=lambda item: _dyno_order(item[0])))


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
