"""Heroku's Metrics: load sent through the router raises the throughput chart and gives a
p95; a dyno holding memory past its quota logs R14, and past twice its quota is killed
with R15 and restarted; these, a restart, a sleep and a wake are marked on the charts,
which follow more load live; `minidyno metrics` prints the same figures. Samples every
2 s, a 128 MB quota. Screenshots go to test-output/metrics/."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.integration import browser
from tests.integration.platform_fixture import REPO, Server, logs, ps, wait_for

APP = "metrics-demo"
QUOTA_MB = 128


def shot(page: Page, name: str) -> None:
    browser.shot(page, "metrics", name)


def _chart_number(page: Page, chart: str, attribute: str) -> float:
    value = page.locator(f"#metrics-{chart}").get_attribute(f"data-{attribute}") or ""
    return float(value) if value else 0.0


@pytest.mark.server_env(MINIDYNO_METRICS_INTERVAL="2", MINIDYNO_MEMORY_QUOTA_MB=str(QUOTA_MB))
def test_a_class_watches_load_memory_and_events_on_the_metrics_charts(server: Server, tmp_path: Path):
    src = tmp_path / APP
    shutil.copytree(REPO / "tests" / "apps" / "metrics", src)
    server.git("init", "-q", "-b", "main", cwd=src)
    server.commit(src, "Initial commit")
    server.cli("apps:create", APP)
    server.cli("git:remote", "-a", APP, cwd=src)
    server.push(src)
    router = f"http://127.0.0.1:{server.router_port}"
    host = {"Host": f"{APP}.localhost"}

    # What the charts will show happens first, with no browser open: Chromium has the
    # machine alone while it is (tests/machine.py), so it opens for the last minute only.
    # A bounded loop on 127.0.0.1: 300 requests, one connection.
    _load(router, host, 300)

    # Past the quota: R14, every 20 s while it stays there; the dyno goes on.
    assert httpx.get(f"{router}/hold", params={"mb": 100}, headers=host, timeout=30).status_code == 200
    wait_for(lambda: "Error R14 (Memory quota exceeded)" in logs(server, APP, dyno="web.1"), timeout=20)
    assert ps(server, APP)["web.1"]["state"] == "up"

    # Past twice the quota: the kernel kills the worker holding it, then the dyno goes
    # with R15, and is started again.
    httpx.get(f"{router}/hold", params={"mb": 2 * QUOTA_MB}, headers=host, timeout=30)
    wait_for(lambda: "State changed from crashed to starting" in logs(server, APP, dyno="web.1"), timeout=30)
    text = logs(server, APP, dyno="web.1", source="minidyno")
    assert _in_order(
        text[text.index(f"Process running mem={2 * QUOTA_MB}M(200.0%)") :],
        "Error R15 (Memory quota vastly exceeded)",
        "Stopping process with SIGKILL",
        "Process exited with status 137",
        "State changed from up to crashed",
        "State changed from crashed to starting",
    )

    server.cli("ps:restart", "-a", APP)
    server.api("PATCH", "/platform", json={"idle_timeout": 3})
    wait_for(lambda: ps(server, APP)["web.1"]["state"] == "idle", timeout=60)
    server.api("PATCH", "/platform", json={"idle_timeout": 1800})
    assert httpx.get(f"{router}/", headers=host, timeout=60).status_code == 200
    wait_for(lambda: ps(server, APP)["web.1"]["state"] == "up", timeout=30)

    with browser.chromium_page(server.ca_path, tmp_path / "browser-home") as page:
        browser.goto(page, server.cli("dashboard", "--no-browser").stdout.strip())
        browser.goto(page, f"https://localhost:{server.router_tls_port}/dashboard/apps/{APP}")
        expect(page.locator("#metrics-title")).to_have_text("Metrics")
        memory = page.locator("#metrics-memory")
        for kind in ("deploy", "r14", "r15", "crash", "restart", "sleep", "wake"):
            expect(memory).to_have_attribute("data-events", _has(kind), timeout=20_000)
        expect(page.locator("#metrics-events")).to_contain_text("R15 web.1")
        assert _chart_number(page, "throughput", "max-rps") > 0
        assert _chart_number(page, "response", "p95") > 0
        expect(page.locator("#metrics-response-now")).to_contain_text("p95")
        expect(page.locator("#metrics-memory-now")).to_contain_text(f"of {QUOTA_MB} MB")
        shot(page, "1-load-r14-r15-sleep-wake")

        # Live: more load (no container starts or stops) and the charts follow it.
        served = _chart_number(page, "throughput", "requests")
        _load(router, host, 200)
        wait_for(lambda: _chart_number(page, "throughput", "requests") >= served + 200, timeout=20)
        shot(page, "2-more-load")

    table = server.cli("metrics", "-a", APP, "--since", "10m").stdout
    assert f"=== {APP} metrics: the last 10m" in table
    assert "web.1" in table and f"memory quota {QUOTA_MB} MB" in table
    found = json.loads(server.cli("metrics", "-a", APP, "--since", "10m", "--json").stdout)
    summary = found["summary"]
    assert summary["requests"] >= 502 and summary["status"]["2xx"] >= 502
    assert summary["p95_ms"] is not None and summary["p95_ms"] <= summary["max_ms"]
    assert summary["dynos"]["web.1"]["memory_mb_max"] > QUOTA_MB
    kinds = {event["kind"] for event in found["events"]}
    assert {"deploy", "r14", "r15", "crash", "restart", "sleep", "wake"} <= kinds


def _load(router: str, host: dict[str, str], requests: int) -> None:
    with httpx.Client(base_url=router, headers=host, timeout=10) as client:
        assert all(client.get("/").status_code == 200 for _ in range(requests))


def _has(kind: str) -> re.Pattern:
    return re.compile(rf"(^|,){kind}(,|$)")


def _in_order(text: str, *lines: str) -> bool:
    at = 0
    for line in lines:
        at = text.find(line, at)
        if at < 0:
            return False
    return True
