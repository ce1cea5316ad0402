"""bench/scheduler: how late a Heroku Scheduler job starts. Each run's process prints
the time it began; its lateness is that time less the ten-minute mark it was due at.
Beside it, in the same run, the floor: a plain `docker run` of the same release image
and launcher, from the call to the same print. The clock's own part is the difference.

A minute is shortened (MINIDYNO_SCHEDULER_MINUTE, 0.5 s by default, so "every 10m" comes
round every 5 s); the lateness does not depend on it.
Run: .venv/bin/python bench/scheduler.py [--runs N] [--minute SECONDS]
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import time

import docker
from common import dyno_container, throwaway_server

PRINT_TIME = "python -c 'import time; print(\"began\", time.time())'"


def lateness(server, app: str, period: float, runs: int) -> list[float]:
    """Seconds past its mark each of the first `runs` runs began, from the app's log."""
    server.cli("addons:create", "scheduler", "-a", app)
    server.cli("scheduler:add", PRINT_TIME, "--every", "10m", "-a", app)
    deadline = time.monotonic() + period * (runs + 3) + 60
    while time.monotonic() < deadline:
        log = server.cli("logs", "-n", "1500", "-a", app).stdout
        began = [float(t) for t in re.findall(r"scheduler\.\d+\]: began ([\d.]+)", log)]
        if len(began) >= runs:
            return [t - math.floor(t / period) * period for t in sorted(began)[:runs]]
        time.sleep(period)
    raise TimeoutError(f"fewer than {runs} runs in the app's log")


def plain_run(engine: docker.DockerClient, web: docker.models.containers.Container) -> float:
    """The web dyno's image and launcher, with the job's command, by `docker run`."""
    config = web.attrs["Config"]
    command = [*config["Cmd"][:-1], PRINT_TIME]
    called = time.time()
    out = engine.containers.run(
        config["Image"], command, user=config["User"], working_dir=config["WorkingDir"], remove=True
    )
    return float(re.search(rb"began ([\d.]+)", out)[1]) - called


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--minute", type=float, default=0.5)
    args = parser.parse_args()
    period = 10 * args.minute
    engine = docker.from_env()
    with throwaway_server(MINIDYNO_SCHEDULER_MINUTE=str(args.minute)) as (server, tmp):
        server.cli("apps:create", "bench")
        server.push(server.app_source(tmp, "bench"))
        late = lateness(server, "bench", period, args.runs)
        floor = [plain_run(engine, dyno_container(engine, server)) for _ in range(args.runs)]
    p95 = statistics.quantiles(late, n=20)[-1]
    print(f"{'over ' + str(args.runs) + ' runs':40}{'median':>8}{'p95':>8}{'max':>8}")
    for label, values in (("scheduled start, past its mark", late), ("docker run to the same print", floor)):
        high = statistics.quantiles(values, n=20)[-1]
        print(f"{label:40}{statistics.median(values):>7.2f}s{high:>7.2f}s{max(values):>7.2f}s")
    print(
        f"ratio {statistics.median(late) / statistics.median(floor):.2f}x the floor; "
        f"the clock's own part {statistics.median(late) - statistics.median(floor):.2f} s; "
        f"p95 lateness {p95:.2f} s (goal: < 2 s)"
    )


if __name__ == "__main__":
    main()
