"""Eco dynos sleep: an app whose web dynos had no request for MINIDYNO_IDLE_TIMEOUT
seconds has its dynos stopped, workers included as on Heroku (their containers kept,
for a fast `docker start`) and shown as idle; the next request wakes them all.

No request is lost at the boundary: an app is first routed to the activator (which
holds new requests until the app is awake again), and only then are its dynos stopped,
gracefully, finishing what they had.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from minidyno.errors import UserError
from minidyno.logs.bus import LogBus
from minidyno.runtime.boot import BootFailed, wait_until_listening
from minidyno.runtime.driver import Dyno, DynoDriver, EngineDown, by_app
from minidyno.runtime.locks import AppLocks
from minidyno.runtime.sleep import SleepingApps
from minidyno.runtime.states import State
from minidyno.runtime.supervisor import Supervisor
from minidyno.state import apps, formation, releases
from minidyno.state.db import Database

#: Heroku's H20: an app that is not up this long after a request woke it.
WAKE_TIMEOUT = 75.0


class WebStatus:
    UP = "up"
    IDLE = "idle"
    STARTING = "starting"
    CRASHED = "crashed"
    NONE = "none"


class WakeFailed(UserError):
    """H20 (boot timeout) or H10 (crashed while booting)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Idler:
    def __init__(
        self,
        supervisor: Supervisor,
        driver: DynoDriver,
        db: Database,
        logs: LogBus,
        sleeping: SleepingApps,
        locks: AppLocks,
        sync_router: Callable[[], None],
        stop_timeout: int,
        idle_timeout: int,
        came_up: Callable[[Dyno], float | None] | None = None,
    ) -> None:
        """`came_up`: when a dyno came up, as idling counts it (a cycled dyno counts
        from its predecessor's start); the supervisor's state time by default."""
        self.supervisor = supervisor
        self.came_up = came_up or supervisor.since
        self.driver = driver
        self.db = db
        self.logs = logs
        self.sleeping = sleeping
        self.locks = locks
        self.sync_router = sync_router
        self.stop_timeout = stop_timeout
        #: Starts as MINIDYNO_IDLE_TIMEOUT; the dashboard can shorten it for a class demo.
        self.idle_timeout = idle_timeout
        self._last_request: dict[str, float] = {}

    def requested(self, app: str, when: float) -> None:
        """The router served the app a request at `when`: idling counts from the last."""
        self._last_request[app] = when

    def web_dynos(self, app: str) -> list[Dyno]:
        return [d for d in self.driver.dynos(app) if d.process_type == "web"]

    def web_status(self, app: str) -> str:
        """What a request to this app meets, for the activator to act on."""
        if app in self.sleeping:
            return WebStatus.IDLE
        with self.db.connect() as conn:
            release = releases.current(conn, app)
            wanted = formation.get(conn, app).get("web", 0)
        if release is None or "web" not in release.processes or wanted == 0:
            return WebStatus.NONE
        states = {self.supervisor.state_of(d) for d in self.web_dynos(app)}
        if State.UP in states:
            return WebStatus.UP
        if states <= {State.CRASHED} and states:
            return WebStatus.CRASHED
        return WebStatus.STARTING

    def up_addresses(self, app: str) -> list[str]:
        return [d.address for d in self.web_dynos(app) if self.supervisor.routable(d) and d.address]

    # -- sleeping ----------------------------------------------------------------------

    def idle_due(self) -> None:
        """Put to sleep every eco app whose web dynos have had no request for the idle
        timeout (counted from the last request, or from when they came up)."""
        timeout = self.idle_timeout
        with self.db.connect() as conn:
            candidates = {
                a.name
                for a in apps.all_apps(conn)
                if a.dyno_type == "eco" and not a.idle and not a.maintenance
            }
        up_of = by_app(
            d
            for d in self.driver.dynos()
            if d.app in candidates and d.process_type == "web" and self.supervisor.state_of(d) == State.UP
        )
        now = time.time()
        for app, up in sorted(up_of.items()):
            last = max([self._last_request.get(app, 0.0), *(self.came_up(d) or now for d in up)])
            if now - last >= timeout:
                with self.locks.if_free(app) as held:
                    if held:
                        self.idle(app)

    def formation_dynos(self, app: str) -> list[Dyno]:
        """Every dyno of the app but its one-off ones."""
        return [d for d in self.driver.dynos(app) if d.process_type != "run"]

    def idle(self, app: str) -> None:
        """The caller holds the app's lock."""
        dynos = [d for d in self.formation_dynos(app) if d.running]
        self.sleeping.put_to_sleep(app)
        for dyno in dynos:
            self.logs.platform(app, dyno.name, "Idling")
        self.sync_router()
        for dyno in dynos:
            with contextlib.suppress(EngineDown):
                self.driver.stop(dyno, self.stop_timeout)
            self.supervisor.set_state(dyno, State.IDLE)

    # -- waking ------------------------------------------------------------------------

    def wake_or_wait(self, app: str) -> list[str]:
        """What the activator needs: up addresses, waking the app if it sleeps."""
        return self.wake(app) or self.wait_until_up(app)

    def wake(self, app: str) -> list[str]:
        """Start the app's sleeping dynos (the kept containers when their release is
        still current), web first, and return the web dynos' addresses once they accept
        connections; [] when the app was not asleep. The other types start while the web
        dynos boot, and are not waited for. Routing through nginx follows in the
        background, so the caller can forward at once."""
        with self.locks.of(app):
            if app not in self.sleeping:
                return []
            with self.db.connect() as conn:
                release = releases.current(conn, app)
                wanted = formation.get(conn, app)
            self.sleeping.wake(app)
            kept = {d.name: d for d in self.formation_dynos(app)}
            names = [
                f"{process_type}.{index}"
                for process_type in sorted(wanted, key=lambda t: t != "web")
                if process_type in release.processes
                for index in range(1, wanted[process_type] + 1)
            ]
            started = []
            for name in names:
                self.logs.platform(app, name, "Unidling")
                started.append(self._start(release, kept.pop(name, None), name))
            for surplus in kept.values():
                with contextlib.suppress(EngineDown):
                    self.driver.remove(surplus)
            addresses = []
            for dyno in (d for d in started if d.process_type == "web"):
                try:
                    wait_until_listening(self.driver, dyno, WAKE_TIMEOUT)
                except BootFailed as failed:
                    raise WakeFailed("H20" if "R10" in str(failed) else "H10", str(failed)) from None
                self.supervisor.set_state(dyno, State.UP, wait_for_router=False)
                addresses.append(dyno.address)
            return addresses

    def _start(self, release: releases.Release, kept: Dyno | None, name: str) -> Dyno:
        if kept is None or kept.release != release.version:
            if kept is not None:
                with contextlib.suppress(EngineDown):
                    self.driver.remove(kept)
            return self.supervisor.start_dyno(release, name)
        woken = self.driver.resume(kept)
        self.supervisor.track(woken, State.IDLE)
        self.supervisor.set_state(woken, State.STARTING)
        self.driver.follow(woken, self.logs, since_now=True)
        if woken.process_type != "web":
            self.supervisor.set_state(woken, State.UP)
        return woken

    def wait_until_up(self, app: str, timeout: float = WAKE_TIMEOUT) -> list[str]:
        """Addresses of the app's up web dynos, waiting for starting ones (H20 when none
        is up in time, H10 when they have all crashed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if addresses := self.up_addresses(app):
                return addresses
            status = self.web_status(app)
            if status == WebStatus.CRASHED:
                raise WakeFailed("H10", f"{app}'s web dynos have crashed")
            if status == WebStatus.NONE:
                raise WakeFailed("H14", f"{app} has no web dynos")
            time.sleep(0.02)
        raise WakeFailed("H20", f"{app} did not start within {timeout:.0f} s")
