"""local, local:run, procfile:check: the Procfile offline, no server needed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from minidyno import local, procfile


def _env_paths(value: str) -> list[Path]:
    return [Path(p.strip()) for p in value.split(",") if p.strip()]


@click.command("local")
@click.argument("types", nargs=-1)
@click.option(
    "-f",
    "--procfile",
    "procfile_path",
    default="Procfile",
    show_default=True,
    type=click.Path(path_type=Path),
)
@click.option(
    "-e", "--env", "env_files", default=".env", show_default=True, help="env file(s), comma-separated"
)
@click.option("-p", "--port", type=int, help="base port (default 5000, or PORT from .env)")
@click.option("--formation", default="", help="dynos per type, e.g. web=1,worker=2")
def local_start(
    types: tuple[str, ...], procfile_path: Path, env_files: str, port: int | None, formation: str
) -> None:
    """Run the Procfile's processes (or the named TYPES) here, like `heroku local`."""
    setup = local.prepare(procfile_path, _env_paths(env_files), list(types))
    for warning in setup.warnings:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    sys.exit(local.run(setup, port, local.parse_formation(formation)))


@click.command("local:run", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("-e", "--env", "env_files", default=".env", show_default=True)
@click.option("-p", "--port", type=int, help="PORT for the command (default: .env's, if any)")
def local_run(command: tuple[str, ...], env_files: str, port: int | None) -> None:
    """Run one command with the app's .env (a migration, a shell), like `heroku local:run`."""
    env = local.read_env_files(_env_paths(env_files))
    if port is not None:
        env["PORT"] = str(port)
    sys.exit(local.run_one(env, list(command)))


@click.command("procfile:check")
@click.argument("path", default="Procfile", type=click.Path(path_type=Path))
def procfile_check(path: Path) -> None:
    """Find what Heroku would reject in a Procfile; exit 1 on errors."""
    if not path.exists():
        raise click.ClickException(f"no Procfile at {path}")
    folder = path.parent
    requirements = folder / "requirements.txt"
    web_app = procfile.looks_like_web_app(
        requirements.read_text() if requirements.exists() else None, {p.name for p in folder.iterdir()}
    )
    found = procfile.check(path.read_bytes().decode("utf-8", errors="replace"), web_app)
    for problem in found:
        colour = "red" if problem.severity == procfile.ERROR else "yellow"
        click.secho(
            f"{path}:{problem.line}: {problem.severity}: {problem.message}",
            fg=colour if sys.stdout.isatty() else None,
        )
    errors = sum(p.severity == procfile.ERROR for p in found)
    if not found:
        click.echo(f"{path}: ok")
    sys.exit(1 if errors else 0)
