"""Move an app to a new release without a gap: start the new dynos, wait for the web
ones to bind $PORT (they join the router as they come up), and only then retire the
old dynos, which finish their requests in the background.

A push whose web dynos never come up is undone (the old release keeps serving). Any
other release stands with a crashed web dyno, as Heroku's would: the supervisor
restarts it on the cool-off schedule and the router answers H10 meanwhile."""

from __future__ import annotations

import contextlib

from minidyno.progress import Say
from minidyno.runtime.boot import BootFailed
from minidyno.runtime.driver import Dyno, EngineDown
from minidyno.runtime.supervisor import Supervisor
from minidyno.state.releases import Release


def roll(
    supervisor: Supervisor, release: Release, wanted: dict[str, int], say: Say, web_must_boot: bool = True
) -> None:
    old = [d for d in supervisor.driver.dynos(release.app) if d.process_type != "run"]
    started: list[Dyno] = []
    try:
        for process_type, quantity in wanted.items():
            for index in range(1, quantity + 1):
                started.append(supervisor.start_dyno(release, f"{process_type}.{index}"))
        for dyno in started:
            if dyno.process_type == "web":
                try:
                    seconds = supervisor.boot(dyno)
                except BootFailed as failed:
                    if web_must_boot:
                        raise
                    say(f" !     {dyno.name} crashed: {failed}")
                    say(
                        f" !     v{release.version} is released; the dyno restarts on the "
                        "crash cool-off (see minidyno ps and minidyno logs)"
                    )
                    continue
                say(f"       {dyno.name} is up (bound $PORT in {seconds:.2f} s)")
    except BaseException:
        _discard(supervisor, started)
        raise
    supervisor.retire(old)


def _discard(supervisor: Supervisor, dynos: list[Dyno]) -> None:
    """Remove at once the dynos of a release that will not run (the old release is still
    serving), and route without any of them that had come up."""
    for dyno in dynos:
        with contextlib.suppress(EngineDown):
            supervisor.driver.remove(dyno)
    supervisor.sync_router()
