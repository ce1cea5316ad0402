"""bench/logs: lines per second from one chatty dyno to a `minidyno logs --tail`
reader, beside `docker logs -f` of the same container, in one run.

The dyno prints N numbered lines as fast as it can; both readers are started before
it does, and each is timed from its first to its last line.
Goal (issue 4): at least 50 % of `docker logs -f`.
Run: .venv/bin/python bench/logs.py [--lines N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time

import docker
from common import dyno_container, throwaway_server

CHATTY = """\
import sys, time
time.sleep(4)
out = sys.stdout
for n in range({lines}):
    out.write(f"chatty-line {{n}} " + "x" * 60 + "\\n")
out.flush()
time.sleep(3600)
"""


def timed_reader(command: list[str], env: dict | None, last: str, results: dict, key: str) -> None:
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=1 << 20
    )
    first = None
    count = 0
    try:
        for raw in proc.stdout:
            if b"chatty-line " not in raw:
                continue
            count += 1
            if first is None:
                first = time.monotonic()
            if last.encode() in raw:
                results[key] = (count, time.monotonic() - first)
                return
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    engine = docker.from_env()
    with throwaway_server() as (server, tmp):
        server.cli("apps:create", "bench")
        src = server.app_source(
            tmp,
            "bench",
            {
                "Procfile": "web: gunicorn app:app --bind 0.0.0.0:$PORT\nchatty: python chatty.py\n",
                "chatty.py": CHATTY.format(lines=args.lines),
            },
        )
        server.push(src)
        server.cli("ps:scale", "chatty=1", "-a", "bench")
        chatty = dyno_container(engine, server, "chatty.1")
        last = f"chatty-line {args.lines - 1} "
        results: dict[str, tuple[int, float]] = {}
        readers = [
            threading.Thread(
                target=timed_reader,
                args=(
                    [
                        sys.executable,
                        "-m",
                        "minidyno",
                        "logs",
                        "-t",
                        "-n",
                        "0",
                        "-a",
                        "bench",
                        "-p",
                        "chatty",
                    ],
                    server.env,
                    last,
                    results,
                    "minidyno",
                ),
            ),
            threading.Thread(
                target=timed_reader, args=(["docker", "logs", "-f", chatty.id], None, last, results, "docker")
            ),
        ]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(300)
    rates = {k: count / seconds for k, (count, seconds) in results.items()}
    for key, label in (("docker", "docker logs -f"), ("minidyno", "minidyno logs --tail")):
        count, seconds = results.get(key, (0, 0))
        print(f"{label:24}{count:>9} lines {seconds:>7.2f}s {rates.get(key, 0):>12,.0f} lines/s")
    if "docker" in rates and "minidyno" in rates:
        print(
            f"ratio {rates['minidyno'] / rates['docker']:.2f} (goal: >= 0.50); "
            f"lines lost by the tail: {args.lines - results['minidyno'][0]}"
        )
    print(json.dumps({k: round(v) for k, v in rates.items()}))


if __name__ == "__main__":
    main()
