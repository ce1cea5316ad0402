"""Metrics, as Heroku's Metrics tab shows them: the router's requests counted into
histograms whose percentiles stay true when buckets are merged, the store and the rows a
window is cut into, the events read from the platform's own lines, the sampler's load and
R14, and the CLI's durations. The store is a real SQLite file; clocks are set by each test,
so nothing waits for an interval to pass."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
import pytest

from minidyno.cli.metrics import MAX_ROWS, _span, _step, duration
from minidyno.logs.format import LogLine
from minidyno.metrics import store as store_module
from minidyno.metrics.events import EventMarkers, marker
from minidyno.metrics.router_counts import Bucket, RouterCounts, bucket_of, percentile
from minidyno.metrics.sampler import Sampler
from minidyno.metrics.series import window
from minidyno.metrics.store import DynoSample, Event, MetricsStore
from minidyno.router.access_log import RouterRequest
from minidyno.runtime.driver import Dyno
from minidyno.runtime.memory_quota import MemoryQuota
from minidyno.runtime.usage import Usage

APP = "demo"


def _request(ms: int, status: int = 200, code: str | None = None, app: str = APP) -> RouterRequest:
    return RouterRequest(
        app, "GET", "/", "demo.localhost", "r1", "127.0.0.1", "10.0.0.2:5000", 1, ms, status, 10, code
    )


def _bucket(*requests: RouterRequest) -> Bucket:
    bucket = Bucket()
    for request in requests:
        bucket.add(request)
    return bucket


def _histogram(times: range | list[int]) -> dict[int, int]:
    histogram: dict[int, int] = {}
    for ms in times:
        histogram[bucket_of(ms)] = histogram.get(bucket_of(ms), 0) + 1
    return histogram


# router_counts


def test_percentiles_of_1_to_100_ms_are_read_within_a_bucket_and_never_past_the_slowest() -> None:
    histogram = _histogram(range(1, 101))
    assert percentile(histogram, 0.50, 100) == pytest.approx(50, rel=0.1)
    assert percentile(histogram, 0.95, 100) == pytest.approx(95, rel=0.1)
    assert percentile(histogram, 0.99, 100) == pytest.approx(99, rel=0.1)
    assert all(percentile(histogram, q, 100) <= 100 for q in (0.5, 0.9, 0.99, 1.0))
    assert percentile(_histogram(range(1, 101)), 0.99, 60) == 60, "clamped by the max seen"


def test_a_single_request_s_percentiles_are_its_own_time_and_none_without_requests() -> None:
    for ms in (0, 1, 2, 7, 50, 1234, 30000):
        assert percentile({bucket_of(ms): 1}, 0.5, ms) == pytest.approx(ms, abs=1)
        assert percentile({bucket_of(ms): 1}, 0.99, ms) == pytest.approx(ms, abs=1)
    assert percentile({}, 0.5, 0) is None


def test_requests_are_counted_by_status_class_and_h_code() -> None:
    bucket = _bucket(_request(5), _request(7, 304), _request(9, 404), _request(30000, 503, "H12"))
    assert bucket.status == {"2xx": 1, "3xx": 1, "4xx": 1, "5xx": 1}
    assert bucket.codes == {"H12": 1}
    assert bucket.requests == 4 and bucket.max_ms == 30000


def test_take_returns_only_finished_intervals_and_removes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [995.0]
    monkeypatch.setattr("minidyno.metrics.router_counts.time.time", lambda: clock[0])
    counts = RouterCounts(10)
    counts.add([_request(5), _request(6, app="other")])
    clock[0] = 1003.0
    counts.add([_request(7), _request(8, 503, "H12")])

    taken = counts.take(before=1000)
    assert sorted(taken) == [(APP, 990), ("other", 990)]
    assert taken[(APP, 990)].requests == 1
    assert counts.take(before=1000) == {}, "taken once"
    later = counts.take(before=1010)
    assert list(later) == [(APP, 1000)] and later[(APP, 1000)].codes == {"H12": 1}


# store and series.window


def test_a_window_has_a_row_per_interval_with_zeros_and_no_percentiles_where_idle(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "metrics.db")
    store.write({(APP, 9950): _bucket(_request(20), _request(40, 503, "H12"))}, [])
    found = window(store, APP, now=10_003, since=60, step=10, interval=10, quota_mb=512)

    assert (found["start"], found["end"], found["step"], found["quota_mb"]) == (9940, 10_000, 10, 512)
    assert [row["t"] for row in found["router"]] == list(range(9940, 10_000, 10))
    idle, busy = found["router"][0], found["router"][1]
    assert idle == {
        "t": 9940,
        "requests": 0,
        "rps": 0.0,
        "status": {"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0},
        "codes": {},
        "p50_ms": None,
        "p95_ms": None,
        "p99_ms": None,
        "max_ms": None,
    }
    assert busy["requests"] == 2 and busy["rps"] == 0.2 and busy["codes"] == {"H12": 1}
    assert busy["status"]["5xx"] == 1 and busy["max_ms"] == 40 and busy["p99_ms"] == 40
    assert found["dynos"] == {} and found["events"] == []


def test_a_step_of_several_intervals_merges_their_buckets(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "metrics.db")
    store.write(
        {
            (APP, 10_680): _bucket(*(_request(ms) for ms in range(1, 51))),
            (APP, 10_700): _bucket(*(_request(ms) for ms in range(51, 101))),
            (APP, 10_730): _bucket(_request(200, 404)),
            (APP, 10_740): _bucket(_request(9)),
            ("other", 10_690): _bucket(_request(5000)),
        },
        [],
    )
    found = window(store, APP, now=10_805, since=120, step=55, interval=10, quota_mb=512)

    assert found["step"] == 60, "rounded up to a multiple of the interval"
    first, second = found["router"]
    assert (first["t"], first["requests"], first["rps"]) == (10_680, 101, round(101 / 60, 3))
    assert first["p50_ms"] == pytest.approx(51, rel=0.1), "from the merged histograms, not a mean of p50s"
    assert first["max_ms"] == 200 and first["status"]["4xx"] == 1
    assert (second["t"], second["requests"], second["max_ms"]) == (10_740, 1, 9)
    summary = found["summary"]
    assert summary["requests"] == 102 and summary["rps"] == round(102 / 120, 3)
    assert summary["max_ms"] == 200 and summary["codes"] == {}


def test_dyno_rows_take_a_step_s_highest_memory_and_mean_load(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "metrics.db")
    store.write(
        {},
        [
            DynoSample(APP, "web.1", 10_690, 90, 10, 0, None),
            DynoSample(APP, "web.1", 10_700, 120, 20, 10, 0.2),
            DynoSample(APP, "web.1", 10_710, 110, 10, 0, 0.4),
            DynoSample(APP, "web.10", 10_700, 50, 0, 0, None),
            DynoSample(APP, "web.2", 10_700, 60, 0, 0, 0.1),
            DynoSample("other", "web.1", 10_700, 999, 0, 0, 9.0),
        ],
    )
    found = window(store, APP, now=10_805, since=120, step=60, interval=10, quota_mb=512)

    assert list(found["dynos"]) == ["web.1", "web.2", "web.10"]
    assert found["dynos"]["web.1"] == [
        {"t": 10_680, "memory_mb": 150.0, "rss_mb": 120.0, "cache_mb": 20.0, "swap_mb": 10.0, "load": 0.3}
    ]
    assert found["dynos"]["web.10"][0]["load"] is None, "no load before a second sample"
    assert found["summary"]["dynos"]["web.1"] == {
        "memory_mb_avg": round((100 + 150 + 120) / 3, 1),
        "memory_mb_max": 150.0,
        "memory_mb_last": 120.0,
        "load_avg": 0.3,
        "load_max": 0.4,
        "load_last": 0.4,
    }


def test_events_of_the_window_are_returned_oldest_first(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "metrics.db")
    store.add_event(APP, Event(10_750.5, "crash", "web.1", "State changed from up to crashed"))
    store.add_event(APP, Event(10_700.0, "deploy", "", "Release v3 created: Deploy 1a2b3c4"))
    store.add_event(APP, Event(9_000.0, "wake", "web.1", "Unidling"))
    store.add_event("other", Event(10_720.0, "r14", "web.1", "Error R14 (Memory quota exceeded)"))
    found = window(store, APP, now=10_805, since=120, step=10, interval=10, quota_mb=512)
    assert found["events"] == [
        {"t": 10_700.0, "kind": "deploy", "dyno": "", "text": "Release v3 created: Deploy 1a2b3c4"},
        {"t": 10_750.5, "kind": "crash", "dyno": "web.1", "text": "State changed from up to crashed"},
    ]


def test_prune_drops_what_is_older_and_forget_drops_one_app(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "metrics.db")
    for app in (APP, "other"):
        store.write(
            {(app, 100): _bucket(_request(1)), (app, 200): _bucket(_request(2))},
            [DynoSample(app, "web.1", 100, 1, 0, 0, None), DynoSample(app, "web.1", 200, 2, 0, 0, 0.1)],
        )
        store.add_event(app, Event(100.0, "wake", "web.1", "Unidling"))
        store.add_event(app, Event(200.0, "restart", "web.1", "Cycling"))

    store.prune(before=150)
    assert [t for t, _ in store.router(APP, 0, 1000)] == [200]
    assert [row[1] for row in store.dyno_rows(APP, 0, 1000, 10)] == [200]
    assert [e.t for e in store.events(APP, 0)] == [200.0]

    store.forget(APP)
    assert list(store.router(APP, 0, 1000)) == [] and store.dyno_rows(APP, 0, 1000, 10) == []
    assert store.events(APP, 0) == []
    assert len(list(store.router("other", 0, 1000))) == 1 and len(store.events("other", 0)) == 1


def test_an_app_keeps_only_its_newest_max_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MAX_EVENTS", 3)
    store = MetricsStore(tmp_path / "metrics.db")
    for t in (5.0, 1.0, 4.0, 2.0, 3.0):
        store.add_event(APP, Event(t, "restart", "web.1", "Cycling"))
    for t in (1.0, 2.0):
        store.add_event("other", Event(t, "wake", "web.1", "Unidling"))
    store.prune(before=0)
    assert [e.t for e in store.events(APP, 0)] == [3.0, 4.0, 5.0]
    assert [e.t for e in store.events("other", 0)] == [1.0, 2.0]


# events


def _line(process: str, message: str, source: str = "minidyno") -> LogLine:
    return LogLine(datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=UTC), source, process, message)


@pytest.mark.parametrize(
    ("process", "message", "kind", "dyno"),
    [
        ("api", "Release v3 created: Deploy 1a2b3c4", "deploy", ""),
        ("web.1", "Unidling", "wake", "web.1"),
        ("worker.1", "State changed from up to crashed", "crash", "worker.1"),
        ("api", "Restarting all dynos", "restart", ""),
        ("web.2", "Cycling", "restart", "web.2"),
        ("web.1", "Error R14 (Memory quota exceeded)", "r14", "web.1"),
        ("web.1", "Error R15 (Memory quota vastly exceeded)", "r15", "web.1"),
        ("api", "Scaled to web@2, worker@1", "scale", ""),
        ("web.1", "Idling", "sleep", "web.1"),
    ],
)
def test_platform_lines_mark_their_events(process: str, message: str, kind: str, dyno: str) -> None:
    entry = _line(process, message)
    assert marker(entry) == Event(entry.timestamp.timestamp(), kind, dyno, message)


def test_router_app_and_ordinary_lines_mark_nothing() -> None:
    assert marker(_line("router", 'at=error code=H12 desc="Request timeout" method=GET')) is None
    assert marker(_line("web.1", "Error R14 (Memory quota exceeded)", source="app")) is None
    assert marker(_line("web.1", "State changed from starting to up")) is None
    assert marker(_line("api", "Release v4 failed: the release phase exited 1")) is None


def test_event_markers_keep_what_they_observe(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "metrics.db")
    EventMarkers(store).observe(APP, [_line("web.1", "Listening on 5000"), _line("web.1", "Cycling")])
    assert [(e.kind, e.dyno) for e in store.events(APP, 0)] == [("restart", "web.1")]


# sampler


class _Logs:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def platform(self, app: str, process: str, message: str) -> None:
        self.lines.append(f"{app} {process}: {message}")


def _dyno(id: str, name: str, running: bool = True, app: str = APP) -> Dyno:
    return Dyno(id=id, app=app, name=name, process_type=name.split(".")[0], release=1, running=running)


def test_the_sampler_keeps_memory_load_and_router_buckets_and_logs_r14(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [995.0]
    monkeypatch.setattr("minidyno.metrics.router_counts.time.time", lambda: clock[0])
    dynos = [
        _dyno("c1", "web.1"),
        _dyno("c2", "web.2"),
        _dyno("c3", "worker.1", running=False),
        _dyno("c4", "run.1234"),
        _dyno("c5", "web.1", app="doctor_demo"),
    ]
    usages = {"c1": Usage(100, 10, 0, 20.0), "c2": Usage(600, 0, 0, 1.0), "c4": Usage(700, 0, 0, 0)}
    asked: list[list[str]] = []

    def usage(running: list[Dyno]) -> dict[str, Usage]:
        asked.append([d.id for d in running])
        return {d.id: usages[d.id] for d in running if d.id in usages}

    logs, killed = _Logs(), []
    router, store = RouterCounts(10), MetricsStore(tmp_path / "metrics.db")
    quota = MemoryQuota(logs, killed.append, 512)  # type: ignore[arg-type]
    sampler = Sampler(lambda: dynos, usage, lambda: {APP}, quota, router, store, 10)

    router.add([_request(12), _request(5, app="gone")])
    clock[0] = 1000.1
    router.add([_request(34)])
    sampler.sample(1000)
    usages["c1"] = Usage(100, 10, 0, 25.0)
    sampler.sample(1010)

    assert asked[0] == ["c1", "c2", "c4"], "a stopped dyno and a dyno of no app are not read"
    rows = {(r[0], r[1]): r for r in store.dyno_rows(APP, 0, 2000, 10)}
    assert sorted(rows) == [("web.1", 1000), ("web.1", 1010), ("web.2", 1000), ("web.2", 1010)]
    assert rows["web.1", 1000][6] is None, "a first sample has no load"
    assert rows["web.1", 1010][6] == 0.5, "5 CPU seconds over 10 s"
    assert rows["web.1", 1010][2] == 110
    assert [(t, b.max_ms) for t, b in store.router(APP, 0, 2000)] == [(990, 12), (1000, 34)]
    assert list(store.router("gone", 0, 2000)) == [], "a destroyed app's requests are not kept"
    assert logs.lines[:4] == [
        f"{APP} web.2: Process running mem=600M(117.2%)",
        f"{APP} web.2: Error R14 (Memory quota exceeded)",
        f"{APP} run.1234: Process running mem=700M(136.7%)",
        f"{APP} run.1234: Error R14 (Memory quota exceeded)",
    ], "a one-off dyno is held to its quota, though not charted"
    assert killed == []


def test_a_late_request_counts_in_the_next_interval_not_one_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1009.9]
    monkeypatch.setattr("minidyno.metrics.router_counts.time.time", lambda: clock[0])
    router = RouterCounts(10)
    assert router.take(before=1010) == {}
    router.add([_request(7)])
    assert list(router.take(before=1020)) == [(APP, 1010)]


# cli


@pytest.mark.parametrize(
    ("text", "seconds"), [("10m", 600), ("1h", 3600), ("24h", 86400), ("90s", 90), ("5", 300), ("1d", 86400)]
)
def test_durations_are_read_in_seconds_and_a_bare_number_is_minutes(text: str, seconds: int) -> None:
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["", "ten", "1.5h", "-5m", "10w", "1h30m"])
def test_a_bad_duration_is_refused(text: str) -> None:
    with pytest.raises(click.BadParameter):
        duration(text)


def test_the_step_gives_at_most_24_rows_and_spans_read_back_as_durations() -> None:
    assert _step(3600) == 300
    for since in (60, 600, 3600, 6 * 3600, 86400):
        assert since / _step(since) <= MAX_ROWS
    assert _step(60) == 10 and _step(86400) == 3600
    assert [_span(s) for s in (10, 90, 600, 3600, 5400, 86400)] == ["10s", "90s", "10m", "1h", "90m", "1d"]


def test_a_24h_window_at_the_cli_s_step_has_at_most_24_whole_rows(tmp_path: Path) -> None:
    found = window(MetricsStore(tmp_path / "m.db"), "demo", 1_764_770_005, 86400, _step(86400), 10, 512)
    assert len(found["router"]) <= MAX_ROWS
    assert found["router"][-1]["t"] + found["step"] == found["end"]


def test_steady_traffic_shows_the_same_rate_in_the_newest_row(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "m.db")
    store.write({("demo", t): _bucket(_request(5)) for t in range(10_000, 10_830, 10)}, [])
    found = window(store, "demo", now=10_835, since=300, step=60, interval=10, quota_mb=512)
    assert [row["rps"] for row in found["router"]] == [0.1] * 5
