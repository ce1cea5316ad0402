"""`minidyno doctor` with a real build, dyno and Postgres: each app of tests/apps/doctor
fails exactly the check it is named for and no other, the clean one passes them all,
the exit status says so, the app's last report shows on its dashboard page, and nothing
of a run is left but its build cache, which goes with the app."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import docker
import pytest
from playwright.sync_api import expect

from tests.integration import browser
from tests.integration.platform_fixture import REPO, Server, wait_for

APPS = REPO / "tests" / "apps" / "doctor"
#: Each test app, and the one check it must fail.
FAILS = {
    "clean": None,
    "fixed-port": "bind",
    "sqlite-write": "filesystem",
    "sigterm-ignored": "sigterm",
    "memory-hog": "memory",
    "slow-root": "response",
    "postgres-scheme": "database-url",
    "tls-disabled": "database-tls",
    # Last: the report and the dashboard are then read for its failure.
    "localhost": "bind",
}


def _work_tree(server: Server, tmp_path: Path, name: str) -> Path:
    src = tmp_path / name
    shutil.copytree(APPS / name, src)
    server.git("init", "-q", "-b", "main", cwd=src)
    server.commit(src, "Initial commit")
    return src


# The waits Heroku allows are 30 s each; 5 s keeps the slow and the SIGTERM-ignoring
# apps from costing a minute (slow-root's / takes 8 s).
@pytest.mark.server_env(MINIDYNO_ROUTER_TIMEOUT="5", MINIDYNO_STOP_TIMEOUT="5")
def test_each_app_fails_only_its_own_check(
    server: Server, tmp_path: Path, docker_engine: docker.DockerClient
) -> None:
    """Every app doctored as one app's source (`-a` by its git remote), so the runs after
    the first reuse that app's doctor build cache; the text report's lines are read."""
    server.cli("apps:create", "doctored")
    server.cli("config:set", "GREETING=hello", "-a", "doctored")
    wrong: list[str] = []
    for name, expected in FAILS.items():
        src = _work_tree(server, tmp_path, name)
        server.cli("git:remote", "-a", "doctored", cwd=src)
        proc = server.cli("doctor", cwd=src, check=False)
        lines = {line.split()[1]: line for line in proc.stdout.splitlines()[1:] if line.strip()}
        if not lines or any(
            line.split()[0] not in ("pass", "warn", "fail", "skip") for line in lines.values()
        ):
            wrong.append(
                f"{name}: no report (exit {proc.returncode}): {proc.stdout[-500:]}{proc.stderr[-2000:]}"
            )
            continue
        flagged = {check: line for check, line in lines.items() if line.split()[0] in ("warn", "fail")}
        failed = {check for check, line in flagged.items() if line.startswith("fail")}
        if failed != ({expected} if expected else set()) or set(flagged) - failed:
            wrong.append(
                f"{name}: expected {expected or 'nothing'} to fail, got " + " | ".join(flagged.values())
            )
        if proc.returncode != (1 if expected else 0):
            wrong.append(f"{name}: exit status {proc.returncode}")
    assert not wrong, "\n".join(wrong)

    # The last app run, localhost: its R10 line, what Heroku does, the fix, the article;
    # the app's config var reached its dyno.
    bind = lines["bind"]
    assert "127.0.0.1:" in bind and "R10 Boot timeout" in bind
    assert "0.0.0.0" in bind.split("Fix:")[1]
    assert "https://devcenter.heroku.com/articles/error-codes#r10-boot-timeout" in bind
    assert "app: greeting: hello" in proc.stderr, "the app's config vars did not reach the dyno"
    last = server.api("GET", "/apps/doctored/doctor").json()
    assert [c["check"] for c in last["checks"] if c["status"] == "fail"] == ["bind"]
    with browser.chromium_page(server.ca_path, tmp_path / "browser-home") as page:
        browser.goto(page, server.cli("dashboard", "--no-browser").stdout.strip())
        browser.goto(page, f"https://localhost:{server.router_tls_port}/dashboard/apps/doctored")
        row = page.locator('#doctor-checks tr[data-check="bind"]')
        expect(row.locator(".result")).to_have_text("fail")
        expect(row).to_contain_text("R10 Boot timeout")
        expect(row.get_by_role("link", name="Dev Center")).to_have_attribute(
            "href", "https://devcenter.heroku.com/articles/error-codes#r10-boot-timeout"
        )
        expect(page.locator('#doctor-checks tr[data-check="memory"] .result')).to_have_text("pass")
        expect(page.locator("#doctor-summary")).to_contain_text("fails Binds $PORT")
        page.locator("#doctor-title").scroll_into_view_if_needed()
        browser.shot(page, "doctor", "last-report")

    # Each run's report comes first; its removal follows in the background. Its build
    # cache stays, until the app is destroyed.
    home = {"label": f"minidyno.home={server.home.resolve()}"}
    scratch = {"label": [home["label"], "minidyno.app=doctor_doctored"]}

    def left() -> list[str]:
        return [
            *(c.name for c in docker_engine.containers.list(all=True, filters=scratch)),
            *(n.name for n in docker_engine.networks.list(filters=scratch)),
            *(
                v.name
                for v in docker_engine.volumes.list(filters=scratch)
                if not v.name.endswith("-build-cache")
            ),
        ]

    try:
        wait_for(lambda: not left(), timeout=30)
    except AssertionError:
        raise AssertionError(f"doctor left {left()} behind") from None
    kept = docker_engine.volumes.list(filters=scratch)
    assert [v.attrs["Labels"]["minidyno.process"] for v in kept] == ["build-cache"]
    server.cli("apps:destroy", "doctored", "--confirm", "doctored")
    assert docker_engine.volumes.list(filters=scratch) == [], "the doctor build cache outlived its app"


def test_a_push_refused_on_heroku_is_named_without_a_build(server: Server, tmp_path: Path) -> None:
    """The buildpack's own rules, read before any container: two package managers and
    a committed .env holding a secret; nothing is built."""
    src = _work_tree(server, tmp_path, "clean")
    (src / "Pipfile.lock").write_text("{}")
    (src / ".env").write_text("SECRET_KEY=hunter2\nDEBUG=1\n")
    # A source bigger than an API call's JSON body: it is a push, limited as one.
    (src / "model.bin").write_bytes(os.urandom(3 * 2**20))
    proc = server.cli("doctor", "--json", cwd=src, check=False)
    assert proc.returncode == 1, proc.stderr
    checks = {c["check"]: c for c in json.loads(proc.stdout)["checks"]}
    assert checks["package-manager"]["status"] == "fail"
    assert "Multiple Python package manager files" in checks["package-manager"]["seen"]
    assert checks["env-file"]["status"] == "warn" and "SECRET_KEY" in checks["env-file"]["seen"]
    assert "DEBUG" not in checks["env-file"]["seen"]
    assert checks["build"]["status"] == "skip"
    assert checks["slug-size"]["status"] == "pass" and "3.0 MB" in checks["slug-size"]["seen"]
    assert "Building" not in proc.stderr


WORKER = """\
import time

print("working", flush=True)
while True:
    time.sleep(0.2)
"""


def test_a_worker_app_is_run_without_a_port_and_stopped(server: Server, tmp_path: Path) -> None:
    """No web process in an app that serves nothing: no H14, no $PORT to bind; its
    worker still runs, writes nothing, and stops on SIGTERM."""
    src = tmp_path / "worker-only"
    src.mkdir()
    (src / "requirements.txt").write_text("")
    (src / ".python-version").write_text("3.13\n")
    (src / "Procfile").write_text("worker: python worker.py\n")
    (src / "worker.py").write_text(WORKER)
    server.git("init", "-q", "-b", "main", cwd=src)
    server.commit(src, "A worker")
    proc = server.cli("doctor", "--json", cwd=src, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = {c["check"]: c for c in json.loads(proc.stdout)["checks"]}
    assert checks["web-process"]["status"] == "pass"
    assert checks["bind"]["status"] == "skip" and "no web process" in checks["bind"]["seen"]
    assert checks["sigterm"]["status"] == "pass"
    assert "Starting worker.1" in proc.stderr and "PORT=" not in proc.stderr
    assert "app: working" in proc.stderr
