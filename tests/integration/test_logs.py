"""The log bus end to end: dynos, router and platform on one stream per app, filters,
a live tail, history across redeploys and restarts, and a flood that harms nothing."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.platform_fixture import Server, deployed, logs, wait_for

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"


def test_each_kind_of_line_and_each_filter(server: Server, tmp_path: Path):
    deployed(server, tmp_path, "lines")
    server.router_get("lines", "/", headers={"X-Request-Id": "request-id-of-twenty-chars"})

    text = wait_for(lambda: "minidyno[router]" in (t := logs(server, "lines")) and t, 10)

    assert re.search(rf"^{STAMP} app\[web\.1\]: .*Listening at", text, re.M)
    assert re.search(rf"^{STAMP} minidyno\[web\.1\]: State changed from starting to up$", text, re.M)
    assert re.search(rf"^{STAMP} minidyno\[api\]: Release v1 created: Deploy [0-9a-f]{{7}}$", text, re.M)
    assert re.search(
        rf'^{STAMP} minidyno\[router\]: at=info method=GET path="/" host=lines\.localhost '
        r'request_id=request-id-of-twenty-chars fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms '
        r"service=\d+ms status=200 bytes=\d+ protocol=http$",
        text,
        re.M,
    )
    # The CLI's filter flags, as a user types them.
    only_app = server.cli("logs", "-a", "lines", "-s", "app").stdout
    assert only_app and all(" app[" in ln for ln in only_app.splitlines())
    only_web1 = server.cli("logs", "-a", "lines", "-d", "web.1").stdout
    assert only_web1 and all("[web.1]" in ln for ln in only_web1.splitlines())
    only_release = server.cli("logs", "-a", "lines", "-p", "release").stdout
    assert "release phase for release.1" in only_release
    assert all("[release.1]" in ln for ln in only_release.splitlines())

    server.cli("ps:scale", "web=0", "-a", "lines")
    wait_for(lambda: server.router_get("lines").status_code == 503, 20)
    assert wait_for(
        lambda: 'at=error code=H14 desc="No web dynos running"' in logs(server, "lines", source="minidyno"),
        10,
    )


def test_tail_sees_a_new_line_within_a_second(server: Server, tmp_path: Path):
    deployed(server, tmp_path, "tailed")
    tail = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "minidyno",
            "logs",
            "-t",
            "-n",
            "0",
            "-a",
            "tailed",
            "-s",
            "minidyno",
            "-d",
            "router",
        ],
        env=server.env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.5)
        sent = time.monotonic()
        server.router_get("tailed", "/tail-marker")
        line = tail.stdout.readline()
        seen = time.monotonic() - sent
    finally:
        tail.terminate()
        tail.wait(10)
    assert 'path="/tail-marker"' in line
    assert seen < 1.0, f"the tail saw the line after {seen:.2f} s"


def test_history_survives_redeploy_and_server_restart(server: Server, tmp_path: Path):
    src = deployed(server, tmp_path, "history")
    server.router_get("history", "/before-restart")
    wait_for(lambda: "/before-restart" in logs(server, "history"), 10)
    server.commit(src, "Redeploy")
    server.push(src)

    server.stop()
    server.start()

    text = logs(server, "history")
    assert "/before-restart" in text
    assert "Release v1 created" in text and "Release v2 created" in text


def test_long_lines_are_split_and_invalid_utf8_replaced(server: Server, tmp_path: Path):
    deployed(server, tmp_path, "odd")

    server.cli(
        "run:detached",
        "-a",
        "odd",
        "--",
        "python -c 'print(\"x\" * 25000)'; printf 'bad \\xff\\xfe bytes\\n'",
    )

    text = wait_for(lambda: "bad" in (t := logs(server, "odd", process_type="run")) and t, 20)
    pieces = [ln.split("]: ", 1)[1] for ln in text.splitlines() if "]: xxx" in ln]
    assert [len(p) for p in pieces] == [10000, 10000, 5000]
    assert "bad \ufffd\ufffd bytes" in text


FLOOD = """\
import sys
line = "flood line " * 8 + "\\n"
while True:
    sys.stdout.write(line * 100)
"""


def test_flood_leaves_the_dyno_responsive_and_memory_bounded(server: Server, tmp_path: Path):
    server.cli("apps:create", "flood")
    src = server.app_source(
        tmp_path,
        "flood",
        {
            "Procfile": "web: gunicorn app:app --bind 0.0.0.0:$PORT\nflood: python flood.py\n",
            "flood.py": FLOOD,
        },
    )
    server.push(src)
    server.cli("ps:scale", "flood=1", "-a", "flood")
    wait_for(lambda: "app[flood.1]: flood line" in logs(server, "flood", dyno="flood.1"), 20)

    with httpx.Client() as client:
        for _ in range(20):
            response = client.get(
                f"http://127.0.0.1:{server.router_port}/", headers={"Host": "flood.localhost"}, timeout=10
            )
            assert response.status_code == 200
            time.sleep(0.25)
    rss_kib = int(Path(f"/proc/{server.process.pid}/status").read_text().split("VmRSS:")[1].split()[0])
    assert rss_kib < 400 * 1024, f"the server grew to {rss_kib // 1024} MiB under the flood"
    assert len(logs(server, "flood").splitlines()) <= 1500
