"""doctor: will this work on Heroku? The work tree is sent to the server, which builds
it and runs it once as Heroku would, and the report comes back one line per check."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from pathlib import Path

import click

from minidyno.cli.app_option import app_from_remote
from minidyno.cli.client import Client
from minidyno.cli.streams import follow_events


@click.command("doctor")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@click.option(
    "-a", "--app", "app", help="keep the report as this app's last (default: the minidyno git remote)"
)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.pass_obj
def doctor(client: Client, path: Path, app: str | None, as_json: bool) -> None:
    """Check that the app at PATH would work on Heroku: the files `git push` would
    send (committed or not yet, .gitignore kept), built and run once in a throwaway
    dyno. Exit status 1 when a check fails."""
    root = _work_tree(path)
    app = app or app_from_remote(cwd=root)
    result = follow_events(
        client,
        "POST",
        "/doctor",
        params={"app": app or "", "commit": _describe(root)},
        content=_tarball(root),
    )
    if as_json:
        click.echo(
            json.dumps(
                {"app": result["app"], "failed": result["failed"], "checks": result["checks"]}, indent=2
            )
        )
    else:
        click.echo(f"=== minidyno doctor: will {app or root.name} work on Heroku?")
        for check in result["checks"]:
            click.echo(check["line"])
    if result["failed"]:
        raise SystemExit(1)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def _work_tree(path: Path) -> Path:
    try:
        return Path(_git(path, "rev-parse", "--show-toplevel").strip())
    except (subprocess.CalledProcessError, FileNotFoundError):
        raise click.ClickException(
            f"{path} is not in a git work tree: doctor checks what `git push` would send; run git init there"
        ) from None


def _describe(root: Path) -> str:
    try:
        return _git(root, "describe", "--always", "--dirty").strip()
    except subprocess.CalledProcessError:
        return "no commit yet"


def _tarball(root: Path) -> bytes:
    """Every file git would commit with `git add -A`: tracked ones as they are now on
    disk, and untracked ones .gitignore does not exclude."""
    names = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in sorted(set(names) - {""}):
            if (root / name).is_symlink() or (root / name).is_file():
                tar.add(root / name, arcname=name, recursive=False)
    return buffer.getvalue()
