"""Follow a dyno's stdout and stderr into the log bus through the Docker engine API.

dockerd writes a container's output to its own log file whatever we do, so a slow
reader here never slows the dyno: it only falls behind, and the bus drops for tails
that cannot keep up, never for the dyno.

The SDK's `container.logs(stream=True)` reads each multiplexed frame with two small
socket reads, which caps a chatty dyno near 30,000 lines/s; this reads the same
endpoint (the SDK's own HTTP session) in whole chunks and splits the frames itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from docker import APIClient
from docker.errors import DockerException, NotFound
from docker.models.containers import Container
from requests.exceptions import RequestException

from minidyno.lines import LineSplitter
from minidyno.logs.bus import LogBus

_HEADER = 8


#: How long a follower waits for a restarting engine before it lets its dyno go.
ENGINE_RESTART_WAIT = 120.0


def follow(bus: LogBus, container: Container, app: str, dyno: str, since_now: bool = False) -> None:
    """Relay everything the container prints (from its start, or from now when an
    existing container is adopted) as `app[dyno]` lines, until it exits."""
    api = container.client.api
    follow_logs(
        bus,
        lambda since: output(api, f"containers/{container.id}", since),
        lambda: _still_running(container),
        app,
        dyno,
        since_now,
    )


def follow_logs(
    bus: LogBus,
    read: Callable[[float], Iterator[bytes]],
    running: Callable[[], bool],
    app: str,
    dyno: str,
    since_now: bool = False,
) -> None:
    """Relay a log stream (`read(since)`: a container's, or a Swarm task's on another
    node) as `app[dyno]` lines, reading again from where it broke while `running()`."""
    since = time.time() if since_now else 0.0

    handoff = _Handoff()

    def reader() -> None:
        nonlocal since
        while True:
            try:
                for payload in read(since):
                    handoff.put(payload)
            except (DockerException, RequestException):
                pass
            # The stream also ends when dockerd restarts under a dyno that goes on
            # running (live-restore): follow again from where this stream stopped.
            since = time.time()
            if not running():
                break
        handoff.close()

    def publish() -> None:
        splitter = LineSplitter(emit_batch=lambda lines: bus.emit_many(app, "app", dyno, lines))
        while (data := handoff.take()) is not None:
            splitter.feed(data)
        splitter.close()

    threading.Thread(target=reader, name=f"logs-read-{app}-{dyno}", daemon=True).start()
    threading.Thread(target=publish, name=f"logs-publish-{app}-{dyno}", daemon=True).start()


class _Handoff:
    """Output passed from the reading thread to the publishing one. Whatever arrives
    while a batch is being published waits and goes as the next batch, so a flood is
    published in large batches and a quiet dyno's line goes at once. Bounded: past
    MAX_PENDING the reader waits (dockerd keeps the output meanwhile, not the dyno)."""

    MAX_PENDING = 4 * 1024 * 1024

    def __init__(self) -> None:
        self._data = bytearray()
        self._closed = False
        self._cond = threading.Condition()

    def put(self, payload: bytes) -> None:
        with self._cond:
            while len(self._data) > self.MAX_PENDING:
                self._cond.wait()
            self._data += payload
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def take(self) -> bytes | None:
        """Everything pending, waiting for something; None once closed and drained."""
        with self._cond:
            while not self._data and not self._closed:
                self._cond.wait()
            if not self._data:
                return None
            data, self._data = bytes(self._data), bytearray()
            self._cond.notify_all()
            return data


def _still_running(container: Container) -> bool:
    """Whether the container runs, waiting out an engine that is restarting."""
    deadline = time.monotonic() + ENGINE_RESTART_WAIT
    while time.monotonic() < deadline:
        try:
            container.reload()
            return bool(container.attrs["State"]["Running"])
        except NotFound:
            return False
        except (DockerException, RequestException):
            time.sleep(0.5)
    return False


def output(
    api: APIClient, path: str, since: float = 0.0, follow: bool = True, tail: int | str = "all"
) -> Iterator[bytes]:
    """stdout and stderr of a non-TTY container (`containers/<id>`) or Swarm task
    (`tasks/<id>`), as they come (or what there is, without `follow`), several frames
    at a time."""
    response = api.get(
        f"{api.base_url}/v{api.api_version}/{path}/logs",
        params={"follow": int(follow), "stdout": 1, "stderr": 1, "since": f"{since:.9f}", "tail": tail},
        stream=True,
        timeout=None,
    )
    response.raise_for_status()
    pending = bytearray()
    for chunk in response.iter_content(chunk_size=None):
        pending += chunk
        payload, used = _frames(pending)
        del pending[:used]
        if payload:
            yield payload


def _frames(data: bytearray) -> tuple[bytes, int]:
    """The payloads of the complete frames at the start of `data`, and how many bytes
    they took (an 8-byte header: stream, 3 zero bytes, big-endian length)."""
    out, pos = [], 0
    while len(data) - pos >= _HEADER:
        size = int.from_bytes(data[pos + 4 : pos + 8], "big")
        if len(data) - pos < _HEADER + size:
            break
        out.append(bytes(data[pos + _HEADER : pos + _HEADER + size]))
        pos += _HEADER + size
    return b"".join(out), pos
