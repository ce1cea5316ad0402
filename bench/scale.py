"""bench/scale: `ps:scale web=10` from zero until ten web dynos are up, beside ten plain
`docker run`s of the same release image until each answers, in one run.

Goal (issue 3): within 1.5x of the plain runs. The same on a single-node swarm
(issue 21), side by side: within 2x of the Docker runtime.
Run: .venv/bin/python bench/scale.py [--dynos N] [--runtimes docker,swarm] (swarm: as root)
"""

from __future__ import annotations

import argparse
import json
import time

import docker
import httpx
from common import dyno_container, swarm_server, throwaway_server, wait_for_body


def scale_until_up(server, count: int) -> float:
    """Through the API, as `minidyno ps:scale` does, polling the dyno list directly so
    the CLI's own start-up is not counted."""
    api = httpx.Client(
        base_url=server.api_url, headers={"Authorization": f"Bearer {server.token}"}, timeout=60
    )
    started = time.monotonic()
    api.patch("/apps/bench/formation", json=[f"web={count}"]).raise_for_status()
    while True:
        dynos = api.get("/apps/bench/dynos").json()
        if sum(d["state"] == "up" and d["type"] == "web" for d in dynos) == count:
            return time.monotonic() - started
        time.sleep(0.01)


def plain_runs(engine: docker.DockerClient, image: str, count: int) -> float:
    started = time.monotonic()
    containers = []
    try:
        for _ in range(count):
            containers.append(
                engine.containers.run(
                    image,
                    ["bash", "-c", "exec /app/.heroku/python/bin/gunicorn app:app --bind 0.0.0.0:5000"],
                    detach=True,
                    ports={"5000/tcp": ("127.0.0.1", None)},
                    working_dir="/app",
                )
            )
        for container in containers:
            container.reload()
            port = container.attrs["NetworkSettings"]["Ports"]["5000/tcp"][0]["HostPort"]
            wait_for_body(f"http://127.0.0.1:{port}/", "Hello")
        return time.monotonic() - started
    finally:
        for container in containers:
            container.remove(force=True)


def scale_from_zero(server, tmp, engine: docker.DockerClient, count: int) -> tuple[float, str]:
    """Seconds for `ps:scale web=count` from none to all up, and the release image."""
    server.cli("apps:create", "bench")
    server.push(server.app_source(tmp, "bench"))
    image = dyno_container(engine, server).image.tags[0]
    server.cli("ps:scale", "web=0", "-a", "bench")
    while json.loads(server.cli("ps", "-a", "bench", "--json").stdout):
        time.sleep(0.1)
    took = scale_until_up(server, count)
    server.cli("ps:scale", "web=1", "-a", "bench")
    time.sleep(2)
    return took, image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dynos", type=int, default=10)
    parser.add_argument("--runtimes", default="docker,swarm", help="docker, swarm or both (the default)")
    args = parser.parse_args()
    took: dict[str, float] = {}
    floor = None
    if "docker" in args.runtimes:
        engine = docker.from_env()
        with throwaway_server() as (server, tmp):
            took["docker"], image = scale_from_zero(server, tmp, engine, args.dynos)
            floor = plain_runs(engine, image, args.dynos)
    if "swarm" in args.runtimes:
        with swarm_server() as (server, tmp, engine):
            took["swarm"], _ = scale_from_zero(server, tmp, engine, args.dynos)
    print(f"{'':44}{'seconds':>9}")
    for name, seconds in took.items():
        print(f"{f'ps:scale web={args.dynos} to all up ({name})':44}{seconds:>8.2f}s")
    if floor is not None:
        print(f"{f'{args.dynos} plain docker runs to all answering':44}{floor:>8.2f}s")
        print(f"ratio docker runtime / plain runs {took['docker'] / floor:.2f}x (goal: <= 1.5x)")
    if len(took) == 2:
        print(f"ratio swarm / docker runtime {took['swarm'] / took['docker']:.2f}x (goal: <= 2x)")


if __name__ == "__main__":
    main()
