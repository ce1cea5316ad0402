"""Heroku Key-Value Store with a real Valkey: attached as a rediss:// REDIS_URL, used
over TLS by redis-py from a web dyno and by an RQ worker consuming the jobs the web
process enqueues; the plan's memory limit and eviction policy enforced; redis:info,
redis:cli, redis:maxmemory and redis:credentials; data kept across a restart; a second
store under a colour; another app's dyno cannot reach it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.integration.platform_fixture import Server, wait_for

APP = """\
import os

import redis
from flask import Flask, request
from rq import Queue
from rq.job import Job

import tasks

app = Flask(__name__)
# As Heroku's docs ask of Python apps: TLS, without verifying the store's certificate.
store = redis.from_url(os.environ.get("REDIS_URL", "rediss://unset"), ssl_cert_reqs=None)
queue = Queue(connection=store)


@app.post("/count")
def count():
    return str(store.incr("hits"))


@app.post("/enqueue")
def enqueue():
    return queue.enqueue(tasks.double, int(request.args["n"])).id


@app.get("/jobs/<job_id>")
def job(job_id):
    found = Job.fetch(job_id, connection=store)
    return str(found.return_value()) if found.is_finished else found.get_status()


@app.post("/fill")
def fill():
    try:
        for i in range(int(request.args["mb"])):
            store.set(f"fill:{i}", b"x" * 1024 * 1024)
    except redis.exceptions.ResponseError as exc:
        return f"refused: {exc}", 507
    return "filled"
"""

TASKS = """\
def double(n):
    return 2 * n
"""

WORKER = """\
import os

import redis
from rq import Queue, Worker

store = redis.from_url(os.environ["REDIS_URL"], ssl_cert_reqs=None)
Worker([Queue(connection=store)], connection=store).work()
"""

FILES = {
    "app.py": APP,
    "tasks.py": TASKS,
    "worker.py": WORKER,
    "requirements.txt": "flask==3.1.*\ngunicorn==23.*\nredis>=5,<7\nrq>=2,<3\n",
    "Procfile": "web: gunicorn app:app --bind 0.0.0.0:$PORT\nworker: python worker.py\n",
}


def post(server: Server, app: str, path: str) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{server.router_port}{path}", headers={"Host": f"{app}.localhost"}, timeout=60
    )


def redis_cli(server: Server, app: str, commands: str, check: bool = True) -> str:
    return server.cli("redis:cli", "-a", app, input=commands, check=check).stdout


@pytest.mark.long
def test_key_value_store_serves_a_web_dyno_and_an_rq_worker(server: Server, tmp_path: Path, docker_engine):
    server.cli("apps:create", "kv")
    server.push(server.app_source(tmp_path, "kv", FILES, from_sample=False))
    bad_plan = server.cli("addons:create", "heroku-redis:huge", "-a", "kv", check=False)
    assert bad_plan.returncode != 0 and "unknown plan 'huge'" in bad_plan.stderr

    created = server.cli("addons:create", "heroku-redis", "-a", "kv").stdout
    store = re.search(r"Created (redis-[\w-]+) as REDIS_URL", created).group(1)
    url = server.cli("config:get", "REDIS_URL", "-a", "kv").stdout.strip()
    assert re.fullmatch(rf"rediss://:[0-9a-f]{{48}}@{store}:6379", url), url

    # The web dyno, over TLS.
    wait_for(lambda: post(server, "kv", "/count").status_code == 200, 60)
    assert int(post(server, "kv", "/count").text) >= 2

    # An RQ worker consumes what the web process enqueues.
    server.cli("ps:scale", "worker=1", "-a", "kv")
    job = post(server, "kv", "/enqueue?n=21").text
    wait_for(lambda: server.router_get("kv", f"/jobs/{job}").text == "42", 90)

    info = server.cli("redis:info", "-a", "kv").stdout
    assert f"=== {store} (REDIS_URL)" in info
    for line in ("Plan:        mini", "Maxmemory:   noeviction", "Maxclients:  20", "Persistence: AOF"):
        assert line in info, info

    said = redis_cli(server, "kv", "SET greeting hello\nGET greeting\n")
    assert said.splitlines() == [
        f"Connecting to {store} (REDIS_URL):",
        "OK",
        "hello",
        "Disconnected from instance.",
    ]
    # Only Redis commands, each with an end: never valkey-cli's own options (another
    # host of the app's network), a stream, or a wait without end holding the API.
    refused = server.cli(
        "redis:cli", "-a", "kv", input="-h 127.0.0.1 PING\nMONITOR\nBLPOP nothing 0\nPING\n", check=False
    )
    assert refused.returncode != 0
    assert "-h is not a Redis command" in refused.stderr
    assert "MONITOR answers without end" in refused.stderr
    assert "no answer within 10 s" in refused.stdout
    assert refused.stdout.splitlines()[-2:] == ["PONG", "Disconnected from instance."]
    # As on Heroku, clients have no CONFIG: the plan's limits are the platform's to set.
    lifted = redis_cli(server, "kv", "CONFIG SET maxmemory 0\n", check=False)
    assert "ERR unknown command 'CONFIG'" in lifted, lifted

    # The plan's 25 MB, with Heroku's first policy: writes past it are refused.
    refused = post(server, "kv", "/fill?mb=40")
    assert refused.status_code == 507 and "used memory > 'maxmemory'" in refused.text
    bad_policy = server.cli("redis:maxmemory", "-a", "kv", "--policy", "sometimes", check=False)
    assert bad_policy.returncode != 0 and "unknown maxmemory policy 'sometimes'" in bad_policy.stderr
    assert len(bad_policy.stderr.strip().splitlines()) == 1
    changed = server.cli("redis:maxmemory", "-a", "kv", "--policy", "allkeys-lru").stdout
    assert changed.splitlines() == [
        f"Maxmemory policy for {store} (REDIS_URL) set to allkeys-lru.",
        "allkeys-lru removes less recently used keys first.",
    ]
    assert post(server, "kv", "/fill?mb=40").status_code == 200
    assert "OK" in redis_cli(server, "kv", "SET kept 'through a restart'\n")

    # New credentials: the old password stops working, and the app gets the new URL in
    # a release and goes on using the store.
    assert server.cli("redis:credentials", "-a", "kv").stdout.strip() == url
    reset = server.cli("redis:credentials", "--reset", "-a", "kv").stdout
    assert f"Resetting credentials for {store}" in reset
    renewed = server.cli("config:get", "REDIS_URL", "-a", "kv").stdout.strip()
    assert renewed != url and renewed.split("@")[1] == url.split("@")[1]
    wait_for(lambda: post(server, "kv", "/count").status_code == 200, 60)
    container = next(
        c
        for c in docker_engine.containers.list(filters={"label": f"minidyno.home={server.home.resolve()}"})
        if c.name.endswith(store)
    )
    old_password = url.split(":")[2].split("@")[0]
    ping = ["valkey-cli", "--tls", "--insecure", "--no-auth-warning", "PING"]
    assert b"WRONGPASS" in container.exec_run(ping, environment={"REDISCLI_AUTH": old_password}).output

    # Persistence: the data, the policy and the new password outlive a restart of the store.
    container.restart(timeout=10)
    # Until it has loaded its data, the store may refuse the command.
    wait_for(lambda: "through a restart" in redis_cli(server, "kv", "GET kept\n", check=False), 30)
    assert "Maxmemory:   allkeys-lru" in server.cli("redis:info", "-a", "kv").stdout

    # A second store gets a colour, as on Heroku.
    second = server.cli("addons:create", "heroku-redis:premium-0", "-a", "kv").stdout
    assert re.search(r"Created redis-[\w-]+ as HEROKU_REDIS_[A-Z]+_URL", second), second

    # Another app's dyno cannot reach it: the store is on kv's network only.
    server.cli("apps:create", "outsider")
    server.push(server.app_source(tmp_path, "outsider", FILES, from_sample=False))
    probe = f"import redis; redis.from_url({renewed!r}, ssl_cert_reqs=None, socket_timeout=3).ping()"
    reached = server.cli("run", "-a", "outsider", "--", f'python -c "{probe}"', check=False)
    assert reached.returncode != 0
    assert "Error" in reached.stdout + reached.stderr
