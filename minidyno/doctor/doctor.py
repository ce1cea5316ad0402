"""`minidyno doctor`: will this app work on Heroku? The source is read for what would
be refused or lost there, then built as a push would be and run in one throwaway dyno,
as Heroku would run it: a random $PORT, a `postgres://` DATABASE_URL of a database that
refuses connections without TLS, `DYNO` set, Heroku's limits. Nothing of the run stays
but its build cache (kept for the next run) and the report.

The throwaway resources belong to a scratch name, `doctor_<app>`, which no app can
have (app names take no `_`): the engine lists its dyno with the others, but the
supervisor, the router, the idler and the cycler act only on apps in the state.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import random
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import docker
from docker.errors import DockerException, ImageNotFound

from minidyno import abandon, labels, procfile
from minidyno.addons.postgres import PostgresService
from minidyno.compile import app_json, pipeline
from minidyno.compile.source import Source
from minidyno.doctor import source_checks, verdicts
from minidyno.doctor.dyno_watch import Watched, watch
from minidyno.doctor.report import FAIL, PASS, SKIP, WARN, Report
from minidyno.errors import UserError
from minidyno.progress import Say
from minidyno.release import phase
from minidyno.runtime.dynos import WEB_PORT, DockerRuntime
from minidyno.runtime.locks import AppLocks
from minidyno.settings import Settings
from minidyno.stacks import recipes
from minidyno.state import addons, config_vars, doctor_reports
from minidyno.state.addons import Addon
from minidyno.state.db import Database
from minidyno.state.releases import Release

log = logging.getLogger("minidyno.doctor")

#: The checks that need the dyno; each is skipped, with the reason, when there is none.
DYNO_CHECKS = ("release", "bind", "response", "cookies", "filesystem", "memory", "sigterm")
#: Dependency files, and the Postgres drivers (or what pulls one in) named in them.
_DEPENDENCY_FILES = (
    "requirements.txt",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "pyproject.toml",
    "Pipfile",
)
_POSTGRES_DRIVER = re.compile(r"psycopg|asyncpg|pg8000|aiopg|py-postgresql", re.I)
_UNREACHABLE_URL = "postgres://doctor:doctor@postgresql-doctor:5432/doctor"
#: Heroku gives a web dyno a port of its choosing at every start.
_PORTS = range(3000, 60000)


SCRATCH_PREFIX = "doctor_"


def scratch_name(app: str | None) -> str:
    """Runs for one app share a build cache; runs for none share `doctor_local`'s."""
    return f"{SCRATCH_PREFIX}{app or 'local'}"


@dataclass(frozen=True)
class Doctor:
    engine: docker.DockerClient
    settings: Settings
    #: Makes the dyno's container exactly as a dyno's, and removes the scratch name's.
    runtime: DockerRuntime
    postgres: PostgresService
    locks: AppLocks
    db: Database

    def examine(self, source: Source, app: str | None, say: Say) -> dict[str, Any]:
        """The report, saved as `app`'s last when an app is named."""
        report = Report()
        say("-----> Reading the source")
        if source_checks.check(self.settings, source, report):
            self._run_then_clean_up(scratch_name(app), source, app, report, say)
        else:
            report.add("build", SKIP, "not run: the push would be refused (see above)")
            verdicts.skip(report, DYNO_CHECKS + ("web-process",), "not checked: there is no build")
        result = {"app": app, "failed": report.failed, "checks": report.as_json()}
        if app:
            with self.db.connect() as conn:
                doctor_reports.save(conn, app, result)
        return result

    def _run_then_clean_up(
        self, name: str, source: Source, app: str | None, report: Report, say: Say
    ) -> None:
        """Returns once the report is complete; what the run made is then removed in the
        background (most of a second of the engine's), under the scratch name's lock, so
        a next run of the same name starts only after it."""
        done: queue.Queue[BaseException | None] = queue.Queue()
        gone = abandon.event()

        def run() -> None:
            if gone:  # a client that hangs up ends the build, as a pusher's does
                abandon.mark(gone)
            with self.locks.of(name):
                try:
                    self._run(name, source, app, report, say)
                    done.put(None)
                except BaseException as exc:
                    done.put(exc)
                finally:
                    try:
                        self.runtime.remove_app(name, keep_build_cache=True)
                    except Exception:
                        log.exception("doctor left %s's containers; the next start removes them", name)

        threading.Thread(target=run, name=f"doctor {name}", daemon=True).start()
        if (failed := done.get()) is not None:
            raise failed

    def _run(self, name: str, source: Source, app: str | None, report: Report, say: Say) -> None:
        """Build, then run the dyno; the caller removes what this made. The database
        starts beside the build, and is waited for whatever the build's end."""
        with ThreadPoolExecutor(max_workers=1) as beside:
            if _speaks_postgres(source):
                database = beside.submit(self._database, name)
                say("-----> Building, as a push would (a throwaway database starts meanwhile)")
            else:
                database = None
                say("-----> Building, as a push would (no Postgres driver in the dependencies: no database)")
            started = time.monotonic()
            config = self._config(source, app)
            try:
                manifest = pipeline.read_heroku_yml(source, say)
                slug = pipeline.run(self.engine, self.settings, name, 1, source, config, manifest, None, say)
            except UserError as failed:
                report.add("build", FAIL, str(failed))
                verdicts.skip(report, DYNO_CHECKS + ("web-process",), "not checked: the build failed")
                return
            report.add("build", PASS, f"built in {time.monotonic() - started:.1f} s")
            self._slug_size(slug.image, slug.stack, report)
            self._web_process(source, slug.processes, report)
            # With no driver, nothing in the app can connect to one; the URL still has
            # Heroku Postgres's shape.
            url = database.result() if database else _UNREACHABLE_URL
            release = Release(
                app=name,
                version=1,
                description="doctor",
                image=slug.image,
                stack=slug.stack,
                commit_sha=source.commit,
                processes=slug.processes,
                images=slug.images,
                config={**config, "DATABASE_URL": url},
                status="succeeded",
                created_at="",
            )
            self._run_release(release, app, report, say)

    def _config(self, source: Source, app: str | None) -> dict[str, str]:
        """The config vars the build and the dyno get: the app's own, but for those its
        add-ons attach (their services are not on the throwaway network), then app.json's
        values and generated secrets, as a first deploy gets them. The throwaway
        database is added after."""
        config: dict[str, str] = {}
        if app:
            with self.db.connect() as conn:
                attached = {addon.config_var for addon in addons.for_app(conn, app)}
                config = {k: v for k, v in config_vars.get_all(conn, app).items() if k not in attached}
        text = source.read_text("app.json")
        if text is not None:
            # One it cannot read, or with a required var unset, is the push's to refuse.
            with contextlib.suppress(UserError):
                config = app_json.initial_config(app_json.parse(text)[0], config)
        return config

    def _run_release(self, release: Release, app: str | None, report: Report, say: Say) -> None:
        """The release phase, if there is one, then one dyno: the web one, or else the
        first other type."""
        processes = release.processes
        process = "web" if "web" in processes else next((p for p in processes if p != "release"), None)
        output: list[str] = []
        if "release" not in processes:
            report.add("release", PASS, "no release phase")
        elif not self._release_phase(release, report, output, say):
            verdicts.skip(report, DYNO_CHECKS, "not checked: the release phase failed")
        if process is None:
            verdicts.skip(report, DYNO_CHECKS, "not checked: there is no process type to run")
        elif report.status_of("release") == PASS:
            seen = self._dyno(release, process, app, say)
            output += seen.output
            verdicts.judge(seen, process, self.settings, report)
        verdicts.causes(output, report)

    def _database(self, name: str) -> str:
        """A database as Heroku Postgres gives one: TLS only, reached by a
        `postgres://` URL; made while the app builds."""
        addon = Addon(
            name="postgresql-doctor",
            app=name,
            service="postgres",
            plan="standard",
            config_var="DATABASE_URL",
            db_user=f"u{secrets.token_hex(6)}",
            db_password=secrets.token_hex(24),
            db_name=f"d{secrets.token_hex(6)}",
            created_at="",
        )
        quiet: Say = lambda _: None  # noqa: E731 - its progress would interleave with the build's
        self.postgres.prepare(quiet, throwaway=True)
        self.postgres.provision(addon, quiet, throwaway=True)
        return self.postgres.url(addon)

    def _slug_size(self, image: str, stack: str | None, report: Report) -> None:
        """What the build added to the stack image: the slug, uncompressed (Heroku's
        limits apply to it compressed, so past them here is a warning only)."""
        try:
            size = self.engine.images.get(image).attrs["Size"]
            base = recipes.STACKS.get(stack or "")
            if base:
                size -= self.engine.images.get(base.run_image).attrs["Size"]
        except (ImageNotFound, DockerException):
            return
        mb = size / source_checks.MB
        seen = f"the slug is {mb:.0f} MB uncompressed"
        if mb > source_checks.SOFT_LIMIT_MB:
            report.add("slug-size", WARN, f"{seen}; compressed, it may pass Heroku's limits")
        else:
            report.add("slug-size", PASS, seen)

    def _web_process(self, source: Source, processes: dict[str, str], report: Report) -> None:
        """Read from the build's process types (a Procfile's, or the buildpack's
        defaults), so a Django app with no Procfile is not taken for one without web."""
        if "web" in processes:
            report.add("web-process", PASS, f"web: {processes['web']}")
        elif procfile.looks_like_web_app(source.read_text("requirements.txt"), source.names()):
            report.add("web-process", FAIL, "no web process type, but this looks like a web app")
        else:
            report.add("web-process", PASS, "no web process type (a worker app: nothing is routed to it)")

    def _release_phase(self, release: Release, report: Report, output: list[str], say: Say) -> bool:
        """The release phase as a release runs it; its output is kept for the causes
        it may show."""

        def kept(line: str) -> None:
            output.append(line.strip())
            say(line)

        try:
            phase.run(self.runtime, None, release, self.settings.release_timeout, kept)
        except phase.ReleasePhaseFailed as failed:
            report.add("release", FAIL, str(failed).split(";")[0])
            return False
        report.add("release", PASS, "the release phase succeeded")
        return True

    def _dyno(self, release: Release, process: str, app: str | None, say: Say) -> Watched:
        port = random.choice(_PORTS) if process == "web" else None
        say(f"-----> Starting {process}.1" + (f" with PORT={port}, as Heroku would" if port else ""))
        container = self.runtime.create(
            release,
            f"{process}.1",
            release.processes[process],
            port=port or WEB_PORT,
        )
        # Removed by examine's cleanup, with the database's container, at once.
        return watch(
            container,
            port,
            host=f"{app or 'doctor'}.{self.settings.domain}",
            boot_timeout=self.settings.boot_timeout,
            request_timeout=self.settings.router_timeout,
            stop_timeout=self.settings.stop_timeout,
            say=say,
        )

    def forget(self, app: str) -> None:
        """A destroyed app's doctor build cache goes with it."""
        name = scratch_name(app)
        with self.locks.of(name):
            self.runtime.remove_app(name)

    def remove_leftovers(self) -> None:
        """What doctor runs left when the server stopped in their middle: containers,
        networks and the database's volume of every scratch name (build caches kept)."""
        scope = labels.filters(self.settings)
        found = [
            *(c.labels for c in self.engine.containers.list(all=True, filters=scope, ignore_removed=True)),
            *(n.attrs.get("Labels") or {} for n in self.engine.networks.list(filters=scope)),
            *(v.attrs.get("Labels") or {} for v in self.engine.volumes.list(filters=scope)),
        ]
        for name in {found_labels.get(labels.APP, "") for found_labels in found}:
            if name.startswith(SCRATCH_PREFIX):
                self.runtime.remove_app(name, keep_build_cache=True)


def _speaks_postgres(source: Source) -> bool:
    """Whether the app can connect to a database: a Postgres driver among its
    dependencies, or a Dockerfile build, whose dependencies are not read."""
    if "heroku.yml" in source.names():
        return True
    return any(_POSTGRES_DRIVER.search(source.read_text(name) or "") for name in _DEPENDENCY_FILES)
