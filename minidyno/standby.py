"""`minidyno server:stop`: the whole platform off, every bit of state kept; the next
`minidyno server` brings it back as it was.

nginx and the dynos outlive `minidyno server` on purpose (traffic keeps flowing while
the control plane restarts), so stopping the server alone stops nothing a user sees.
This stops the server, then every running container of this home (dynos, databases)
and the router. The containers are kept, and their ids are written down, so the next
start restarts exactly those: a web dyno that was asleep stays asleep, a scaled-down
type stays down, and no stop is mistaken for a crash.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
from docker.errors import NotFound

from minidyno import labels
from minidyno.settings import Settings


def _stopped_list(settings: Settings) -> Path:
    return settings.home / "stopped-containers.json"


def server_pid_path(settings: Settings) -> Path:
    return settings.home / "server.pid"


def stop(settings: Settings, engine: docker.DockerClient, router_pid: int | None) -> dict[str, int]:
    """Stop the server, every running container of this home, and nginx; what was
    stopped, by kind."""
    _stop_server(settings)
    running = engine.containers.list(filters=labels.filters(settings), ignore_removed=True)
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda c: c.stop(timeout=settings.stop_timeout), running))
    stopped = [c.id for c in running]
    previous = _read(settings)
    _stopped_list(settings).write_text(json.dumps(sorted(set(previous) | set(stopped))))
    if router_pid:
        _signal_and_wait(router_pid, signal.SIGQUIT)
    kinds: dict[str, int] = {}
    for container in running:
        kind = "databases" if container.labels.get(labels.PROCESS) == "postgres" else "dynos"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def resume(settings: Settings, engine: docker.DockerClient) -> int:
    """At start: run again what `stop` stopped (databases first, so dynos find them)."""
    wanted = _read(settings)
    found = []
    for container_id in wanted:
        with contextlib.suppress(NotFound):
            found.append(engine.containers.get(container_id))
    found.sort(key=lambda c: c.labels.get(labels.PROCESS) != "postgres")
    for container in found:
        if container.status != "running":
            container.start()
    _stopped_list(settings).unlink(missing_ok=True)
    return len(found)


def _read(settings: Settings) -> list[str]:
    try:
        return list(json.loads(_stopped_list(settings).read_text()))
    except (OSError, ValueError):
        return []


def _stop_server(settings: Settings) -> None:
    try:
        pid = int(server_pid_path(settings).read_text())
    except (OSError, ValueError):
        return
    _signal_and_wait(pid, signal.SIGTERM)


def _signal_and_wait(pid: int, sig: int, seconds: float = 30) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
