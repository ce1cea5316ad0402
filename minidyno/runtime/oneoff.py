"""One-off dynos (`run.N`) and the release phase: a container of a release that runs
one command, with its output streamed to whoever asked and its exit status returned."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from docker.errors import NotFound
from docker.models.containers import Container

from minidyno.runtime.dynos import DockerRuntime
from minidyno.state.releases import Release

Output = Callable[[bytes], None]


class TimedOut(Exception):
    pass


def next_run_name(runtime: DockerRuntime, app: str) -> str:
    """run.N with N one more than any one-off this app has running."""
    numbers = [
        int(d.name.split(".")[1])
        for d in runtime.dynos(app)
        if d.process_type == "run" and d.name.split(".")[1].isdigit()
    ]
    return f"run.{max(numbers, default=0) + 1}"


def create(runtime: DockerRuntime, release: Release, name: str, command: str, tty: bool = False) -> Container:
    return runtime.create(release, name, command, tty=tty)


def run_attached(container: Container, output: Output, timeout: float | None = None) -> int:
    """Start the container, pass its output on as it comes, and return its exit status;
    TimedOut (after killing it) when it outlives `timeout`. Removes it either way."""
    fired = threading.Event()

    def expire() -> None:
        fired.set()
        with contextlib.suppress(NotFound):
            container.kill()

    timer = threading.Timer(timeout, expire) if timeout else None
    try:
        stream = container.attach(stdout=True, stderr=True, stream=True, logs=True)
        container.start()
        if timer:
            timer.start()
        for chunk in stream:
            output(chunk)
        code = container.wait()["StatusCode"]
        if fired.is_set():
            raise TimedOut()
        return code
    finally:
        if timer:
            timer.cancel()
        with contextlib.suppress(NotFound):
            container.remove(force=True)
