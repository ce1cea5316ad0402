"""Every MINIDYNO_* setting, read once, in one place.

Modules receive a `Settings` rather than reading the environment themselves, so a test
can run two servers with different homes and ports in one process without them
touching each other.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number; set it to one or unset it") from None


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise SystemExit(
            f"{name}={env[name]!r} is not a positive whole number; set it to one (e.g. 120) or unset it"
        )
    return value


def _non_negative_int(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 0:
        raise SystemExit(f"{name}={env[name]!r} is negative; set 0 or more, or unset it")
    return value


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise SystemExit(f"{name}={raw!r} is not a positive number; set it to one (e.g. 0.5) or unset it")
    return value


def _pool(env: dict[str, str], name: str, default: str) -> IPv4Network:
    raw = env.get(name, "") or default
    try:
        pool = IPv4Network(raw)
    except ValueError:
        pool = None
    if pool is None or pool.prefixlen > 24:
        raise SystemExit(
            f"{name}={raw!r} is not an IPv4 network of /24 or larger (e.g. 10.213.0.0/16);"
            " set one or unset it"
        )
    return pool


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, the first when unset."""
    raw = env.get(name, "") or choices[0]
    if raw not in choices:
        raise SystemExit(f"{name}={raw!r} is not one of {', '.join(choices)}; set one or unset it")
    return raw


@dataclass(frozen=True)
class Settings:
    home: Path
    api_port: int = 5100
    router_port: int = 8080
    #: HTTPS beside HTTP, as Heroku's router terminates TLS; 0 turns it off.
    router_tls_port: int = 8443
    #: Where `heroku run` attaches to its one-off dyno (Heroku's rendezvous, TLS with
    #: minidyno's CA); 0 turns it off.
    rendezvous_port: int = 5101
    idle_timeout: int = 1800
    domain: str = "localhost"
    bind: str = "127.0.0.1"
    #: Seconds between SIGTERM and SIGKILL when a dyno stops (Heroku: 30; R12 after).
    stop_timeout: int = 30
    #: Seconds a web dyno has to bind $PORT (Heroku: 60; R10 after).
    boot_timeout: int = 60
    #: Seconds the router waits for a dyno's response (Heroku: 30; H12 after).
    router_timeout: int = 30
    #: Crash restarts: the first is immediate, then base * 2^(n-2) s up to cap. Heroku's
    #: cool-off grows to 20 minutes; the default cap is 20 minutes scaled down 20x (60 s),
    #: so a crash loop is visible in class without a dyno staying down for long.
    crash_backoff_base: float = 2.0
    crash_backoff_cap: float = 60.0
    #: Seconds a build may run before it is stopped (Heroku: 15 minutes).
    build_timeout: int = 900
    #: Seconds a release phase may run before the release fails (Heroku: 1 hour).
    release_timeout: int = 3600
    #: Seconds a formation dyno runs before it is cycled (replaced by a new one), plus up
    #: to 216/1440 of that (Heroku: 24 hours plus up to 216 minutes); a class demo sets 120.
    dyno_cycle: int = 86400
    #: A dyno's memory quota in MB (Heroku's for Eco, Basic and Standard-1X: 512). R14 is
    #: logged past it; its container is limited to twice it, where R15 kills it.
    memory_quota_mb: int = 512
    #: Seconds per metrics sample (Heroku's Metrics tab: 10 s at its finest); 0 turns
    #: metrics collection and R14's watch off.
    metrics_interval: int = 10
    #: The most dynos of one process type `ps:scale` accepts.
    max_dynos_per_type: int = 20
    #: Seconds between row counts of hobby-dev databases (the 10,000-row limit).
    row_check_interval: int = 60
    #: The account's eco dyno hours a month (Heroku: 1000); a fraction of an hour lets
    #: a class watch the pool run out.
    eco_hours: float = 1000.0
    #: Seconds in a Heroku Scheduler minute: 60, or less so that a class (or a test)
    #: sees "every 10 minutes" come round in seconds.
    scheduler_minute: float = 60.0
    #: The most CPU cores one dyno may use (beside an equal share with the others).
    dyno_cpus: float = 1.0
    #: The largest push (git pack or source tarball) the API reads, in MiB.
    max_push_mb: int = 1024
    #: Where apps' networks get their /26 subnets (runtime/subnets.py).
    network_pool: IPv4Network = IPv4Network("10.213.0.0/16")
    #: What runs dynos: `docker` (containers on this engine) or `swarm` (services on
    #: the swarm this engine manages, initialised when it is in none).
    runtime: str = "docker"
    #: The address a swarm minidyno initialises tells other nodes; the engine picks
    #: when unset, and refuses on a host of several addresses.
    swarm_advertise_addr: str | None = None
    #: The port of the swarm's registry (runtime/swarm_registry.py) on the manager.
    swarm_registry_port: int = 5000
    buildpacks_dir: Path = REPO_ROOT / "buildpacks"
    host_ca_bundle: Path | None = None
    #: The CAs this host added to its trust store, offered to Dockerfile builds.
    host_extra_ca_dir: Path | None = None
    build_proxy_env: dict[str, str] = field(default_factory=dict)
    #: Where stacks come from: `debootstrap` from this mirror, or `pull` of debian:<suite>.
    stack_source: str = "debootstrap"
    debian_mirror: str = "http://deb.debian.org/debian"
    #: For the CLI: another server's API (MINIDYNO_API_URL) and its token, instead of
    #: this home's.
    client_api_url: str | None = None
    client_token: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("MINIDYNO_HOME") or Path.home() / ".minidyno").expanduser().resolve()
        return cls(
            home=home,
            api_port=_int(env, "MINIDYNO_API_PORT", 5100),
            router_port=_int(env, "MINIDYNO_ROUTER_PORT", 8080),
            router_tls_port=_int(env, "MINIDYNO_ROUTER_TLS_PORT", 8443),
            rendezvous_port=_int(env, "MINIDYNO_RENDEZVOUS_PORT", 5101),
            idle_timeout=_int(env, "MINIDYNO_IDLE_TIMEOUT", 1800),
            domain=env.get("MINIDYNO_DOMAIN") or "localhost",
            bind=env.get("MINIDYNO_BIND") or "127.0.0.1",
            stop_timeout=_int(env, "MINIDYNO_STOP_TIMEOUT", 30),
            boot_timeout=_int(env, "MINIDYNO_BOOT_TIMEOUT", 60),
            router_timeout=_int(env, "MINIDYNO_ROUTER_TIMEOUT", 30),
            crash_backoff_base=float(_int(env, "MINIDYNO_CRASH_BACKOFF_BASE", 2)),
            crash_backoff_cap=float(_int(env, "MINIDYNO_CRASH_BACKOFF_CAP", 60)),
            release_timeout=_int(env, "MINIDYNO_RELEASE_TIMEOUT", 3600),
            build_timeout=_int(env, "MINIDYNO_BUILD_TIMEOUT", 900),
            dyno_cycle=_positive_int(env, "MINIDYNO_DYNO_CYCLE", 86400),
            max_dynos_per_type=_int(env, "MINIDYNO_MAX_DYNOS_PER_TYPE", 20),
            memory_quota_mb=_positive_int(env, "MINIDYNO_MEMORY_QUOTA_MB", 512),
            metrics_interval=_non_negative_int(env, "MINIDYNO_METRICS_INTERVAL", 10),
            row_check_interval=_int(env, "MINIDYNO_ROW_CHECK_INTERVAL", 60),
            eco_hours=_float(env, "MINIDYNO_ECO_HOURS", 1000.0),
            scheduler_minute=_float(env, "MINIDYNO_SCHEDULER_MINUTE", 60.0),
            max_push_mb=_int(env, "MINIDYNO_MAX_PUSH_MB", 1024),
            dyno_cpus=_float(env, "MINIDYNO_DYNO_CPUS", 1.0),
            network_pool=_pool(env, "MINIDYNO_NETWORK_POOL", "10.213.0.0/16"),
            runtime=_choice(env, "MINIDYNO_RUNTIME", ("docker", "swarm")),
            swarm_advertise_addr=env.get("MINIDYNO_SWARM_ADVERTISE_ADDR") or None,
            swarm_registry_port=_positive_int(env, "MINIDYNO_SWARM_REGISTRY_PORT", 5000),
            host_ca_bundle=_host_ca_bundle(env),
            host_extra_ca_dir=Path(env.get("MINIDYNO_BUILD_CA_DIR") or "/usr/local/share/ca-certificates"),
            build_proxy_env={k: v for k, v in env.items() if k.lower() in _PROXY_VARS},
            stack_source=env.get("MINIDYNO_STACK_SOURCE") or "debootstrap",
            debian_mirror=env.get("MINIDYNO_DEBIAN_MIRROR") or "http://deb.debian.org/debian",
            client_api_url=env.get("MINIDYNO_API_URL") or None,
            client_token=env.get("MINIDYNO_API_TOKEN") or None,
        )

    @property
    def home_id(self) -> str:
        """A short stable id of this home, for Docker names that must not collide
        between two servers on one engine (labels carry the full path)."""
        return hashlib.sha256(str(self.home).encode()).hexdigest()[:8]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def db_path(self) -> Path:
        return self.home / "state.sqlite3"

    @property
    def token_path(self) -> Path:
        return self.home / "token"

    @property
    def repos_dir(self) -> Path:
        return self.home / "repos"

    @property
    def router_dir(self) -> Path:
        return self.home / "router"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    def app_dirs(self, app: str) -> tuple[Path, ...]:
        """The folders of the home that hold one app's build logs and database backups:
        `apps:destroy` removes them with its repo, so that a new app of the same name
        finds nothing of the old one (nor can restore its dump)."""
        return (self.builds_dir / app, self.backups_dir / app)

    @property
    def builds_dir(self) -> Path:
        return self.home / "builds"

    @property
    def backups_dir(self) -> Path:
        return self.home / "backups"

    @property
    def metrics_path(self) -> Path:
        return self.home / "metrics.sqlite3"

    @property
    def ca_dir(self) -> Path:
        return self.home / "ca"

    @property
    def tls(self) -> bool:
        return self.router_tls_port != 0

    def app_url(self, app: str) -> str:
        """The app's https URL when the router serves TLS (as Heroku prints it), else
        its http one; default ports are left out."""
        return self._router_url(f"{app}.{self.domain}")

    @property
    def dashboard_url(self) -> str:
        """The dashboard's own https origin at the router (the domain's bare name),
        else the API's http one."""
        return self._router_url(self.domain) if self.tls else self.api_url + "/"

    @property
    def dashboard_origins(self) -> frozenset[str]:
        """Where the dashboard's pages are served from: the API's own port, and its https
        origin at the router. Cookie-authenticated requests must come from one of them."""
        origins = {f"http://127.0.0.1:{self.api_port}", f"http://localhost:{self.api_port}"}
        if self.tls:
            port = "" if self.router_tls_port == 443 else f":{self.router_tls_port}"
            origins |= {f"https://{self.domain}{port}", f"https://127.0.0.1{port}"}
        return frozenset(origins)

    def _router_url(self, host: str) -> str:
        if self.tls:
            port = "" if self.router_tls_port == 443 else f":{self.router_tls_port}"
            return f"https://{host}{port}/"
        port = "" if self.router_port == 80 else f":{self.router_port}"
        return f"http://{host}{port}/"

    def git_url(self, app: str) -> str:
        return f"{self.api_url}/git/{app}.git"


_PROXY_VARS = {"http_proxy", "https_proxy", "no_proxy", "all_proxy"}


def _host_ca_bundle(env: dict[str, str]) -> Path | None:
    """The CA bundle build containers need to reach PyPI through this machine's TLS
    proxy; passed in at build time only, never baked into an image."""
    for name in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        if env.get(name) and Path(env[name]).is_file():
            return Path(env[name])
    default = Path("/etc/ssl/certs/ca-certificates.crt")
    return default if default.is_file() else None
