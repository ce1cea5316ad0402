"""Heroku's dyno manager on Docker: process types, scaling, crashes, the release
phase, one-off dynos, config vars, rollback and a control plane that restarts."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.platform_fixture import PROCFILE, RELEASE, Server, deployed, logs, ps, wait_for


@pytest.mark.both_runtimes
def test_worker_scales_beside_web_and_both_web_dynos_take_traffic(server: Server, tmp_path: Path):
    deployed(server, tmp_path, "scaled")
    assert set(ps(server, "scaled")) == {"web.1"}

    server.cli("ps:scale", "web=2", "worker+1", "-a", "scaled")

    wait_for(
        lambda: (
            {n: d["state"] for n, d in ps(server, "scaled").items()}
            == {"web.1": "up", "web.2": "up", "worker.1": "up"}
        )
    )
    labelled = server.engine().containers.list(
        filters={"label": [f"minidyno.home={server.home.resolve()}", "minidyno.app=scaled"]}
    )
    assert sorted(c.labels["minidyno.dyno"] for c in labelled) == ["web.1", "web.2", "worker.1"]
    listed = server.cli("ps", "-a", "scaled").stdout
    assert re.search(r"^=== web \(2\): gunicorn app:app --bind 0\.0\.0\.0:\$PORT$", listed, re.M)
    assert re.search(r"^=== worker \(1\): python worker\.py$", listed, re.M)
    assert re.search(r"^web\.2: up \S+ ago \(v1\)$", listed, re.M)
    seen = {server.router_get("scaled").text.strip().split()[-1] for _ in range(40)}
    assert seen == {"web.1.", "web.2."}
    assert "worker started with -" in logs(server, "scaled", dyno="worker.1")

    server.cli("ps:scale", "web=1", "worker=0", "-a", "scaled")
    wait_for(lambda: set(ps(server, "scaled")) == {"web.1"})


def test_bad_scales_are_refused_and_change_nothing(server: Server, tmp_path: Path):
    deployed(server, tmp_path, "limits")
    unknown = server.cli("ps:scale", "nope=1", "-a", "limits", check=False)
    huge = server.cli("ps:scale", "web=1000", "-a", "limits", check=False)
    negative = server.cli("ps:scale", "web-5", "-a", "limits", check=False)

    assert "no 'nope' process type" in unknown.stderr and "web, worker" in unknown.stderr
    assert "between 0 and 20" in huge.stderr
    assert "out of range" in negative.stderr
    assert set(ps(server, "limits")) == {"web.1"}


@pytest.mark.both_runtimes
@pytest.mark.server_env(MINIDYNO_CRASH_BACKOFF_BASE="1", MINIDYNO_CRASH_BACKOFF_CAP="4")
def test_crash_looping_dyno_restarts_with_growing_gaps(server: Server, tmp_path: Path):
    procfile = PROCFILE + "crashy: python -c \"print('boom', flush=True); raise SystemExit(3)\"\n"
    deployed(server, tmp_path, "crashy", procfile)

    server.cli("ps:scale", "crashy=1", "-a", "crashy")

    text = wait_for(
        lambda: (t := logs(server, "crashy", dyno="crashy.1")).count("Starting process") >= 5 and t,
        timeout=60,
    )
    starts = [line.split()[0] for line in text.splitlines() if "Starting process" in line]
    from datetime import datetime

    times = [datetime.fromisoformat(s) for s in starts]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    # The schedule as the supervisor announces it: the first crash restarts at once (no
    # line), then after 1, 2, 4 s. A busy machine only makes a gap longer, so each gap
    # is checked against its delay from below; a bound from above timed the machine.
    delays = [int(d) for d in re.findall(r"Crashed \d+ times in a row; restarting in (\d+) s", text)]
    assert delays[:3] == [1, 2, 4], delays
    assert all(gap >= delay - 0.2 for gap, delay in zip(gaps[1:], delays, strict=False)), (gaps, delays)
    assert "Crashed 1 times" not in text
    assert "Process exited with status 3" in text
    assert "State changed from up to crashed" in text
    assert "app[crashy.1]: boom" in logs(server, "crashy")
    wait_for(lambda: ps(server, "crashy").get("crashy.1", {}).get("state") == "crashed", 20, 0.05)


@pytest.mark.both_runtimes
def test_failing_release_phase_blocks_the_release(server: Server, tmp_path: Path):
    src = deployed(server, tmp_path, "phases")
    assert "release phase for release.1" in logs(server, "phases")
    (src / "app.py").write_text((src / "app.py").read_text().replace("Hello", "Broken"))
    (src / "release.py").write_text(RELEASE.replace('"0"', '"7"'))
    server.commit(src, "A release phase that fails")

    push = server.push(src, check=False)

    assert push.returncode != 0
    assert "remote:        release phase for release.1" in push.stderr
    assert "the release command exited with status 7" in push.stderr
    assert server.router_get("phases").text.startswith("Hello")
    assert "failed" in server.cli("releases", "-a", "phases").stdout.splitlines()[1]


def test_config_vars_reach_dynos_exactly_and_bad_names_change_nothing(server: Server, tmp_path: Path):
    deployed(server, tmp_path, "configured")
    value = "two  spaces, 'single' \"double\" $NOT_EXPANDED\nsecond line ünïcødé ✓"

    server.cli("config:set", f"GREETING={value}", "-a", "configured")

    assert server.router_get("configured").text == f"{value}! This is web.1.\n"
    assert server.cli("config:get", "GREETING", "-a", "configured").stdout == value + "\n"
    releases = server.cli("releases", "-a", "configured").stdout
    assert "Set GREETING config vars" in releases
    for bad in ("1ABC=x", "PORT=1", "DYNO=x", "WITH-DASH=x"):
        refused = server.cli("config:set", bad, "-a", "configured", check=False)
        assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 2
    assert server.cli("releases", "-a", "configured").stdout == releases
    server.cli("config:unset", "GREETING", "-a", "configured")
    assert server.router_get("configured").text == "Hello from minidyno! This is web.1.\n"


def test_rollback_restores_image_and_config(server: Server, tmp_path: Path):
    src = deployed(server, tmp_path, "rolling")
    server.cli("config:set", "GREETING=Version one", "-a", "rolling")
    (src / "app.py").write_text((src / "app.py").read_text().replace("This is", "Now on"))
    server.commit(src, "Change")
    server.push(src)
    server.cli("config:set", "GREETING=Version two", "-a", "rolling")
    assert server.router_get("rolling").text == "Version two! Now on web.1.\n"

    server.cli("releases:rollback", "v2", "-a", "rolling")

    assert server.router_get("rolling").text == "Version one! This is web.1.\n"
    assert "Rollback to v2" in server.cli("releases", "-a", "rolling").stdout
    assert server.cli("config:get", "GREETING", "-a", "rolling").stdout == "Version one\n"
    missing = server.cli("releases:rollback", "v99", "-a", "rolling", check=False)
    assert "release v99 of rolling not found" in missing.stderr


@pytest.mark.both_runtimes
def test_run_returns_output_and_exit_status(server: Server, tmp_path: Path):
    server.cli("apps:create", "empty")
    no_release = server.cli("run", "-a", "empty", "--", "true", check=False)
    assert "no release yet" in no_release.stderr
    deployed(server, tmp_path, "oneoff")
    server.cli("config:set", "GREETING=from config", "-a", "oneoff")

    result = server.cli(
        "run",
        "-a",
        "oneoff",
        "--",
        'echo "$GREETING on $DYNO"; python -c "import flask"; exit 4',
        check=False,
    )

    assert result.returncode == 4
    assert result.stdout == "from config on run.1\n"
    detached = server.cli("run:detached", "-a", "oneoff", "--", "echo detached output")
    assert "run.1" in detached.stdout or "run.2" in detached.stdout
    wait_for(
        lambda: (
            "app[run.1]: detached output" in logs(server, "oneoff")
            or "app[run.2]: detached output" in logs(server, "oneoff")
        ),
        20,
    )


@pytest.mark.both_runtimes
def test_server_restart_keeps_the_same_containers(server: Server, tmp_path: Path):
    docker_engine = server.engine()
    deployed(server, tmp_path, "durable")
    server.cli("ps:scale", "worker=1", "-a", "durable")
    scope = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.app=durable"]}
    wait_for(lambda: len(docker_engine.containers.list(filters=scope, ignore_removed=True)) == 2)
    before = sorted(c.id for c in docker_engine.containers.list(filters=scope, ignore_removed=True))

    server.stop()
    during = httpx.get(
        f"http://127.0.0.1:{server.router_port}/", headers={"Host": "durable.localhost"}, timeout=10
    )
    server.start()

    assert during.status_code == 200
    assert server.router_get("durable").status_code == 200
    time.sleep(3)
    assert sorted(c.id for c in docker_engine.containers.list(filters=scope, ignore_removed=True)) == before
    assert {d["state"] for d in ps(server, "durable").values()} == {"up"}


def test_bad_procfile_rejects_the_push_with_its_line(server: Server, tmp_path: Path):
    server.cli("apps:create", "badproc")
    src = server.app_source(tmp_path, "badproc", {"Procfile": "web: gunicorn app:app\nweb: again\n"})

    push = server.push(src, check=False)

    assert push.returncode != 0
    assert "Procfile line 2: duplicate process type 'web' (first on line 1)" in push.stderr


def test_run_bash_is_interactive_with_ctrl_c_and_exit_status(server: Server, tmp_path: Path):
    import os
    import pty
    import select
    import sys

    deployed(server, tmp_path, "shell")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(
            sys.executable, [sys.executable, "-m", "minidyno", "run", "-a", "shell", "bash"], server.env
        )
    seen = b""

    def expect(needle: bytes, timeout: float = 30) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while needle not in seen:
            assert time.monotonic() < deadline, f"never saw {needle!r} in {seen[-500:]!r}"
            if select.select([fd], [], [], 0.2)[0]:
                seen += os.read(fd, 4096)

    try:
        expect(b"$ ")
        os.write(fd, b"echo answer=$((6*7)) $DYNO\r")
        expect(b"answer=42 run.1")
        os.write(fd, b"sleep 60\r")
        time.sleep(1)
        started = time.monotonic()
        os.write(fd, b"\x03")
        os.write(fd, b"echo interrupted-$((1+1))\r")
        expect(b"interrupted-2", timeout=10)
        assert time.monotonic() - started < 10
        os.write(fd, b"exit 5\r")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 5


@pytest.mark.server_env(MINIDYNO_BOOT_TIMEOUT="3")
def test_web_dyno_that_never_binds_port_is_r10_and_rejected(server: Server, tmp_path: Path):
    server.cli("apps:create", "nobind")
    src = server.app_source(tmp_path, "nobind", {"Procfile": "web: sleep 600\n"})

    push = server.push(src, check=False)

    assert push.returncode != 0
    assert "R10 (Boot timeout): web.1 did not bind $PORT within 3 s" in push.stderr
    assert "Error R10 (Boot timeout) -> Web process failed to bind to $PORT" in logs(server, "nobind")
    assert ps(server, "nobind") == {}


@pytest.mark.server_env(MINIDYNO_STOP_TIMEOUT="2")
def test_dyno_ignoring_sigterm_is_killed_with_r12(server: Server, tmp_path: Path):
    procfile = (
        "web: gunicorn app:app --bind 0.0.0.0:$PORT\nstubborn: trap '' TERM; while true; do sleep 0.2; done\n"
    )
    deployed(server, tmp_path, "stubborn", procfile)
    server.cli("ps:scale", "stubborn=1", "-a", "stubborn")
    wait_for(lambda: ps(server, "stubborn").get("stubborn.1", {}).get("state") == "up")

    server.cli("ps:scale", "stubborn=0", "-a", "stubborn")

    text = wait_for(
        lambda: "State changed from up to down" in (t := logs(server, "stubborn", dyno="stubborn.1")) and t,
        timeout=30,
    )
    assert "Stopping all processes with SIGTERM" in text
    assert "Error R12 (Exit timeout) -> At least one process failed to exit within 2 seconds" in text
    assert "Process exited with status 137" in text


CYCLED_APP = """\
from pathlib import Path

from flask import Flask

app = Flask(__name__)
NOTE = Path("/app/note.txt")


@app.post("/note")
def write():
    NOTE.write_text("kept")
    return "written"


@app.get("/note")
def read():
    return NOTE.read_text() if NOTE.exists() else "gone"
"""


@pytest.mark.server_env(MINIDYNO_DYNO_CYCLE="15")
def test_a_cycled_dyno_is_a_new_one_whose_filesystem_starts_fresh(server: Server, tmp_path: Path):
    """Heroku's daily cycle, shortened to 15 s (plus up to 216/1440 of it): a new
    container of the same release, so a file the dyno wrote is gone, with Heroku's lines."""
    server.cli("apps:create", "cycled")
    server.push(server.app_source(tmp_path, "cycled", {"app.py": CYCLED_APP}))
    first = ps(server, "cycled")["web.1"]
    written = httpx.post(f"http://127.0.0.1:{server.router_port}/note", headers={"Host": "cycled.localhost"})
    assert written.text == "written"
    assert server.router_get("cycled", "/note").text == "kept"

    text = wait_for(lambda: "Cycling" in (t := logs(server, "cycled", dyno="web.1")) and t, timeout=40)
    wait_for(lambda: server.router_get("cycled", "/note").text == "gone", timeout=30)
    assert ps(server, "cycled")["web.1"]["release"] == first["release"]
    text = logs(server, "cycled", dyno="web.1")
    cycle = text[text.index("Cycling") :]
    expected = [
        "Cycling",
        "State changed from up to starting",
        "Stopping all processes with SIGTERM",
        "Process exited with status",
        "Starting process with command",
        "State changed from starting to up",
    ]
    positions = [cycle.find(line) for line in expected]
    assert -1 not in positions and positions == sorted(positions), cycle
