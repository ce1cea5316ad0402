"""An in-memory DynoDriver: the dyno manager's logic (supervisor, idler, scaler, rollout)
tested without Docker. A web dyno that serves really listens on a loopback port the
kernel picks (so the boot check's connect is the real one); what a dyno does is
its command:

- `serve`: runs; a web dyno binds its port at once;
- `hang`: runs and never binds;
- `crash`: exits with status 1 at start.
"""

from __future__ import annotations

import itertools
import queue
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from minidyno.logs.bus import LogBus
from minidyno.runtime.driver import Dyno
from minidyno.state.releases import Release


@dataclass
class _Proc:
    dyno: Dyno
    sockets: list[socket.socket] = field(default_factory=list)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()
        self.sockets.clear()


class FakeDriver:
    def __init__(self) -> None:
        self._procs: dict[str, _Proc] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._events: queue.Queue[None] = queue.Queue()
        #: What was done, in order (`start web.1`, `stop web.1`…), for tests of ordering.
        self.timeline: list[str] = []

    # -- the DynoDriver protocol -------------------------------------------------------

    def dynos(self, app: str | None = None) -> list[Dyno]:
        with self._lock:
            found = [p.dyno for p in self._procs.values() if app in (None, p.dyno.app)]
        return sorted(found, key=lambda d: (d.app, d.process_type, d.name, d.release))

    def start(self, release: Release, name: str, command: str) -> Dyno:
        dyno = Dyno(
            id=f"fake-{next(self._ids)}",
            app=release.app,
            name=name,
            process_type=name.split(".")[0],
            release=release.version,
            running=True,
            command=command,
        )
        with self._lock:
            self._procs[dyno.id] = _Proc(dyno)
        self._note(f"start {name} v{release.version}")
        return self._run(dyno.id)

    def resume(self, dyno: Dyno) -> Dyno:
        self._note(f"resume {dyno.name}")
        return self._run(dyno.id)

    def inspect(self, dyno: Dyno) -> Dyno | None:
        with self._lock:
            proc = self._procs.get(dyno.id)
            return proc.dyno if proc else None

    def stop(self, dyno: Dyno, timeout: float) -> int | None:
        self._note(f"stop {dyno.name}")
        return self._exit(dyno.id, 0)

    def kill(self, dyno: Dyno) -> None:
        self._note(f"kill {dyno.name}")
        self._exit(dyno.id, 137)

    def remove(self, dyno: Dyno) -> None:
        with self._lock:
            proc = self._procs.pop(dyno.id, None)
        if proc:
            proc.close()
            self._note(f"remove {dyno.name}")

    def last_output(self, dyno: Dyno, lines: int) -> str:
        return f"{dyno.command} said goodbye"

    def follow(self, dyno: Dyno, bus: LogBus, since_now: bool = False) -> None:
        bus.emit(dyno.app, "app", dyno.name, f"{dyno.command} is running")

    def events(self) -> Iterator[None]:
        while True:
            yield self._events.get()

    # -- what a test does to dynos -----------------------------------------------------

    def crash(self, name: str, code: int = 1) -> None:
        """The running dyno `name` exits by itself."""
        dyno = next(d for d in self.dynos() if d.name == name and d.running)
        self._exit(dyno.id, code)

    def running(self, app: str) -> list[str]:
        return sorted(d.name for d in self.dynos(app) if d.running)

    # -- inside ------------------------------------------------------------------------

    def _run(self, dyno_id: str) -> Dyno:
        with self._lock:
            proc = self._procs[dyno_id]
            dyno = proc.dyno
            if dyno.command == "crash":
                proc.dyno = replace(dyno, running=False, exit_code=1, address=None)
            else:
                sock = socket.socket()
                sock.bind(("127.0.0.1", 0))
                if dyno.command == "serve":
                    sock.listen()
                proc.sockets.append(sock)
                address = f"127.0.0.1:{sock.getsockname()[1]}" if dyno.process_type == "web" else None
                proc.dyno = replace(dyno, running=True, exit_code=None, address=address)
            dyno = proc.dyno
        self._events.put(None)
        return dyno

    def _exit(self, dyno_id: str, code: int) -> int | None:
        with self._lock:
            proc = self._procs.get(dyno_id)
            if proc is None:
                return None
            proc.close()
            if proc.dyno.running:
                proc.dyno = replace(proc.dyno, running=False, exit_code=code)
            code = proc.dyno.exit_code
        self._events.put(None)
        return code

    def _note(self, what: str) -> None:
        with self._lock:
            self.timeline.append(what)
