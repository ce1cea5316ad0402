"""What the dyno manager needs of an engine, and nothing more: the seam where a second
runtime (Swarm tasks instead of local containers) plugs in, and where the supervisor,
the idler and a rollout are tested against an in-memory driver.

A `Dyno` is a snapshot: what the engine said when it was listed or inspected. Ask the
driver again (`inspect`) for what it says now.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from minidyno import labels
from minidyno.logs.bus import LogBus
from minidyno.runtime.usage import Usage
from minidyno.state.releases import Release


class EngineDown(Exception):
    """The engine does not answer (dockerd restarting) or refused what was asked: the
    dynos are left as they are until it does."""


class TimedOut(Exception):
    """A one-off dyno outlived its timeout and was killed."""


#: A one-off dyno's output, passed on as it comes.
Output = Callable[[bytes], None]


@contextlib.contextmanager
def killed_after(timeout: float | None, kill: Callable[[], None]) -> Iterator[threading.Event]:
    """A one-off dyno's timeout: `kill` runs once `timeout` seconds have passed (never
    without one); the event says whether it did, so the caller raises TimedOut."""
    fired = threading.Event()

    def expire() -> None:
        fired.set()
        kill()

    timer = threading.Timer(timeout, expire) if timeout else None
    if timer:
        timer.start()
    try:
        yield fired
    finally:
        if timer:
            timer.cancel()


class DynoGone(Exception):
    """The dyno was removed while it was being waited on (retired or replaced meanwhile):
    no crash, nothing to record."""


@dataclass(frozen=True)
class Dyno:
    #: The engine's own id of this dyno's container (or task): one per start of a name.
    id: str
    app: str
    name: str
    process_type: str
    release: int
    running: bool
    #: `ip:port` where the router reaches a web dyno, once the engine has given it one.
    address: str | None = None
    #: The port published on 127.0.0.1 for a developer's direct look, if any.
    published_port: int | None = None
    #: What it runs: the Procfile or heroku.yml command, or the image's own.
    command: str = ""
    #: Its exit status once it has stopped.
    exit_code: int | None = None
    #: When the engine last started it (epoch seconds), what its daily cycle counts from.
    #: Inspected, exactly; a listing of every app's dynos gives only when it was made,
    #: which is no later (a dyno woken from idling started since). Not compared: a
    #: listed dyno and the same one inspected are the same dyno.
    started_at: float | None = field(default=None, compare=False)
    #: Whether the kernel killed a process of it for memory (inspected only).
    oom_killed: bool = field(default=False, compare=False)
    #: Why the engine stopped it while its process ran, if it did (its node was drained
    #: or left the swarm): no crash of the app's (inspected only).
    lost: str = field(default="", compare=False)
    #: The driver's own handle on it (a Docker container), opaque to everyone else.
    handle: object = field(default=None, compare=False, repr=False)

    @classmethod
    def labelled(cls, own: dict[str, str], **found: object) -> Dyno:
        """A dyno named by its labels (app, dyno, process type, release), as both
        runtimes label what runs one; `found` is what the engine says of it."""
        return cls(
            app=own[labels.APP],
            name=own[labels.DYNO],
            process_type=own[labels.PROCESS],
            release=int(own.get(labels.RELEASE, "0")),
            **found,  # type: ignore[arg-type]
        )


def by_app(dynos: Iterable[Dyno]) -> dict[str, list[Dyno]]:
    """Dynos of one listing for every app, grouped: the loops and views that look at
    every app list the engine once, not once an app."""
    grouped: dict[str, list[Dyno]] = {}
    for dyno in dynos:
        grouped.setdefault(dyno.app, []).append(dyno)
    return grouped


class DynoDriver(Protocol):
    # Every method raises EngineDown when the engine does not answer or refuses.

    def dynos(self, app: str | None = None) -> list[Dyno]:
        """This server's formation dynos (not builds or release phases), of one app or
        all. Those of all may lag the engine by a moment (a dyno that just died shown
        running): act on one app's."""
        ...

    def start(self, release: Release, name: str, command: str) -> Dyno:
        """A new dyno `name` (`web.1`) of `release` running `command`, started."""
        ...

    def resume(self, dyno: Dyno) -> Dyno:
        """Start again a dyno that was stopped and kept (an idled web dyno)."""
        ...

    def inspect(self, dyno: Dyno) -> Dyno | None:
        """What the engine says of the dyno now; None once it is gone."""
        ...

    def stop(self, dyno: Dyno, timeout: float) -> int | None:
        """SIGTERM, SIGKILL after `timeout` seconds; its exit status, None if it was gone."""
        ...

    def kill(self, dyno: Dyno) -> None:
        """SIGKILL now; a dyno already stopped or gone is no error."""
        ...

    def usage(self, dynos: list[Dyno]) -> dict[str, Usage]:
        """What each running dyno uses of memory and CPU, by dyno id; one that stopped
        meanwhile is left out."""
        ...

    def remove(self, dyno: Dyno) -> None:
        """Gone, running or not; a dyno already gone is no error."""
        ...

    def last_output(self, dyno: Dyno, lines: int) -> str:
        """Its last lines of output, for a boot failure's message."""
        ...

    def follow(self, dyno: Dyno, bus: LogBus, since_now: bool = False) -> None:
        """Relay what the dyno prints to the app's log, in the background, until it
        exits (from now only, for a dyno taken on after a restart)."""
        ...

    def run(
        self, release: Release, name: str, command: str, output: Output, timeout: float | None = None
    ) -> int:
        """A one-off dyno (`run.1`, `release.1`) of `release` running `command`, its output
        passed on as it comes; its exit status once it ends, and it is gone. TimedOut,
        after killing it, when it outlives `timeout`."""
        ...

    def run_detached(self, release: Release, name: str, command: str, bus: LogBus) -> None:
        """A one-off dyno left running, its output going to the app's log."""
        ...

    def events(self) -> Iterator[str]:
        """The app of each dyno of this server that starts or exits, as it does,
        forever; raises when the stream breaks."""
        ...
