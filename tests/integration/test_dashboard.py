"""The dashboard in a real browser (Debian's Chromium, driven by Playwright): log in
with a one-time link, watch a dyno come up, scale, see logs arrive live, watch a dyno
fall asleep and wake, and run a Heroku Scheduler job. A screenshot of each step goes
to test-output/dashboard/."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.integration import browser
from tests.integration.platform_fixture import Server


def shot(page: Page, name: str) -> None:
    browser.shot(page, "dashboard", name)


def dyno_state(page: Page, dyno: str):
    return page.locator(f'#dynos tr[data-dyno="{dyno}"] .state')


def test_a_class_watches_dynos_start_scale_sleep_and_wake(server: Server, tmp_path: Path):
    server.cli("apps:create", "classroom")
    server.push(server.app_source(tmp_path, "classroom"))
    with browser.chromium_page(server.ca_path, tmp_path / "browser-home") as page:
        watch(server, page)


def watch(server: Server, page: Page) -> None:
    """What the class sees, from the login on; the browser opens after the push, as it
    has the machine to itself while open (tests/machine.py)."""
    dashboard = f"https://localhost:{server.router_tls_port}/"
    browser.goto(page, dashboard)
    expect(page).to_have_url(re.compile(r"/login$"))
    shot(page, "1-login-required")

    link = server.cli("dashboard", "--no-browser").stdout.strip()
    assert link.startswith(f"{dashboard}login?code=")
    browser.goto(page, link)
    expect(page.locator("#apps")).to_contain_text("classroom")
    expect(page.locator("#apps")).to_contain_text("up")
    shot(page, "2-apps")
    browser.goto(page, link)
    expect(page.locator(".error")).to_contain_text("used already")

    browser.goto(page, dashboard)
    page.get_by_role("link", name="classroom", exact=True).click()
    expect(dyno_state(page, "web.1")).to_have_text("up")
    expect(page.locator("#eco-hours")).to_contain_text("Eco dyno hours quota remaining this month")
    expect(page.locator("#eco-text")).to_contain_text("999h")
    shot(page, "3-app")

    page.get_by_role("button", name="Scale web up").click()
    expect(dyno_state(page, "web.2")).to_have_text("up", timeout=30_000)
    shot(page, "4-scaled")

    server.router_get("classroom", "/from-the-class")
    expect(page.locator("#logs")).to_contain_text('path="/from-the-class"', timeout=10_000)
    shot(page, "5-live-log")

    page.get_by_role("button", name="Scale web down").click()
    expect(page.locator('#dynos tr[data-dyno="web.2"]')).to_have_count(0, timeout=30_000)
    page.locator("#idle").fill("3")
    page.get_by_role("button", name="Set", exact=True).first.click()
    expect(dyno_state(page, "web.1")).to_have_text("idle", timeout=30_000)
    expect(page.locator('[data-lane="web.1"]')).to_contain_text("idle")
    shot(page, "6-idle")

    assert (
        httpx.get(
            f"http://127.0.0.1:{server.router_port}/", headers={"Host": "classroom.localhost"}, timeout=60
        ).status_code
        == 200
    )
    expect(dyno_state(page, "web.1")).to_have_text("up", timeout=30_000)
    expect(page.locator('[data-lane="web.1"]')).to_contain_text("starting")
    shot(page, "7-woken")

    # Heroku Scheduler's page: add a job, run it now, see its exit status, remove it.
    server.cli("addons:create", "scheduler", "-a", "classroom")
    expect(page.locator("#scheduler")).to_be_visible(timeout=10_000)
    page.locator("#job-command").fill("echo from-the-scheduler")
    page.locator("#job-every").select_option("1d")
    page.locator("#job-at").fill("09:15")
    page.get_by_role("button", name="Add job").click()
    expect(page.locator("#job-error")).to_contain_text(":00, :30")
    page.locator("#job-at").fill("09:30")
    page.get_by_role("button", name="Add job").click()
    expect(page.locator("#jobs")).to_contain_text("Every day at 09:30 UTC")
    page.get_by_role("button", name="Run now job 1").click()
    expect(page.locator("#jobs")).to_contain_text("(exit 0)", timeout=30_000)
    expect(page.locator("#logs")).to_contain_text("from-the-scheduler", timeout=10_000)
    shot(page, "8-scheduler")
    page.get_by_role("button", name="Remove job 1").click()
    expect(page.locator('#jobs tr[data-job="1"]')).to_have_count(0)
