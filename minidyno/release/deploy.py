"""A push, from source to serving: build, record the release, roll the dynos over.

Everything before the router switches can fail without touching what serves now: a
failed build writes no release, a release whose dynos do not come up is marked
failed and its dynos are stopped.
"""

from __future__ import annotations

from collections.abc import Callable

from minidyno.build import pipeline
from minidyno.build.source import Source
from minidyno.platform import Platform
from minidyno.runtime import rollout
from minidyno.state import apps, config_vars, formation, releases

Say = Callable[[str], None]


def deploy(platform: Platform, app: str, source: Source, say: Say) -> releases.Release:
    settings = platform.settings
    with platform.app_lock(app):
        with platform.db.connect() as conn:
            apps.get(conn, app)
            config = config_vars.get_all(conn, app)
            version = releases.next_version(conn, app)
        build = pipeline.run(platform.engine, settings, app, version, source, config, say)
        with platform.db.connect() as conn:
            release = releases.create(
                conn, app, f"Deploy {source.commit[:7]}", image=build.image, stack=build.stack,
                commit_sha=source.commit, processes=build.processes, config=config,
            )
            wanted = formation.ensure_types(conn, app, list(build.processes))
            apps.set_stack(conn, app, build.stack)
        say("-----> Launching...")
        if wanted.get("web", 0) == 0:
            say("       Note: no web process type, so nothing will serve at "
                f"{settings.app_url(app)}")
        old = [d for d in platform.runtime.dynos(app) if d.release != release.version]
        try:
            rollout.start_release(platform.runtime, release, wanted, config, say)
        except BaseException:
            with platform.db.connect() as conn:
                releases.set_status(conn, app, release.version, "failed")
            raise
        with platform.db.connect() as conn:
            releases.set_status(conn, app, release.version, "succeeded")
        platform.sync_router()
        rollout.retire(platform.runtime, old)
        say(f"       Released v{release.version}")
        say(f"       {settings.app_url(app)} deployed to minidyno")
        return release
