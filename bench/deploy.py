"""bench/deploy: how long a push takes to serve, beside the floor it cannot beat.

Side by side, in one run, on one machine:
  first push     `git push` of the sample app to its first 200 through the router
  floor          a plain `pip install` of the same requirements in a build-stack container,
                 then a `docker run` of the run stack with them, to its first 200
  redeploy       a code-only push to the first 200 that shows the change
  floor          a `docker run` of the release image with the changed source copied in,
                 to its first 200

Both for the sample (pip, requirements.txt) and for a uv app (tests/apps/uv: uv.lock),
whose floor installs uv from PyPI and runs `uv sync --locked` in the build container.

Goals (issue 2): first push within 1.5x of its floor; redeploy within 5 s and 2x of its floor.
Run: .venv/bin/python bench/deploy.py [--rounds N]
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import tarfile
import time
from pathlib import Path

import docker
from common import push_and_wait, throwaway_server, wait_for_body

from minidyno.settings import Settings
from tests.integration.platform_fixture import REPO, SAMPLE

STACK = "trixie"
UV_APP = REPO / "tests" / "apps" / "uv"
#: What the floor's build container runs: a fresh virtualenv and a plain install.
INSTALL = {
    "pip": "python3 -m venv /deps/venv && /deps/venv/bin/pip install -q --no-cache-dir "
    "-r /src/requirements.txt",
    "uv": "python3 -m venv /deps/tools && /deps/tools/bin/pip install -q --no-cache-dir "
    "$(cat /buildpack/requirements/uv.txt) && cd /src && UV_PROJECT_ENVIRONMENT=/deps/venv "
    "UV_PYTHON_DOWNLOADS=never /deps/tools/bin/uv sync -q --locked --no-default-groups "
    "--no-cache",
}


def tar_dir(path: Path, prefix: str = "") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for item in sorted(path.iterdir()):
            if item.name != ".git":
                tar.add(item, arcname=f"{prefix}{item.name}")
    return buf.getvalue()


def floor_first(engine: docker.DockerClient, src: Path, manager: str, marker: str) -> tuple[float, float]:
    """A plain install into a fresh venv (no cache) in a build container, then run it:
    the (start, first 200) times."""
    volume = engine.volumes.create()
    started = time.monotonic()
    try:
        builder = engine.containers.create(
            f"minidyno/stack:{STACK}-build",
            ["bash", "-c", INSTALL[manager]],
            volumes={
                volume.name: {"bind": "/deps", "mode": "rw"},
                "/etc/ssl/certs/ca-certificates.crt": {"bind": "/ca.crt", "mode": "ro"},
                str(REPO / "buildpacks" / "python"): {"bind": "/buildpack", "mode": "ro"},
            },
            environment={"PIP_CERT": "/ca.crt", "SSL_CERT_FILE": "/ca.crt"},
        )
        builder.put_archive("/", tar_dir(src, "src/"))
        builder.start()
        assert builder.wait()["StatusCode"] == 0, builder.logs()
        builder.remove()
        return started, run_and_wait(engine, f"minidyno/stack:{STACK}", src, volume.name, marker)
    finally:
        volume.remove(force=True)


def run_and_wait(
    engine: docker.DockerClient, image: str, src: Path, deps_volume: str | None, marker: str
) -> float:
    """docker run with the source copied in, to its first 200; returns the end time."""
    volumes = {deps_volume: {"bind": "/deps", "mode": "rw"}} if deps_volume else {}
    python = "/deps/venv/bin/" if deps_volume else "/app/.heroku/python/bin/"
    container = engine.containers.create(
        image,
        ["bash", "-c", f"cd /app && exec {python}gunicorn app:app --bind 0.0.0.0:5000"],
        volumes=volumes,
        ports={"5000/tcp": ("127.0.0.1", None)},
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


def measure(
    engine: docker.DockerClient,
    server,
    tmp: Path,
    app: str,
    folder: Path,
    manager: str,
    marker: str,
    rounds: int,
) -> tuple[float, float, list[float], list[float]]:
    """First push and code-only redeploys of one app, each beside its floor."""
    home_id = Settings.from_env({"MINIDYNO_HOME": str(server.home)}).home_id
    server.cli("apps:create", app)
    src = tmp / f"src-{app}"
    shutil.copytree(folder, src)
    server.git("init", "-q", "-b", "main", cwd=src)
    server.commit(src, "Initial commit")
    server.cli("git:remote", "-a", app, cwd=src)
    first = push_and_wait(server, src, app, marker)
    started, ended = floor_first(engine, folder, manager, marker)
    redeploys, floors = [], []
    for n in range(rounds):
        app_py = src / "app.py"
        new = f"Round {n}"
        app_py.write_text(app_py.read_text().replace(marker if n == 0 else f"Round {n - 1}", new))
        server.commit(src, new)
        redeploys.append(push_and_wait(server, src, app, new))
        t0 = time.monotonic()
        floors.append(run_and_wait(engine, f"minidyno/{home_id}/{app}:v{n + 2}", src, None, new) - t0)
    return first, ended - started, redeploys, floors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="redeploys to time (median)")
    args = parser.parse_args()
    engine = docker.from_env()
    results = {}
    with throwaway_server() as (server, tmp):
        results["pip"] = measure(engine, server, tmp, "bench", SAMPLE, "pip", "Hello", args.rounds)
        results["uv"] = measure(engine, server, tmp, "bench-uv", UV_APP, "uv", "uv app via", args.rounds)

    print(f"{'':40}{'minidyno':>10}{'floor':>10}{'ratio':>8}")
    for manager, (first, floor1, redeploys, floors) in results.items():
        redeploy, floor2 = statistics.median(redeploys), statistics.median(floors)
        print(
            f"{manager + ': first push to first 200':40}{first:>9.2f}s{floor1:>9.2f}s{first / floor1:>7.2f}x"
        )
        print(
            f"{manager + ': code-only redeploy to first 200':40}{redeploy:>9.2f}s"
            f"{floor2:>9.2f}s{redeploy / floor2:>7.2f}x"
        )
        print(f"  (redeploys, median of {args.rounds}: {', '.join(f'{r:.2f}' for r in redeploys)})")
    print("goals: first <= 1.5x, redeploy <= 2x and <= 5 s")


if __name__ == "__main__":
    main()
