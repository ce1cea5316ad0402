"""Stopping a process the tests started (a server, a node's dockerd)."""

from __future__ import annotations

import signal
import subprocess


def stop(process: subprocess.Popen | None, timeout: float) -> None:
    """SIGTERM, SIGKILL after `timeout` seconds, and reaped; one already gone is fine."""
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
