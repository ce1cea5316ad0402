"""Debian's Chromium, driven by Playwright, trusting one test server's CA the way a
user's would after `minidyno certs`: the CA is added to the NSS store under the
browser's own HOME, which is where Chromium on Linux reads trusted roots."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Error, Page, sync_playwright

from tests import machine

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def trust(ca: Path, home: Path) -> None:
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True, exist_ok=True)
    certutil = shutil.which("certutil")
    assert certutil, "certutil is not installed: ./dev test installs libnss3-tools"
    if not (nssdb / "cert9.db").exists():
        subprocess.run([certutil, "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        [certutil, "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "minidyno-test", "-i", str(ca)], check=True
    )


@contextmanager
def chromium_page(ca: Path, home: Path) -> Iterator[Page]:
    """A page in a fresh Chromium whose HOME trusts `ca`, with the machine to itself:
    no other test's container may change the host's network under a navigation."""
    trust(ca, home)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with machine.alone(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_FLAGS, env={"HOME": str(home)}
        )
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


#: How Chromium reports a navigation it aborted because the host's addresses changed:
#: the error itself, or (mid-redirect) its error page taking over the navigation.
_NETWORK_CHANGED = ("ERR_NETWORK_CHANGED", 'interrupted by another navigation to "chrome-error://')
#: Chromium navigating by itself, which Playwright reports as our navigation interrupted
#: by another: it reloads a page that failed once the network is back.
_WENT_ON = re.compile(r'interrupted by another navigation to "https?://')


def _interfaces() -> list[tuple[str, str]]:
    net = Path("/sys/class/net")
    return sorted((i.name, (i / "operstate").read_text().strip()) for i in net.iterdir() if i.exists())


def network_quiet(quiet: float = 1.0, timeout: float = 20.0) -> None:
    """Wait until the host's network interfaces have not changed for `quiet` seconds:
    Chromium aborts a navigation whenever they change, and on a Docker host a container
    started or removed (a dyno retired after a push, say) changes them. Retrying such a
    navigation would send its GET twice, which a one-time login link or a page that
    counts its visits must not get."""
    deadline = time.monotonic() + timeout
    seen, since = _interfaces(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = _interfaces()
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def goto(page: Page, url: str, tries: int = 3) -> None:
    """Open `url` as a user would. Chromium aborts a navigation with ERR_NETWORK_CHANGED
    whenever the host's network addresses change, and on a Docker host every container
    start or removal changes them; it then shows its error page and reloads by itself.
    So: follow its own reload, or reload, until a page (not the error page) is shown. A
    page that fails for any other reason fails the same way every time, so it still
    fails here; where the page landed is the caller's to check."""
    for attempt in range(tries):
        network_quiet()
        try:
            page.goto(url)
        except Error as error:
            text = str(error)
            if _WENT_ON.search(text):
                page.wait_for_load_state()
            elif any(sign in text for sign in _NETWORK_CHANGED) and attempt < tries - 1:
                continue
            else:
                raise
        if not page.url.startswith("chrome-error://"):
            return
    raise AssertionError(f"Chromium showed its error page for {url} {tries} times")


def shot(page: Page, folder: str, name: str) -> None:
    shots = REPO / "test-output" / folder
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
