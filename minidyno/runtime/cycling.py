"""Dyno cycling: as Heroku does, every formation dyno is replaced once a day, plus up to
216 random minutes so that an app's dynos do not all go at once (MINIDYNO_DYNO_CYCLE
shortens the day for a class). The replacement is a new container from the release's
image, never a `docker restart` of the old one, so what a dyno wrote to its filesystem
is gone the next day: the ephemeral filesystem shows itself here as on Heroku.
One-off dynos are not cycled.

A dyno's day counts from when the engine last started its container, so a restart, a
release or a wake from idling begins it again, as on Heroku. Its jitter is drawn from
the container's id, so a restarted server cycles each dyno when the last one would have.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable

from minidyno.logs.bus import LogBus
from minidyno.runtime.boot import BootFailed
from minidyno.runtime.driver import Dyno, DynoDriver, DynoGone, EngineDown
from minidyno.runtime.locks import AppLocks
from minidyno.runtime.sleep import SleepingApps
from minidyno.runtime.states import State
from minidyno.runtime.supervisor import Supervisor
from minidyno.state import formation, releases
from minidyno.state.db import Database
from minidyno.state.releases import Release

log = logging.getLogger("minidyno.cycling")

#: Heroku's jitter, up to 216 minutes beyond a 24-hour day: the same share of any period.
JITTER_SHARE = 216 / 1440


def jitter(dyno_id: str, period: float) -> float:
    """Seconds this dyno waits beyond the period, in [0, JITTER_SHARE x period): drawn
    from its id, so the same whoever asks and whenever, and spread between dynos."""
    digest = hashlib.sha256(dyno_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * JITTER_SHARE * period


def _in_background(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="cycling", daemon=True).start()


class Cycler:
    def __init__(
        self,
        supervisor: Supervisor,
        driver: DynoDriver,
        db: Database,
        logs: LogBus,
        sleeping: SleepingApps,
        locks: AppLocks,
        period: float,
        spawn: Callable[[Callable[[], None]], None] = _in_background,
    ) -> None:
        self.supervisor = supervisor
        self.driver = driver
        self.db = db
        self.logs = logs
        self.sleeping = sleeping
        self.locks = locks
        #: MINIDYNO_DYNO_CYCLE: seconds from a dyno's start to its cycle, before jitter.
        self.period = period
        #: Runs one app's cycle; a thread of its own, or at once in a test.
        self.spawn = spawn
        #: When each container last started, as inspected: the listing a pass reads gives
        #: only when it was made, long before for a dyno woken from idling, which is then
        #: inspected once, not at every pass until its real time comes.
        self._started: dict[str, float] = {}
        #: The time each dyno a cycle started stands in for, for idling: a cycle is no
        #: request, so an eco app nobody visits sleeps on time, as on Heroku.
        self._stands_for: dict[str, float] = {}
        self._guard = threading.Lock()

    def came_up(self, dyno: Dyno) -> float | None:
        """When the dyno came up, as idling counts: a cycled one's predecessor's time."""
        with self._guard:
            carried = self._stands_for.get(dyno.id)
        return carried or self.supervisor.since(dyno)

    def due_at(self, dyno: Dyno) -> float | None:
        """When the dyno is to cycle: the period and its jitter after it last started (the
        latest the engine said); None when the engine has not said."""
        with self._guard:
            started = max(dyno.started_at or 0.0, self._started.get(dyno.id, 0.0))
        return started + self.period + jitter(dyno.id, self.period) if started else None

    def cycle_due(self, now: float | None = None) -> None:
        """The supervisor's step: from one listing of every app's dynos, cycle each awake
        app that has a dyno past its time, in a thread of its own, so that a dyno's stop
        and boot hold up neither the supervisor nor another app."""
        now = now or time.time()
        asleep = self.sleeping.all()
        listed = self.driver.dynos()
        present = {d.id for d in listed}
        with self._guard:
            self._started = {i: t for i, t in self._started.items() if i in present}
            self._stands_for = {i: t for i, t in self._stands_for.items() if i in present}
        for app in sorted({d.app for d in listed if d.app not in asleep and self._due(d, now)}):
            self.spawn(functools.partial(self._cycle_if_free, app, now))

    def cycle(self, app: str, now: float) -> None:
        """Cycle the app's dynos past their time, one after the other, so that a second web
        dyno serves while the first is replaced. The caller holds the app's lock. The
        dynos are read again, inspected: when each really started, and whether the app
        went to sleep or was scaled down since the listing."""
        if app in self.sleeping:
            return
        with self.db.connect() as conn:
            release = releases.current(conn, app)
            counts = formation.get(conn, app)
        if release is None:
            return
        for dyno in self.driver.dynos(app):
            if dyno.started_at is not None:
                with self._guard:
                    self._started[dyno.id] = dyno.started_at
            if dyno.release == release.version and _wanted(dyno, counts) and self._due(dyno, now):
                self._replace(release, dyno)

    def _cycle_if_free(self, app: str, now: float) -> None:
        """A busy app (a deploy, a scale) is seen to on a later pass."""
        with self.locks.if_free(app) as held:
            if not held:
                return
            try:
                self.cycle(app, now)
            except EngineDown as exc:
                log.warning("%s's dynos were not cycled: the Docker engine does not answer (%s)", app, exc)
            except Exception:
                # A thread of its own: nothing above it would say what went wrong.
                log.exception("%s's dynos were not cycled", app)

    def _due(self, dyno: Dyno, now: float) -> bool:
        """An up formation dyno past its time."""
        due = self.due_at(dyno)
        return (
            dyno.process_type != "run"
            and dyno.running
            and self.supervisor.state_of(dyno) == State.UP
            and due is not None
            and due <= now
        )

    def _replace(self, release: Release, dyno: Dyno) -> None:
        """Heroku's cycle without preboot, in its words: the old dyno is routed away and
        stopped, then a new one of its name starts. An app's only web dyno leaves a gap,
        as on Heroku; the activator holds its requests until the new one is up."""
        came_up = self.came_up(dyno)
        self.logs.platform(dyno.app, dyno.name, "Cycling")
        self.supervisor.set_state(dyno, State.STARTING)
        self.supervisor.stop_dyno(dyno, replaced=True)
        fresh = self.supervisor.start_dyno(release, dyno.name)
        if came_up:
            with self._guard:
                self._stands_for[fresh.id] = came_up
        if fresh.process_type == "web":
            # A new dyno that does not boot is the supervisor's crash to restart.
            with contextlib.suppress(BootFailed, DynoGone):
                self.supervisor.boot(fresh)


def _wanted(dyno: Dyno, counts: dict[str, int]) -> bool:
    """In the formation: not a surplus dyno the supervisor is retiring after a scale down."""
    return int(dyno.name.rsplit(".", 1)[1]) <= counts.get(dyno.process_type, 0)
