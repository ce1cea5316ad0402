"""The dyno manager: keeps what runs equal to what the formation asks for.

The engine says what runs (through its DynoDriver); the state says what should. The
supervisor reconciles the two for every app, on a timer and at once when the engine
reports a dyno started or died: missing dynos are started, surplus ones stopped,
crashed ones restarted on Heroku's schedule (at once, then with a growing cool-off).
A restarted server re-adopts the dynos it finds, so nothing is restarted for the
control plane's sake.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from minidyno.logs.bus import LogBus
from minidyno.runtime.boot import BootFailed, accepts, wait_until_listening
from minidyno.runtime.driver import Dyno, DynoDriver, DynoGone, EngineDown, by_app
from minidyno.runtime.locks import AppLocks
from minidyno.runtime.memory_quota import log_r15
from minidyno.runtime.sleep import SleepingApps
from minidyno.runtime.states import ContainerState, CrashHistory, State, restart_delay
from minidyno.settings import Settings
from minidyno.state import apps, formation, releases
from minidyno.state.db import Database
from minidyno.state.releases import Release

log = logging.getLogger("minidyno.supervisor")

RECONCILE_EVERY = 2.0
#: How soon an app the engine reported on is looked at again when it was busy.
TOUCHED_RETRY = 0.25


@dataclass(frozen=True)
class _Plan:
    surplus: list[Dyno]
    wanted: list[tuple[str, Dyno | None]]


class Supervisor:
    def __init__(
        self,
        driver: DynoDriver,
        db: Database,
        logs: LogBus,
        sleeping: SleepingApps,
        locks: AppLocks,
        settings: Settings,
        sync_router: Callable[[], None],
    ) -> None:
        self.driver = driver
        self.db = db
        self.logs = logs
        #: Apps whose web dynos sleep (kept, stopped containers).
        self.sleeping = sleeping
        self.locks = locks
        self.settings = settings
        #: Makes the router route as the dynos' states say now; returns once it does.
        self.sync_router = sync_router
        self._states: dict[str, ContainerState] = {}
        self._crashes: dict[tuple[str, str], CrashHistory] = {}
        self._lock = threading.RLock()
        self._retiring: set[str] = set()
        self._wake = threading.Event()
        #: Apps the engine said a dyno of started or exited since the last pass: looked
        #: at afresh whatever the listing says, as it lags the engine's events.
        self._touched: set[str] = set()

    # -- what the rest of the platform asks -------------------------------------------

    def state_of(self, dyno: Dyno) -> State:
        known = self._states.get(dyno.id)
        if known:
            return known.state
        if dyno.running:
            return State.STARTING
        return State.IDLE if dyno.process_type != "run" and dyno.app in self.sleeping else State.CRASHED

    def since(self, dyno: Dyno) -> float | None:
        known = self._states.get(dyno.id)
        return known.since if known else None

    def routable(self, dyno: Dyno, asleep: Collection[str] | None = None) -> bool:
        """Up, not being retired, and not of an app going to sleep: an idling app is
        routed to the activator before its dynos stop, so no request meets a stopping one.
        `asleep`, the sleeping apps read once, for a caller asking of every app's dynos."""
        return (
            dyno.process_type == "web"
            and dyno.running
            and dyno.id not in self._retiring
            and self.state_of(dyno) == State.UP
            and dyno.app not in (self.sleeping if asleep is None else asleep)
        )

    def set_state(self, dyno: Dyno, state: State, wait_for_router: bool = True) -> None:
        """Record and log a state change; a web dyno coming up or going away re-routes
        (in the background when the caller cannot wait for nginx)."""
        with self._lock:
            known = self._states.setdefault(dyno.id, ContainerState())
            previous = known.state
            if previous == state:
                return
            known.state, known.since = state, time.time()
        self.logs.platform(dyno.app, dyno.name, f"State changed from {previous} to {state}")
        if dyno.process_type == "web" and State.UP in (previous, state):
            if wait_for_router:
                self.sync_router()
            else:
                threading.Thread(target=self.sync_router, daemon=True).start()

    def track(self, dyno: Dyno, state: State) -> None:
        """Take on a container in a known state, without logging a change."""
        with self._lock:
            self._states[dyno.id] = ContainerState(state)

    def _history(self, app: str, name: str) -> CrashHistory:
        with self._lock:
            return self._crashes.setdefault((app, name), CrashHistory())

    def wake(self) -> None:
        self._wake.set()

    # -- starting and stopping dynos ---------------------------------------------------

    def start_dyno(self, release: Release, name: str) -> Dyno:
        command = release.processes[name.split(".")[0]]
        self.logs.platform(release.app, name, f"Starting process with command `{command}`")
        dyno = self.driver.start(release, name, command)
        self.track(dyno, State.STARTING)
        self.driver.follow(dyno, self.logs)
        if dyno.process_type != "web":
            self.set_state(dyno, State.UP)
        return dyno

    def boot(self, dyno: Dyno) -> float:
        """Wait for a web dyno to bind $PORT; R10 kills it when it does not."""
        try:
            seconds = wait_until_listening(self.driver, dyno, self.settings.boot_timeout)
        except BootFailed as failed:
            if "R10" in str(failed):
                self.logs.platform(
                    dyno.app,
                    dyno.name,
                    "Error R10 (Boot timeout) -> Web process "
                    f"failed to bind to $PORT within "
                    f"{self.settings.boot_timeout} seconds of launch",
                )
                self.logs.platform(dyno.app, dyno.name, "Stopping process with SIGKILL")
                self.driver.kill(dyno)
            self._crashed(dyno)
            raise
        self.set_state(dyno, State.UP)
        return seconds

    def stop_dyno(self, dyno: Dyno, replaced: bool = False) -> None:
        """SIGTERM, SIGKILL after the stop timeout (R12), then remove; blocks. A dyno
        `replaced` by a new one of its name (cycling) logs no `down`: its name stays
        `starting` until the new one is up, as in Heroku's log."""
        timeout = self.settings.stop_timeout
        self.logs.platform(dyno.app, dyno.name, "Stopping all processes with SIGTERM")
        with self._lock:
            self._retiring.add(dyno.id)
        started = time.monotonic()
        try:
            code = self.driver.stop(dyno, timeout)
            if code is None:
                return
            if code == 137 and time.monotonic() - started >= timeout:
                self.logs.platform(
                    dyno.app,
                    dyno.name,
                    "Error R12 (Exit timeout) -> At least one "
                    f"process failed to exit within {timeout} seconds of SIGTERM",
                )
                self.logs.platform(dyno.app, dyno.name, "Stopping remaining processes with SIGKILL")
            self.logs.platform(dyno.app, dyno.name, f"Process exited with status {code}")
            if not replaced:
                self.set_state(dyno, State.DOWN)
            self.driver.remove(dyno)
        finally:
            with self._lock:
                self._retiring.discard(dyno.id)
                self._states.pop(dyno.id, None)

    def retire(self, dynos: list[Dyno]) -> None:
        """Take dynos out of routing now and stop them in the background, so they finish
        their requests while the caller goes on."""
        with self._lock:
            self._retiring.update(d.id for d in dynos)
        if any(d.process_type == "web" for d in dynos):
            self.sync_router()
        for dyno in dynos:
            threading.Thread(target=self.stop_dyno, args=(dyno,), daemon=True).start()

    # -- reconciliation ----------------------------------------------------------------

    def start(
        self, before: Sequence[Callable[[], None]] = (), after: Sequence[Callable[[], None]] = ()
    ) -> None:
        """Reconcile every app on a timer, at once when a dyno starts or exits, and when
        a crashed one is due; `before` and `after` each pass, chores that share its
        rhythm (the router's watch, idling), each going on whatever the others did."""
        steps = (*before, self.reconcile_all, *after)
        threading.Thread(target=self._loop, args=(steps,), name="supervisor", daemon=True).start()
        threading.Thread(target=self._watch_events, name="dyno-events", daemon=True).start()

    def _loop(self, steps: Sequence[Callable[[], None]]) -> None:
        engine_lost = False
        while True:
            self._wake.wait(self._until_next_restart())
            self._wake.clear()
            answered = True
            for step in steps:
                try:
                    step()
                except EngineDown as exc:
                    # dockerd restarting: the dynos are left as they are until it answers.
                    if not engine_lost:
                        log.warning("the Docker engine does not answer (%s); retrying", exc)
                    answered = False
                except Exception:
                    log.exception("%s failed", getattr(step, "__name__", step))
            engine_lost = not answered

    def _watch_events(self) -> None:
        while True:
            try:
                for app in self.driver.events():
                    with self._lock:
                        self._touched.add(app)
                    self._wake.set()
            except Exception:
                time.sleep(1)

    def _until_next_restart(self) -> float:
        """Sleep until the next crashed dyno is due, so a cool-off is as long as it says."""
        now = time.time()
        with self._lock:
            due = [h.restart_at - now for h in self._crashes.values() if h.restart_at > now]
            if self._touched:
                due.append(TOUCHED_RETRY)
        return max(0.01, min([RECONCILE_EVERY, *due]))

    def reconcile_all(self) -> None:
        """Reconcile each app whose dynos are not what its formation asks. Which ones is
        told from one listing of the engine and one read of the state for every app, so
        a pass over a class's hundred idle apps asks the engine once; each such app, and
        each the engine said a dyno of started or exited, is then reconciled afresh under
        its lock, as the listing may be older than that."""
        with self._lock:
            touched, self._touched = self._touched, set()
        with self.db.connect() as conn:
            found = apps.all_apps(conn)
            current = releases.current_of_all(conn)
            counts = formation.of_all(conn)
        listed = by_app(self.driver.dynos())
        for app in found:
            release = current.get(app.name)
            if release is None:
                continue
            plan = self._plan(release, counts.get(app.name, {}), listed.get(app.name, []), app.idle)
            if app.name not in touched and self._in_step(plan):
                continue
            with self.locks.if_free(app.name) as held:
                if held:
                    self.reconcile(app.name)
                elif app.name in touched:
                    # Busy (a scale, a deploy): looked at again in a moment, not in 2 s.
                    with self._lock:
                        self._touched.add(app.name)

    def reconcile(self, app: str) -> None:
        """One pass for one app; the caller holds the app's lock."""
        with self.db.connect() as conn:
            release = releases.current(conn, app)
            counts = formation.get(conn, app)
        if release is None:
            return
        plan = self._plan(release, counts, self.driver.dynos(app), app in self.sleeping)
        if plan.surplus:
            self.retire(plan.surplus)
        for name, newest in plan.wanted:
            if newest is None:
                self._launch(release, name)
            else:
                self._check(release, newest)

    def _plan(self, release: Release, counts: dict[str, int], dynos: list[Dyno], asleep: bool) -> _Plan:
        """What reconciling would act on: the surplus to retire, and each wanted dyno name
        with its newest dyno (None when missing). An eco app's dynos all sleep with its
        web dynos, workers included, as on Heroku."""
        wanted = {
            f"{t}.{i}"
            for t, q in counts.items()
            if t in release.processes and not asleep
            for i in range(1, q + 1)
        }
        present: dict[str, list[Dyno]] = {}
        unfinished: list[Dyno] = []
        for dyno in dynos:
            if dyno.process_type == "run" or asleep or dyno.id in self._retiring:
                continue
            if dyno.release > release.version:
                # Of a release that never succeeded (the server stopped mid-release):
                # never adopted, whatever it is doing.
                unfinished.append(dyno)
                continue
            present.setdefault(dyno.name, []).append(dyno)
        return _Plan(
            surplus=unfinished + [d for name, ds in present.items() if name not in wanted for d in ds],
            wanted=[
                (name, max(present[name], key=lambda d: d.release) if name in present else None)
                for name in sorted(wanted)
            ],
        )

    def _in_step(self, plan: _Plan) -> bool:
        """Nothing to retire, start, adopt or restart, and no crash count to forget."""
        if plan.surplus:
            return False
        for _, dyno in plan.wanted:
            if dyno is None or not dyno.running or dyno.id not in self._states:
                return False
            history = self._crashes.get((dyno.app, dyno.name))
            if history and history.crashes:
                return False
        return True

    def _check(self, release: Release, dyno: Dyno) -> None:
        history = self._history(dyno.app, dyno.name)
        if dyno.running:
            if dyno.id not in self._states:
                self._adopt(dyno)
            elif (
                history.crashes
                and self.state_of(dyno) == State.UP
                and time.time() - (self.since(dyno) or 0) > self.settings.crash_backoff_cap
            ):
                history.crashes = 0
            return
        if self.state_of(dyno) != State.CRASHED or dyno.id not in self._states:
            self._crashed(dyno)
        if time.time() >= history.restart_at:
            self.driver.remove(dyno)
            with self._lock:
                known = self._states.pop(dyno.id, None)
            if known is None or known.state == State.CRASHED:
                self.logs.platform(dyno.app, dyno.name, "State changed from crashed to starting")
            self._launch(release, dyno.name)

    def _adopt(self, dyno: Dyno) -> None:
        """A running container this server did not start (or started before a restart):
        take it on as it is, up once it answers."""
        self.track(dyno, State.STARTING)
        self.driver.follow(dyno, self.logs, since_now=True)
        if dyno.process_type != "web" or (dyno.address and accepts(dyno.address)):
            self.set_state(dyno, State.UP)
        else:
            threading.Thread(target=self._boot_quietly, args=(dyno,), daemon=True).start()

    def _crashed(self, dyno: Dyno) -> None:
        now = self.driver.inspect(dyno)
        if now is None:
            return  # removed meanwhile (retired or replaced): no crash of its
        code = now.exit_code
        history = self._history(dyno.app, dyno.name)
        with self._lock:
            self._states.setdefault(dyno.id, ContainerState(State.UP))
            # Lost with its node, not the app's crash: restarted at once, where the
            # engine places it, and nothing counted against it.
            delay = 0.0
            if not now.lost:
                history.crashes += 1
                delay = restart_delay(
                    history.crashes, self.settings.crash_backoff_base, self.settings.crash_backoff_cap
                )
            history.restart_at = time.time() + delay
        if now.lost:
            self.logs.platform(dyno.app, dyno.name, f"Process lost: {now.lost}; restarting it")
            self.set_state(dyno, State.STARTING)
            return
        if now.oom_killed:
            log_r15(self.logs, dyno, self.settings.memory_quota_mb)
        self.logs.platform(dyno.app, dyno.name, f"Process exited with status {code}")
        self.set_state(dyno, State.CRASHED)
        if delay:
            self.logs.platform(
                dyno.app, dyno.name, f"Crashed {history.crashes} times in a row; restarting in {delay:.0f} s"
            )

    def _launch(self, release: Release, name: str) -> None:
        dyno = self.start_dyno(release, name)
        if dyno.process_type == "web":
            threading.Thread(target=self._boot_quietly, args=(dyno,), daemon=True).start()

    def _boot_quietly(self, dyno: Dyno) -> None:
        with contextlib.suppress(BootFailed, DynoGone, EngineDown):
            self.boot(dyno)
