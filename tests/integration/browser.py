"""Debian's Chromium, driven by Playwright, trusting one test server's CA the way a
user's would after `minidyno certs`: the CA is added to the NSS store under the
browser's own HOME, which is where Chromium on Linux reads trusted roots."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]


def trust(ca: Path, home: Path) -> None:
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True, exist_ok=True)
    certutil = shutil.which("certutil")
    assert certutil, "certutil is not installed: ./dev test installs libnss3-tools"
    if not (nssdb / "cert9.db").exists():
        subprocess.run([certutil, "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run([certutil, "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "minidyno-test",
                    "-i", str(ca)], check=True)


@contextmanager
def chromium_page(ca: Path, home: Path) -> Iterator[Page]:
    """A page in a fresh Chromium whose HOME trusts `ca`."""
    trust(ca, home)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS,
                                             env={"HOME": str(home)})
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def shot(page: Page, folder: str, name: str) -> None:
    shots = REPO / "test-output" / folder
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
