"""What every add-on shares, whatever its service: its record, the config var it is
attached as (DATABASE_URL, or a colour beside an existing one), promotion, credential
rotation, and undoing at start what a stopped server left half done.

An add-on's config var changes by a release, as on Heroku, so the dynos restart with
it; that release comes from the caller (`release_config`), the release layer being
above this one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from minidyno.addons.service import AddonService
from minidyno.errors import Conflict, UserError
from minidyno.logs.bus import LogBus
from minidyno.naming import random_app_name
from minidyno.progress import Say
from minidyno.runtime.locks import AppLocks
from minidyno.state import addons, apps, config_vars
from minidyno.state.addons import Addon
from minidyno.state.db import Database

#: Releases config var changes an add-on made to its own vars: (app, changes, say).
ReleaseConfig = Callable[[str, dict[str, str | None], Say], None]

COLOURS = (
    "AMBER",
    "BLUE",
    "COBALT",
    "CRIMSON",
    "GOLD",
    "GREEN",
    "IVORY",
    "JADE",
    "OLIVE",
    "ONYX",
    "PINK",
    "PURPLE",
    "RED",
    "ROSE",
    "SILVER",
    "TEAL",
    "WHITE",
    "YELLOW",
)


@dataclass(frozen=True)
class Request:
    service: AddonService
    plan: str
    #: The attachment's name (`as:` in app.json and heroku.yml): NAME_URL.
    attach_as: str | None = None


@dataclass(frozen=True)
class Addons:
    services: Sequence[AddonService]
    db: Database
    locks: AppLocks
    logs: LogBus
    release_config: ReleaseConfig

    def parse(self, spec: str, plan: str | None = None, attach_as: str | None = None) -> Request:
        """`postgres`, `heroku-postgresql:standard` or `postgres --plan hobby-dev`."""
        name, _, inline_plan = spec.partition(":")
        service = next((s for s in self.services if name in s.names), None)
        if service is None:
            known = "; ".join(
                s.names[0] + (f" (also {', '.join(s.names[1:])})" if s.names[1:] else "")
                for s in self.services
            )
            raise UserError(f"unknown add-on {name!r}: the add-ons here are {known}")
        chosen = plan or inline_plan or service.plans[0]
        if chosen not in service.plans:
            raise UserError(f"unknown plan {chosen!r}: the plans are {', '.join(service.plans)}")
        return Request(service, chosen, attach_as)

    def service_of(self, addon: Addon) -> AddonService:
        return next(s for s in self.services if s.names[0] == addon.service)

    def create(self, app: str, request: Request, say: Say) -> Addon:
        service = request.service
        with self.locks.of(app):
            with self.db.connect() as conn:
                apps.get(conn, app)
                existing = addons.for_app(conn, app)
            used = {a.config_var for a in existing}
            same = [a.name for a in existing if a.service == service.names[0]]
            if not service.config_var and same:
                raise Conflict(
                    f"{app} already has {same[0]}; an app has one {service.names[0]}, holding all its jobs"
                )
            wanted = f"{request.attach_as.upper()}_URL" if request.attach_as else service.config_var
            config_var = (
                wanted
                if wanted not in used or not wanted
                else next(
                    f"{service.colour_prefix}_{c}_URL"
                    for c in COLOURS
                    if f"{service.colour_prefix}_{c}_URL" not in used
                )
            )
            addon = Addon(
                name=f"{service.prefix}-{random_app_name()}",
                app=app,
                service=service.names[0],
                plan=request.plan,
                config_var=config_var,
                db_user=f"u{secrets.token_hex(6)}",
                db_password=secrets.token_hex(24),
                db_name=f"d{secrets.token_hex(6)}",
                created_at="",
            )
            service.prepare(say)
            say(f"-----> Creating {addon.name} ({request.plan}) on {app}")
            service.provision(addon, say)
            if config_var:
                say(f"-----> Attaching {addon.name} as {config_var}")
                try:
                    self.release_config(app, {config_var: service.url(addon)}, say)
                except BaseException:
                    service.destroy(addon)
                    raise
            with self.db.connect() as conn:
                addons.create(conn, addon)
            attached = f", attached as {config_var}" if config_var else ""
            self.logs.platform(app, "api", f"Add-on {addon.name} created{attached}")
            return addon

    def destroy(self, addon: Addon, say: Say) -> None:
        with self.locks.of(addon.app):
            if addon.config_var:
                self.release_config(addon.app, {addon.config_var: None}, say)
            self.service_of(addon).destroy(addon)
            with self.db.connect() as conn:
                addons.delete(conn, addon.name)
            self.logs.platform(addon.app, "api", f"Add-on {addon.name} destroyed")

    def promote(self, addon: Addon, say: Say) -> None:
        """Make `addon` the app's first attachment (DATABASE_URL); the one that was
        gets the promoted one's old var."""
        service = self.service_of(addon)
        main = service.config_var
        with self.locks.of(addon.app):
            with self.db.connect() as conn:
                current = [
                    a
                    for a in addons.for_app(conn, addon.app)
                    if a.config_var == main and a.name != addon.name
                ]
                changes: dict[str, str | None] = {addon.config_var: None, main: service.url(addon)}
                addons.set_config_var(conn, addon.name, main)
                for old in current:
                    addons.set_config_var(conn, old.name, addon.config_var)
                    changes[addon.config_var] = self.service_of(old).url(old)
            self.release_config(addon.app, changes, say)

    def rotate_credentials(self, addon: Addon, say: Say) -> None:
        """A new password, and a release with the new URL. Each step is written down
        before it is taken, so a server stopped at any point finishes the rotation at
        its next start (`recover`) instead of locking the app out."""
        with self.locks.of(addon.app):
            with self.db.connect() as conn:
                addons.plan_password(conn, addon.name, secrets.token_hex(24))
            self._finish_rotation(addon.name, say)

    def recover(self, say: Say) -> None:
        """At start: each add-on's resources as this version expects them, then what a
        stopped server left half done with credentials (a planned password, or a config
        var that lags behind its add-on)."""
        with self.db.connect() as conn:
            found = addons.all_addons(conn)
        for addon in found:
            with self.locks.of(addon.app):
                self.service_of(addon).recover(addon)
                self._finish_rotation(addon.name, say)

    def _finish_rotation(self, name: str, say: Say) -> None:
        with self.db.connect() as conn:
            addon = next(a for a in addons.all_addons(conn) if a.name == name)
        if addon.db_password_next:
            self.service_of(addon).set_password(addon, addon.db_password_next)
            with self.db.connect() as conn:
                addons.commit_password(conn, addon.name)
                addon = next(a for a in addons.all_addons(conn) if a.name == name)
        self._attach(addon, say)

    def _attach(self, addon: Addon, say: Say) -> None:
        """The app's config var says what the add-on's URL is now (a release if it did not)."""
        if not addon.config_var:
            return
        with self.db.connect() as conn:
            current = config_vars.get_all(conn, addon.app).get(addon.config_var)
        url = self.service_of(addon).url(addon)
        if current != url:
            self.release_config(addon.app, {addon.config_var: url}, say)
