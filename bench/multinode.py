"""bench/multinode: minidyno on a swarm of three nodes (a manager and two workers,
each a dockerd in a network namespace of its own: tests/swarm_nodes.py), to show what
one node cannot: dynos spread across nodes, pulled from the swarm's registry, served
through the router at each node's address; then a drained worker and a worker that
leaves, with requests going on through both.

Too heavy for the suite on 2 cores (three engines, a registry, image pulls), so it
runs on its own, as root (it makes network namespaces).
Run: .venv/bin/python bench/multinode.py [--dynos 6]
"""

from __future__ import annotations

import argparse
import collections
import json
import threading
import time
from datetime import UTC, datetime

import docker
import httpx
from common import throwaway_server

from tests import swarm_nodes


class Load:
    """Requests through the router, one after another, until stopped: what a user
    would have seen meanwhile."""

    def __init__(self, url: str, host: str) -> None:
        self.url, self.host = url, host
        self.codes: collections.Counter[int | str] = collections.Counter()
        self.dynos: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                try:
                    response = client.get(self.url, headers={"Host": self.host})
                    self.codes[response.status_code] += 1
                    if response.status_code == 200:
                        self.dynos[response.text.strip().split()[-1].rstrip(".")] += 1
                except httpx.TransportError as exc:
                    self.codes[type(exc).__name__] += 1

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def placement(engine, server) -> dict[str, str]:
    """Each running web dyno's node address, by dyno name (the nodes share the host's
    hostname)."""
    where = {}
    for service in engine.services.list(filters={"label": [f"minidyno.home={server.home.resolve()}"]}):
        dyno = service.attrs["Spec"]["Labels"].get("minidyno.dyno", "")
        try:
            tasks = service.tasks(filters={"desired-state": "running"})
        except docker.errors.NotFound:
            continue  # a crashed dyno's service, removed meanwhile to start it again
        for task in tasks:
            if task["Status"]["State"] == "running" and dyno.startswith("web"):
                where[dyno] = engine.nodes.get(task["NodeID"]).attrs["Status"]["Addr"]
    return where


def moved_off(engine, server, address: str, count: int) -> bool:
    """Whether `count` web dynos run, none of them on the node at `address`, and all up."""
    where = placement(engine, server)
    up = list(states(server).values()).count("up")
    return len(where) == count and address not in where.values() and up == count


def platform_lines(server, app: str, dynos: list[str], since: str) -> list[str]:
    """From the app's log files: the router's line per request pushes the platform's
    out of the 1,500 lines `logs` keeps."""
    files = [server.home / "logs" / "apps" / f"{app}.log{suffix}" for suffix in (".1", "")]
    return [
        line
        for path in files
        if path.exists()
        for line in path.read_text().splitlines()
        if line[:32] >= since and any(f"minidyno[{dyno}]" in line for dyno in dynos)
    ]


def states(server) -> dict[str, str]:
    return {d["name"]: d["state"] for d in json.loads(server.cli("ps", "-a", "spread", "--json").stdout)}


def wait(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"{what} did not happen within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dynos", type=int, default=6)
    args = parser.parse_args()
    nodes = swarm_nodes.Nodes(group=200)
    try:
        manager = nodes.up(*swarm_nodes.INSECURE_REGISTRIES)
        nodes.load(manager, swarm_nodes.STACK_IMAGES)
        workers = [nodes.up(*swarm_nodes.INSECURE_REGISTRIES) for _ in range(2)]
        env = {
            "DOCKER_HOST": manager.socket,
            "MINIDYNO_RUNTIME": "swarm",
            "MINIDYNO_SWARM_ADVERTISE_ADDR": manager.address,
        }
        with throwaway_server(**env) as (server, tmp):
            engine = manager.client()
            token = engine.swarm.attrs["JoinTokens"]["Worker"]
            for worker in workers:
                worker.client().swarm.join(
                    [f"{manager.address}:2377"],
                    token,
                    listen_addr="0.0.0.0:2377",
                    advertise_addr=worker.address,
                )
            print(f"swarm: {len(engine.nodes.list())} nodes, manager {manager.address}")
            server.cli("apps:create", "spread")
            server.push(server.app_source(tmp, "spread"))
            started = time.monotonic()
            server.cli("ps:scale", f"web={args.dynos}", "-a", "spread")
            took = wait(
                lambda: list(states(server).values()).count("up") == args.dynos,
                300,
                f"{args.dynos} web dynos up",
            )
            print(
                f"ps:scale web={args.dynos}: all up in {took:.1f} s "
                f"({time.monotonic() - started:.1f} s with the CLI)"
            )
            where = placement(engine, server)
            print("placement:", dict(sorted(where.items())))
            print("dynos per node:", dict(collections.Counter(where.values())))
            url = f"http://127.0.0.1:{server.router_port}/"
            with Load(url, "spread.localhost") as load:
                time.sleep(5)
            print(
                f"through the router for 5 s: {dict(load.codes)}; "
                f"answered by {dict(sorted(load.dynos.items()))}"
            )

            def drain() -> None:
                node = engine.nodes.get(workers[0].client().info()["Swarm"]["NodeID"])
                node.update({**node.attrs["Spec"], "Availability": "drain"})

            for worker, what, act in (
                (workers[0], "was drained", drain),
                (workers[1], "left the swarm", lambda: workers[1].client().swarm.leave(force=True)),
            ):
                on_it = sorted(d for d, n in placement(engine, server).items() if n == worker.address)
                since = datetime.now(UTC).isoformat(timespec="microseconds")
                with Load(url, "spread.localhost") as load:
                    act()
                    took = wait(lambda w=worker: moved_off(engine, server, w.address, args.dynos), 300, what)
                    time.sleep(2)
                moved = ", ".join(on_it)
                print(f"{worker.address} {what} ({moved}): all {args.dynos} up elsewhere in {took:.1f} s")
                print(f"  requests meanwhile: {dict(load.codes)}")
                print("  placement now:", dict(sorted(placement(engine, server).items())))
                with Load(url, "spread.localhost") as after:
                    time.sleep(3)
                print(f"  then for 3 s: {dict(after.codes)}; answered by {dict(sorted(after.dynos.items()))}")
                print("  the platform's lines meanwhile, of those dynos:")
                for line in platform_lines(server, "spread", on_it, since):
                    print("   ", line)
    finally:
        nodes.down()


if __name__ == "__main__":
    main()
