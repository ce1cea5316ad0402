"""Heroku Scheduler: jobs run as one-off `scheduler.N` dynos of the current release
with its config vars, their output and exit status recorded; a job still running at its
next start is not started twice, and is stopped at its interval; jobs outlive a server
restart, whose missed runs are not replayed. A scheduler minute of 0.5 s makes "every
10 minutes" every 5 s."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.integration.platform_fixture import Server, deployed, logs, wait_for

PERIOD = 5.0
WEB_ONLY = "web: gunicorn app:app --bind 0.0.0.0:$PORT\n"


def jobs(server: Server, app: str) -> dict[int, dict]:
    return {j["id"]: j for j in server.api("GET", f"/apps/{app}/scheduler/jobs").json()}


def runs(server: Server, app: str, text: str) -> list[str]:
    """The scheduler dynos that printed `text`."""
    return re.findall(rf"app\[(scheduler\.\d{{4}})\]: {re.escape(text)}$", logs(server, app), re.M)


@pytest.mark.server_env(MINIDYNO_SCHEDULER_MINUTE="0.5")
@pytest.mark.long
def test_scheduler_runs_jobs_as_one_off_dynos(server: Server, tmp_path: Path, docker_engine):
    deployed(server, tmp_path, "cron", WEB_ONLY)
    refused = server.cli("scheduler:add", "echo hi", "--every", "10m", "-a", "cron", check=False)
    assert refused.returncode != 0
    assert "addons:create scheduler -a cron" in refused.stderr

    releases_before = len(server.api("GET", "/apps/cron/releases").json())
    created = server.cli("addons:create", "scheduler:standard", "-a", "cron").stdout
    assert re.search(r"^Created scheduler-[\w-]+$", created, re.M), "attached as no config var"
    # Heroku Scheduler attaches no config var, so it makes no release.
    assert len(server.api("GET", "/apps/cron/releases").json()) == releases_before
    second = server.cli("addons:create", "scheduler", "-a", "cron", check=False)
    assert second.returncode != 0 and "already has scheduler-" in second.stderr
    server.cli("config:set", "GREETING=hello-from-config", "-a", "cron")

    for args, said in (
        (("--every", "1d", "--at", "25:00"), "is not a time"),
        (("--every", "1d", "--at", "09:15"), ":00, :30"),
        (("--every", "10m", "--at", "09:00"), "--at is for hourly and daily jobs"),
        (("--every", "5m"), "use 10m, 1h or 1d"),
    ):
        bad = server.cli("scheduler:add", "echo never", *args, "-a", "cron", check=False)
        assert bad.returncode != 0 and said in bad.stderr, bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert jobs(server, "cron") == {}
    unknown = server.cli("scheduler:remove", "99", "-a", "cron", check=False)
    assert unknown.returncode != 0 and "has no scheduler job 99" in unknown.stderr

    added = server.cli(
        "scheduler:add", 'echo "greeting=$GREETING dyno=$DYNO"', "--every", "10m", "-a", "cron"
    )
    assert "Every 10 minutes" in added.stdout
    server.cli("scheduler:add", "sleep 7; echo slept", "--every", "10m", "-a", "cron")
    server.cli("scheduler:add", "echo failing; exit 3", "--every", "1d", "--at", "03:30", "-a", "cron")
    greet, slow, failing = sorted(jobs(server, "cron"))

    # The config var reaches the job, which runs in a dyno named as on Heroku.
    same_dyno = re.compile(r"app\[(scheduler\.\d{4})\]: greeting=hello-from-config dyno=\1$", re.M)
    wait_for(lambda: same_dyno.search(logs(server, "cron")), 30)
    wait_for(lambda: jobs(server, "cron")[greet]["last_status"] == 0, 15)
    text = logs(server, "cron")
    assert re.search(r"minidyno\[scheduler\.\d{4}\]: Starting process with command `echo", text)
    assert re.search(r"minidyno\[scheduler\.\d{4}\]: Process exited with status 0", text)

    # The 7 s job is still running at its next start, 5 s on: its interval is up, so it
    # is stopped there, as Heroku stops scheduler dynos, before it says "slept"; the next
    # run starts once it has exited, never beside it.
    def slow_runs(text: str) -> list[str]:
        return re.findall(r"minidyno\[(scheduler\.\d{4})\]: Starting process with command `sleep 7", text)

    wait_for(lambda: f"Job {slow}'s run at" in logs(server, "cron"), 30)
    wait_for(lambda: len(slow_runs(logs(server, "cron"))) >= 2, 20)
    text = logs(server, "cron")
    first, second = slow_runs(text)[:2]
    assert f"minidyno[{first}]: Reached its job's 10m interval" in text
    stopped = text.index(f"minidyno[{first}]: Process exited with status 143")
    assert stopped < text.index(f"minidyno[{second}]: Starting process")
    assert not runs(server, "cron", "slept")

    # Run now: a daily job, whose exit status is shown.
    ran = server.cli("scheduler:run", str(failing), "-a", "cron")
    assert "scheduler." in ran.stdout
    wait_for(lambda: jobs(server, "cron")[failing]["last_status"] == 3, 20)
    listing = server.cli("scheduler", "-a", "cron").stdout
    assert "Every day at 03:30 UTC: echo failing; exit 3" in listing
    assert "(exit 3)" in listing

    # Updating a job changes what runs next.
    server.cli("scheduler:update", str(greet), "--command", "echo updated", "-a", "cron")
    wait_for(lambda: runs(server, "cron", "updated"), 20)

    # Stopped for several periods: the jobs are kept, and the missed runs are not replayed.
    server.cli("scheduler:remove", str(slow), "-a", "cron")
    before = len(runs(server, "cron", "updated"))
    server.stop()
    time.sleep(3 * PERIOD)
    server.start()
    assert set(jobs(server, "cron")) == {greet, failing}
    wait_for(lambda: f"Job {greet} missed its run" in logs(server, "cron"), 10)
    time.sleep(PERIOD / 2)
    assert len(runs(server, "cron", "updated")) <= before + 1
    wait_for(lambda: len(runs(server, "cron", "updated")) > before, 20)

    # With its jobs gone, no scheduler dyno is left: each is removed once it exits, as
    # Heroku's one-off dynos are.
    server.cli("scheduler:remove", str(greet), "-a", "cron")
    server.cli("addons:destroy", "scheduler", "--confirm", "cron", "-a", "cron", check=False)
    scope = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.app=cron", "minidyno.process=run"]}
    wait_for(lambda: not docker_engine.containers.list(all=True, filters=scope, ignore_removed=True), 20)
