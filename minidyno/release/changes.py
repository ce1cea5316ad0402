"""Releases that are not builds: a config change and a rollback. Both reuse an
existing image and go through the same release path as a push."""

from __future__ import annotations

import re
from dataclasses import dataclass

from minidyno.errors import NotFound, UserError
from minidyno.progress import Say
from minidyno.release.releasing import Releaser
from minidyno.runtime.locks import AppLocks
from minidyno.state import apps, config_vars, releases
from minidyno.state.db import Database

CONFIG_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED = ("PORT", "DYNO")
#: Heroku's limit on an app's config vars, all together.
CONFIG_LIMIT_BYTES = 32 * 1024


def check_config(changes: dict[str, str | None], merged: dict[str, str]) -> None:
    for name in changes:
        if not CONFIG_NAME.fullmatch(name):
            raise UserError(
                f"invalid config var name {name!r}: use letters, digits and _, not starting with a digit"
            )
        if name in RESERVED:
            raise UserError(f"{name} is set by minidyno for each dyno and cannot be a config var")
    size = sum(len(k.encode()) + len(v.encode()) for k, v in merged.items())
    if size > CONFIG_LIMIT_BYTES:
        raise UserError(
            f"config vars would take {size} bytes; the limit is {CONFIG_LIMIT_BYTES} "
            "(Heroku's): keep large data in a file or an add-on"
        )


def describe(changes: dict[str, str | None]) -> str:
    set_names = [k for k, v in changes.items() if v is not None]
    removed = [k for k, v in changes.items() if v is None]
    parts = []
    if set_names:
        parts.append(f"Set {', '.join(set_names)} config vars")
    if removed:
        parts.append(f"Remove {', '.join(removed)} config vars")
    return "; ".join(parts) or "No config change"


@dataclass(frozen=True)
class ConfigChanges:
    releaser: Releaser
    db: Database
    locks: AppLocks

    def change(
        self,
        app: str,
        changes: dict[str, str | None],
        say: Say,
        restart: bool = True,
        addon_change: bool = False,
    ) -> releases.Release | None:
        """Set (a value) or unset (None) config vars as one new release; nothing changes
        when a name is invalid or the release phase fails. Before the first deploy there
        is no image to release, so the vars are only stored, for the first build.
        `addon_change`: an add-on's own vars, released without the release phase (Heroku)."""
        with self.locks.of(app):
            with self.db.connect() as conn:
                apps.get(conn, app)
                current = config_vars.get_all(conn, app)
                latest = releases.current(conn, app)
            merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
            for key in (k for k, v in changes.items() if v is None):
                merged.pop(key, None)
            check_config(changes, merged)
            slug = latest.slug if latest else None
            if slug is None:
                with self.db.connect() as conn:
                    config_vars.replace_all(conn, app, merged)
                return None
            return self.releaser.release(
                app,
                describe(changes),
                slug,
                config=merged,
                say=say,
                restart=restart,
                release_phase=not addon_change,
            )

    def rollback(self, app: str, version: int | None, say: Say) -> releases.Release:
        """A new release with vN's image, process types and config vars (default: the
        release before the current one)."""
        with self.locks.of(app):
            with self.db.connect() as conn:
                apps.get(conn, app)
                latest = releases.current(conn, app)
                if latest is None:
                    raise NotFound(f"{app} has no release to roll back from; push first")
                if version is None:
                    version = _previous(conn, app, latest.version)
                target = releases.get(conn, app, version)
            slug = target.slug
            if slug is None or target.status != "succeeded":
                raise UserError(
                    f"v{version} never ran ({target.status}); pick a release that did (minidyno releases)"
                )
            return self.releaser.release(app, f"Rollback to v{version}", slug, config=target.config, say=say)


def _previous(conn, app: str, current: int) -> int:
    earlier = [
        r.version
        for r in releases.history(conn, app)
        if r.version < current and r.status == "succeeded" and r.image
    ]
    if not earlier:
        raise NotFound(f"{app} has no release before v{current} to roll back to")
    return earlier[0]
