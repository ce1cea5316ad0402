"""bench/run: a one-off dyno's round trip (`echo hi` until its client is done), three ways
side by side in one run: `heroku run`'s rendezvous (the Platform API's POST, then TLS to
the rendezvous), `minidyno run` (the API's streamed run), and a plain `docker run --rm`
of the same release image. The clients are driven from Python, so neither Node's nor
the minidyno CLI's own start-up is counted.

Run: .venv/bin/python bench/run.py [--runs N]
"""

from __future__ import annotations

import argparse
import socket
import ssl
import statistics
import time

import docker
import httpx
from common import dyno_container, throwaway_server

V3 = "application/vnd.heroku+json; version=3"


def rendezvous(server, context: ssl.SSLContext) -> float:
    started = time.monotonic()
    answer = httpx.post(
        f"{server.api_url}/apps/bench/dynos",
        headers={"Accept": V3, "Authorization": f"Bearer {server.token}"},
        json={"command": "echo hi", "attach": True},
        timeout=60,
    )
    answer.raise_for_status()
    url = httpx.URL(answer.json()["attach_url"])
    with (
        socket.create_connection((url.host, url.port), timeout=60) as raw,
        context.wrap_socket(raw, server_hostname=url.host) as tls,
    ):
        tls.sendall(url.path.lstrip("/").encode() + b"\r\n")
        seen = b""
        while chunk := tls.recv(65536):  # until the dyno is done, when the CLI exits
            seen += chunk
    if b"hi" not in seen.replace(b"rendezvous", b""):
        raise RuntimeError(f"no output came through the rendezvous: {seen!r}")
    return time.monotonic() - started


def api_run(server) -> float:
    started = time.monotonic()
    with httpx.stream(
        "POST",
        f"{server.api_url}/apps/bench/dynos",
        headers={"Authorization": f"Bearer {server.token}"},
        json={"command": "echo hi"},
        timeout=60,
    ) as response:
        for line in response.iter_lines():
            if '"ok"' in line:
                break
    return time.monotonic() - started


def plain_run(engine: docker.DockerClient, image: str) -> float:
    started = time.monotonic()
    engine.containers.run(image, ["bash", "-c", "echo hi"], remove=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engine = docker.from_env()
    with throwaway_server() as (server, tmp):
        server.cli("apps:create", "bench")
        server.push(server.app_source(tmp, "bench"))
        image = dyno_container(engine, server).image.tags[0]
        context = ssl.create_default_context(cafile=str(server.ca_path))
        times: dict[str, list[float]] = {
            "heroku run (rendezvous)": [],
            "minidyno run (API)": [],
            "docker run --rm": [],
        }
        for _ in range(args.runs):
            times["heroku run (rendezvous)"].append(rendezvous(server, context))
            times["minidyno run (API)"].append(api_run(server))
            times["docker run --rm"].append(plain_run(engine, image))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    floor = medians["docker run --rm"]
    print(f"{'median of ' + str(args.runs):30}{'seconds':>9}{'ratio':>8}")
    for name, median in medians.items():
        print(f"{name:30}{median:>8.2f}s{median / floor:>7.2f}x")


if __name__ == "__main__":
    main()
