"""stacks, stacks:build: these act on the local Docker engine directly, so the stack
images can be made before any server runs (./dev up does)."""

from __future__ import annotations

import click

from minidyno import engine
from minidyno.compile.stack_choice import DEFAULT_PYTHON
from minidyno.settings import Settings
from minidyno.stacks import builder, recipes


@click.command("stacks")
def stacks_list() -> None:
    """List the stacks and whether their images are built."""
    default = recipes.for_python(DEFAULT_PYTHON).name
    client = engine.client()
    click.echo("=== Stacks")
    for stack in recipes.STACKS.values():
        built = all(
            builder.is_current(client, image, stack) for image in (stack.run_image, stack.build_image)
        )
        mark = "*" if stack.name == default else " "
        click.echo(
            f"{mark} {stack.name:<9} Debian {stack.suite:<9} Python {stack.python:<5} "
            f"{'built' if built else 'not built (made on first need)'}"
        )


@click.command("stacks:build")
@click.argument("name")
@click.option("--force", is_flag=True, help="rebuild even when the recipe is unchanged")
def stacks_build(name: str, force: bool) -> None:
    """Make minidyno/stack:NAME and its -build variant (cached by recipe hash)."""
    stack = recipes.get(name)
    client = engine.client()
    builder.ensure(client, stack, Settings.from_env(), say=click.echo, force=force)
    click.echo(f"{stack.run_image} and {stack.build_image} are up to date")
