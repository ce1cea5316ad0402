"""What the benchmarks share: a throwaway server (its own home, ports and labels,
removed afterwards) and waiting for an HTTP answer."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import swarm_nodes  # noqa: E402
from tests.integration.platform_fixture import Server, make_server, remove_everything  # noqa: E402


@contextmanager
def throwaway_server(**env: str) -> Iterator[tuple[Server, Path]]:
    with tempfile.TemporaryDirectory(prefix="minidyno-bench-") as tmp:
        server = make_server(Path(tmp))
        server.env.update(env)
        try:
            server.start()
            yield server, Path(tmp)
        finally:
            server.stop()
            remove_everything(server)


@contextmanager
def swarm_server(**env: str) -> Iterator[tuple[Server, Path, docker.DockerClient]]:
    """A throwaway server on the swarm runtime, on a single-node swarm of its own (a
    dockerd in a network namespace, tests/swarm_nodes.py; root only), and its engine."""
    nodes = swarm_nodes.Nodes(group=201)
    try:
        node = nodes.up(*swarm_nodes.INSECURE_REGISTRIES)
        nodes.load(node, swarm_nodes.STACK_IMAGES)
        swarm = {
            "DOCKER_HOST": node.socket,
            "MINIDYNO_RUNTIME": "swarm",
            "MINIDYNO_SWARM_ADVERTISE_ADDR": node.address,
        }
        with throwaway_server(**swarm, **env) as (server, tmp):
            yield server, tmp, node.client()
    finally:
        nodes.down()


def wait_for_body(url: str, marker: str, headers: dict[str, str] | None = None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = httpx.get(url, headers=headers or {}, timeout=2)
            if r.status_code == 200 and marker in r.text:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.005)
    raise TimeoutError(f"{url} never answered with {marker!r}")


def push_and_wait(server: Server, src: Path, app: str, marker: str) -> float:
    """Seconds from `git push` to the first answer through the router that shows `marker`."""
    started = time.monotonic()
    server.push(src)
    wait_for_body(f"http://127.0.0.1:{server.router_port}/", marker, {"Host": f"{app}.localhost"})
    return time.monotonic() - started


def dyno_container(engine: docker.DockerClient, server: Server, dyno: str = "web.1", app: str | None = None):
    """The container of one dyno of this throwaway server, once it exists."""
    wanted = [f"minidyno.home={server.home.resolve()}", f"minidyno.dyno={dyno}"]
    if app:
        wanted.append(f"minidyno.app={app}")
    while not (found := engine.containers.list(filters={"label": wanted})):
        time.sleep(0.05)
    return found[0]
