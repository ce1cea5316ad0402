"""`minidyno doctor`: will this app work on Heroku? The source is read for what would
be refused or lost there, then built as a push would be and run in one throwaway dyno,
as Heroku would run it: a random $PORT, a `postgres://` DATABASE_URL of a database that
refuses connections without TLS, `DYNO` set, Heroku's limits. Nothing of the run stays
but its build cache (kept for the next run) and the report.

The throwaway resources belong to a scratch name, `doctor_<app>`, which no app can
have (app names take no `_`): the supervisor, the router and the idler never see them.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import secrets
import tarfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docker
from docker.errors import DockerException, ImageNotFound

from minidyno import labels, procfile
from minidyno.addons.postgres import PostgresService
from minidyno.compile import app_json, pipeline
from minidyno.compile.source import Source
from minidyno.doctor import source_checks, verdicts
from minidyno.doctor.dyno_watch import Watched, watch
from minidyno.doctor.report import FAIL, PASS, SKIP, WARN, Report
from minidyno.errors import UserError
from minidyno.progress import Say
from minidyno.runtime.dynos import DYNO_MEMORY_MB, DockerRuntime
from minidyno.runtime.locks import AppLocks
from minidyno.settings import Settings
from minidyno.stacks import recipes
from minidyno.state import addons, config_vars, doctor_reports
from minidyno.state.addons import Addon
from minidyno.state.db import Database
from minidyno.state.releases import Release

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
#: Where the dyno reads its memory quota from (the buildpack's profile looks there).
_QUOTA_FILE = "/tmp/minidyno-memory-quota"


def scratch_name(app: str | None) -> str:
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
            name = scratch_name(app)
            with self.locks.of(name):
                try:
                    self._run(name, source, app, report, say)
                finally:
                    self.runtime.remove_app(name, keep_build_cache=True)
        else:
            report.add("build", SKIP, "not run: the push would be refused (see above)")
            verdicts.skip(report, DYNO_CHECKS + ("web-process",), "not checked: there is no build")
        result = {"app": app, "failed": report.failed, "checks": report.as_json()}
        if app:
            with self.db.connect() as conn:
                doctor_reports.save(conn, app, result)
        return result

    def _run(self, name: str, source: Source, app: str | None, report: Report, say: Say) -> None:
        """Build, then run the dyno; the caller removes what this made."""
        if _speaks_postgres(source):
            database = _Background(lambda: self._database(name))
            say("-----> Building, as a push would (a throwaway database starts meanwhile)")
        else:
            # Nothing in it can connect to one; the URL is still Heroku Postgres's shape.
            database = _Background(lambda: _UNREACHABLE_URL)
            say("-----> Building, as a push would (no Postgres driver in the dependencies: no database)")
        try:
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
            processes = slug.processes
            self._web_process(source, processes, report)
            release = Release(
                app=name,
                version=1,
                description="doctor",
                image=slug.image,
                stack=slug.stack,
                commit_sha=source.commit,
                processes=processes,
                images=slug.images,
                config={
                    **config,
                    "DATABASE_URL": database.result(),
                    "MINIDYNO_CGROUP_MEMORY_MAX": _QUOTA_FILE,
                },
                status="succeeded",
                created_at="",
            )
            self._run_release(release, app, report, say)
        finally:
            database.wait()

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
        self.postgres.prepare(quiet)
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
        if "web" in processes:
            report.add("web-process", PASS, f"web: {processes['web']}")
        elif procfile.looks_like_web_app(source.read_text("requirements.txt"), source.names()):
            report.add("web-process", FAIL, "no web process type, but this looks like a web app")
        else:
            report.add("web-process", PASS, "no web process type (a worker app: nothing is routed to it)")

    def _release_phase(self, release: Release, report: Report, output: list[str], say: Say) -> bool:
        say("-----> Running the release phase")
        lines: list[str] = []

        def kept(chunk: bytes) -> None:
            for text in chunk.decode(errors="replace").splitlines():
                lines.append(text)
                say(f"       release: {text}")

        code = self.runtime.run(
            release, "release.1", release.processes["release"], kept, timeout=self.settings.release_timeout
        )
        output += lines
        if code == 0:
            report.add("release", PASS, "the release phase succeeded")
            return True
        last = lines[-1] if lines else "(no output)"
        report.add("release", FAIL, f"the release phase exited with status {code}: {last}")
        return False

    def _dyno(self, release: Release, process: str, app: str | None, say: Say) -> Watched:
        port = random.choice(_PORTS)
        say(f"-----> Starting {process}.1 with PORT={port}, as Heroku would")
        container = self.runtime.create(
            release, f"{process}.1", release.processes[process], port=port, memory_mb=2 * DYNO_MEMORY_MB
        )
        # The buildpack sizes WEB_CONCURRENCY from the memory limit: it reads the quota,
        # not the room given past it to measure.
        with contextlib.suppress(DockerException):  # an image without /tmp
            container.put_archive("/tmp", _file_archive(_QUOTA_FILE, f"{DYNO_MEMORY_MB * 1024 * 1024}\n"))
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
        """What a doctor run left when the server stopped in its middle."""
        found = self.engine.containers.list(
            all=True, filters=labels.filters(self.settings), ignore_removed=True
        )
        for name in {c.labels.get(labels.APP, "") for c in found}:
            if name.startswith(SCRATCH_PREFIX):
                self.runtime.remove_app(name, keep_build_cache=True)


def _file_archive(path: str, text: str) -> bytes:
    """A tarball of one file readable by the dyno's user, for put_archive into its folder."""
    data = text.encode()
    info = tarfile.TarInfo(path.rsplit("/", 1)[-1])
    info.size, info.mode = len(data), 0o644
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class _Background:
    """Work started now in a thread, its result (or its exception) taken later."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self._result = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in result()
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result

    def wait(self) -> None:
        """Until it is done, whatever its end (what it made is then removed)."""
        self._thread.join()


def _speaks_postgres(source: Source) -> bool:
    """Whether the app can connect to a database: a Postgres driver among its
    dependencies, or a Dockerfile build, whose dependencies are not read."""
    if "heroku.yml" in source.names():
        return True
    return any(_POSTGRES_DRIVER.search(source.read_text(name) or "") for name in _DEPENDENCY_FILES)
