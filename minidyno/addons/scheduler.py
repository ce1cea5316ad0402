"""Heroku Scheduler: the add-on, and the clock that starts its jobs.

Each run is a one-off dyno (`scheduler.4821`, four digits as on Heroku) of the app's
current release with its config vars, its output on the app's log. The job records the
dyno it started, so a run in progress outlives a restart of the server and a job that
runs past its next start is not started twice. As on Heroku, a scheduler dyno runs no
longer than its job's interval (nor past the job's next start): then it is stopped as
any dyno is (SIGTERM, SIGKILL after the stop timeout), and the next run starts once it
has exited.

Best effort, as Heroku documents: starts that fell while the server was down are not
replayed; the job's next start is the next one after the server came back.
"""

from __future__ import annotations

import contextlib
import logging
import random
import sqlite3
import threading
import time
from typing import Any

from minidyno.addons import schedule
from minidyno.errors import Conflict, UserError
from minidyno.logs.bus import LogBus
from minidyno.progress import Say
from minidyno.runtime.driver import Dyno, DynoDriver, EngineDown
from minidyno.state import addons, apps, releases
from minidyno.state import scheduler as jobs
from minidyno.state.addons import Addon
from minidyno.state.db import Database
from minidyno.state.scheduler import Job

log = logging.getLogger("minidyno.scheduler")

#: Seconds between looks at running jobs' dynos.
POLL = 1.0
#: Seconds an exited job's container is kept, so its log follower reads its last line.
KEEP_EXITED = 2.0


class Scheduler:
    """The add-on's jobs and their clock. `minute` is the length of a minute in
    seconds (MINIDYNO_SCHEDULER_MINUTE): 60, or less for a class demo; `stop_timeout`
    the seconds a dyno stopped at its interval has between SIGTERM and SIGKILL."""

    names = ("scheduler",)
    plans = ("standard",)
    prefix = "scheduler"
    #: Nothing to attach: Heroku Scheduler sets no config var.
    config_var = ""
    colour_prefix = ""

    def __init__(
        self, driver: DynoDriver, db: Database, logs: LogBus, minute: float, stop_timeout: float
    ) -> None:
        self.driver = driver
        self.db = db
        self.logs = logs
        self.minute = minute
        self.stop_timeout = stop_timeout
        self._wake = threading.Event()
        self._lock = threading.Lock()
        #: Exited scheduler dynos by id, with when they were first seen exited.
        self._exited: dict[str, float] = {}
        #: Names of scheduler dynos being stopped at the end of their interval.
        self._stopping: set[str] = set()
        #: Jobs whose due run starts once their stopping dyno has exited.
        self._after_stop: set[int] = set()

    # The AddonService side: a scheduler has no resources of its own, only jobs.

    def prepare(self, say: Say) -> None:
        pass

    def provision(self, addon: Addon, say: Say) -> None:
        say(f"       {addon.name} is ready: add jobs with `minidyno scheduler:add -a {addon.app}`")

    def url(self, addon: Addon) -> str:
        return ""

    def info(self, addon: Addon) -> dict[str, Any]:
        with self.db.connect() as conn:
            return {"name": addon.name, "plan": addon.plan, "jobs": len(jobs.for_app(conn, addon.app))}

    def set_password(self, addon: Addon, password: str) -> None:
        pass

    def recover(self, addon: Addon) -> None:
        pass

    def destroy(self, addon: Addon) -> None:
        """Its jobs go with it; a run in progress finishes, and its dyno is then removed."""
        with self._lock, self.db.connect() as conn:
            jobs.delete_app(conn, addon.app)

    # Jobs.

    def add(self, app: str, command: str, every: str, at: str | None) -> Job:
        at = _checked(every, at)
        if not command.strip():
            raise UserError('a job needs a command: minidyno scheduler:add "python task.py" --every 1h')
        with self.db.connect() as conn:
            self._added(conn, app)
            job = jobs.create(conn, app, command, every, at, self._next(every, at, time.time()))
        self.logs.platform(app, "scheduler", f"Job {job.id} added: `{command}` every {every}")
        self._wake.set()
        return job

    def update(self, app: str, job_id: int, command: str | None, every: str | None, at: str | None) -> Job:
        with self._lock, self.db.connect() as conn:
            job = jobs.get(conn, app, job_id)
            every = every or job.every
            # A new frequency drops the old one's `--at` unless a new one is given.
            at = _checked(every, at if at is not None else job.at if every == job.every else None)
            changes: dict[str, object] = {"every": every, "at": at}
            if command is not None:
                if not command.strip():
                    raise UserError("a job's command cannot be empty; give the command to run")
                changes["command"] = command
            if (every, at) != (job.every, job.at):
                changes["next_run"] = self._next(every, at, time.time())
            jobs.update(conn, job_id, **changes)
            job = jobs.get(conn, app, job_id)
        self._wake.set()
        return job

    def remove(self, app: str, job_id: int) -> None:
        with self._lock, self.db.connect() as conn:
            jobs.get(conn, app, job_id)
            jobs.delete(conn, job_id)
        self.logs.platform(app, "scheduler", f"Job {job_id} removed")

    def list(self, app: str) -> list[Job]:
        with self.db.connect() as conn:
            self._added(conn, app)
            return jobs.for_app(conn, app)

    def _added(self, conn: sqlite3.Connection, app: str) -> None:
        apps.get(conn, app)
        if not any(a.service == self.names[0] for a in addons.for_app(conn, app)):
            raise UserError(
                f"{app} has no scheduler; add it with `minidyno addons:create scheduler -a {app}`"
            )

    def run_now(self, app: str, job_id: int) -> str:
        """`scheduler:run`: the job's dyno started now, its schedule unchanged."""
        with self._lock:
            with self.db.connect() as conn:
                job = jobs.get(conn, app, job_id)
            if job.dyno:
                job = self._finish(job)
            if job.dyno:
                raise Conflict(f"job {job_id} is still running as {job.dyno}; wait for it to exit")
            name = self._start(job)
        self._wake.set()
        return name

    # The clock.

    def start(self) -> None:
        self._skip_missed()
        threading.Thread(target=self._loop, name="scheduler", daemon=True).start()

    def _skip_missed(self) -> None:
        """Starts that fell while the server was down are not replayed in a storm."""
        now = time.time()
        with self.db.connect() as conn:
            for job in jobs.all_jobs(conn):
                if job.next_run < now - self.minute:
                    upcoming = self._next(job.every, job.at, now)
                    jobs.update(conn, job.id, next_run=upcoming)
                    self.logs.platform(
                        job.app,
                        "scheduler",
                        f"Job {job.id} missed its run at {_when(job.next_run)} while the server was down;"
                        f" next run at {_when(upcoming)}",
                    )

    def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                wait = self.tick(time.time())
            except Exception:
                log.exception("scheduler tick failed")
                wait = POLL
            self._wake.wait(wait)

    def tick(self, now: float) -> float:
        """Start what is due, note what finished, stop what ran its interval; the
        seconds until there is more to do. Each job is read afresh under the lock, as
        `update`, `remove` and `scheduler:run` change jobs between ticks."""
        for job_id in [j.id for j in self._all()]:
            with self._lock:
                with self.db.connect() as conn:
                    job = jobs.find(conn, job_id)
                if job is None:
                    continue
                if job.dyno:
                    job = self._finish(job)
                if job.dyno:
                    self._limit(job, now)
                if job.next_run <= now:
                    self._due(job, now)
        left = self._all()
        self._remove_exited({(j.app, j.dyno) for j in left if j.dyno}, now)
        upcoming = [j.next_run for j in left]
        wait = min(upcoming, default=now + 30.0) - time.time()
        if any(j.dyno for j in left) or self._exited:
            wait = min(wait, POLL)
        return max(0.0, min(wait, 30.0))

    def _all(self) -> list[Job]:
        with self.db.connect() as conn:
            return jobs.all_jobs(conn)

    def _due(self, job: Job, now: float) -> None:
        """Its next start is worked out before this one, so a start that fails is not
        retried in a storm. A dyno still running now has reached the job's next start,
        so `_limit` is stopping it: this run starts once it has exited."""
        upcoming = self._next(job.every, job.at, now)
        with self.db.connect() as conn:
            jobs.update(conn, job.id, next_run=upcoming)
        if job.dyno:
            self._after_stop.add(job.id)
            self.logs.platform(
                job.app,
                "scheduler",
                f"Job {job.id}'s run at {_when(job.next_run)} starts once {job.dyno} has stopped",
            )
            return
        self._try_start(job)

    def _try_start(self, job: Job) -> None:
        # Why it did not start is on the app's log already.
        with contextlib.suppress(UserError):
            self._start(job)

    def _start(self, job: Job) -> str:
        with self.db.connect() as conn:
            release = releases.current(conn, job.app)
        if release is None:
            self.logs.platform(job.app, "scheduler", f"Job {job.id} did not run: the app has no release yet")
            raise UserError(f"{job.app} has no release yet; push it before its jobs can run")
        name = self._dyno_name(job.app)
        with self.db.connect() as conn:
            jobs.update(conn, job.id, dyno=name, last_run=time.time(), last_status=None)
        self.logs.platform(job.app, name, f"Starting process with command `{job.command}`")
        try:
            self.driver.run_detached(release, name, job.command, self.logs)
        except EngineDown as exc:
            with self.db.connect() as conn:
                jobs.update(conn, job.id, dyno=None)
            self.logs.platform(job.app, name, f"Could not start: {exc}")
            raise UserError(f"could not start {name}: the Docker engine refused ({exc})") from None
        self.logs.platform(job.app, name, "State changed from starting to up")
        return name

    def _dyno_of(self, job: Job) -> Dyno | None:
        return next((d for d in self.driver.dynos(job.app) if d.name == job.dyno), None)

    def _finish(self, job: Job) -> Job:
        """A job whose dyno has exited gets its exit status; the dyno is removed soon
        after, as Heroku's one-off dynos are."""
        dyno = self._dyno_of(job)
        if dyno is not None and dyno.running:
            return job
        status = dyno.exit_code if dyno else None
        with self.db.connect() as conn:
            jobs.update(conn, job.id, dyno=None, last_status=status)
        if dyno is None:
            gone = "Process gone before its exit status was seen"
            self.logs.platform(job.app, job.dyno or "scheduler", gone)
        else:
            self.logs.platform(job.app, dyno.name, f"Process exited with status {status}")
            self.logs.platform(job.app, dyno.name, "State changed from up to complete")
        with self.db.connect() as conn:
            return jobs.get(conn, job.app, job.id)

    def _limit(self, job: Job, now: float) -> None:
        """Heroku stops a scheduler dyno once it has run for its job's interval (a 10m
        job's after about ten minutes): long work belongs on a worker. Here it is also
        stopped at the job's next start, so that start is neither doubled nor lost. The
        stop runs beside the clock, which must not wait out a dyno's stop timeout."""
        interval = schedule.PERIODS[job.every] * self.minute
        deadline = min((job.last_run or now) + interval, job.next_run)
        if now < deadline or job.dyno in self._stopping:
            return
        dyno = self._dyno_of(job)
        if dyno is None:
            return
        # One that exited since `_finish` looked is stopped all the same (at once), so
        # the run waiting on it still starts.
        self._stopping.add(dyno.name)
        reached = f"Reached its job's {job.every} interval: a scheduler dyno runs no longer"
        self.logs.platform(job.app, dyno.name, reached)
        self.logs.platform(job.app, dyno.name, "Stopping all processes with SIGTERM")

        def stop() -> None:
            try:
                with contextlib.suppress(EngineDown):
                    self.driver.stop(dyno, self.stop_timeout)
            finally:
                with self._lock:
                    self._stopping.discard(dyno.name)
                    self._after_stopped(job.id)
                self._wake.set()

        threading.Thread(target=stop, name=f"stop-{dyno.name}", daemon=True).start()

    def _after_stopped(self, job_id: int) -> None:
        """The exit of a dyno stopped at its interval is recorded, and the run that
        waited on it started."""
        with self.db.connect() as conn:
            job = jobs.find(conn, job_id)
        waiting = job_id in self._after_stop
        self._after_stop.discard(job_id)
        if job is None:
            return
        if job.dyno:
            job = self._finish(job)
        if waiting and not job.dyno:
            self._try_start(job)

    def _remove_exited(self, running_jobs: set[tuple[str, str | None]], now: float) -> None:
        """Every scheduler dyno that has exited and that no job waits on is removed a
        moment after, as Heroku's one-off dynos are: those of finished runs, of jobs
        removed while they ran, and those a stopped server left."""
        seen: dict[str, float] = {}
        for dyno in self.driver.dynos():
            if (
                not dyno.name.startswith("scheduler.")
                or dyno.running
                or (dyno.app, dyno.name) in running_jobs
            ):
                continue
            seen[dyno.id] = self._exited.get(dyno.id, now)
            if now - seen[dyno.id] >= KEEP_EXITED:
                with contextlib.suppress(EngineDown):
                    self.driver.remove(dyno)
                    del seen[dyno.id]
        # Only dynos still there are remembered: one removed elsewhere is forgotten.
        self._exited = seen

    def _dyno_name(self, app: str) -> str:
        taken = {d.name for d in self.driver.dynos(app)}
        while (name := f"scheduler.{random.randint(1000, 9999)}") in taken:
            pass
        return name

    def _next(self, every: str, at: str | None, after: float) -> float:
        return schedule.next_run(every, at, after, self.minute)


def _checked(every: str, at: str | None) -> str | None:
    try:
        return schedule.normalised_at(every, at)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def described(job: Job) -> dict[str, Any]:
    """A job as the API and the CLI show it."""
    return {
        "id": job.id,
        "command": job.command,
        "every": job.every,
        "at": job.at,
        "next_run": _when(job.next_run),
        "last_run": _when(job.last_run) if job.last_run else None,
        "last_status": job.last_status,
        "running": job.dyno,
    }
