"""A real `minidyno server` for one test: its own MINIDYNO_HOME, its own ports, and
teardown that removes every container, network, volume and image labelled with that
home (and its nginx), even when the test failed."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker
import httpx

from tests import processes

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample"


#: Test servers' ports come from below the kernel's ephemeral range (32768 and up),
#: where Docker also picks the ports it publishes for dynos: a port picked "free" from
#: that range can be taken by a dyno before the test's nginx binds it.
_TEST_PORTS = range(20000, 32000)


def _worker_ports() -> range:
    """This pytest-xdist worker's own slice of the test ports: a port one worker found
    free cannot be picked by another in the moment before its server binds it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    size = len(_TEST_PORTS) // count
    start = _TEST_PORTS.start + int(worker.removeprefix("gw")) * size
    return range(start, start + size)


#: Every port this worker has handed out: a server's four ports are picked before any of
#: them is bound, so a port free at each pick could otherwise be picked twice (a server
#: whose API and rendezvous got one port failed to start).
_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on and no other server of this worker was given, outside
    the range Docker and the kernel allocate from."""
    ports = _worker_ports()
    while True:
        port = random.choice(ports)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


@dataclass
class Server:
    home: Path
    api_port: int
    router_port: int
    router_tls_port: int
    process: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def token(self) -> str:
        return (self.home / "token").read_text().strip()

    def start(self) -> None:
        log = open(self.home / "server.log", "ab")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(
            [sys.executable, "-m", "minidyno", "server"],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        if not self.wait_for_health(30, self._still_running):
            raise RuntimeError(f"minidyno server did not answer in 30 s: {self.log_tail()}")

    def _still_running(self) -> None:
        if self.process and self.process.poll() is not None:
            log = (self.home / "server.log").read_text(errors="replace")
            said = [
                line for line in log.splitlines() if "ERROR" in line or "Errno" in line or "taken" in line
            ]
            raise RuntimeError(f"minidyno server exited: {said[-5:]} {self.log_tail()}")

    def wait_for_health(self, seconds: float, check: Callable[[], None] = lambda: None) -> bool:
        """Whether the API answers /health within `seconds`; `check` may raise to stop
        waiting early (a server that exited)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            check()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.api_url}/health", timeout=1).status_code == 200:
                    return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        processes.stop(self.process, 10)

    def log_tail(self) -> str:
        return (self.home / "server.log").read_text(errors="replace")[-3000:]

    def cli(
        self, *args: str, cwd: Path | None = None, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess:
        """`minidyno ARGS` in `cwd`, by default the test's own folder: run in the
        checkout, `apps:create` would add its remote and credential helper to the
        project's own .git/config, which parallel workers then race to lock. `input`
        is its stdin."""
        proc = subprocess.run(
            [sys.executable, "-m", "minidyno", *args],
            input=input,
            env=self.env,
            cwd=cwd or self.home.parent,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"minidyno {' '.join(args)} failed: {proc.stdout}{proc.stderr}")
        return proc

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        """The API, with this server's token; an error answer fails the test."""
        response = httpx.request(
            method,
            f"{self.api_url}{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
            **kwargs,
        )
        response.raise_for_status()
        return response

    def git(self, *args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            ["git", *args], env=self.env, cwd=cwd, capture_output=True, text=True, timeout=600
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stdout}{proc.stderr}")
        return proc

    def router_get(self, app: str, path: str = "/", **kwargs) -> httpx.Response:
        """A request through the router, with the Host the router routes on."""
        headers = {"Host": f"{app}.localhost", **kwargs.pop("headers", {})}
        return httpx.get(
            f"http://127.0.0.1:{self.router_port}{path}",
            headers=headers,
            timeout=kwargs.pop("timeout", 30),
            **kwargs,
        )

    def engine(self) -> docker.DockerClient:
        """The engine its dynos run on: this machine's, or a swarm node's."""
        if "DOCKER_HOST" in self.env:
            return docker.DockerClient(base_url=self.env["DOCKER_HOST"])
        return docker.from_env()

    @property
    def ca_path(self) -> Path:
        return self.home / "ca" / "minidyno-ca.crt"

    def router_https(self, app: str, path: str = "/", **kwargs) -> httpx.Response:
        """A request to the router's TLS port by the app's own name (so SNI picks its
        certificate), trusting this server's CA."""
        return self.via_router(f"https://{app}.localhost:{self.router_tls_port}{path}", **kwargs)

    def via_router(self, url: str, **kwargs) -> httpx.Response:
        """GET `url` as a browser on this machine would, but resolving every name to
        127.0.0.1 (Python's resolver knows no `*.localhost`), and following redirects
        the same way; TLS is verified against this server's CA by the URL's host."""
        context = ssl.create_default_context(cafile=str(self.ca_path))
        history: list[httpx.Response] = []
        with httpx.Client(verify=context, timeout=kwargs.pop("timeout", 30)) as client:
            for _ in range(5):
                target = httpx.URL(url)
                response = client.get(
                    target.copy_with(host="127.0.0.1"),
                    headers={"Host": target.netloc.decode(), **kwargs.get("headers", {})},
                    extensions={"sni_hostname": target.host},
                )
                if not (kwargs.get("follow_redirects") and response.is_redirect):
                    response.history = history
                    return response
                history.append(response)
                url = str(target.join(response.headers["location"]))
        raise AssertionError(f"more than 5 redirects from {url}")

    def app_source(
        self, tmp: Path, app: str, files: dict[str, str] | None = None, from_sample: bool = True
    ) -> Path:
        """A git work tree with the sample app (or the given files), committed, with a
        `minidyno` remote pointing at `app`."""
        src = tmp / f"src-{app}"
        if from_sample:
            shutil.copytree(SAMPLE, src)
        else:
            src.mkdir()
        for name, text in (files or {}).items():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_text(text)
        self.git("init", "-q", "-b", "main", cwd=src)
        self.commit(src, "Initial commit")
        self.cli("git:remote", "-a", app, cwd=src)
        return src

    def commit(self, src: Path, message: str) -> None:
        self.git("add", "-A", cwd=src)
        self.git("commit", "-q", "--allow-empty", "-m", message, cwd=src)

    def push(self, src: Path, ref: str = "main", check: bool = True) -> subprocess.CompletedProcess:
        return self.git("push", "minidyno", ref, cwd=src, check=check)


def make_server(tmp: Path) -> Server:
    home = tmp / "home"
    home.mkdir()
    server = Server(home=home, api_port=free_port(), router_port=free_port(), router_tls_port=free_port())
    server.env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MINIDYNO_", "GIT_"))},
        "MINIDYNO_HOME": str(home),
        "MINIDYNO_API_PORT": str(server.api_port),
        "MINIDYNO_ROUTER_PORT": str(server.router_port),
        "MINIDYNO_ROUTER_TLS_PORT": str(server.router_tls_port),
        "MINIDYNO_RENDEZVOUS_PORT": str(free_port()),
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@localhost",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@localhost",
        "GIT_TERMINAL_PROMPT": "0",
        "HOME": str(tmp),
    }
    return server


def remove_everything(server: Server) -> None:
    """Every Docker resource of this server's home, then its nginx."""
    remove_labelled(str(server.home.resolve()), server.engine())
    pid_file = server.home / "router" / "nginx.pid"
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        os.kill(int(pid_file.read_text()), signal.SIGTERM)


def remove_labelled(home: str, engine: docker.DockerClient | None = None) -> None:
    """Every service, secret, container, network, volume and image labelled with a server's home."""
    engine = engine or docker.from_env()
    scope = {"label": [f"minidyno.home={home}"]}
    if engine.info().get("Swarm", {}).get("ControlAvailable"):
        for service in engine.services.list(filters=scope):
            service.remove()
        for secret in engine.secrets.list(filters=scope):
            secret.remove()
    for container in engine.containers.list(all=True, filters=scope, ignore_removed=True):
        # Swarm removes its tasks' containers itself, maybe meanwhile.
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)
    for network in engine.networks.list(filters=scope):
        # An overlay network goes once Swarm has let go of its tasks' endpoints.
        wait_for(lambda n=network: _removed(n), 30)
    for volume in engine.volumes.list(filters=scope):
        volume.remove(force=True)
    images = engine.images.list(filters=scope)
    for image in sorted(images, key=lambda i: i.attrs["Created"], reverse=True):
        with contextlib.suppress(docker.errors.APIError):
            engine.images.remove(image.id, force=True)


def _removed(network: docker.models.networks.Network) -> bool:
    try:
        network.remove()
    except docker.errors.NotFound:
        return True
    except docker.errors.APIError as exc:
        if "active endpoints" in str(exc):
            return False
        raise
    return True


# -- helpers the tests share --------------------------------------------------------

WORKER = """\
import os, time
print("worker started with", os.environ.get("GREETING", "-"), flush=True)
while True:
    time.sleep(1)
"""

RELEASE = """\
import os, sys
print("release phase for", os.environ.get("DYNO"), flush=True)
sys.exit(int(os.environ.get("RELEASE_EXIT", "0")))
"""

PROCFILE = """\
web: gunicorn app:app --bind 0.0.0.0:$PORT
worker: python worker.py
release: python release.py
"""


def deployed(server: Server, tmp_path: Path, app: str, procfile: str = PROCFILE) -> Path:
    server.cli("apps:create", app)
    src = server.app_source(tmp_path, app, {"Procfile": procfile, "worker.py": WORKER, "release.py": RELEASE})
    server.push(src)
    return src


# The helpers below ask the API straight, not through the CLI: tests poll them many
# times a second, and each `minidyno` process costs a third of a second of CPU, which
# the workers beside it need. The CLI's own verbs are tested where they are used.


def dynos(server: Server, app: str) -> list[dict]:
    """Every dyno of the app, as `ps --json` prints them (those of older releases being
    retired included)."""
    return server.api("GET", f"/apps/{app}/dynos").json()


def ps(server: Server, app: str) -> dict[str, dict]:
    return {d["name"]: d for d in dynos(server, app)}


def wait_for(predicate, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def logs(server: Server, app: str, **only: str) -> str:
    """The app's last 1500 lines, as `logs -n 1500` prints them; `only` filters as its
    flags do (dyno="web.1", source="app", process_type="release")."""
    return server.api("GET", f"/apps/{app}/logs", params={"num": 1500, "tail": "false", **only}).text
