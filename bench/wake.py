"""bench/wake: from a request to an idle app to its first byte, beside `docker start`
of a stopped container of the same release image to its first response, in one run;
then 50 concurrent requests during one wake, all of which must be answered; on the
Docker runtime and on a single-node swarm (issue 21), side by side.

Goal (issue 5): at most 1.5x the docker-start floor (about 0.35 s measured here for a
Flask dyno); 50 of 50 answered; the swarm within 2x of the Docker runtime.
Run: .venv/bin/python bench/wake.py [--rounds N] [--runtimes docker,swarm] (swarm: as root)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import statistics
import time

import docker
import httpx
from common import dyno_container, swarm_server, throwaway_server, wait_for_body

IDLE_SECONDS = 2


def wait_idle(server) -> None:
    while True:
        dynos = json.loads(server.cli("ps", "-a", "bench", "--json").stdout)
        if dynos and all(d["state"] == "idle" for d in dynos):
            return
        time.sleep(0.2)


def first_byte(url: str, host: str) -> float:
    started = time.monotonic()
    with httpx.stream("GET", url, headers={"Host": host}, timeout=90) as response:
        chunks = response.iter_raw(1)
        first = next(chunks)
        elapsed = time.monotonic() - started
        if response.status_code != 200:
            raise SystemExit(
                f"the wake answered {response.status_code}: {(first + b''.join(chunks))[-400:]!r}"
            )
    return elapsed


def docker_start_floor(engine: docker.DockerClient, image: str) -> float:
    container = engine.containers.create(
        image,
        [
            "bash",
            "-c",
            "for f in /app/.profile.d/*.sh; do . $f; done; exec gunicorn app:app --bind 0.0.0.0:5000",
        ],
        ports={"5000/tcp": ("127.0.0.1", None)},
        user="dyno",
        working_dir="/app",
    )
    try:
        container.start()
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["5000/tcp"][0]["HostPort"]
        wait_for_body(f"http://127.0.0.1:{port}/", "Hello")
        container.stop(timeout=5)
        started = time.monotonic()
        container.start()
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["5000/tcp"][0]["HostPort"]
        wait_for_body(f"http://127.0.0.1:{port}/", "Hello")
        return time.monotonic() - started
    finally:
        container.remove(force=True)


def wakes(server, tmp, engine: docker.DockerClient, rounds: int, floors: list[float] | None = None):
    """Wake times over `rounds` (with the docker-start floor between them, when asked),
    then the statuses of 50 concurrent requests during one more wake."""
    server.cli("apps:create", "bench")
    server.push(server.app_source(tmp, "bench"))
    image = dyno_container(engine, server).image.tags[0]
    url = f"http://127.0.0.1:{server.router_port}/"
    found = []
    for _ in range(rounds):
        wait_idle(server)
        found.append(first_byte(url, "bench.localhost"))
        if floors is not None:
            floors.append(docker_start_floor(engine, image))
    wait_idle(server)
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        statuses = list(
            pool.map(
                lambda _: httpx.get(url, headers={"Host": "bench.localhost"}, timeout=90).status_code,
                range(50),
            )
        )
    return found, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runtimes", default="docker,swarm", help="docker, swarm or both (the default)")
    args = parser.parse_args()
    idle = {"MINIDYNO_IDLE_TIMEOUT": str(IDLE_SECONDS)}
    results, floors = {}, []
    if "docker" in args.runtimes:
        with throwaway_server(**idle) as (server, tmp):
            results["docker"] = wakes(server, tmp, docker.from_env(), args.rounds, floors)
    if "swarm" in args.runtimes:
        with swarm_server(**idle) as (server, tmp, engine):
            results["swarm"] = wakes(server, tmp, engine, args.rounds)
    medians = {name: statistics.median(found) for name, (found, _) in results.items()}
    for name, (found, statuses) in results.items():
        runs = ", ".join(f"{w:.3f}" for w in found)
        print(f"{f'wake from idle to first byte ({name})':44}{medians[name]:>8.3f}s  (runs: {runs})")
        print(f"  50 concurrent requests during one wake: {statuses.count(200)} answered 200 (goal: 50)")
    if floors:
        floor = statistics.median(floors)
        runs = ", ".join(f"{f:.3f}" for f in floors)
        print(f"{'docker start to first response':44}{floor:>8.3f}s  (runs: {runs})")
        print(f"ratio docker runtime / docker start {medians['docker'] / floor:.2f}x (goal: <= 1.5x)")
    if len(medians) == 2:
        print(f"ratio swarm / docker runtime {medians['swarm'] / medians['docker']:.2f}x (goal: <= 2x)")


if __name__ == "__main__":
    main()
