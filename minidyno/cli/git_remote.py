"""git:remote, and the credential helper that lets `git push minidyno main` carry the
token without the user typing it or it being written into .git/config."""

from __future__ import annotations

import shlex
import subprocess
import sys

import click

from minidyno.cli.app_option import REMOTE, app_option, resolve_app
from minidyno.cli.client import Client


def in_git_repo() -> bool:
    return subprocess.run(["git", "rev-parse", "--git-dir"], capture_output=True).returncode == 0


def _git_config(*args: str) -> None:
    subprocess.run(["git", "config", "--local", *args], check=True)


def add_remote(client: Client, app: str, remote: str = REMOTE) -> str:
    url = f"{client.base_url}/git/{app}.git"
    existing = subprocess.run(["git", "remote", "get-url", remote], capture_output=True)
    verb = "set-url" if existing.returncode == 0 else "add"
    subprocess.run(["git", "remote", verb, remote, url], check=True)
    helper = (
        f"!MINIDYNO_HOME={shlex.quote(str(client.settings.home))} "
        f"{shlex.quote(sys.executable)} -m minidyno.git.credential"
    )
    key = f"credential.{client.base_url}.helper"
    _git_config("--replace-all", key, "")
    _git_config("--add", key, helper)
    return url


@click.command("git:remote")
@app_option
@click.option("-r", "--remote", default=REMOTE, show_default=True, help="the remote's name")
@click.pass_obj
def git_remote(client: Client, app: str | None, remote: str) -> None:
    """Add (or point) a git remote at an app."""
    if not in_git_repo():
        raise click.ClickException("not inside a git repository: run `git init` first")
    name = resolve_app(app)
    client.request("GET", f"/apps/{name}")
    url = add_remote(client, name, remote)
    click.echo(f"set git remote {remote} to {url}")
