"""A push, from source to serving: build, then release it like any other change.

A failed build writes no release at all; a release whose phase fails or whose dynos
do not come up is marked failed, and the running release keeps serving.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from minidyno.addons import postgres
from minidyno.build import app_json, heroku_yml, pipeline
from minidyno.build.source import Source
from minidyno.lines import LineSplitter
from minidyno.progress import Say
from minidyno.release.releasing import release_and_roll
from minidyno.runtime import oneoff, scale
from minidyno.state import apps, config_vars, formation, releases

if TYPE_CHECKING:
    from minidyno.platform import Platform


def build_log_path(platform: Platform, app: str, version: int) -> Path:
    return platform.settings.builds_dir / app / f"v{version}.log"


def deploy(platform: Platform, app: str, source: Source, say: Say) -> releases.Release:
    """Build and release a push; everything it says is also kept as the release's build
    log (the dashboard shows it)."""
    with platform.app_lock(app):
        with platform.db.connect() as conn:
            last_stack = apps.get(conn, app).stack
            config = config_vars.get_all(conn, app)
            version = releases.next_version(conn, app)
            first = releases.current(conn, app) is None
        log_path = build_log_path(platform, app, version)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "w", encoding="utf-8") as build_log:

            def say_and_keep(line: str) -> None:
                build_log.write(line + "\n")
                build_log.flush()
                say(line)

            container = pipeline.read_heroku_yml(source, say_and_keep)
            manifest = _first_deploy_manifest(source, container, say_and_keep) if first else None
            if manifest:
                config = app_json.initial_config(manifest, config)
            return _deploy(
                platform, app, source, config, version, container, manifest, last_stack, say_and_keep
            )


def _first_deploy_manifest(
    source: Source, container: heroku_yml.HerokuYml | None, say: Say
) -> app_json.AppJson | None:
    """What sets an app up at its first deploy: app.json, plus heroku.yml's `setup`.
    Its add-ons are checked here, before the build, so a wrong one fails at once."""
    manifest = None
    text = source.read_text("app.json")
    if text is not None:
        manifest, warnings = app_json.parse(text)
        for warning in warnings:
            say(f" !     Warning: {warning}")
    if container is not None:
        setup = container.setup
        manifest = (manifest or app_json.AppJson()).with_setup(setup.config, setup.addons)
    for addon in manifest.addon_specs() if manifest else []:
        postgres.parse_request(addon.plan, None)
    return manifest


def _deploy(
    platform: Platform,
    app: str,
    source: Source,
    config: dict[str, str],
    version: int,
    container: heroku_yml.HerokuYml | None,
    manifest: app_json.AppJson | None,
    last_stack: str | None,
    say: Say,
) -> releases.Release:
    """The build and release of one push; the caller holds the app's lock."""
    settings = platform.settings
    platform.logs.platform(app, "api", f"Build started for commit {source.commit[:7]}")
    try:
        artifact = pipeline.run(
            platform.engine, settings, app, version, source, config, container, last_stack, say
        )
    except Exception as failed:
        platform.logs.platform(app, "api", f"Build failed: {failed}")
        raise
    platform.logs.platform(app, "api", f"Build succeeded: {artifact.image}")
    if manifest:
        config = _provision_addons(platform, app, manifest, config, say)
    say("-----> Launching...")
    release = release_and_roll(
        platform, app, f"Deploy {source.commit[:7]}", artifact, config=config, say=say, web_must_boot=True
    )
    with platform.db.connect() as conn:
        apps.set_stack(conn, app, artifact.stack)
        web = formation.get(conn, app).get("web", 0)
    if manifest:
        _first_deploy_steps(platform, release, manifest, say)
    if web == 0:
        say(f"       Note: no web dynos, so nothing will serve at {settings.app_url(app)}")
    say(f"       Released v{release.version}")
    say(f"       {settings.app_url(app)} deployed to minidyno")
    return release


def _provision_addons(
    platform: Platform, app: str, manifest: app_json.AppJson, config: dict[str, str], say: Say
) -> dict[str, str]:
    """The manifest's add-ons, before the first release so its release phase can use
    them; their config vars join the release's."""
    for addon in manifest.addon_specs():
        postgres.provision(platform, app, postgres.parse_request(addon.plan, None, addon.as_), say)
    with platform.db.connect() as conn:
        return {**config, **config_vars.get_all(conn, app)}


def _first_deploy_steps(
    platform: Platform, release: releases.Release, manifest: app_json.AppJson, say: Say
) -> None:
    """app.json's formation, then its postdeploy script in a one-off dyno."""
    wanted = {t: f"={p.quantity}" for t, p in manifest.formation.items() if t in release.processes}
    for ignored in set(manifest.formation) - set(wanted):
        say(f" !     Warning: app.json formation names {ignored!r}, which the Procfile lacks")
    if wanted:
        scale.scale(platform, release.app, wanted)
        say(
            "       Formation from app.json: "
            + ", ".join(f"{t}={p.quantity}" for t, p in manifest.formation.items() if t in wanted)
        )
    command = manifest.scripts.postdeploy
    if not command:
        return
    say(f"-----> Running postdeploy script: {command}")
    splitter = LineSplitter(lambda line: say(f"       {line}"))
    name = oneoff.next_run_name(platform.runtime, release.app)
    code = oneoff.run_attached(oneoff.create(platform.runtime, release, name, command), splitter.feed)
    splitter.close()
    if code != 0:
        say(
            f" !     The postdeploy script exited with status {code}; the release stands, "
            f"run it again with `minidyno run -a {release.app} -- {command}`"
        )
