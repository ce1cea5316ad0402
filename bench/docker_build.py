"""bench/docker_build: a heroku.yml push, beside the plain Docker it wraps.

Side by side, in one run, on one machine, for a code-only change (the Dockerfile's
layers before `COPY` cached on both sides):
  minidyno   `git push` of an app with heroku.yml to the first 200 through the router
             that shows the change
  floor      `docker build` of the same context through the SDK, then `docker run`
             of the image, to its first 200 on a published port

Run: .venv/bin/python bench/docker_build.py [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from pathlib import Path

import docker
from common import push_and_wait, throwaway_server, wait_for_body

FILES = {
    "heroku.yml": "build:\n  docker:\n    web: Dockerfile\n",
    "Dockerfile": "FROM minidyno/stack:trixie\nWORKDIR /srv\nCOPY app.py .\nCMD python3 app.py\n",
    "app.py": "import http.server, os\n"
    "class Hello(http.server.BaseHTTPRequestHandler):\n"
    "    def do_GET(self):\n"
    "        body = b'Round -1'\n"
    "        self.send_response(200)\n"
    "        self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "http.server.ThreadingHTTPServer(('0.0.0.0', int(os.environ['PORT'])),"
    " Hello).serve_forever()\n",
}


def floor(engine: docker.DockerClient, src: Path, marker: str) -> float:
    started = time.monotonic()
    image, _ = engine.images.build(path=str(src), tag="minidyno-bench/floor:latest", rm=True)
    container = engine.containers.run(
        image.id, environment={"PORT": "5000"}, detach=True, ports={"5000/tcp": ("127.0.0.1", None)}
    )
    try:
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["5000/tcp"][0]["HostPort"]
        wait_for_body(f"http://127.0.0.1:{port}/", marker)
        return time.monotonic() - started
    finally:
        container.remove(force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="redeploys to time (median)")
    args = parser.parse_args()
    engine = docker.from_env()
    ours, floors = [], []
    try:
        with throwaway_server() as (server, tmp):
            server.cli("apps:create", "boxed")
            src = server.app_source(tmp, "boxed", FILES, from_sample=False)
            push_and_wait(server, src, "boxed", "Round -1")
            for n in range(args.rounds):
                app_py = src / "app.py"
                app_py.write_text(app_py.read_text().replace(f"Round {n - 1}", f"Round {n}"))
                server.commit(src, f"Round {n}")
                ours.append(push_and_wait(server, src, "boxed", f"Round {n}"))
                floors.append(floor(engine, src, f"Round {n}"))
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):
            engine.images.remove("minidyno-bench/floor:latest")
    mine, base = statistics.median(ours), statistics.median(floors)
    print(f"{'':36}{'minidyno':>10}{'floor':>10}{'ratio':>8}")
    print(f"{'heroku.yml code-only push to 200':36}{mine:>9.2f}s{base:>9.2f}s{mine / base:>7.2f}x")
    print(
        f"(medians of {args.rounds}: minidyno {', '.join(f'{r:.2f}' for r in ours)}; "
        f"floor {', '.join(f'{r:.2f}' for r in floors)})"
    )


if __name__ == "__main__":
    main()
