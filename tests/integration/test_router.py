"""The router: idling and waking without losing a request, Heroku's errors, custom
domains, maintenance, streaming bodies, WebSockets, and bad clients."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.platform_fixture import Server, logs, ps, wait_for

ROUTER_APP = """\
import os, time
from flask import Flask, Response, request

app = Flask(__name__)


@app.get("/")
def index():
    return f"hello {request.args.get('n', '')} from {os.environ['DYNO']}"


@app.get("/slow")
def slow():
    time.sleep(8)
    return "too late"


@app.get("/die")
def die():
    os._exit(1)


@app.get("/crash-dyno")
def crash_dyno():
    os.kill(os.getppid(), 9)
    os._exit(1)


@app.post("/upload")
def upload():
    total = 0
    while chunk := request.stream.read(1 << 20):
        total += len(chunk)
    return str(total)


@app.get("/chunks")
def chunks():
    return Response((f"part {n}\\n" for n in range(5)), mimetype="text/plain")
"""

WS_APP = """\
import asyncio, os
from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(f"echo: {message}")


async def main():
    async with serve(echo, "0.0.0.0", int(os.environ["PORT"])):
        await asyncio.Future()

asyncio.run(main())
"""


def router_app(server: Server, tmp_path: Path, app: str, extra: dict[str, str] | None = None):
    server.cli("apps:create", app)
    src = server.app_source(
        tmp_path,
        app,
        {
            "app.py": ROUTER_APP,
            "Procfile": "web: gunicorn app:app --bind 0.0.0.0:$PORT --timeout 60\n",
            **(extra or {}),
        },
    )
    server.push(src)
    return src


def dyno_service(engine, server: Server) -> str:
    own = [f"minidyno.home={server.home.resolve()}", "minidyno.dyno=web.1"]
    (found,) = engine.services.list(filters={"label": own})
    return found.id


def dyno_container(docker_engine, server: Server, app: str):
    (found,) = docker_engine.containers.list(
        all=True,
        filters={
            "label": [f"minidyno.home={server.home.resolve()}", f"minidyno.app={app}", "minidyno.dyno=web.1"]
        },
    )
    return found


@pytest.mark.both_runtimes
@pytest.mark.server_env(MINIDYNO_IDLE_TIMEOUT="3")
def test_idle_dyno_sleeps_and_wakes_without_losing_a_request(server: Server, tmp_path: Path, runtime: str):
    router_app(server, tmp_path, "sleepy")
    # The dyno kept while it sleeps: its container on Docker, its service (scaled to 0,
    # then to 1, a new task) on Swarm.
    engine = server.engine()
    before = (
        dyno_container(engine, server, "sleepy").id if runtime == "docker" else dyno_service(engine, server)
    )

    wait_for(lambda: ps(server, "sleepy")["web.1"]["state"] == "idle", 20)
    if runtime == "docker":
        assert dyno_container(engine, server, "sleepy").status == "exited"
    else:
        assert engine.services.get(before).attrs["Spec"]["Mode"]["Replicated"]["Replicas"] == 0

    def get(n: int) -> httpx.Response:
        return httpx.get(
            f"http://127.0.0.1:{server.router_port}/?n={n}", headers={"Host": "sleepy.localhost"}, timeout=90
        )

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(get, range(50)))

    assert [r.status_code for r in responses] == [200] * 50
    assert [r.text for r in responses] == [f"hello {n} from web.1" for n in range(50)]
    if runtime == "docker":
        assert dyno_container(engine, server, "sleepy").id == before
    else:
        assert dyno_service(engine, server) == before
    text = logs(server, "sleepy")
    assert "minidyno[web.1]: Idling" in text
    assert "State changed from up to idle" in text
    assert "minidyno[web.1]: Unidling" in text
    assert "State changed from idle to starting" in text
    served = wait_for(
        lambda: (t := logs(server, "sleepy", dyno="web.1", source="app")).count("GET /?n=") >= 50 and t, 10
    )
    for n in range(50):
        assert served.count(f"GET /?n={n} ") == 1, f"request {n} was not served exactly once"


@pytest.mark.server_env(MINIDYNO_IDLE_TIMEOUT="2")
def test_basic_dynos_never_sleep(server: Server, tmp_path: Path):
    router_app(server, tmp_path, "awake")
    server.cli("ps:type", "basic", "-a", "awake")

    time.sleep(6)

    assert ps(server, "awake")["web.1"]["state"] == "up"
    assert "awake: basic" in server.cli("ps:type", "-a", "awake").stdout


def test_maintenance_and_custom_domains(server: Server, tmp_path: Path):
    router_app(server, tmp_path, "owned")
    server.cli("domains:add", "www.owned.test", "-a", "owned")
    custom = httpx.get(f"http://127.0.0.1:{server.router_port}/", headers={"Host": "www.owned.test"})
    assert custom.text == "hello  from web.1"
    assert "www.owned.test" in server.cli("domains", "-a", "owned").stdout
    taken = server.cli("apps:create", "other") and server.cli(
        "domains:add", "www.owned.test", "-a", "other", check=False
    )
    assert "already routes to owned" in taken.stderr

    server.cli("maintenance:on", "-a", "owned")
    down = server.router_get("owned")
    assert down.status_code == 503 and "H80" in down.text
    assert wait_for(lambda: 'code=H80 desc="Maintenance mode"' in logs(server, "owned"), 10)
    server.cli("maintenance:off", "-a", "owned")
    assert server.router_get("owned").status_code == 200

    server.cli("domains:remove", "www.owned.test", "-a", "owned")
    gone = httpx.get(f"http://127.0.0.1:{server.router_port}/", headers={"Host": "www.owned.test"})
    assert gone.status_code == 404


@pytest.mark.server_env(MINIDYNO_ROUTER_TIMEOUT="3")
def test_h12_h13_and_h14(server: Server, tmp_path: Path):
    router_app(server, tmp_path, "faulty")

    slow = server.router_get("faulty", "/slow", timeout=20)
    died = server.router_get("faulty", "/die")

    assert slow.status_code == 503 and "H12" in slow.text
    assert died.status_code == 503 and "H13" in died.text
    text = wait_for(lambda: "H13" in (t := logs(server, "faulty", dyno="router")) and t, 10)
    assert 'at=error code=H12 desc="Request timeout" method=GET path="/slow"' in text
    assert 'at=error code=H13 desc="Connection closed without response"' in text

    server.cli("ps:scale", "web=0", "-a", "faulty")
    assert "H14" in server.router_get("faulty").text


@pytest.mark.server_env(MINIDYNO_CRASH_BACKOFF_BASE="60")
def test_h10_while_the_web_dynos_are_crashed(server: Server, tmp_path: Path):
    router_app(server, tmp_path, "crashing")

    for crashes in (1, 2):
        wait_for(lambda: server.router_get("crashing").status_code == 200, 30)
        server.router_get("crashing", "/crash-dyno", timeout=5)
        wait_for(
            lambda n=crashes: (
                logs(server, "crashing", dyno="web.1").count("State changed from up to crashed") >= n
            ),
            30,
        )
    wait_for(lambda: ps(server, "crashing").get("web.1", {}).get("state") == "crashed", 30)
    crashed = wait_for(lambda: "H10" in (r := server.router_get("crashing")).text and r, 10)
    assert crashed.status_code == 503
    assert wait_for(lambda: 'at=error code=H10 desc="App crashed"' in logs(server, "crashing"), 10)


def test_bodies_stream_both_ways(server: Server, tmp_path: Path):
    router_app(server, tmp_path, "bodies")
    size = 200 * 1024 * 1024

    def body():
        block = b"x" * (1 << 20)
        for _ in range(size >> 20):
            yield block

    upload = httpx.post(
        f"http://127.0.0.1:{server.router_port}/upload",
        content=body(),
        headers={"Host": "bodies.localhost"},
        timeout=120,
    )
    chunked = server.router_get("bodies", "/chunks")

    assert upload.status_code == 200 and upload.text == str(size)
    assert chunked.headers.get("transfer-encoding") == "chunked"
    assert chunked.text == "".join(f"part {n}\n" for n in range(5))
    with httpx.Client(
        base_url=f"http://127.0.0.1:{server.router_port}", headers={"Host": "bodies.localhost"}
    ) as client:
        assert all(client.get("/").status_code == 200 for _ in range(5))


def test_websocket_upgrade_passes_through(server: Server, tmp_path: Path):
    from websockets.sync.client import connect

    server.cli("apps:create", "sockets")
    src = server.app_source(
        tmp_path,
        "sockets",
        {"ws.py": WS_APP, "Procfile": "web: python ws.py\n", "requirements.txt": "websockets==15.*\n"},
    )
    server.push(src)

    sock = socket.create_connection(("127.0.0.1", server.router_port))
    with connect(f"ws://sockets.localhost:{server.router_port}/", sock=sock) as ws:
        ws.send("ping")
        assert ws.recv(timeout=10) == "echo: ping"


def raw_request(port: int, data: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return sock.recv(65536)


def test_bad_clients_get_clear_answers_and_harm_no_one(server: Server, tmp_path: Path):
    router_app(server, tmp_path, "sturdy")
    port = server.router_port

    assert raw_request(port, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400")
    odd_host = raw_request(port, b"GET / HTTP/1.1\r\nHost: bad host!<>\r\n\r\n")
    assert odd_host.startswith((b"HTTP/1.1 400", b"HTTP/1.1 404"))
    huge = raw_request(
        port, b"GET / HTTP/1.1\r\nHost: sturdy.localhost\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n"
    )
    assert huge.startswith((b"HTTP/1.1 400", b"HTTP/1.1 494"))

    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET / HTTP/1.1\r\nHost: sturdy.localhost\r\n")
    started = time.monotonic()
    assert server.router_get("sturdy").status_code == 200
    assert time.monotonic() - started < 2
    slow.settimeout(20)
    assert slow.recv(100) in (b"",) or time.monotonic() - started < 20
    slow.close()


def test_nginx_killed_from_outside_is_restarted(server: Server, tmp_path: Path):
    router_app(server, tmp_path, "phoenix")
    pid = int((server.home / "router" / "nginx.pid").read_text())

    os.kill(pid, signal.SIGKILL)

    def answers() -> bool:
        try:
            return server.router_get("phoenix").status_code == 200
        except httpx.TransportError:
            return False

    wait_for(lambda: "nginx (the router) was not running" in server.log_tail(), 20)
    wait_for(answers, 20)
    server.cli("apps:create", "newcomer")
    assert "H14" in server.router_get("newcomer").text
