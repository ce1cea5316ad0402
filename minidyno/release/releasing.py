"""Every new release takes the same path, whether a push, a config change or a
rollback made it: record vN, run the release phase, move the dynos, and only then call
it the current release. A failed release phase (or, for a push, web dynos that do not
come up) marks vN failed and leaves the running release, its dynos and its config vars
as they were. Other releases stand once their dynos start, as on Heroku: a config
change whose web dyno then crashes is released, and H10 and the restart cool-off
follow, rather than the config being refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from minidyno.logs.bus import LogBus
from minidyno.progress import Say
from minidyno.runtime import rollout
from minidyno.runtime.sleep import SleepingApps
from minidyno.runtime.supervisor import Supervisor
from minidyno.state import config_vars, formation, releases
from minidyno.state.db import Database


@dataclass(frozen=True)
class Releaser:
    db: Database
    logs: LogBus
    supervisor: Supervisor
    sleeping: SleepingApps
    #: Runs a release's `release:` command in a one-off dyno (release/phase.py); raises
    #: when it fails or outlives MINIDYNO_RELEASE_TIMEOUT.
    release_phase: Callable[[releases.Release, Say], None]

    def release(
        self,
        app: str,
        description: str,
        slug: releases.Slug,
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
        with self.db.connect() as conn:
            release = releases.create(conn, app, description, slug, config)
            wanted = formation.ensure_types(conn, app, formation_types(slug.processes))
        try:
            if release_phase and "release" in slug.processes:
                self.release_phase(release, say)
            if restart:
                rollout.roll(self.supervisor, release, wanted, say, web_must_boot)
        except BaseException:
            with self.db.connect() as conn:
                releases.set_status(conn, app, release.version, "failed")
            self.logs.platform(app, "api", f"Release v{release.version} failed: {description}")
            raise
        with self.db.connect() as conn:
            releases.set_status(conn, app, release.version, "succeeded")
            config_vars.replace_all(conn, app, config)
        if restart:
            self.sleeping.wake(app)
        self.logs.platform(app, "api", f"Release v{release.version} created: {description}")
        return release


def formation_types(processes: dict[str, str]) -> list[str]:
    """The process types that run as dynos; `release` runs once per release instead."""
    return [t for t in processes if t != "release"]
