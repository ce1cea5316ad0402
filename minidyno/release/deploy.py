"""A push, from source to serving: build, then release it like any other change.

A failed build writes no release at all; a release whose phase fails or whose dynos
do not come up is marked failed, and the running release keeps serving.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import docker

from minidyno.addons.attachments import Addons
from minidyno.compile import app_json, heroku_yml, pipeline
from minidyno.compile.source import Source
from minidyno.lines import LineSplitter
from minidyno.logs.bus import LogBus
from minidyno.progress import Say
from minidyno.release.releasing import Releaser
from minidyno.runtime import oneoff
from minidyno.runtime.driver import DynoDriver
from minidyno.runtime.locks import AppLocks
from minidyno.runtime.scale import Scaler
from minidyno.settings import Settings
from minidyno.state import apps, config_vars, formation, releases
from minidyno.state.db import Database


def build_log_path(settings: Settings, app: str, version: int) -> Path:
    return settings.builds_dir / app / f"v{version}.log"


@dataclass(frozen=True)
class Deployer:
    releaser: Releaser
    #: app.json's add-ons are made at the first deploy.
    addons: Addons
    #: app.json's formation, at the first deploy.
    scaler: Scaler
    #: Where app.json's postdeploy script runs, in a one-off dyno.
    driver: DynoDriver
    #: Where the build runs.
    engine: docker.DockerClient
    db: Database
    locks: AppLocks
    logs: LogBus
    settings: Settings

    def deploy(self, app: str, source: Source, say: Say) -> releases.Release:
        """Build and release a push; everything it says is also kept as the release's
        build log (the dashboard shows it)."""
        with self.locks.of(app):
            with self.db.connect() as conn:
                last_stack = apps.get(conn, app).stack
                config = config_vars.get_all(conn, app)
                version = releases.next_version(conn, app)
                first = releases.current(conn, app) is None
            log_path = build_log_path(self.settings, app, version)
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(log_path, "w", encoding="utf-8") as build_log:

                def say_and_keep(line: str) -> None:
                    build_log.write(line + "\n")
                    build_log.flush()
                    say(line)

                heroku_yml_manifest = pipeline.read_heroku_yml(source, say_and_keep)
                manifest = (
                    self._first_deploy_manifest(source, heroku_yml_manifest, say_and_keep) if first else None
                )
                if manifest:
                    config = app_json.initial_config(manifest, config)
                return self._deploy(
                    app, source, config, version, heroku_yml_manifest, manifest, last_stack, say_and_keep
                )

    def _first_deploy_manifest(
        self, source: Source, heroku_yml_manifest: heroku_yml.HerokuYml | None, say: Say
    ) -> app_json.AppJson | None:
        """What sets an app up at its first deploy: app.json, plus heroku.yml's `setup`.
        Its add-ons are checked here, before the build, so a wrong one fails at once."""
        manifest = None
        text = source.read_text("app.json")
        if text is not None:
            manifest, warnings = app_json.parse(text)
            for warning in warnings:
                say(f" !     Warning: {warning}")
        if heroku_yml_manifest is not None:
            setup = heroku_yml_manifest.setup
            manifest = (manifest or app_json.AppJson()).with_setup(setup.config, setup.addons)
        for addon in manifest.addon_specs() if manifest else []:
            self.addons.parse(addon.plan)
        return manifest

    def _deploy(
        self,
        app: str,
        source: Source,
        config: dict[str, str],
        version: int,
        heroku_yml_manifest: heroku_yml.HerokuYml | None,
        manifest: app_json.AppJson | None,
        last_stack: str | None,
        say: Say,
    ) -> releases.Release:
        """The build and release of one push; the caller holds the app's lock."""
        settings = self.settings
        self.logs.platform(app, "api", f"Build started for commit {source.commit[:7]}")
        try:
            slug = pipeline.run(
                self.engine, settings, app, version, source, config, heroku_yml_manifest, last_stack, say
            )
        except Exception as failed:
            self.logs.platform(app, "api", f"Build failed: {failed}")
            raise
        self.logs.platform(app, "api", f"Build succeeded: {slug.image}")
        if manifest:
            config = self._provision_addons(app, manifest, config, say)
        say("-----> Launching...")
        release = self.releaser.release(
            app, f"Deploy {source.commit[:7]}", slug, config=config, say=say, web_must_boot=True
        )
        with self.db.connect() as conn:
            apps.set_stack(conn, app, slug.stack)
            web = formation.get(conn, app).get("web", 0)
        if manifest:
            self._first_deploy_steps(release, manifest, say)
        if web == 0:
            say(f"       Note: no web dynos, so nothing will serve at {settings.app_url(app)}")
        say(f"       Released v{release.version}")
        say(f"       {settings.app_url(app)} deployed to minidyno")
        return release

    def _provision_addons(
        self, app: str, manifest: app_json.AppJson, config: dict[str, str], say: Say
    ) -> dict[str, str]:
        """The manifest's add-ons, before the first release so its release phase can use
        them; their config vars join the release's."""
        for addon in manifest.addon_specs():
            self.addons.create(app, self.addons.parse(addon.plan, None, addon.as_), say)
        with self.db.connect() as conn:
            return {**config, **config_vars.get_all(conn, app)}

    def _first_deploy_steps(self, release: releases.Release, manifest: app_json.AppJson, say: Say) -> None:
        """app.json's formation, then its postdeploy script in a one-off dyno."""
        wanted = {t: f"={p.quantity}" for t, p in manifest.formation.items() if t in release.processes}
        for ignored in set(manifest.formation) - set(wanted):
            say(f" !     Warning: app.json formation names {ignored!r}, which the Procfile lacks")
        if wanted:
            self.scaler.scale(release.app, wanted)
            say(
                "       Formation from app.json: "
                + ", ".join(f"{t}={p.quantity}" for t, p in manifest.formation.items() if t in wanted)
            )
        command = manifest.scripts.postdeploy
        if not command:
            return
        say(f"-----> Running postdeploy script: {command}")
        splitter = LineSplitter(lambda line: say(f"       {line}"))
        name = oneoff.next_run_name(self.driver, release.app)
        code = self.driver.run(release, name, command, splitter.feed)
        splitter.close()
        if code != 0:
            say(
                f" !     The postdeploy script exited with status {code}; the release stands, "
                f"run it again with `minidyno run -a {release.app} -- {command}`"
            )
