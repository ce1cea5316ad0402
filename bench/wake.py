"""bench/wake: from a request to an idle app to its first byte, beside `docker start`
of a stopped container of the same release image to its first response, in one run;
then 50 concurrent requests during one wake, all of which must be answered.

Goal (issue 5): at most 1.5x the docker-start floor (about 0.35 s measured here for a
Flask dyno); 50 of 50 answered.
Run: .venv/bin/python bench/wake.py [--rounds N]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import statistics
import time

import docker
import httpx
from common import dyno_container, throwaway_server, wait_for_body

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = docker.from_env()
    with throwaway_server(MINIDYNO_IDLE_TIMEOUT=str(IDLE_SECONDS)) as (server, tmp):
        server.cli("apps:create", "bench")
        server.push(server.app_source(tmp, "bench"))
        web = dyno_container(engine, server)
        image = web.image.tags[0]
        url = f"http://127.0.0.1:{server.router_port}/"
        wakes, floors = [], []
        for _ in range(args.rounds):
            wait_idle(server)
            wakes.append(first_byte(url, "bench.localhost"))
            floors.append(docker_start_floor(engine, image))
        wait_idle(server)
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            statuses = list(
                pool.map(
                    lambda _: httpx.get(url, headers={"Host": "bench.localhost"}, timeout=90).status_code,
                    range(50),
                )
            )
    wake, floor = statistics.median(wakes), statistics.median(floors)
    print(f"{'wake from idle to first byte':36}{wake:>8.3f}s  (runs: {', '.join(f'{w:.3f}' for w in wakes)})")
    print(
        f"{'docker start to first response':36}{floor:>8.3f}s  (runs: "
        f"{', '.join(f'{f:.3f}' for f in floors)})"
    )
    print(f"ratio {wake / floor:.2f}x (goal: <= 1.5x)")
    print(f"50 concurrent requests during one wake: {statuses.count(200)} answered 200 (goal: 50)")


if __name__ == "__main__":
    main()
