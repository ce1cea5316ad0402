"""One throwaway dyno, watched as Heroku's dyno manager and router would see it: what
it listens on, whether `/` answers, what it writes, how much memory it takes, and
whether it stops on SIGTERM. Only facts here; verdicts.py judges them."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from docker.errors import DockerException
from docker.models.containers import Container

from minidyno.lines import LineSplitter
from minidyno.progress import Say
from minidyno.runtime.usage import Cgroup, cgroups_of

#: How long a dyno that listens somewhere else is given to bind $PORT as well (an app
#: may open an admin port first) before doctor stops waiting for the boot timeout.
WRONG_BIND_GRACE = 5.0
_POLL = 0.1
#: How long a dyno that is not a web one is watched before its SIGTERM.
WORKER_WATCH = 5.0
_LISTEN = "0A"
#: The engine's own DNS resolver listens inside every dyno on a user-defined network.
_ENGINE_DNS = "127.0.0.11:"


@dataclass
class Watched:
    #: The $PORT it was given.
    port: int
    #: Where it listened when doctor looked (`0.0.0.0:41234`, `127.0.0.1:5000`).
    listening: list[str] = field(default_factory=list)
    #: Seconds from start to listening on $PORT on every interface; None if it never did.
    bound_after: float | None = None
    #: Its exit status, if it stopped by itself (crashed, or killed for memory).
    exited: int | None = None
    oom_killed: bool = False
    #: `/`'s status and first-byte time, or why it gave none.
    status: int | None = None
    answered_after: float | None = None
    request_error: str = ""
    cookie_sizes: list[int] = field(default_factory=list)
    #: Files it added or changed, from the container's filesystem diff.
    written: list[str] = field(default_factory=list)
    memory_mb: float = 0.0
    #: Seconds it took to exit after SIGTERM, and whether SIGKILL had to end it.
    stopped_after: float | None = None
    killed: bool = False
    output: list[str] = field(default_factory=list)


def watch(
    container: Container,
    port: int | None,
    host: str,
    boot_timeout: float,
    request_timeout: float,
    stop_timeout: float,
    say: Say,
) -> Watched:
    """Start `container` (created, not started), relay its output, and watch it through
    boot, one request to `/`, and a SIGTERM; a dyno with no `port` (not a web one) for
    WORKER_WATCH, as nothing tells when it has booted."""
    seen = Watched(port or 0)
    stream = container.attach(stdout=True, stderr=True, stream=True, logs=True)
    started = time.monotonic()
    container.start()
    relay = threading.Thread(target=_read, args=(stream, seen, say), daemon=True)
    relay.start()
    container.reload()
    inside = _Inside(container)
    if port is None:
        _wait_for_exit(container, inside, started + WORKER_WATCH, seen)
    else:
        _wait_for_bind(container, inside, port, started, boot_timeout, seen)
        if seen.bound_after is not None:
            _request(container, port, host, request_timeout, seen)
    seen.memory_mb = max(seen.memory_mb, inside.memory_mb(final=True))
    container.reload()
    if container.status == "running":
        # The diff is read while the dyno stops: both take a moment of the engine's.
        diff = threading.Thread(target=_read_diff, args=(container, seen), daemon=True)
        diff.start()
        stopping = time.monotonic()
        container.stop(timeout=stop_timeout)
        seen.stopped_after = time.monotonic() - stopping
        diff.join()
        container.reload()
        state = container.attrs["State"]
        seen.killed = state.get("ExitCode") == 137 and seen.stopped_after >= stop_timeout
    else:
        _read_diff(container, seen)
        state = container.attrs["State"]
        seen.exited = state.get("ExitCode")
        seen.oom_killed = bool(state.get("OOMKilled"))
    relay.join(timeout=2)
    return seen


def _read_diff(container: Container, seen: Watched) -> None:
    with contextlib.suppress(DockerException):
        seen.written = [change["Path"] for change in container.diff() or [] if change["Kind"] in (0, 1)]


class _Inside:
    """The dyno's sockets and memory, read from the host's /proc and cgroup files of
    its first process: cheap enough to poll. Where this server cannot see that process
    (it runs in a container of its own, with its own /proc), from the engine: an exec
    for the sockets, its stats (most of a second each) for the memory."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.pid = container.attrs["State"].get("Pid") or 0
        try:
            cgroups = cgroups_of(self.pid, container.id)
        except OSError:
            cgroups = None
        self.on_host = cgroups is not None
        cgroup = Cgroup.of(cgroups) if cgroups else None
        self.memory_files = cgroup.peak_files if cgroup else []

    def listening(self) -> list[str]:
        """The TCP addresses listened on in the dyno's network namespace."""
        if self.on_host:
            tables = []
            for table in ("tcp", "tcp6"):
                with contextlib.suppress(OSError):
                    tables.append(Path(f"/proc/{self.pid}/net/{table}").read_text())
            text = "\n".join(tables)
        else:
            try:
                code, output = self.container.exec_run(["cat", "/proc/net/tcp", "/proc/net/tcp6"])
            except DockerException:
                return []
            text = output.decode(errors="replace")
        found = {
            _address(fields[1])
            for fields in (row.split() for row in text.splitlines())
            if len(fields) > 3 and fields[3] == _LISTEN and ":" in fields[1]
        }
        return sorted(a for a in found if not a.startswith(_ENGINE_DNS))

    def memory_mb(self, final: bool = False) -> float:
        """The most memory it has used (the cgroup's peak where the kernel keeps one);
        from the engine only for the `final` look, as that costs most of a second."""
        for path in self.memory_files:
            with contextlib.suppress(OSError, ValueError):
                return int(path.read_text()) / (1024 * 1024)
        if self.on_host or not final:
            return 0.0
        with contextlib.suppress(DockerException, KeyError, TypeError):
            stats = self.container.stats(stream=False, one_shot=True)["memory_stats"]
            return max(stats.get("max_usage") or 0, stats.get("usage") or 0) / (1024 * 1024)
        return 0.0


def _read(stream: Iterator[bytes], seen: Watched, say: Say) -> None:
    """The dyno's output as it comes, relayed to the one running doctor and kept."""

    def emit(line: str) -> None:
        seen.output.append(line)
        say(f"       app: {line}")

    lines = LineSplitter(emit)
    with contextlib.suppress(DockerException, OSError):
        for chunk in stream:
            lines.feed(chunk)
    lines.close()


def _wait_for_bind(
    container: Container, inside: _Inside, port: int, started: float, timeout: float, seen: Watched
) -> None:
    """Until it listens on 0.0.0.0:$PORT (or [::]), exits, or the boot timeout passes;
    an app that listens only elsewhere is given WRONG_BIND_GRACE more, not the whole
    timeout, since nothing suggests it will change its mind."""
    wrong_since: float | None = None
    while (now := time.monotonic()) - started < timeout:
        container.reload()
        if container.status != "running":
            return
        seen.memory_mb = max(seen.memory_mb, inside.memory_mb())
        seen.listening = inside.listening()
        if any(address.endswith(f":{port}") and _all_interfaces(address) for address in seen.listening):
            seen.bound_after = now - started
            return
        if seen.listening:
            wrong_since = wrong_since or now
            if now - wrong_since > WRONG_BIND_GRACE:
                return
        time.sleep(_POLL)


def _wait_for_exit(container: Container, inside: _Inside, until: float, seen: Watched) -> None:
    while time.monotonic() < until:
        container.reload()
        if container.status != "running":
            return
        seen.memory_mb = max(seen.memory_mb, inside.memory_mb())
        time.sleep(_POLL)


def _all_interfaces(address: str) -> bool:
    return address.startswith(("0.0.0.0:", "[::]:"))


def _address(hex_address: str) -> str:
    """`0100007F:1F90` → `127.0.0.1:8080`; IPv6 as `[::1]:8080`."""
    ip_hex, port_hex = hex_address.split(":")
    raw = bytes.fromhex(ip_hex)
    # /proc writes each 32-bit word in the host's byte order (little-endian here).
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    if len(words) == 4:
        return f"{socket.inet_ntop(socket.AF_INET, words)}:{int(port_hex, 16)}"
    return f"[{socket.inet_ntop(socket.AF_INET6, words)}]:{int(port_hex, 16)}"


def _request(container: Container, port: int, host: str, timeout: float, seen: Watched) -> None:
    """GET / as the router would send it (Host, X-Forwarded-Proto https), through the
    port published on 127.0.0.1; the time is to the response's first byte, as H12's."""
    container.reload()
    bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{port}/tcp") or []
    if not bindings:
        seen.request_error = "no published port"
        return
    url = f"http://127.0.0.1:{bindings[0]['HostPort']}/"
    headers = {
        "Host": host,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": "127.0.0.1",
    }
    asked = time.monotonic()
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout) as response:
            seen.answered_after = time.monotonic() - asked
            seen.status = response.status_code
            # The router's limit is on the header line: name, colon and space included.
            seen.cookie_sizes = [len(f"Set-Cookie: {v}") for v in response.headers.get_list("set-cookie")]
    except httpx.TimeoutException:
        seen.request_error = "timeout"
    except httpx.HTTPError as exc:
        seen.request_error = str(exc) or exc.__class__.__name__
