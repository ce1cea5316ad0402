"""`minidyno local` and `procfile:check` with real processes, no Docker or server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

WEB = """\
import http.server, os

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{os.environ['GREETING']}|{os.environ['DYNO']}|{os.environ['PORT']}".encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""

WORKER = """\
import time
print("worker tick", flush=True)
time.sleep(600)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_dir(tmp_path: Path, procfile: str, env: str = "") -> Path:
    (tmp_path / "web.py").write_text(WEB)
    (tmp_path / "worker.py").write_text(WORKER)
    (tmp_path / "Procfile").write_text(procfile)
    (tmp_path / ".env").write_text(env)
    return tmp_path


def start_local(folder: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "minidyno", "local", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_get(url: str, timeout: float = 20) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_web_serves_on_its_port_with_dotenv_values_and_worker_output_is_prefixed(tmp_path):
    port = free_port()
    folder = app_dir(
        tmp_path,
        f"web: {sys.executable} web.py\nworker: {sys.executable} worker.py\n",
        "GREETING='Hello \"quoted\" world'\n",
    )
    proc = start_local(folder, "-p", str(port))
    try:
        response = wait_get(f"http://127.0.0.1:{port}/")
        assert response.text == f'Hello "quoted" world|web.1|{port}'
        os.killpg(proc.pid, signal.SIGINT)
        started = time.monotonic()
        output, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert time.monotonic() - started < 10
    assert proc.returncode == 130
    assert any(
        line.split("|")[0].rstrip().endswith("worker.1") and "worker tick" in line
        for line in output.splitlines()
    ), output


def test_one_crashing_process_stops_the_rest_and_says_which(tmp_path):
    folder = app_dir(
        tmp_path,
        f"worker: {sys.executable} worker.py\ncrasher: {sys.executable} -c 'import sys; sys.exit(3)'\n",
    )
    proc = start_local(folder, "-p", str(free_port()))
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 3
    assert "crasher.1 stopped (rc=3)" in output
    assert "sending SIGTERM to worker.1" in output


def test_formation_and_named_types(tmp_path):
    folder = app_dir(
        tmp_path,
        f"worker: {sys.executable} worker.py\nother: {sys.executable} -c 'import sys; sys.exit(0)'\n",
    )
    proc = start_local(folder, "worker", "--formation", "worker=2", "-p", str(free_port()))
    try:
        deadline = time.monotonic() + 15
        seen = ""
        while seen.count("worker tick") < 2 and time.monotonic() < deadline:
            seen += proc.stdout.readline()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=15)
    assert "worker.1" in seen and "worker.2" in seen and "other" not in seen


def test_local_run_uses_the_dotenv(tmp_path):
    folder = app_dir(tmp_path, "web: true\n", 'GREETING="from env file"\n')
    result = subprocess.run(
        [sys.executable, "-m", "minidyno", "local:run", "--", "sh", "-c", "echo $GREETING; exit 4"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 4 and result.stdout == "from env file\n"
    ported = subprocess.run(
        [sys.executable, "-m", "minidyno", "local:run", "-p", "7000", "--", "sh", "-c", "echo $PORT"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert ported.stdout == "7000\n"


def test_tracked_env_with_secrets_is_warned_about(tmp_path):
    folder = app_dir(tmp_path, f"worker: {sys.executable} -c 'pass'\n", "API_TOKEN=abc\n")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", ".env"], cwd=folder, check=True)
    proc = start_local(folder, "-p", str(free_port()))
    output, _ = proc.communicate(timeout=30)
    assert ".env is tracked by git and holds API_TOKEN" in output


def test_procfile_check_reports_each_problem_with_its_line(tmp_path):
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "Procfile").write_bytes(
        b"worker: python w.py\nrun: x\nworker: again\nbad type: y\nweb2: flask run\r\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "minidyno", "procfile:check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Procfile:2: error: `run` is reserved" in result.stdout
    assert "Procfile:3: error: duplicate process type 'worker' (first on line 1)" in result.stdout
    assert "Procfile:4: error: invalid process type 'bad type'" in result.stdout
    assert "Procfile:5: error: CRLF line ending" in result.stdout
    assert "Procfile:1: warning: no `web` process type" in result.stdout

    (tmp_path / "Procfile").write_text("web: gunicorn app:app --bind 0.0.0.0:$PORT\n")
    good = subprocess.run(
        [sys.executable, "-m", "minidyno", "procfile:check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert good.returncode == 0 and good.stdout == "Procfile: ok\n"
