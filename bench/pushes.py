"""bench/pushes: many pushes at once to several apps, on one server, in one run: none
may be lost or crossed. Every push either lands (its commit is a release of its own
app) or is refused with a reason; each app ends serving its own last commit.

Each app's pushes are serialised by the app's lock (as Heroku queues them), apps build
side by side. Bounded: --pushes pushes over --apps apps, all on 127.0.0.1.
Run: .venv/bin/python bench/pushes.py [--apps 10] [--pushes 100]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import time
from pathlib import Path

from common import throwaway_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=10)
    parser.add_argument("--pushes", type=int, default=100)
    args = parser.parse_args()
    with throwaway_server() as (server, tmp):
        sources: dict[str, Path] = {}
        for n in range(args.apps):
            app = f"crowd-{n}"
            server.cli("apps:create", app)
            sources[app] = server.app_source(tmp, app)
            server.push(sources[app])  # the first build of each app fills its cache
        # One clone per push, each a commit of its own on top of its app's main.
        jobs = []
        for n in range(args.pushes):
            app = f"crowd-{n % args.apps}"
            clone = tmp / f"push-{n}"
            server.git("clone", "-q", str(sources[app]), str(clone), cwd=tmp)
            server.git("remote", "remove", "origin", cwd=clone)
            server.cli("git:remote", "-a", app, cwd=clone)
            (clone / "app.py").write_text(
                (clone / "app.py").read_text().replace("Hello from minidyno", f"Push {n} to {app}")
            )
            server.commit(clone, f"Push {n}")
            sha = server.git("rev-parse", "HEAD", cwd=clone).stdout.strip()
            jobs.append((n, app, clone, sha))

        def push(job):
            n, app, clone, sha = job
            done = server.git("push", "-f", "minidyno", "main", cwd=clone, check=False)
            return n, app, sha, done.returncode, done.stderr

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.pushes) as pool:
            results = list(pool.map(push, jobs))
        elapsed = time.monotonic() - started

        landed = {app: set() for app in sources}
        turned_away = {app: set() for app in sources}
        lost, crossed = [], []
        for n, app, sha, code, stderr in results:
            if code == 0:
                landed[app].add(sha[:7])
            elif "rejected" in stderr:
                turned_away[app].add(sha[:7])
            else:
                lost.append(n)
        for app in sources:
            released = {
                line.split()[2]
                for line in server.cli("releases", "-a", app).stdout.splitlines()[1:]
                if "Deploy" in line and "succeeded" in line
            }
            # A push that landed is a release of its app; one turned away is not.
            crossed += [sha for sha in landed[app] if sha not in released]
            crossed += [f"{sha} (refused, yet released)" for sha in turned_away[app] if sha in released]
            last = server.router_get(app).text
            if f"to {app}" not in last:
                crossed.append(f"{app} serves {last.strip()!r}")
    print(
        f"{args.pushes} concurrent pushes to {args.apps} apps in {elapsed:.1f} s: "
        f"{sum(map(len, landed.values()))} landed, "
        f"{sum(map(len, turned_away.values()))} refused with a reason, "
        f"{len(lost)} lost, {len(crossed)} crossed"
    )
    if lost or crossed:
        first = next((r[4] for r in results if r[0] in lost), "")
        raise SystemExit(f"lost: {lost}; crossed: {crossed}; first failure: {first[-500:]}")


if __name__ == "__main__":
    main()
