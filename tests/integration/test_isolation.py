"""Twenty apps on one server, as a class puts there: no app's traffic, logs or state
crosses into another's, and no app's dyno reaches another's.

The apps are built from a Dockerfile (heroku.yml) whose layers the engine caches, so
twenty pushes take seconds each and the test stays short."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.platform_fixture import Server, dynos, logs, wait_for

APPS = [f"pupil-{i:02d}" for i in range(1, 21)]

SERVER = """\
import http.server
import os


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{os.environ['WHO']} {os.environ['DYNO']} {self.path}".encode()
        print("served", self.path, flush=True)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
"""

FILES = {
    "server.py": SERVER,
    "Dockerfile": (
        'FROM minidyno/stack:trixie\nCOPY server.py /srv/server.py\nCMD ["python3", "/srv/server.py"]\n'
    ),
    "heroku.yml": "build:\n  docker:\n    web: Dockerfile\n",
}

#: From inside a dyno: whether another address answers on the web port.
REACH = (
    "python3 -c \"import socket; socket.create_connection(('{address}', 5000), timeout=3); print('reached')\""
    " || echo unreachable"
)


def _with_request(text: str, app: str) -> str:
    """The log once it shows the app's request from the router and from its dyno."""
    return text if f'path="/from-{app}"' in text and f"served /from-{app}" in text else ""


def source(server: Server, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for name, text in FILES.items():
        (src / name).write_text(text)
    server.git("init", "-q", "-b", "main", cwd=src)
    server.commit(src, "Twenty of these")
    return src


@pytest.mark.long
def test_twenty_apps_keep_their_traffic_logs_and_state_to_themselves(
    server: Server, tmp_path: Path, docker_engine
):
    src = source(server, tmp_path)
    for app in APPS:
        server.api("POST", "/apps", json={"name": app})
        server.api("PATCH", f"/apps/{app}/config", json={"WHO": app})
        subprocess.run(
            [
                "git",
                "push",
                "-q",
                f"http://git:{server.token}@127.0.0.1:{server.api_port}/git/{app}.git",
                "main",
            ],
            cwd=src,
            env=server.env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    # Traffic: each app's hostname reaches its own dyno, with its own config.
    for app in APPS:
        answer = server.router_get(app, f"/from-{app}")
        assert (answer.status_code, answer.text) == (200, f"{app} web.1 /from-{app}")
    assert server.router_get("pupil-99").status_code == 404, "no app answers for one that does not exist"

    # Logs: each app's log has its own request, from the router and from its dyno, and
    # nobody else's.
    for app in APPS:
        text = wait_for(lambda app=app: _with_request(logs(server, app), app))
        assert [other for other in APPS if other != app and f"/from-{other}" in text] == []

    # State: config vars, dynos and releases are each app's own.
    for app in APPS:
        assert server.api("GET", f"/apps/{app}/config").json() == {"WHO": app}
        assert [(d["name"], d["state"]) for d in dynos(server, app)] == [("web.1", "up")]
    listed = {a["name"]: [d["name"] for d in a["dynos"]] for a in server.api("GET", "/apps").json()}
    assert listed == {app: ["web.1"] for app in APPS}

    # Networks: a dyno of one app cannot reach a dyno of another, while it reaches its own.
    def address(app: str) -> str:
        container = docker_engine.containers.list(
            filters={
                "label": [
                    f"minidyno.home={server.home.resolve()}",
                    f"minidyno.app={app}",
                    "minidyno.dyno=web.1",
                ]
            }
        )[0]
        return next(iter(container.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]

    first, last = APPS[0], APPS[-1]
    own = server.cli("run", "-a", first, REACH.format(address=address(first))).stdout
    other = server.cli("run", "-a", first, REACH.format(address=address(last))).stdout
    assert ("reached" in own, other.strip().splitlines()[-1]) == (True, "unreachable")
