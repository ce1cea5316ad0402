"""The `minidyno` command. Verbs follow the Heroku CLI (`apps:create`, `git:remote`…).

Each verb's module is imported only when that verb runs, so `minidyno apps` does not
pay for importing the server (FastAPI, uvicorn) or the Docker SDK.
"""

from __future__ import annotations

import importlib

import click

from minidyno.cli.client import Client
from minidyno.errors import UserError
from minidyno.settings import Settings

#: Verb -> "module:function", in the order a push meets them.
VERBS = {
    "server": "server:server",
    "server:stop": "server:server_stop",
    "apps": "apps:apps_list",
    "apps:create": "apps:apps_create",
    "apps:info": "apps:apps_info",
    "apps:destroy": "apps:apps_destroy",
    "open": "apps:open_app",
    "git:remote": "git_remote:git_remote",
    "config": "config:config_list",
    "config:get": "config:config_get",
    "config:set": "config:config_set",
    "config:unset": "config:config_unset",
    "ps": "ps:ps_list",
    "ps:scale": "ps:ps_scale",
    "ps:restart": "ps:ps_restart",
    "ps:stop": "ps:ps_stop",
    "ps:type": "routing:ps_type",
    "run": "run:run",
    "run:detached": "run:run_detached",
    "logs": "logs:logs",
    "metrics": "metrics:metrics",
    "addons": "addons:addons_list",
    "addons:create": "addons:addons_create",
    "addons:destroy": "addons:addons_destroy",
    "pg:info": "addons:pg_info",
    "pg:psql": "addons:pg_psql",
    "pg:reset": "addons:pg_reset",
    "pg:credentials:rotate": "addons:pg_credentials_rotate",
    "pg:promote": "addons:pg_promote",
    "pg:backups": "addons:pg_backups",
    "pg:backups:capture": "addons:pg_backups_capture",
    "pg:backups:restore": "addons:pg_backups_restore",
    "pg:backups:download": "addons:pg_backups_download",
    "pg:backups:delete": "addons:pg_backups_delete",
    "redis": "keyvalue:redis_info",
    "redis:info": "keyvalue:redis_info",
    "redis:cli": "keyvalue:redis_cli",
    "redis:maxmemory": "keyvalue:redis_maxmemory",
    "redis:credentials": "keyvalue:redis_credentials",
    "scheduler": "scheduler:scheduler_list",
    "scheduler:add": "scheduler:scheduler_add",
    "scheduler:update": "scheduler:scheduler_update",
    "scheduler:remove": "scheduler:scheduler_remove",
    "scheduler:run": "scheduler:scheduler_run",
    "maintenance": "routing:maintenance",
    "maintenance:on": "routing:maintenance_on",
    "maintenance:off": "routing:maintenance_off",
    "domains": "routing:domains_list",
    "domains:add": "routing:domains_add",
    "domains:remove": "routing:domains_remove",
    "releases": "releases:releases_list",
    "releases:rollback": "releases:releases_rollback",
    "dashboard": "dashboard:dashboard",
    "certs": "certs:certs",
    "local": "local:local_start",
    "local:run": "local:local_run",
    "procfile:check": "local:procfile_check",
    "doctor": "doctor:doctor",
    "stacks": "stacks:stacks_list",
    "stacks:build": "stacks:stacks_build",
}


class Verbs(click.Group):
    """Loads verbs lazily, lists them in VERBS' order, and prints a UserError as the one
    line it is."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(VERBS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in VERBS:
            return None
        module, function = VERBS[name].split(":")
        return getattr(importlib.import_module(f"minidyno.cli.{module}"), function)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=Verbs)
@click.version_option(package_name="minidyno")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """minidyno: Heroku on one machine."""
    ctx.obj = Client(Settings.from_env())


def main() -> None:
    cli()
