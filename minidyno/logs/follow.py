"""Follow a dyno's stdout and stderr into the log bus through the Docker SDK.

dockerd writes a container's output to its own log file whatever we do, so a slow
reader here never slows the dyno: it only falls behind, and the bus drops for tails
that cannot keep up, never for the dyno.
"""

from __future__ import annotations

import threading
import time

from docker.errors import DockerException
from docker.models.containers import Container

from minidyno.lines import LineSplitter
from minidyno.logs.bus import LogBus


def follow(bus: LogBus, container: Container, app: str, dyno: str, since_now: bool = False) -> None:
    """Relay everything the container prints (from its start, or from now when an
    existing container is adopted) as `app[dyno]` lines, until it exits."""
    since = int(time.time()) if since_now else None

    def relay() -> None:
        splitter = LineSplitter(lambda text: bus.emit(app, "app", dyno, text))
        try:
            for chunk in container.logs(stream=True, follow=True, since=since):
                splitter.feed(chunk)
        except DockerException:
            pass
        splitter.close()

    threading.Thread(target=relay, name=f"logs-{app}-{dyno}", daemon=True).start()
