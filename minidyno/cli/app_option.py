"""Which app a verb acts on: `-a/--app`, else the `minidyno` git remote of the
current directory, as the Heroku CLI does with its `heroku` remote."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click

REMOTE = "minidyno"
_APP_IN_URL = re.compile(r"/git/([a-z][a-z0-9-]{1,29})\.git/?$")


def app_from_remote(remote: str = REMOTE, cwd: Path | None = None) -> str | None:
    """The app the `minidyno` remote of the repo at `cwd` (default: here) pushes to."""
    try:
        url = subprocess.run(
            ["git", "remote", "get-url", remote], capture_output=True, text=True, check=True, cwd=cwd
        ).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    match = _APP_IN_URL.search(url)
    return match.group(1) if match else None


def resolve_app(app: str | None) -> str:
    found = app or app_from_remote()
    if not found:
        raise click.UsageError(
            "no app given: pass -a APP, or run inside a git repo with a `minidyno` remote "
            "(minidyno git:remote -a APP)"
        )
    return found


app_option = click.option("-a", "--app", "app", help="the app (default: the minidyno git remote)")
