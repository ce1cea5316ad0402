"""ps:scale and ps:restart: change how many dynos run, or replace them, under the app's
lock so a scale never interleaves with a deploy."""

from __future__ import annotations

import re
from dataclasses import dataclass

from minidyno.errors import NotFound, UserError
from minidyno.logs.bus import LogBus
from minidyno.runtime.driver import DynoDriver
from minidyno.runtime.idling import Idler
from minidyno.runtime.locks import AppLocks
from minidyno.runtime.supervisor import Supervisor
from minidyno.state import formation, releases
from minidyno.state.db import Database

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


@dataclass(frozen=True)
class Scaler:
    supervisor: Supervisor
    idler: Idler
    driver: DynoDriver
    db: Database
    logs: LogBus
    locks: AppLocks
    max_per_type: int

    def scale(self, app: str, changes: dict[str, str]) -> dict[str, int]:
        cap = self.max_per_type
        with self.locks.of(app):
            self.idler.wake(app)
            with self.db.connect() as conn:
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
                    have = current[process_type]
                    value = {"=": count, "+": have + count, "-": have - count}[op]
                    if value < 0 or value > cap:
                        raise UserError(
                            f"{process_type}={value} is out of range: scale between 0 "
                            f"and {cap} dynos per type (MINIDYNO_MAX_DYNOS_PER_TYPE)"
                        )
                    wanted[process_type] = value
                for process_type, value in wanted.items():
                    formation.set_quantity(conn, app, process_type, value)
            self.logs.platform(
                app, "api", "Scaled to " + ", ".join(f"{t}@{q}" for t, q in sorted(wanted.items()))
            )
            self.supervisor.reconcile(app)
        return wanted

    def restart(self, app: str, target: str | None) -> list[str]:
        """Replace the targeted dynos (all, a type, or one) with fresh ones of the current
        release: the new web dynos come up before the old are retired."""
        supervisor = self.supervisor
        with self.locks.of(app):
            with self.db.connect() as conn:
                release = releases.current(conn, app)
            if release is None:
                raise NotFound(f"{app} has no release yet; push it first")
            self.idler.wake(app)
            dynos = [
                d
                for d in self.driver.dynos(app)
                if d.process_type != "run" and target in (None, d.process_type, d.name)
            ]
            if not dynos:
                raise NotFound(f"no dyno matches {target!r}; `minidyno ps -a {app}` lists them")
            self.logs.platform(app, "api", f"Restarting {target or 'all dynos'}")
            fresh = [supervisor.start_dyno(release, d.name) for d in dynos]
            for dyno in fresh:
                if dyno.process_type == "web":
                    supervisor.boot(dyno)
            supervisor.retire(dynos)
        return [d.name for d in dynos]

    def stop(self, app: str, name: str) -> None:
        """ps:stop: stop one dyno. A formation dyno is started again by the supervisor, as
        on Heroku; a one-off dyno is gone."""
        dyno = next((d for d in self.driver.dynos(app) if d.name == name), None)
        if dyno is None:
            raise NotFound(f"no dyno {name!r} in {app}; `minidyno ps -a {app}` lists them")
        self.supervisor.stop_dyno(dyno)
        self.supervisor.wake()
