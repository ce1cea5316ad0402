"""Wait for a web dyno to bind $PORT, as Heroku's boot check does (R10 after 60 s)."""

from __future__ import annotations

import socket
import time

from minidyno.errors import UserError
from minidyno.runtime.driver import Dyno, DynoDriver, DynoGone

BOOT_TIMEOUT = 60.0


class BootFailed(UserError):
    pass


def wait_until_listening(driver: DynoDriver, dyno: Dyno, timeout: float = BOOT_TIMEOUT) -> float:
    """Seconds until the dyno accepted a connection; BootFailed (with its last log
    lines) if it exits or does not bind in time."""
    started = time.monotonic()
    deadline = started + timeout
    next_status_check = started
    while time.monotonic() < deadline:
        if dyno.address and accepts(dyno.address):
            return time.monotonic() - started
        if time.monotonic() >= next_status_check:
            now = driver.inspect(dyno)
            if now is None:
                raise DynoGone(dyno.name)
            if not now.running:
                raise BootFailed(
                    f"{dyno.name} exited with status {now.exit_code} before binding $PORT"
                    f"{_last_lines(driver, dyno)}"
                )
            dyno = now
            next_status_check = time.monotonic() + 0.25
        time.sleep(0.02)
    raise BootFailed(
        f"Error R10 (Boot timeout): {dyno.name} did not bind $PORT within {timeout:.0f} s"
        f"{_last_lines(driver, dyno)}"
    )


def accepts(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def _last_lines(driver: DynoDriver, dyno: Dyno) -> str:
    tail = driver.last_output(dyno, 5)
    return f"; its last output: {' | '.join(tail.splitlines())}" if tail else ""
