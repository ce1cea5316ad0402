"""The official Heroku CLI (npm's `heroku`, which nobody here wrote) drives minidyno
through Heroku's Platform API v3, each command's effect checked through minidyno's own
API; and Heroku's getting-started flow runs with the `heroku` command alone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.integration.platform_fixture import REPO, SAMPLE, Server, logs, wait_for

HEROKU = REPO / ".heroku-cli" / "node_modules" / ".bin" / "heroku"


class Heroku:
    """`heroku ARGS` against one server, as README's "Using the Heroku CLI" sets it up:
    the API through the router's TLS origin (so the git remote the CLI writes works),
    minidyno's CA trusted by Node and git, and nothing sent anywhere but 127.0.0.1."""

    def __init__(self, server: Server, home: Path) -> None:
        assert HEROKU.exists(), f"{HEROKU} is missing: ./dev test installs the Heroku CLI"
        (home / ".cache" / "heroku").mkdir(parents=True, exist_ok=True)
        (home / ".cache" / "heroku" / "terms-of-service").touch()
        host = f"https://127.0.0.1:{server.router_tls_port}"
        kept = {
            k: v
            for k, v in server.env.items()
            if not k.startswith(("HEROKU_", "SSL_CERT_", "NODE_")) and k not in ("HOME", "XDG_CACHE_HOME")
        }
        self.server = server
        self.env = {
            **kept,
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "PATH": f"{HEROKU.parent}{os.pathsep}{kept.get('PATH', '')}",
            "HEROKU_HOST": host,
            "HEROKU_API_KEY": server.token,
            "HEROKU_PARTICLEBOARD_URL": host,
            "HEROKU_DATA_HOST": "127.0.0.1",
            "DISABLE_TELEMETRY": "true",
            "HEROKU_SKIP_NEW_VERSION_CHECK": "true",
            "HEROKU_DISABLE_AUTOUPDATE": "1",
            "HEROKU_NOTIFICATIONS": "0",
            "NODE_EXTRA_CA_CERTS": str(server.ca_path),
            "GIT_SSL_CAINFO": str(server.ca_path),
            "NO_COLOR": "1",
        }

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(HEROKU), *args],
            env=self.env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def __call__(self, *args: str, cwd: Path, check: bool = True) -> str:
        """What the command printed, stdout and stderr (the CLI's spinner lines) together."""
        proc = self.run(*args, cwd=cwd)
        out = proc.stdout + proc.stderr
        if check and proc.returncode != 0:
            raise AssertionError(f"heroku {' '.join(args)} exited {proc.returncode}: {out}")
        return out

    def git(self, *args: str, cwd: Path) -> str:
        proc = subprocess.run(
            ["git", *args], env=self.env, cwd=cwd, capture_output=True, text=True, timeout=600
        )
        assert proc.returncode == 0, f"git {' '.join(args)} failed: {proc.stdout}{proc.stderr}"
        return proc.stdout + proc.stderr


@pytest.fixture
def heroku(server: Server, tmp_path: Path) -> Heroku:
    return Heroku(server, tmp_path / "heroku-home")


def source(server: Server, tmp_path: Path) -> Path:
    """The sample app in a fresh git work tree, with no remote yet."""
    src = tmp_path / "src"
    shutil.copytree(SAMPLE, src)
    server.git("init", "-q", "-b", "main", cwd=src)
    server.commit(src, "Initial commit")
    return src


@pytest.mark.long
def test_each_command_of_the_heroku_cli(server: Server, tmp_path: Path, heroku: Heroku):
    src = source(server, tmp_path)
    assert "Creating cli... done" in heroku("apps:create", "cli", cwd=src)
    assert server.api("GET", "/apps/cli").json()["name"] == "cli"
    assert "deployed to minidyno" in heroku.git("push", "heroku", "main", cwd=src)

    assert re.search(r"^cli \(local\)$", heroku("apps", cwd=src), re.M)
    info = heroku("apps:info", "-a", "cli", cwd=src)
    assert "=== cli" in info and "Dynos:          web: 1" in info

    heroku("config:set", "GREETING=hello there", "SECOND=2", "-a", "cli", cwd=src)
    assert server.api("GET", "/apps/cli/config").json() == {"GREETING": "hello there", "SECOND": "2"}
    assert heroku("config:get", "GREETING", "-a", "cli", cwd=src).strip() == "hello there"
    assert "GREETING: hello there" in heroku("config", "-a", "cli", cwd=src)
    heroku("config:unset", "SECOND", "-a", "cli", cwd=src)
    assert server.api("GET", "/apps/cli/config").json() == {"GREETING": "hello there"}

    assert re.search(r"^web\.1: up ", heroku("ps", "-a", "cli", cwd=src), re.M)
    assert "now running web at 2:Eco" in heroku("ps:scale", "web=2", "-a", "cli", cwd=src)
    assert server.api("GET", "/apps/cli/formation").json() == {"web": 2}
    heroku("ps:type", "basic", "-a", "cli", cwd=src)
    assert server.api("GET", "/apps/cli/settings").json()["dyno_type"] == "basic"
    assert "Restarting all dynos on cli... done" in heroku("ps:restart", "-a", "cli", cwd=src)
    assert "Restarting dyno web.1 on cli... done" in heroku("ps:restart", "-d", "web.1", "-a", "cli", cwd=src)
    before = {d["name"]: d for d in server.api("GET", "/apps/cli/dynos").json()}
    assert "Stopping dyno web.2 on cli... done" in heroku("ps:stop", "-d", "web.2", "-a", "cli", cwd=src)
    assert wait_for(lambda: _web2_started_again(server, before["web.2"]["started_at"]), 60)

    releases = heroku("releases", "-a", "cli", cwd=src)
    assert "=== cli Releases - Current: v3" in releases and "Set GREETING, SECOND config vars" in releases
    assert "GREETING: hello there" in heroku("releases:info", "v3", "-a", "cli", cwd=src)
    assert "Rolling back cli to v1... done, v4" in heroku("rollback", "v1", "-a", "cli", cwd=src)
    assert server.api("GET", "/apps/cli/config").json() == {}

    heroku("domains:add", "www.example.test", "-a", "cli", cwd=src)
    assert "www.example.test" in server.api("GET", "/apps/cli/domains").json()
    assert re.search(r"www\.example\.test\s+CNAME\s+cli\.localhost", heroku("domains", "-a", "cli", cwd=src))
    heroku("domains:remove", "www.example.test", "-a", "cli", cwd=src)
    assert "www.example.test" not in server.api("GET", "/apps/cli/domains").json()

    heroku("maintenance:on", "-a", "cli", cwd=src)
    assert server.api("GET", "/apps/cli/settings").json()["maintenance"] is True
    assert heroku("maintenance", "-a", "cli", cwd=src).strip() == "on"
    assert server.router_get("cli").status_code == 503
    heroku("maintenance:off", "-a", "cli", cwd=src)
    assert server.api("GET", "/apps/cli/settings").json()["maintenance"] is False

    tail = subprocess.Popen(
        [str(HEROKU), "logs", "--tail", "-a", "cli"],
        env=heroku.env,
        cwd=src,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(lambda: server.router_get("cli", "/tailed").status_code == 404, 30)
        seen = _read_until(tail, 'path="/tailed"', 60)
    finally:
        tail.kill()
        tail.wait()
    assert 'minidyno[router]: at=info method=GET path="/tailed"' in seen
    assert "Maintenance mode off" in heroku("logs", "-n", "200", "-a", "cli", cwd=src)

    assert "Running echo from-a-detached-dyno on cli... done, run.1" in heroku(
        "run:detached", "echo from-a-detached-dyno", "-a", "cli", cwd=src
    )
    assert wait_for(lambda: "from-a-detached-dyno" in heroku("logs", "-d", "run.1", "-a", "cli", cwd=src), 60)
    attached = heroku.run(
        "run", "-x", "-e", "SHOUT=loud", "sh -c 'echo $SHOUT; exit 3'", "-a", "cli", cwd=src
    )
    assert attached.returncode == 3 and attached.stdout.splitlines()[-1:] == ["loud"], attached

    assert "Created postgresql-" in heroku("addons:create", "heroku-postgresql", "-a", "cli", cwd=src)
    (addon,) = server.api("GET", "/apps/cli/addons").json()
    assert re.search(
        rf"heroku-postgresql \({addon['name']}\)\s+hobby-dev\s+free", heroku("addons", "-a", "cli", cwd=src)
    )
    assert "Attachments:  cli::DATABASE" in heroku("addons:info", addon["name"], "-a", "cli", cwd=src)
    assert re.search(r"^PG Version:\s+17", heroku("pg:info", "-a", "cli", cwd=src), re.M)
    assert "=== Backups" in heroku("pg:backups", "-a", "cli", cwd=src)
    heroku("addons:destroy", addon["name"], "-a", "cli", "--confirm", "cli", cwd=src)
    assert server.api("GET", "/apps/cli/addons").json() == []

    heroku("apps:destroy", "-a", "cli", "--confirm", "cli", cwd=src)
    assert "cli" not in {a["name"] for a in server.api("GET", "/apps").json()}


@pytest.mark.long
def test_getting_started_with_the_heroku_command_alone(server: Server, tmp_path: Path, heroku: Heroku):
    """Heroku's Python tutorial, in order: create, push, scale, config, Postgres, logs, a
    one-off dyno, rollback."""
    src = source(server, tmp_path)
    heroku("create", "tutorial", cwd=src)
    assert "heroku\thttps://127.0.0.1:" in heroku.git("remote", "-v", cwd=src)
    push = heroku.git("push", "heroku", "main", cwd=src)
    assert "Released v1" in push
    heroku("ps:scale", "web=1", cwd=src)
    assert server.router_https("tutorial").status_code == 200
    heroku("config:set", "TIMES=3", cwd=src)
    # As Dev Center provisions it today.
    assert "Created postgresql-" in heroku("addons:create", "heroku-postgresql:essential-0", cwd=src)
    assert heroku("config:get", "DATABASE_URL", cwd=src).startswith("postgres://")
    run = heroku("run", "python -c 'import os; print(os.environ[\"TIMES\"] * 2)'", cwd=src)
    assert "up, run.1" in run and "33" in run.splitlines()
    assert "Process exited with status 0" in logs(server, "tutorial", dyno="run.1")
    assert "Set TIMES config vars" in heroku("logs", "-n", "100", cwd=src)
    assert "Rolling back tutorial to v2... done, v4" in heroku("rollback", cwd=src)
    assert "Rollback to v2" in heroku("releases", cwd=src)


def _web2_started_again(server: Server, before: str | None) -> bool:
    dynos = {d["name"]: d for d in server.api("GET", "/apps/cli/dynos").json()}
    web2 = dynos.get("web.2")
    return bool(web2) and web2["state"] == "up" and web2["started_at"] != before


def _read_until(proc: subprocess.Popen, wanted: str, seconds: float) -> str:
    """What `proc` printed until a line holds `wanted` (or it stopped, or time ran out)."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = threading.Timer(seconds, proc.kill)
    deadline.start()
    try:
        for line in proc.stdout:
            seen.append(line)
            if wanted in line:
                break
    finally:
        deadline.cancel()
    return "".join(seen)
