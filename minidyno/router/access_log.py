"""nginx's access log, followed from a buffered file and turned into Heroku's router
lines (`at=info method=GET path="/" … dyno=web.1 connect=1ms …`).

nginx writes the log in 64 KiB blocks (flushed every 200 ms), and this reads it in
whole blocks: a syslog datagram per request cost the router about 15 % of its
requests per second on two cores, the buffered file a few. nginx never waits on the
reader, so the control plane being down or slow costs the traffic nothing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("minidyno.router")

#: Tab-separated: nginx escapes tabs inside values, so the split is unambiguous.
FIELDS = (
    "app",
    "method",
    "path",
    "host",
    "request_id",
    "fwd",
    "upstream",
    "connect",
    "service",
    "total",
    "status",
    "bytes",
    "upstream_status",
    "code",
    "activator_code",
    "activator_dyno",
    "scheme",
)
LOG_FORMAT = "\\t".join(
    f"${v}"
    for v in (
        "minidyno_app",
        "request_method",
        "request_uri",
        "host",
        "minidyno_request_id",
        "remote_addr",
        "upstream_addr",
        "upstream_connect_time",
        "upstream_response_time",
        "request_time",
        "status",
        "bytes_sent",
        "upstream_status",
        "minidyno_code",
        "minidyno_activator_code",
        "minidyno_activator_dyno",
        "scheme",
    )
)

ERRORS = {
    "H10": "App crashed",
    "H12": "Request timeout",
    "H13": "Connection closed without response",
    "H14": "No web dynos running",
    "H20": "App boot timeout",
    "H80": "Maintenance mode",
    # Heroku's router logs H82 so, though its error list titles it "You've used up your dyno hour pool".
    "H82": "Free app running time quota exhausted",
}


@dataclass(frozen=True)
class RouterRequest:
    app: str
    method: str
    path: str
    host: str
    request_id: str
    fwd: str
    upstream: str
    connect_ms: int | None
    service_ms: int
    status: int
    bytes: int
    code: str | None
    #: The dyno the activator forwarded to, when the request went through it.
    dyno: str = ""
    #: `https` when the client came through the router's TLS port (Heroku's `protocol=`).
    protocol: str = "http"


def _last(value: str) -> str:
    """nginx lists every upstream it tried (`a, b`); the last one answered."""
    return value.split(",")[-1].strip()


def _ms(value: str) -> int | None:
    try:
        return round(float(_last(value)) * 1000)
    except ValueError:
        return None


def error_code(nginx_code: str, upstream_status: str) -> str | None:
    """The H-code of a request: the one nginx or the activator gave for the answers they
    make themselves (H80, H10, H14…), else what the dyno did: no answer in time (H12) or
    none at all (H13). A code this router does not make is not one."""
    if nginx_code in ERRORS:
        return nginx_code
    return {"504": "H12", "502": "H13"}.get(upstream_status)


def parse(message: str) -> RouterRequest | None:
    """One access-log entry (a line of the log file)."""
    parts = message.split("\t")
    if len(parts) != len(FIELDS):
        return None
    raw = dict(zip(FIELDS, parts, strict=True))
    if raw["app"] in ("", "-"):
        return None
    return RouterRequest(
        app=raw["app"],
        method=raw["method"],
        path=raw["path"],
        host=raw["host"],
        request_id=raw["request_id"],
        fwd=raw["fwd"],
        upstream=_last(raw["upstream"]),
        connect_ms=_ms(raw["connect"]),
        service_ms=_ms(raw["service"]) or _ms(raw["total"]) or 0,
        status=int(raw["status"]),
        bytes=int(raw["bytes"] or 0),
        code=error_code(
            raw["code"] if raw["code"] not in ("", "-") else raw["activator_code"],
            _last(raw["upstream_status"]),
        ),
        dyno="" if raw["activator_dyno"] in ("", "-") else raw["activator_dyno"],
        protocol=raw["scheme"],
    )


def heroku_line(request: RouterRequest, dyno: str) -> str:
    """The router line Heroku users know, `at=error code=… desc=…` for errors."""
    head = "at=info"
    if request.code:
        head = f'at=error code={request.code} desc="{ERRORS[request.code]}"'
    connect = f"{request.connect_ms}ms" if request.connect_ms is not None else "0ms"
    return (
        f'{head} method={request.method} path="{request.path}" host={request.host} '
        f'request_id={request.request_id} fwd="{request.fwd}" dyno={dyno} '
        f"connect={connect} service={request.service_ms}ms status={request.status} "
        f"bytes={request.bytes} protocol={request.protocol}"
    )


class AccessLogFollower:
    """Reads new entries of nginx's access log as they are flushed, rotating the file
    (nginx reopens it on SIGUSR1) when it grows past MAX_BYTES."""

    MAX_BYTES = 64 * 1024 * 1024
    POLL_SECONDS = 0.1

    def __init__(
        self, path: Path, on_requests: Callable[[list[RouterRequest]], None], reopen: Callable[[], None]
    ) -> None:
        self.path = path
        self._on_requests = on_requests
        self._reopen = reopen

    def start(self) -> None:
        """Follow from the current end: what was served while no server ran is not
        replayed (its dynos' own logs still have it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()
        threading.Thread(target=self._follow, name="router-access-log", daemon=True).start()

    def _follow(self) -> None:
        f = open(self.path, "rb")  # noqa: SIM115 - swapped on rotation below
        f.seek(0, 2)
        pending = b""
        while True:
            data = f.read()
            if data:
                *complete, pending = (pending + data).split(b"\n")
                self._publish(complete)
                continue
            if f.tell() > self.MAX_BYTES:
                self.path.replace(self.path.with_suffix(".log.1"))
                self._reopen()
            if self._rotated(f):
                f.close()
                f, pending = open(self.path, "rb"), b""  # noqa: SIM115
                continue
            time.sleep(self.POLL_SECONDS)

    def _rotated(self, f) -> bool:
        try:
            return os.stat(self.path).st_ino != os.fstat(f.fileno()).st_ino
        except FileNotFoundError:
            return False

    def _publish(self, raw_lines: list[bytes]) -> None:
        """Every readable entry is published: one that cannot be read is skipped alone,
        never with the rest of its batch (other apps' lines, and the last-request times
        idling counts from)."""
        requests = []
        for raw in raw_lines:
            try:
                if request := parse(raw.decode("utf-8", errors="replace")):
                    requests.append(request)
            except (ValueError, KeyError):
                log.warning("skipped an unreadable router log entry: %r", raw[:200])
        if not requests:
            return
        try:
            self._on_requests(requests)
        except Exception:
            log.exception("router log lines failed")
