"""bench/deploy: how long a push takes to serve, beside the floor it cannot beat.

Side by side, in one run, on one machine:
  first push     `git push` of the sample app to its first 200 through the router
  floor          a plain `pip install` of the same requirements in a build-stack container,
                 then a `docker run` of the run stack with them, to its first 200
  redeploy       a code-only push to the first 200 that shows the change
  floor          a `docker run` of the release image with the changed source copied in,
                 to its first 200

Goals (issue 2): first push within 1.5x of its floor; redeploy within 5 s and 2x of its floor.
Run: .venv/bin/python bench/deploy.py [--rounds N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tarfile
import time
from pathlib import Path

import docker
from common import push_and_wait, throwaway_server, wait_for_body

from minidyno.settings import Settings
from tests.integration.platform_fixture import SAMPLE

STACK = "trixie"


def tar_dir(path: Path, prefix: str = "") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for item in sorted(path.iterdir()):
            if item.name != ".git":
                tar.add(item, arcname=f"{prefix}{item.name}")
    return buf.getvalue()


def floor_first(engine: docker.DockerClient, src: Path) -> tuple[float, float]:
    """pip install into a fresh venv (no cache) in a build container, then run it:
    the (start, first 200) times."""
    volume = engine.volumes.create()
    started = time.monotonic()
    try:
        builder = engine.containers.create(
            f"minidyno/stack:{STACK}-build",
            ["bash", "-c", "python3 -m venv /deps/venv && /deps/venv/bin/pip install -q "
                           "--no-cache-dir -r /src/requirements.txt"],
            volumes={volume.name: {"bind": "/deps", "mode": "rw"},
                     "/etc/ssl/certs/ca-certificates.crt": {"bind": "/ca.crt", "mode": "ro"}},
            environment={"PIP_CERT": "/ca.crt"},
        )
        builder.put_archive("/", tar_dir(src, "src/"))
        builder.start()
        assert builder.wait()["StatusCode"] == 0, builder.logs()
        builder.remove()
        return started, run_and_wait(engine, f"minidyno/stack:{STACK}", src, volume.name, "Hello")
    finally:
        volume.remove(force=True)


def run_and_wait(engine: docker.DockerClient, image: str, src: Path, deps_volume: str | None,
                 marker: str) -> float:
    """docker run with the source copied in, to its first 200; returns the end time."""
    volumes = {deps_volume: {"bind": "/deps", "mode": "rw"}} if deps_volume else {}
    python = "/deps/venv/bin/" if deps_volume else "/app/.heroku/python/bin/"
    container = engine.containers.create(
        image, ["bash", "-c", f"cd /app && exec {python}gunicorn app:app --bind 0.0.0.0:5000"],
        volumes=volumes, ports={"5000/tcp": ("127.0.0.1", None)},
    )
    try:
        container.put_archive("/app", tar_dir(src))
        container.start()
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["5000/tcp"][0]["HostPort"]
        wait_for_body(f"http://127.0.0.1:{port}/", marker)
        return time.monotonic()
    finally:
        container.remove(force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="redeploys to time (median)")
    args = parser.parse_args()
    engine = docker.from_env()
    with throwaway_server() as (server, tmp):
        home_id = Settings.from_env({"MINIDYNO_HOME": str(server.home)}).home_id
        server.cli("apps:create", "bench")
        src = server.app_source(tmp, "bench")
        first = push_and_wait(server, src, "bench", "Hello")
        started, ended = floor_first(engine, SAMPLE)
        floor1 = ended - started
        redeploys, floors = [], []
        for n in range(args.rounds):
            app_py = src / "app.py"
            marker = f"Round {n}"
            app_py.write_text(app_py.read_text().replace(
                "Hello from minidyno" if n == 0 else f"Round {n - 1}", marker))
            server.commit(src, f"Round {n}")
            redeploys.append(push_and_wait(server, src, "bench", marker))
            t0 = time.monotonic()
            image = f"minidyno/{home_id}/bench:v{n + 2}"
            floors.append(run_and_wait(engine, image, src, None, marker) - t0)

    redeploy, floor2 = statistics.median(redeploys), statistics.median(floors)
    print(f"{'':34}{'minidyno':>10}{'floor':>10}{'ratio':>8}")
    print(f"{'first push to first 200':34}{first:>9.2f}s{floor1:>9.2f}s{first / floor1:>7.2f}x")
    print(f"{'code-only redeploy to first 200':34}{redeploy:>9.2f}s{floor2:>9.2f}s"
          f"{redeploy / floor2:>7.2f}x")
    print(f"(redeploy: median of {args.rounds}: {', '.join(f'{r:.2f}' for r in redeploys)}; "
          "goals: first <= 1.5x, redeploy <= 2x and <= 5 s)")


if __name__ == "__main__":
    main()
