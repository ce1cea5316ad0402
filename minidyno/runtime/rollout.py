"""Move an app to a new release without a gap: start the new dynos, wait for the web
ones to bind $PORT, switch the router, and only then stop the old dynos."""

from __future__ import annotations

import threading
from collections.abc import Callable

from minidyno.runtime.boot import wait_until_listening
from minidyno.runtime.dynos import DockerRuntime, Dyno
from minidyno.state.releases import Release

Say = Callable[[str], None]


def start_release(
    runtime: DockerRuntime,
    release: Release,
    formation: dict[str, int],
    env: dict[str, str],
    say: Say,
) -> list[Dyno]:
    """Start every dyno of the formation on this release and wait for the web ones;
    if any fails, stop all of them and raise, leaving the old release untouched."""
    started: list[Dyno] = []
    try:
        for process_type, quantity in formation.items():
            command = release.processes[process_type]
            for index in range(1, quantity + 1):
                started.append(runtime.start(release.app, release.version, release.image or "",
                                             f"{process_type}.{index}", command, env))
        for dyno in started:
            if dyno.process_type == "web":
                seconds = wait_until_listening(dyno)
                say(f"       {dyno.name} is up (bound $PORT in {seconds:.2f} s)")
    except BaseException:
        for dyno in started:
            runtime.stop(dyno, timeout=5)
        raise
    return started


def retire(runtime: DockerRuntime, dynos: list[Dyno]) -> None:
    """Stop dynos of a previous release in the background: they finish their requests
    (SIGTERM, 30 s) while the push returns."""
    for dyno in dynos:
        threading.Thread(target=runtime.stop, args=(dyno,), daemon=True).start()
