"""scheduler, scheduler:add, scheduler:update, scheduler:remove, scheduler:run: Heroku
Scheduler's jobs, which Heroku manages on its dashboard page."""

from __future__ import annotations

import json

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client


def schedule_words(job: dict) -> str:
    """As Heroku's Scheduler page says it."""
    if job["every"] == "10m":
        return "Every 10 minutes"
    if job["every"] == "1h":
        return f"Every hour at {job['at'] or ':00'}"
    return f"Every day at {job['at'] or '00:00'} UTC"


def _last(job: dict) -> str:
    if job["running"]:
        return f"running now as {job['running']}"
    if not job["last_run"]:
        return "never"
    status = "exit status unknown" if job["last_status"] is None else f"exit {job['last_status']}"
    return f"{job['last_run']} ({status})"


@click.command("scheduler")
@app_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def scheduler_list(client: Client, app: str | None, as_json: bool) -> None:
    """List the app's scheduled jobs, with their last and next runs."""
    name = resolve_app(app)
    found = client.request("GET", f"/apps/{name}/scheduler/jobs")
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    click.echo(f"=== {name} Scheduler jobs")
    if not found:
        click.echo(f'none; `minidyno scheduler:add "python task.py" --every 1h -a {name}` adds one')
    for job in found:
        click.echo(f"{job['id']}  {schedule_words(job)}: {job['command']}")
        click.echo(f"    Next run: {job['next_run']}")
        click.echo(f"    Last run: {_last(job)}")


@click.command("scheduler:add")
@click.argument("command")
@click.option("--every", required=True, help="10m, 1h or 1d")
@click.option("--at", help="when in the hour (:MM) or day (HH:MM, UTC)")
@app_option
@click.pass_obj
def scheduler_add(client: Client, command: str, every: str, at: str | None, app: str | None) -> None:
    """Schedule COMMAND to run in a one-off dyno every 10 minutes, hour or day."""
    name = resolve_app(app)
    job = client.request(
        "POST", f"/apps/{name}/scheduler/jobs", json={"command": command, "every": every, "at": at}
    )
    click.echo(f"Added job {job['id']}: {schedule_words(job)}: {job['command']}; next run {job['next_run']}")


@click.command("scheduler:update")
@click.argument("job_id", type=int)
@click.option("--command", "command", help="the new command")
@click.option("--every", help="10m, 1h or 1d")
@click.option("--at", help="when in the hour (:MM) or day (HH:MM, UTC)")
@app_option
@click.pass_obj
def scheduler_update(
    client: Client, job_id: int, command: str | None, every: str | None, at: str | None, app: str | None
) -> None:
    """Change a job's command or schedule."""
    name = resolve_app(app)
    job = client.request(
        "PATCH",
        f"/apps/{name}/scheduler/jobs/{job_id}",
        json={"command": command, "every": every, "at": at},
    )
    click.echo(f"Updated job {job['id']}: {schedule_words(job)}: {job['command']}; next {job['next_run']}")


@click.command("scheduler:remove")
@click.argument("job_id", type=int)
@app_option
@click.pass_obj
def scheduler_remove(client: Client, job_id: int, app: str | None) -> None:
    """Remove a job (a run in progress finishes)."""
    name = resolve_app(app)
    client.request("DELETE", f"/apps/{name}/scheduler/jobs/{job_id}")
    click.echo(f"Removed job {job_id}")


@click.command("scheduler:run")
@click.argument("job_id", type=int)
@app_option
@click.pass_obj
def scheduler_run(client: Client, job_id: int, app: str | None) -> None:
    """Run a job now, in a one-off dyno (its output goes to the app's logs)."""
    name = resolve_app(app)
    dyno = client.request("POST", f"/apps/{name}/scheduler/jobs/{job_id}/run")["dyno"]
    click.echo(f"Running job {job_id} as {dyno}; `minidyno logs --tail -a {name}` shows its output")
