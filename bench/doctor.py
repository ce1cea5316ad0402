"""bench/doctor: `minidyno doctor` on the sample app, beside the build and the one dyno
boot it includes.

Side by side, in one run, on one server, on the same commit of the sample app each round:
  doctor     `minidyno doctor --json` in a git work tree of it, to its exit (upload, static
             checks, build, the throwaway database meanwhile, one web dyno watched through
             bind, GET /, filesystem diff, memory and SIGTERM, then its removal)
  push       `git push` of that commit to the app `bench` (build, release, web.1 up), to the
             push's end and to the first 200 through the router that shows the commit's
             change (what bench/deploy.py counts as deployed)

Both with a warm build cache: one untimed push and one untimed doctor run come first. The
cache belongs to an app (doctor's to its scratch name `doctor_bench`), so the push side
is a repeat push to one app, not a push to a fresh one, whose cache would be empty. The
rounds alternate which of the two goes first. The last run of each is broken down by the
lines it streamed.

Goal (the doctor issue): doctor at most 1.5x the push to its first 200.
The sample has no Postgres driver, so doctor starts no database for it; --with-postgres adds
one to the sample (for both sides), and doctor's throwaway database with it.
Run: .venv/bin/python bench/doctor.py [--rounds N] [--with-postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import throwaway_server, wait_for_body

from tests.integration.platform_fixture import Server, dynos, wait_for

APP = "bench"
MARKER = "Hello from minidyno"
#: Where each run's streamed output shows a phase has begun, in the order they come;
#: the time to each is printed for the last run.
DOCTOR_PHASES = {
    "-----> Building on the": "uploaded, static checks done, build started",
    "-----> Discovering process types": "compiled",
    "-----> Starting web.1": "slug image made, the database ready, dyno starting",
}
PUSH_PHASES = {
    "-----> Building on the": "received, build started",
    "-----> Discovering process types": "compiled",
    "-----> Launching": "slug image made, releasing",
    "web.1 is up": "web.1 bound $PORT",
}
#: The checks of doctor's report whose own timings are shown beside its breakdown.
TIMED_CHECKS = ("build", "bind", "response", "sigterm")


@dataclass
class Run:
    """One timed command: its seconds to exit, and each line of stderr with the
    seconds to its arrival."""

    seconds: float
    lines: list[tuple[float, str]]
    stdout: str

    def time_to(self, text: str) -> float | None:
        return next((at for at, line in self.lines if text in line), None)


def timed(server: Server, command: list[str], src: Path) -> Run:
    """`command` in `src`, its stderr read as it streams; a failure ends the bench."""
    started = time.monotonic()
    with (
        tempfile.TemporaryFile("w+") as out,
        subprocess.Popen(
            command, env=server.env, cwd=src, stdout=out, stderr=subprocess.PIPE, text=True
        ) as proc,
    ):
        lines = [(time.monotonic() - started, line.rstrip()) for line in proc.stderr]
        code = proc.wait()
        seconds = time.monotonic() - started
        out.seek(0)
        stdout = out.read()
    if code != 0:
        said = "\n".join(line for _, line in lines[-20:])
        raise SystemExit(f"{' '.join(command[-3:])} exited with {code}:\n{stdout[-2000:]}\n{said}")
    return Run(seconds, lines, stdout)


def doctor(server: Server, src: Path) -> Run:
    return timed(server, [sys.executable, "-m", "minidyno", "doctor", "--json"], src)


def push(server: Server, src: Path, marker: str) -> tuple[Run, float]:
    """The push, and the seconds from its start to the first 200 that shows `marker`;
    then until the old release's dyno is gone, so the next run has the machine alone."""
    started = time.monotonic()
    run = timed(server, ["git", "push", "minidyno", "main"], src)
    wait_for_body(f"http://127.0.0.1:{server.router_port}/", marker, {"Host": f"{APP}.localhost"})
    served = time.monotonic() - started
    wait_for(lambda: len(dynos(server, APP)) == 1, timeout=60)
    return run, served


def change(server: Server, src: Path, old: str, new: str) -> None:
    """A commit whose only change is what / says, so the build runs and its dyno shows it."""
    app_py = src / "app.py"
    app_py.write_text(app_py.read_text().replace(old, new))
    server.commit(src, new)


def breakdown(title: str, run: Run, phases: dict[str, str]) -> None:
    print(f"{title}, from its streamed output:")
    for text, meaning in phases.items():
        at = run.time_to(text)
        shown = f"{at:>7.2f}s" if at is not None else "    n/a "
        print(f"  {shown}  to {text!r:38} ({meaning})")
    print(f"  {run.seconds:>7.2f}s  to its exit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each (median)")
    parser.add_argument(
        "--with-postgres",
        action="store_true",
        help="add psycopg2-binary to the sample (both sides), so doctor starts its throwaway database",
    )
    args = parser.parse_args()
    doctors: list[Run] = []
    pushes: list[tuple[Run, float]] = []
    with throwaway_server() as (server, tmp):
        server.cli("apps:create", APP)
        src = server.app_source(tmp, APP)
        if args.with_postgres:
            with open(src / "requirements.txt", "a") as requirements:
                requirements.write("psycopg2-binary==2.9.*\n")
            server.commit(src, "A Postgres driver")
        push(server, src, MARKER)  # warm-up: fills the app's build cache
        doctor(server, src)  # warm-up: fills doctor_bench's build cache, makes Postgres's image
        said = MARKER
        for n in range(args.rounds):
            change(server, src, said, f"Round {n}")
            said = f"Round {n}"
            if n % 2 == 0:
                doctors.append(doctor(server, src))
                pushes.append(push(server, src, said))
            else:
                pushes.append(push(server, src, said))
                doctors.append(doctor(server, src))

    doctor_times = [run.seconds for run in doctors]
    push_ends = [run.seconds for run, _ in pushes]
    served = [seconds for _, seconds in pushes]
    database = "with its throwaway database" if args.with_postgres else "no Postgres driver, so no database"
    print(f"warm build caches: one untimed push and one untimed doctor run first; {args.rounds} rounds")
    print(f"the sample: {database}")
    print(f"{'':44}{'median':>8}   rounds")
    for label, times in (
        ("doctor, to its exit", doctor_times),
        ("push, to its end", push_ends),
        ("push, to its first 200 through the router", served),
    ):
        print(f"{label:44}{statistics.median(times):>7.2f}s   {', '.join(f'{t:.2f}' for t in times)}")
    median = statistics.median(doctor_times)
    print(
        f"ratio doctor / (build + boot): {median / statistics.median(served):.2f}x to the first 200,"
        f" {median / statistics.median(push_ends):.2f}x to the push's end (goal: <= 1.5x)"
    )
    print()
    breakdown("last doctor run", doctors[-1], DOCTOR_PHASES)
    report = {c["check"]: c for c in json.loads(doctors[-1].stdout)["checks"]}
    for check in TIMED_CHECKS:
        if check in report:
            print(f"  its report: {check:9} {report[check]['seen']}")
    breakdown("last push", pushes[-1][0], PUSH_PHASES)


if __name__ == "__main__":
    main()
