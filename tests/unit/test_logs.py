from datetime import UTC, datetime

from minidyno.lines import LineSplitter
from minidyno.logs import bus as bus_module
from minidyno.logs.bus import LogBus, Tail
from minidyno.logs.format import MAX_LINE_BYTES, LogFilter, LogLine, parse, split_long
from minidyno.router.access_log import heroku_line
from minidyno.router.access_log import parse as parse_access


def test_heroku_line_format_round_trips():
    entry = LogLine(datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "app", "web.1", "hi: there")
    assert str(entry) == "2026-01-02T03:04:05.123456+00:00 app[web.1]: hi: there"
    assert parse(str(entry)) == entry
    assert parse("not a log line") is None


def test_long_lines_split_at_character_boundaries():
    text = "é" * 7000
    pieces = split_long(text)
    assert "".join(pieces) == text
    assert all(len(p.encode()) <= MAX_LINE_BYTES for p in pieces)
    assert split_long("short") == ["short"]


def test_splitter_replaces_invalid_utf8_and_keeps_partial_lines():
    got = []
    splitter = LineSplitter(got.append)
    splitter.feed(b"one\ntw")
    splitter.feed(b"o\xff\xfe\r\nthree")
    splitter.close()
    assert got == ["one", "two\ufffd\ufffd", "three"]


def test_filters():
    web = LogLine(datetime.now(UTC), "app", "web.1", "x")
    router = LogLine(datetime.now(UTC), "minidyno", "router", "x")
    assert LogFilter(dyno="web.1").matches(web) and not LogFilter(dyno="web.2").matches(web)
    assert LogFilter(source="minidyno").matches(router) and not LogFilter(source="app").matches(router)
    assert LogFilter(process_type="web").matches(web) and not LogFilter(process_type="worker").matches(web)


def test_tail_counts_what_it_drops(monkeypatch):
    monkeypatch.setattr(bus_module, "TAIL_BUFFER", 3)
    tail = Tail()
    tail.offer([LogLine(datetime.now(UTC), "app", "web.1", str(n)) for n in range(2)])
    tail.offer([LogLine(datetime.now(UTC), "app", "web.1", str(n)) for n in range(2, 5)])
    assert [e.message for e in tail.get_batch(0)] == ["Skipped 2 lines: this tail fell behind", "0", "1", "2"]
    assert tail.get_batch(0.01) == []


def test_history_survives_a_new_bus_and_rotation(tmp_path, monkeypatch):
    monkeypatch.setattr(bus_module, "MAX_FILE_BYTES", 2000)
    first = LogBus(tmp_path)
    for n in range(100):
        first.emit("demo", "app", "web.1", f"line {n}")
    assert (tmp_path / "demo.log.1").exists()
    again = LogBus(tmp_path)
    recent = again.recent("demo", 10)
    assert [e.message for e in recent] == [f"line {n}" for n in range(90, 100)]
    assert again.recent("demo", 5, LogFilter(source="minidyno")) == []


def test_router_access_entries_become_heroku_router_lines():
    entry = parse_access(
        "\t".join(
            [
                "demo",
                "GET",
                "/a?b=1",
                "demo.localhost",
                "rid-123",
                "127.0.0.1",
                "172.18.0.2:5000",
                "0.001",
                "0.005",
                "0.006",
                "200",
                "12",
                "200",
                "",
                "-",
                "-",
                "https",
            ]
        )
    )
    assert heroku_line(entry, "web.1") == (
        'at=info method=GET path="/a?b=1" host=demo.localhost request_id=rid-123 '
        'fwd="127.0.0.1" dyno=web.1 connect=1ms service=5ms status=200 bytes=12 protocol=https'
    )
    h14 = parse_access(
        "\t".join(
            [
                "demo",
                "GET",
                "/",
                "demo.localhost",
                "r",
                "127.0.0.1",
                "-",
                "-",
                "-",
                "0.000",
                "503",
                "500",
                "-",
                "H14",
                "-",
                "-",
                "http",
            ]
        )
    )
    assert heroku_line(h14, "").startswith('at=error code=H14 desc="No web dynos running"')
    timeout = parse_access(
        "\t".join(
            [
                "demo",
                "GET",
                "/",
                "demo.localhost",
                "r",
                "127.0.0.1",
                "172.18.0.2:5000",
                "0.001",
                "30.001",
                "30.002",
                "503",
                "500",
                "504",
                "",
                "-",
                "-",
                "http",
            ]
        )
    )
    assert timeout.code == "H12"
    assert parse_access("garbage") is None
