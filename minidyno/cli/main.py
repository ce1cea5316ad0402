"""The `minidyno` command. Verbs follow the Heroku CLI (`apps:create`, `git:remote`…)."""

from __future__ import annotations

import click

from minidyno.cli import apps, git_remote, releases, server, stacks
from minidyno.cli.client import Client
from minidyno.errors import UserError
from minidyno.settings import Settings


class Verbs(click.Group):
    """Lists verbs in the order they were added (a push's order), not alphabetically,
    and prints UserErrors as the one line they are."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

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


for command in (
    server.server,
    apps.apps_list, apps.apps_create, apps.apps_info, apps.apps_destroy, apps.open_app,
    git_remote.git_remote, git_remote.git_credential,
    releases.releases_list,
    stacks.stacks_list, stacks.stacks_build,
):
    cli.add_command(command)


def main() -> None:
    cli()
