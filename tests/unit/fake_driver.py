"""An in-memory DynoDriver: the dyno manager's logic (supervisor, idler, scaler, rollout,
the activator) tested without Docker. A web dyno that serves really answers HTTP on a
loopback port the kernel picks, so the boot check's connect and the activator's
forwarding are the real ones; what a dyno does is its command:

- `serve`: runs; a web dyno answers `<dyno> v<release>` at once, with two cookies;
- `slow`: as `serve`, but takes 5 s to answer;
- `hang`: runs and never binds;
- `crash`: exits with status 1 at start;
- a one-off's `echo WORDS` prints them and exits 0, `exit N` exits N, `sleep` runs until
  its timeout.

As Docker's, its listing of every app's dynos says when each was made, not when it last
started (which one app's inspected dynos say); `clock` is the engine's time for both.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from minidyno.logs.bus import LogBus
from minidyno.runtime.driver import Dyno, Output, TimedOut
from minidyno.runtime.usage import Usage
from minidyno.state.releases import Release


@dataclass
class _Proc:
    dyno: Dyno
    made_at: float
    sockets: list[socket.socket] = field(default_factory=list)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for sock in self.sockets:
            sock.close()
        self.servers.clear()
        self.sockets.clear()


def _web(dyno: Dyno) -> ThreadingHTTPServer:
    """What a web dyno of this driver serves, on a port of its own."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if dyno.command == "slow":
                time.sleep(5)
            body = f"{dyno.name} v{dyno.release}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Set-Cookie", "a=1")
            self.send_header("Set-Cookie", "b=2")
            self.end_headers()
            # A client that gave up (the router's timeout tests) is no error of the dyno's.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


class FakeDriver:
    def __init__(self) -> None:
        self._procs: dict[str, _Proc] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._events: queue.Queue[str] = queue.Queue()
        #: What was done, in order (`start web.1`, `stop web.1`…), for tests of ordering.
        self.timeline: list[str] = []
        #: The engine's clock: when dynos are made and started.
        self.clock: Callable[[], float] = time.time

    # -- the DynoDriver protocol -------------------------------------------------------

    def dynos(self, app: str | None = None) -> list[Dyno]:
        with self._lock:
            if app is None:
                found = [replace(p.dyno, started_at=p.made_at) for p in self._procs.values()]
            else:
                found = [p.dyno for p in self._procs.values() if p.dyno.app == app]
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
            self._procs[dyno.id] = _Proc(dyno, made_at=self.clock())
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

    def usage(self, dynos: list[Dyno]) -> dict[str, Usage]:
        """No cgroups here: metrics are tested over a real engine."""
        return {}

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

    def run(
        self, release: Release, name: str, command: str, output: Output, timeout: float | None = None
    ) -> int:
        self._note(f"run {name} v{release.version}: {command}")
        word, _, rest = command.partition(" ")
        if word == "echo":
            output(f"{rest}\n".encode())
            return 0
        if word == "exit":
            return int(rest)
        if word == "sleep":
            if timeout is None:
                raise AssertionError("a one-off that never ends, with no timeout")
            time.sleep(timeout)
            raise TimedOut()
        raise AssertionError(f"the in-memory driver cannot run {command!r}")

    def run_detached(self, release: Release, name: str, command: str, bus: LogBus) -> None:
        self._note(f"run_detached {name} v{release.version}: {command}")
        bus.emit(release.app, "app", name, f"{command} is running")

    def events(self) -> Iterator[str]:
        while True:
            yield self._events.get()

    # -- what a test does to dynos -----------------------------------------------------

    def crash(self, name: str, code: int = 1) -> None:
        """The running dyno `name` exits by itself."""
        dyno = next(d for d in self.dynos() if d.name == name and d.running)
        self._exit(dyno.id, code)

    def lose(self, name: str, why: str) -> None:
        """The running dyno `name` stopped by the engine with its node: no status of
        its own."""
        dyno = next(d for d in self.dynos() if d.name == name and d.running)
        with self._lock:
            proc = self._procs[dyno.id]
            proc.close()
            proc.dyno = replace(proc.dyno, running=False, exit_code=None, address=None, lost=why)
        self._events.put(dyno.app)

    def running(self, app: str) -> list[str]:
        return sorted(d.name for d in self.dynos(app) if d.running)

    def close(self) -> None:
        """Every dyno gone, its ports closed."""
        for dyno in self.dynos():
            self.remove(dyno)

    # -- inside ------------------------------------------------------------------------

    def _run(self, dyno_id: str) -> Dyno:
        with self._lock:
            proc = self._procs[dyno_id]
            dyno = proc.dyno = replace(proc.dyno, started_at=self.clock())
            if dyno.command == "crash":
                proc.dyno = replace(dyno, running=False, exit_code=1, address=None)
            elif dyno.process_type == "web" and dyno.command in ("serve", "slow"):
                server = _web(dyno)
                proc.servers.append(server)
                address = f"127.0.0.1:{server.server_address[1]}"
                proc.dyno = replace(dyno, running=True, exit_code=None, address=address)
            else:
                # Holds a port nobody answers on: a web dyno that never binds $PORT.
                sock = socket.socket()
                sock.bind(("127.0.0.1", 0))
                proc.sockets.append(sock)
                address = f"127.0.0.1:{sock.getsockname()[1]}" if dyno.process_type == "web" else None
                proc.dyno = replace(dyno, running=True, exit_code=None, address=address)
            dyno = proc.dyno
        self._events.put(dyno.app)
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
        self._events.put(proc.dyno.app)
        return code

    def _note(self, what: str) -> None:
        with self._lock:
            self.timeline.append(what)
