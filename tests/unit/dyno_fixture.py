"""The dyno manager and the release layer wired as the Platform wires them, over the
in-memory driver and a real state database, log bus and locks: for unit tests of
their logic without Docker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from minidyno.logs.bus import LogBus
from minidyno.progress import Say
from minidyno.release.changes import ConfigChanges
from minidyno.release.phase import ReleasePhaseFailed
from minidyno.release.releasing import Releaser
from minidyno.runtime.cycling import Cycler
from minidyno.runtime.idling import Idler
from minidyno.runtime.locks import AppLocks
from minidyno.runtime.scale import Scaler
from minidyno.runtime.sleep import SleepingApps
from minidyno.runtime.states import State
from minidyno.runtime.supervisor import Supervisor
from minidyno.settings import Settings
from minidyno.state import apps, formation, releases
from minidyno.state.db import Database
from minidyno.state.releases import Release, Slug
from tests.unit.fake_driver import FakeDriver

APP = "shop"


@dataclass
class Manager:
    driver: FakeDriver
    db: Database
    logs: LogBus
    supervisor: Supervisor
    idler: Idler
    scaler: Scaler
    releaser: Releaser
    config: ConfigChanges
    #: Cycling every MINIDYNO_DYNO_CYCLE's default day; an app's cycle runs at once.
    cycler: Cycler
    #: Release phases run, as `vN: command`; one whose command is `fail` fails.
    phases: list[str]

    def release(self, processes: dict[str, str], quantities: dict[str, int] | None = None) -> Release:
        """A new succeeded release of APP running `processes`, with its formation."""
        with self.db.connect() as conn:
            if not any(a.name == APP for a in apps.all_apps(conn)):
                apps.create(conn, APP)
            made = releases.create(conn, APP, "Deploy", Slug("img", "trixie", None, processes), {})
            releases.set_status(conn, APP, made.version, "succeeded")
            formation.ensure_types(conn, APP, list(processes))
            for process_type, quantity in (quantities or {}).items():
                formation.set_quantity(conn, APP, process_type, quantity)
        return made

    def serving(self, processes: dict[str, str], quantities: dict[str, int]) -> Release:
        """A release whose dynos are all up."""
        release = self.release(processes, quantities)
        self.supervisor.reconcile(APP)
        wait_for(lambda: set(self.states().values()) == {State.UP}, "every dyno up")
        return release

    def log(self) -> list[str]:
        return [f"{line.process}: {line.message}" for line in self.logs.recent(APP, 1000)]

    def states(self) -> dict[str, State]:
        return {d.name: self.supervisor.state_of(d) for d in self.driver.dynos(APP)}


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[Manager]:
    settings = Settings(
        home=tmp_path, boot_timeout=1, stop_timeout=1, crash_backoff_base=60, crash_backoff_cap=600
    )
    driver = FakeDriver()
    db = Database(tmp_path / "state.sqlite3")
    logs = LogBus(tmp_path / "logs")
    sleeping = SleepingApps(db)
    locks = AppLocks()
    supervisor: Supervisor

    def sync_router() -> None:
        routed = sorted(d.name for d in driver.dynos() if supervisor.routable(d))
        driver.timeline.append(f"route {routed}")

    supervisor = Supervisor(driver, db, logs, sleeping, locks, settings, sync_router)
    cycler = Cycler(
        supervisor, driver, db, logs, sleeping, locks, settings.dyno_cycle, spawn=lambda work: work()
    )
    idler = Idler(
        supervisor,
        driver,
        db,
        logs,
        sleeping,
        locks,
        sync_router,
        stop_timeout=1,
        idle_timeout=1800,
        came_up=cycler.came_up,
    )
    scaler = Scaler(supervisor, idler, driver, db, logs, locks, max_per_type=10)
    phases: list[str] = []

    def release_phase(release: Release, say: Say) -> None:
        command = release.processes["release"]
        phases.append(f"v{release.version}: {command}")
        if command == "fail":
            raise ReleasePhaseFailed(f"the release command failed; v{release.version} was not released")

    releaser = Releaser(db, logs, supervisor, sleeping, release_phase=release_phase)
    config = ConfigChanges(releaser, db, locks)
    yield Manager(driver, db, logs, supervisor, idler, scaler, releaser, config, cycler, phases)
    driver.close()


def wait_for(check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    """Web dynos boot in the supervisor's background threads: wait for what they reach."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.01)
