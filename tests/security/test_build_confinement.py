"""Finding 2: a build's `bin/pre_compile` ran as root with default capabilities and no
memory, pids or CPU limit, and no build ever timed out, so a hung build held the app's
lock (and with it config:set, ps:scale, rollback, apps:destroy) forever; stale build
containers were never cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.platform_fixture import Server, logs, wait_for

PROBE = """#!/bin/sh
echo "uid=$(id -u)"
grep CapEff /proc/self/status
echo "memory.max=$(cat /sys/fs/cgroup/memory.max)"
echo "pids.max=$(cat /sys/fs/cgroup/pids.max)"
echo "cpu.max=$(cat /sys/fs/cgroup/cpu.max)"
"""


def test_builds_run_unprivileged_and_limited(server: Server, tmp_path: Path):
    server.cli("apps:create", "confined")
    src = server.app_source(tmp_path, "confined", {"bin/pre_compile": PROBE})
    out = server.push(src).stderr
    assert "uid=1000" in out
    assert "CapEff:\t0000000000000000" in out
    assert "memory.max=max" not in out and "pids.max=max" not in out
    assert "cpu.max=max" not in out


@pytest.mark.server_env(MINIDYNO_BUILD_TIMEOUT="5")
def test_a_hung_build_times_out_and_frees_the_app(server: Server, tmp_path: Path, docker_engine):
    server.cli("apps:create", "hung")
    src = server.app_source(tmp_path, "hung", {"bin/pre_compile": "#!/bin/sh\nsleep 600\n"})
    started = time.monotonic()
    push = server.push(src, check=False)
    assert push.returncode != 0
    assert "the build ran longer than 5 s and was stopped" in push.stderr
    assert time.monotonic() - started < 60
    server.cli("config:set", "AFTER=1", "-a", "hung")  # the app's lock is free again
    builds = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.process=build"]}
    assert docker_engine.containers.list(all=True, filters=builds, ignore_removed=True) == []


def test_stale_build_containers_are_removed_at_start(server: Server, docker_engine):
    labels = {
        "minidyno.home": str(server.home.resolve()),
        "minidyno.app": "gone",
        "minidyno.process": "build",
        "minidyno.dyno": "build",
    }
    stale = docker_engine.containers.run(
        "minidyno/stack:trixie", ["sleep", "600"], detach=True, labels=labels
    )
    server.stop()
    server.start()
    builds = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.process=build"]}
    assert docker_engine.containers.list(all=True, filters=builds, ignore_removed=True) == []
    assert stale.id


def test_a_pusher_who_hangs_up_ends_the_build_and_frees_the_app(
    server: Server, tmp_path: Path, docker_engine
):
    server.cli("apps:create", "leaver")
    src = server.app_source(tmp_path, "leaver", {"bin/pre_compile": "#!/bin/sh\nsleep 600\n"})
    push = subprocess.Popen(
        ["git", "push", "minidyno", "main"],
        cwd=src,
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    for line in push.stdout:
        if "Running bin/pre_compile hook" in line:
            break
    os.killpg(push.pid, signal.SIGINT)  # Ctrl-C: git and its HTTP helper go
    push.wait()

    builds = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.process=build"]}
    assert wait_for(
        lambda: docker_engine.containers.list(all=True, filters=builds, ignore_removed=True) == [], 20
    )
    server.cli("config:set", "AFTER=1", "-a", "leaver")  # the app's lock is free again
    assert "the pusher disconnected" in logs(server, "leaver")
