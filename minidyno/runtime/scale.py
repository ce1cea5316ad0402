"""ps:scale and ps:restart: change how many dynos run, or replace them, under the app's
lock so a scale never interleaves with a deploy."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from minidyno.errors import NotFound, UserError
from minidyno.state import formation, releases

if TYPE_CHECKING:
    from minidyno.platform import Platform

CHANGE = re.compile(r"^(?P<type>[A-Za-z0-9_-]+)(?P<op>=|\+|-)(?P<count>\d+)(?::[\w-]+)?$")


def parse_changes(args: list[str]) -> dict[str, str]:
    """`web=2 worker+1` -> {"web": "=2", "worker": "+1"}; sizes after `:` are accepted
    and ignored (every dyno here is the same size)."""
    found = {}
    for arg in args:
        match = CHANGE.fullmatch(arg)
        if not match:
            raise UserError(f"cannot read {arg!r}: use TYPE=N, TYPE+N or TYPE-N (e.g. web=2)")
        found[match["type"]] = f"{match['op']}{match['count']}"
    if not found:
        raise UserError("say what to scale, e.g. minidyno ps:scale web=2 worker=1")
    return found


def scale(platform: Platform, app: str, changes: dict[str, str]) -> dict[str, int]:
    cap = platform.settings.max_dynos_per_type
    with platform.app_lock(app):
        platform.idler.wake(app)
        with platform.db.connect() as conn:
            current = formation.get(conn, app)
            if releases.current(conn, app) is None:
                raise NotFound(f"{app} has no release yet; push it first")
            wanted = dict(current)
            for process_type, change in changes.items():
                if process_type not in current:
                    known = ", ".join(sorted(current)) or "none"
                    raise NotFound(
                        f"no {process_type!r} process type in {app}'s Procfile (its types: {known})"
                    )
                op, count = change[0], int(change[1:])
                value = {"=": count, "+": current[process_type] + count, "-": current[process_type] - count}[
                    op
                ]
                if value < 0 or value > cap:
                    raise UserError(
                        f"{process_type}={value} is out of range: scale between 0 "
                        f"and {cap} dynos per type (MINIDYNO_MAX_DYNOS_PER_TYPE)"
                    )
                wanted[process_type] = value
            for process_type, value in wanted.items():
                formation.set_quantity(conn, app, process_type, value)
        platform.logs.platform(
            app, "api", "Scaled to " + ", ".join(f"{t}@{q}" for t, q in sorted(wanted.items()))
        )
        platform.supervisor.reconcile(app)
    return wanted


def restart(platform: Platform, app: str, target: str | None) -> list[str]:
    """Replace the targeted dynos (all, a type, or one) with fresh ones of the current
    release: the new web dynos come up before the old are retired."""
    supervisor = platform.supervisor
    with platform.app_lock(app):
        with platform.db.connect() as conn:
            release = releases.current(conn, app)
        if release is None:
            raise NotFound(f"{app} has no release yet; push it first")
        platform.idler.wake(app)
        dynos = [
            d
            for d in platform.runtime.dynos(app)
            if d.process_type != "run" and target in (None, d.process_type, d.name)
        ]
        if not dynos:
            raise NotFound(f"no dyno matches {target!r}; `minidyno ps -a {app}` lists them")
        platform.logs.platform(app, "api", f"Restarting {target or 'all dynos'}")
        fresh = [supervisor.start_dyno(release, d.name) for d in dynos]
        for dyno in fresh:
            if dyno.process_type == "web":
                supervisor.boot(dyno)
        supervisor.retire(dynos)
    return [d.name for d in dynos]


def stop(platform: Platform, app: str, name: str) -> None:
    """ps:stop: stop one dyno. A formation dyno is started again by the supervisor, as
    on Heroku; a one-off dyno is gone."""
    dyno = next((d for d in platform.runtime.dynos(app) if d.name == name), None)
    if dyno is None:
        raise NotFound(f"no dyno {name!r} in {app}; `minidyno ps -a {app}` lists them")
    platform.supervisor.stop_dyno(dyno)
    platform.supervisor.wake()
