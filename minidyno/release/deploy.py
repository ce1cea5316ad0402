"""A push, from source to serving: build, then release it like any other change.

A failed build writes no release at all; a release whose phase fails or whose dynos
do not come up is marked failed, and the running release keeps serving.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from minidyno.build import pipeline
from minidyno.build.source import Source
from minidyno.release.releasing import release_and_roll
from minidyno.state import apps, config_vars, formation, releases

if TYPE_CHECKING:
    from minidyno.platform import Platform

Say = Callable[[str], None]


def build_log_path(platform: Platform, app: str, version: int) -> Path:
    return platform.settings.home / "builds" / app / f"v{version}.log"


def deploy(platform: Platform, app: str, source: Source, say: Say) -> releases.Release:
    """Build and release a push; everything it says is also kept as the release's build
    log (the dashboard shows it)."""
    with platform.app_lock(app):
        with platform.db.connect() as conn:
            apps.get(conn, app)
            config = config_vars.get_all(conn, app)
            version = releases.next_version(conn, app)
        log_path = build_log_path(platform, app, version)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "w", encoding="utf-8") as build_log:
            def say_and_keep(line: str) -> None:
                build_log.write(line + "\n")
                build_log.flush()
                say(line)

            return _deploy(platform, app, source, config, version, say_and_keep)


def _deploy(platform: Platform, app: str, source: Source, config: dict[str, str], version: int,
            say: Say) -> releases.Release:
    """The build and release of one push; the caller holds the app's lock."""
    settings = platform.settings
    platform.logs.platform(app, "api", f"Build started for commit {source.commit[:7]}")
    try:
        build = pipeline.run(platform.engine, settings, app, version, source, config, say)
    except Exception as failed:
        platform.logs.platform(app, "api", f"Build failed: {failed}")
        raise
    platform.logs.platform(app, "api", f"Build succeeded: {build.image}")
    say("-----> Launching...")
    release = release_and_roll(
        platform, app, f"Deploy {source.commit[:7]}", image=build.image, stack=build.stack,
        commit_sha=source.commit, processes=build.processes, config=config, say=say,
    )
    with platform.db.connect() as conn:
        apps.set_stack(conn, app, build.stack)
        web = formation.get(conn, app).get("web", 0)
    if web == 0:
        say(f"       Note: no web dynos, so nothing will serve at {settings.app_url(app)}")
    say(f"       Released v{release.version}")
    say(f"       {settings.app_url(app)} deployed to minidyno")
    return release
