"""An app's metrics over a window, in rows of `step` seconds, as the dashboard's charts
and `minidyno metrics` show them: requests by status class and H-code, response-time
percentiles from the merged histograms, each dyno's memory (the highest sample of a step,
as R14 is about peaks) and load (their mean), and the events to mark."""

from __future__ import annotations

import math
import statistics
from typing import Any

from minidyno.metrics.router_counts import CLASSES, Bucket, percentile
from minidyno.metrics.store import DynoSample, MetricsStore

#: The widest window kept, and the narrowest worth asking for.
MAX_SINCE = 24 * 3600
MIN_SINCE = 60


def window(
    store: MetricsStore, app: str, now: float, since: int, step: int, interval: int, quota_mb: int
) -> dict[str, Any]:
    step = max(interval, math.ceil(step / interval) * interval)
    # Rows count back from the last finished interval, so the newest is a whole step.
    end = int(now // interval * interval)
    start = end - math.ceil(since / step) * step
    buckets: dict[int, Bucket] = {t: Bucket() for t in range(start, end, step)}
    total = Bucket()
    for t, bucket in store.router(app, start, end):
        buckets[_row(t, start, step)].merge(bucket)
        total.merge(bucket)
    samples = store.dynos(app, start, end + interval)
    return {
        "app": app,
        "interval": interval,
        "step": step,
        "start": start,
        "end": end,
        "quota_mb": quota_mb,
        "router": [_router_row(t, b, step) for t, b in buckets.items()],
        "dynos": {name: _dyno_rows(rows, start, step) for name, rows in _by_dyno(samples).items()},
        "events": [vars(e) for e in store.events(app, start)],
        "summary": {
            **_figures(total, max(end - start, step)),
            "dynos": {name: _dyno_summary(rows) for name, rows in _by_dyno(samples).items()},
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


def _by_dyno(samples: list[DynoSample]) -> dict[str, list[DynoSample]]:
    grouped: dict[str, list[DynoSample]] = {}
    for sample in samples:
        grouped.setdefault(sample.dyno, []).append(sample)
    return dict(sorted(grouped.items(), key=lambda item: _dyno_order(item[0])))


def _dyno_order(name: str) -> tuple[str, int]:
    kind, _, number = name.rpartition(".")
    return (kind, int(number)) if number.isdigit() else (name, 0)


def _row(t: int, start: int, step: int) -> int:
    return start + (t - start) // step * step


def _dyno_rows(samples: list[DynoSample], start: int, step: int) -> list[dict[str, Any]]:
    steps: dict[int, list[DynoSample]] = {}
    for sample in samples:
        steps.setdefault(_row(sample.t, start, step), []).append(sample)
    rows = []
    for t, group in steps.items():
        peak = max(group, key=lambda s: s.memory_mb)
        loads = [s.load for s in group if s.load is not None]
        rows.append(
            {
                "t": t,
                "memory_mb": round(peak.memory_mb, 1),
                "rss_mb": round(peak.rss_mb, 1),
                "cache_mb": round(peak.cache_mb, 1),
                "swap_mb": round(peak.swap_mb, 1),
                "load": round(statistics.fmean(loads), 3) if loads else None,
            }
        )
    return rows


def _dyno_summary(samples: list[DynoSample]) -> dict[str, Any]:
    memory = [s.memory_mb for s in samples]
    loads = [s.load for s in samples if s.load is not None]
    return {
        "memory_mb_avg": round(statistics.fmean(memory), 1),
        "memory_mb_max": round(max(memory), 1),
        "memory_mb_last": round(memory[-1], 1),
        "load_avg": round(statistics.fmean(loads), 3) if loads else None,
        "load_max": max(loads) if loads else None,
        "load_last": loads[-1] if loads else None,
    }
