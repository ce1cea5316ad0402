"""Run nginx as the router: start it, or adopt the one a previous server left running,
and reload it gracefully whenever the routes change.

nginx outlives `minidyno server` on purpose: traffic to dynos that are up keeps
flowing while the control plane restarts.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from minidyno.certs import CertificateAuthority
from minidyno.errors import UserError
from minidyno.router import nginx_config
from minidyno.router.routes import AppRoute, hostnames
from minidyno.settings import Settings


class RouterError(UserError):
    status = 500


class NginxRouter:
    def __init__(self, settings: Settings, ca: CertificateAuthority) -> None:
        self.settings = settings
        self.ca = ca
        self.run_dir = settings.router_dir
        self.conf_path = self.run_dir / "nginx.conf"
        self.pid_path = self.run_dir / "nginx.pid"
        self.access_log = settings.logs_dir / "router-access.log"
        self.activator_port = 0
        self._generation = int(time.time() * 1000)
        self._lock = threading.Lock()
        self._workers: set[int] = set()
        self._nginx_version: tuple[int, ...] | None = None
        #: The routes' shape nginx last accepted with `nginx -t` (see _shape).
        self._checked_shape: tuple | None = None

    def _binary(self) -> str:
        found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
        if not found:
            raise RouterError(
                "nginx is not installed; install it (apt-get install nginx-light) or run ./dev up"
            )
        return found

    def pid(self) -> int | None:
        """The nginx master's pid while it runs. A killed master left as a zombie does
        not count, nor does another process that got the pid later (after a reboot, or
        in a new container whose pids start again from 1)."""
        try:
            pid = int(self.pid_path.read_text().strip())
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            return None
        if state in ("Z", "X") or not title.startswith(b"nginx: master process"):
            return None
        return pid

    def apply(self, routes: list[AppRoute]) -> None:
        """Write the configuration for these routes and make nginx serve it; returns
        only once nginx answers with the new configuration."""
        with self._lock:
            self._generation += 1
            self._write(routes)
            try:
                pid = self.pid()
                if pid is None:
                    self._reap_orphans()
                    self._start()
                else:
                    accepting = _accepting_workers(pid)
                    os.kill(pid, signal.SIGHUP)
                    self._wait_until_retired(pid, accepting)
                self._wait_for_generation(self._generation)
            except RouterError:
                # Whatever nginx refused, the next change is checked with `nginx -t` first.
                self._checked_shape = None
                raise
            if master := self.pid():
                self._workers = _accepting_workers(master)

    def _reap_orphans(self) -> None:
        """Workers whose master was killed keep the listening socket (and serve with the
        old configuration); stop them so a new nginx can take the port."""
        for pid in self._workers:
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"nginx: worker process"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self._workers = set()

    def reopen_logs(self) -> None:
        """After the access log was moved aside: nginx opens a new one."""
        if pid := self.pid():
            os.kill(pid, signal.SIGUSR1)

    def _write(self, routes: list[AppRoute]) -> None:
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / "tmp" / name).mkdir(parents=True, exist_ok=True)
        (self.run_dir / "error-pages.conf").write_text(nginx_config.error_pages_conf())
        text = nginx_config.render(
            routes,
            listen=f"{self.settings.bind}:{self.settings.router_port}",
            run_dir=self.run_dir,
            access_log=self.access_log,
            activator_port=self.activator_port,
            generation=self._generation,
            tls=self._tls(routes) if self.settings.tls else None,
            request_timeout=self.settings.router_timeout,
        )
        candidate = self.conf_path.with_suffix(".new")
        candidate.write_text(text)
        shape = _shape(routes)
        if shape != self._checked_shape:
            check = subprocess.run(
                [self._binary(), "-t", "-q", "-e", str(self.run_dir / "error.log"), "-c", str(candidate)],
                capture_output=True,
                text=True,
            )
            if check.returncode != 0:
                raise RouterError(f"nginx refused the rendered configuration: {check.stderr.strip()}")
            self._checked_shape = shape
        candidate.replace(self.conf_path)

    def _tls(self, routes: list[AppRoute]) -> nginx_config.Tls:
        """One certificate for every app's hostnames and custom domains, as all apps
        share one server, issued from minidyno's CA (kept until the names change), and
        the dashboard's."""
        settings = self.settings
        certs = self.run_dir / "certs"
        dashboard_hosts = (settings.domain, "127.0.0.1")
        names = hostnames(routes)
        return nginx_config.Tls(
            listen=f"{settings.bind}:{settings.router_tls_port}",
            http_port=settings.router_port,
            port=settings.router_tls_port,
            apps=self.ca.leaf(certs, "apps", names) if names else None,
            dashboard=self.ca.leaf(certs, "dashboard", dashboard_hosts),
            dashboard_hosts=dashboard_hosts,
            api_port=settings.api_port,
            http2_directive=self._version() >= (1, 25, 1),
        )

    def _version(self) -> tuple[int, ...]:
        if self._nginx_version is None:
            out = subprocess.run([self._binary(), "-v"], capture_output=True, text=True).stderr
            found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out)
            self._nginx_version = tuple(int(p) for p in found.groups()) if found else (0,)
        return self._nginx_version

    def _start(self) -> None:
        proc = subprocess.run(
            [self._binary(), "-e", str(self.run_dir / "error.log"), "-c", str(self.conf_path)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RouterError(
                f"nginx could not start on {self.settings.bind}:{self.settings.router_port}"
                f"{'/' + str(self.settings.router_tls_port) if self.settings.tls else ''}: "
                f"{proc.stderr.strip()} (is the port taken? set MINIDYNO_ROUTER_PORT and "
                "MINIDYNO_ROUTER_TLS_PORT)"
            )

    def _wait_until_retired(self, master: int, workers: set[int], timeout: float = 10.0) -> None:
        """A reload is done when every worker that served the old configuration has
        stopped accepting: until then a new request may still be routed the old way."""
        deadline = time.monotonic() + timeout
        while workers & _accepting_workers(master):
            if time.monotonic() > deadline:
                raise RouterError(f"nginx's old workers did not retire within {timeout:.0f} s")
            time.sleep(0.005)

    def _wait_for_generation(self, generation: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._served_generation() == generation:
                return
            time.sleep(0.01)
        raise RouterError(
            f"nginx did not load the new configuration within {timeout:.0f} s; "
            f"see {self.run_dir / 'error.log'}"
        )

    def _served_generation(self) -> int | None:
        conn = http.client.HTTPConnection("127.0.0.1", self.settings.router_port, timeout=1)
        try:
            conn.request("GET", "/generation", headers={"Host": nginx_config.CONTROL_HOST})
            body = conn.getresponse().read()
            return int(body)
        except (OSError, ValueError, http.client.HTTPException):
            return None
        finally:
            conn.close()


def _shape(routes: list[AppRoute]) -> tuple:
    """The routes less their dynos' addresses. A dyno coming up or going changes only
    the `server ip:port` lines of an upstream, which minidyno writes from the engine's
    own addresses; the rest (apps, their hostnames and custom domains, maintenance, and
    whether an app goes to its dynos or the activator) is what `nginx -t` must see
    before nginx is asked to load it. Checking only then keeps a dyno change's reload
    from paying for a second full load of the configuration (and of every app's
    certificate) by `nginx -t`."""
    return tuple((r.app, r.hostnames, bool(r.upstreams), r.maintenance) for r in routes)


def _accepting_workers(master: int) -> set[int]:
    """Worker processes of this nginx master that still accept connections: nginx
    retitles a worker "worker process is shutting down" as it closes its listeners."""
    found = set()
    for pid in _children(master):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").strip()
        except OSError:
            continue
        if title == b"nginx: worker process":
            found.add(pid)
    return found


def _children(pid: int) -> list[int]:
    """The processes `pid` started, from the kernel's list of them: a reload polls this
    every few milliseconds, and walking all of /proc instead costs about 13 ms a time on
    a server with a hundred apps' containers. Kernels built without that list (no
    CONFIG_PROC_CHILDREN) get the walk."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return children
