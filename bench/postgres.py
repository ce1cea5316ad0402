"""bench/postgres: `addons:create postgres` to a first successful query, beside a plain
`docker run` of the same image to its first query, in one run.

minidyno's figure includes attaching (a release that restarts the app's web dyno), as
the app cannot query before DATABASE_URL reaches it.
Goal (issue 6): within 1.5x.
Run: .venv/bin/python bench/postgres.py [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import tempfile
import time
from pathlib import Path

import docker
import psycopg2
from common import throwaway_server

from minidyno.certs import CertificateAuthority
from minidyno.settings import Settings
from minidyno.stacks import postgres as image
from minidyno.stacks.service_image import tls_archive


def first_query(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with contextlib.closing(psycopg2.connect(url, connect_timeout=2)) as conn, conn.cursor() as cur:
                cur.execute("SELECT 1")
                return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def plain_run(engine: docker.DockerClient, tls: bytes) -> float:
    """The same image by hand: create, hand it its certificate, start (as minidyno does)."""
    started = time.monotonic()
    container = engine.containers.create(
        image.IMAGE,
        detach=True,
        ports={"5432/tcp": ("127.0.0.1", None)},
        environment={
            "MINIDYNO_SUPERUSER_PASSWORD": "x" * 24,
            "MINIDYNO_USER": "bench",
            "MINIDYNO_PASSWORD": "y" * 24,
            "MINIDYNO_DATABASE": "bench",
        },
    )
    try:
        container.put_archive(image.TLS_DIR, tls)
        container.start()
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["5432/tcp"][0]["HostPort"]
        first_query(f"postgres://bench:{'y' * 24}@127.0.0.1:{port}/bench")
        return time.monotonic() - started
    finally:
        container.remove(force=True, v=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = docker.from_env()
    image.RECIPE.ensure(engine, Settings.from_env(), print)
    ours, floors = [], []
    tls = tls_archive(*CertificateAuthority(Path(tempfile.mkdtemp())).issue(("localhost", "127.0.0.1")))
    with throwaway_server() as (server, tmp):
        for n in range(args.rounds):
            app = f"bench{n}"
            server.cli("apps:create", app)
            server.push(server.app_source(tmp, app))
            started = time.monotonic()
            server.cli("addons:create", "postgres", "-a", app)
            url = server.cli("config:get", "DATABASE_URL", "-a", app).stdout.strip()
            host = re.search(r"@([^:]+):5432/", url)[1]
            container = engine.containers.get(host)
            port = container.attrs["NetworkSettings"]["Ports"]["5432/tcp"][0]["HostPort"]
            first_query(url.replace(f"@{host}:5432", f"@127.0.0.1:{port}"))
            ours.append(time.monotonic() - started)
            floors.append(plain_run(engine, tls))
    mine, floor = statistics.median(ours), statistics.median(floors)
    print(
        f"{'addons:create postgres to first query':40}{mine:>7.2f}s  (runs: "
        f"{', '.join(f'{x:.2f}' for x in ours)})"
    )
    print(
        f"{'docker run of the image to first query':40}{floor:>7.2f}s  (runs: "
        f"{', '.join(f'{x:.2f}' for x in floors)})"
    )
    print(f"ratio {mine / floor:.2f}x (goal: <= 1.5x)")


if __name__ == "__main__":
    main()
