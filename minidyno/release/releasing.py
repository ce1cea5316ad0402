"""Every new release takes the same path, whether a push, a config change or a
rollback made it: record vN, run the release phase, move the dynos, and only then call
it the current release. A failed release phase (or, for a push, web dynos that do not
come up) marks vN failed and leaves the running release, its dynos and its config vars
as they were. Other releases stand once their dynos start, as on Heroku: a config
change whose web dyno then crashes is released, and H10 and the restart cool-off
follow, rather than the config being refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minidyno.progress import Say
from minidyno.release import phase
from minidyno.runtime import rollout
from minidyno.state import config_vars, formation, releases

if TYPE_CHECKING:
    from minidyno.platform import Platform


def release_and_roll(
    platform: Platform,
    app: str,
    description: str,
    artifact: releases.Artifact,
    *,
    config: dict[str, str],
    say: Say,
    restart: bool = True,
    release_phase: bool = True,
    web_must_boot: bool = False,
) -> releases.Release:
    """The caller holds the app's lock. `release_phase=False` for a change an add-on
    made to its own config vars, which Heroku releases without the release command;
    `web_must_boot` for a push, which minidyno refuses when web never binds $PORT."""
    with platform.db.connect() as conn:
        release = releases.create(conn, app, description, artifact, config)
        wanted = formation.ensure_types(conn, app, formation_types(artifact.processes))
    try:
        if release_phase and "release" in artifact.processes:
            phase.run(platform.runtime, platform.logs, release, platform.settings.release_timeout, say)
        if restart:
            rollout.roll(platform.supervisor, release, wanted, say, web_must_boot)
    except BaseException:
        with platform.db.connect() as conn:
            releases.set_status(conn, app, release.version, "failed")
        platform.logs.platform(app, "api", f"Release v{release.version} failed: {description}")
        raise
    with platform.db.connect() as conn:
        releases.set_status(conn, app, release.version, "succeeded")
        config_vars.replace_all(conn, app, config)
    if restart:
        platform.sleeping.wake(app)
    platform.logs.platform(app, "api", f"Release v{release.version} created: {description}")
    return release


def formation_types(processes: dict[str, str]) -> list[str]:
    """The process types that run as dynos; `release` runs once per release instead."""
    return [t for t in processes if t != "release"]
